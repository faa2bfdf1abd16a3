//! Customers' vehicles and their odometer history.

use axum::{http::StatusCode, response::IntoResponse};
use chrono::{Datelike, NaiveDate};
use loco_rs::prelude::{AppContext, State};
use sea_orm::IntoActiveModel;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;
use uuid::Uuid;

use super::api::ApiRoutes;
use super::extract::{nullable, Ids, JsonBody, QueryParams};
use crate::models::values::{Day, Id};
use crate::models::Scoped;
use crate::models::Write;
use crate::{
    errors::{ApiError, ApiResult, ErrorBody, FieldErrors},
    models::{
        actor::Actor,
        clock::Clock,
        customers,
        customers::{
            odometer_readings,
            vehicles::{self, NewVehicle, Reading, ReadingSource, VehicleDetails},
        },
        paging::{checked_search, PageParams},
        values::{plausible_day, Name, Plate, Vin},
    },
    views::{
        page::PageResponse,
        vehicles::{OdometerReadingResponse, VehicleResponse},
    },
};

const MAX_KM: i64 = 5_000_000;

/// Range checks shared by creating and changing a vehicle, judged by the
/// caller's clock.
struct Checks<'a>(&'a mut FieldErrors, Clock);

impl Checks<'_> {
    fn text(&mut self, field: &str, raw: &str) -> Option<String> {
        self.0
            .check(field, Name::parse(raw, 60))
            .map(Name::into_inner)
    }

    fn vin(&mut self, raw: Option<&str>) -> Option<Option<String>> {
        match raw.map(str::trim).filter(|vin| !vin.is_empty()) {
            Some(vin) => self
                .0
                .check("vin", Vin::parse(vin))
                .map(|vin| Some(vin.into_inner())),
            None => Some(None),
        }
    }

    fn range<T: PartialOrd + std::fmt::Display + Copy>(
        &mut self,
        field: &str,
        value: Option<T>,
        min: T,
        max: T,
    ) {
        if let Some(value) = value {
            if value < min || value > max {
                self.0
                    .add(field, format!("must be between {min} and {max}"));
            }
        }
    }

    fn year(&mut self, year: Option<i32>) {
        // Next year's models are on sale before the year begins.
        self.range("year", year, 1900, self.1.now().year() + 1);
    }

    fn not_future(&mut self, field: &str, day: Option<NaiveDate>) {
        if day.is_some_and(|day| day > self.1.latest_date()) {
            self.0.add(field, "must not be in the future");
        } else if let Some(day) = day {
            self.0.check(field, plausible_day(day));
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateVehicleParams {
    pub customer_id: Id,
    #[schema(example = "KDA 123A")]
    #[schema(pattern = r"^[ -]*(?:[A-Za-z0-9][ -]*){2,12}$")]
    pub plate: String,
    #[schema(example = "Toyota")]
    #[schema(
        min_length = 1,
        max_length = 60,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub make: String,
    #[schema(example = "Probox")]
    #[schema(
        min_length = 1,
        max_length = 60,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub model: String,
    #[schema(minimum = 1900)]
    pub year: Option<i32>,
    /// 17 characters, no I, O or Q.
    #[schema(pattern = r"^[A-HJ-NPR-Za-hj-npr-z0-9]{17}$")]
    pub vin: Option<String>,
    /// The odometer now; recorded as the first reading.
    #[schema(minimum = 0, maximum = 5_000_000)]
    pub odometer_km: Option<i64>,
    #[schema(minimum = 1, maximum = 120)]
    pub service_interval_months: Option<i32>,
    #[schema(minimum = 500, maximum = 200_000)]
    pub service_interval_km: Option<i64>,
    pub last_service_on: Option<Day>,
    /// The odometer at the last service, if known.
    #[schema(minimum = 0, maximum = 5_000_000)]
    pub last_service_km: Option<i64>,
}

impl CreateVehicleParams {
    /// `today` is the date at the owner's home site: the day the first
    /// reading is taken.
    fn parse(self, clock: Clock, today: NaiveDate) -> ApiResult<(NewVehicle, Option<Reading>)> {
        let mut errors = FieldErrors::default();
        let mut check = Checks(&mut errors, clock);
        let make = check.text("make", &self.make);
        let model = check.text("model", &self.model);
        let vin = check.vin(self.vin.as_deref());
        check.year(self.year);
        check.range("odometer_km", self.odometer_km, 0, MAX_KM);
        check.range("last_service_km", self.last_service_km, 0, MAX_KM);
        check.range(
            "service_interval_months",
            self.service_interval_months,
            1,
            120,
        );
        check.range(
            "service_interval_km",
            self.service_interval_km,
            500,
            200_000,
        );
        check.not_future("last_service_on", self.last_service_on.map(NaiveDate::from));
        let plate = errors.check("plate", Plate::parse(&self.plate));
        match (plate, make, model, vin) {
            (Some(plate), Some(make), Some(model), Some(vin)) if errors.is_empty() => Ok((
                NewVehicle {
                    plate,
                    vin,
                    make,
                    model,
                    year: self.year,
                    service_interval_months: self.service_interval_months,
                    service_interval_km: self.service_interval_km,
                    last_service_on: self.last_service_on.map(NaiveDate::from),
                    last_service_km: self.last_service_km,
                },
                self.odometer_km.map(|km| Reading {
                    km,
                    on: today,
                    source: ReadingSource::Manual,
                }),
            )),
            _ => Err(ApiError::Validation(errors)),
        }
    }
}

/// Every field optional; `null` clears the optional ones. A new
/// `customer_id` re-registers the vehicle to another customer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateVehicleParams {
    pub customer_id: Option<Id>,
    #[schema(pattern = r"^[ -]*(?:[A-Za-z0-9][ -]*){2,12}$")]
    pub plate: Option<String>,
    #[schema(
        min_length = 1,
        max_length = 60,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub make: Option<String>,
    #[schema(
        min_length = 1,
        max_length = 60,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub model: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i32>)]
    #[schema(minimum = 1900)]
    pub year: Option<Option<i32>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    #[schema(pattern = r"^[A-HJ-NPR-Za-hj-npr-z0-9]{17}$")]
    pub vin: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i32>)]
    #[schema(minimum = 1, maximum = 120)]
    pub service_interval_months: Option<Option<i32>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    #[schema(minimum = 500, maximum = 200_000)]
    pub service_interval_km: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    pub last_service_on: Option<Option<Day>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    #[schema(minimum = 0, maximum = 5_000_000)]
    pub last_service_km: Option<Option<i64>>,
}

impl UpdateVehicleParams {
    fn parse(self, clock: Clock) -> ApiResult<VehicleDetails> {
        let mut errors = FieldErrors::default();
        let mut check = Checks(&mut errors, clock);
        let make = self.make.and_then(|make| check.text("make", &make));
        let model = self.model.and_then(|model| check.text("model", &model));
        let vin = self.vin.and_then(|vin| check.vin(vin.as_deref()));
        check.year(self.year.flatten());
        check.range("last_service_km", self.last_service_km.flatten(), 0, MAX_KM);
        check.range(
            "service_interval_months",
            self.service_interval_months.flatten(),
            1,
            120,
        );
        check.range(
            "service_interval_km",
            self.service_interval_km.flatten(),
            500,
            200_000,
        );
        check.not_future(
            "last_service_on",
            (self.last_service_on.flatten()).map(NaiveDate::from),
        );
        let plate = self
            .plate
            .and_then(|plate| errors.check("plate", Plate::parse(&plate)));
        let details = VehicleDetails {
            plate,
            vin,
            make,
            model,
            year: self.year,
            service_interval_months: self.service_interval_months,
            service_interval_km: self.service_interval_km,
            last_service_on: self.last_service_on.map(|day| day.map(NaiveDate::from)),
            last_service_km: self.last_service_km,
        };
        errors.finish()?;
        Ok(details)
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OdometerParams {
    #[schema(minimum = 0, maximum = 5_000_000)]
    pub reading_km: i64,
    pub read_on: Day,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VehicleQuery {
    /// Only this customer's vehicles.
    pub customer_id: Option<Id>,
    /// Part of a plate or VIN.
    #[param(max_length = 200)]
    pub q: Option<String>,
    #[serde(flatten)]
    #[param(ignore)]
    pub paging: PageParams,
}

/// A recorded reading and the vehicle's schedule after it.
#[derive(Debug, Serialize, ToSchema)]
pub struct OdometerRecorded {
    pub reading: OdometerReadingResponse,
    pub vehicle: VehicleResponse,
}

/// Register a vehicle to a customer.
#[utoipa::path(post, path = "/api/vehicles", tag = "vehicles", request_body = CreateVehicleParams,
    security(("bearer" = [])),
    responses(
        (status = 201, body = VehicleResponse),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    ))]
async fn create(
    State(ctx): State<AppContext>,
    actor: Actor,
    JsonBody(params): JsonBody<CreateVehicleParams>,
) -> ApiResult<impl IntoResponse> {
    let owner = customers::Entity::find_for(&ctx.db, &actor, params.customer_id.0).await?;
    let home = owner.home_site(&ctx.db).await?;
    let (vehicle, reading) = params.parse(actor.clock, actor.clock.today_in(home.time_zone()))?;
    let txn = Write::begin(&ctx.db).await?;
    let vehicle = vehicles::Model::create(&txn, &actor, &owner, vehicle, reading).await?;
    txn.commit().await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(VehicleResponse::new(&vehicle, &owner)),
    ))
}

/// Vehicles by customer, plate or VIN.
#[utoipa::path(get, path = "/api/vehicles", tag = "vehicles", params(VehicleQuery, PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, body = PageResponse<VehicleResponse>),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ))]
async fn list(
    State(ctx): State<AppContext>,
    actor: Actor,
    QueryParams(query): QueryParams<VehicleQuery>,
) -> ApiResult<impl IntoResponse> {
    let customer = match query.customer_id {
        Some(id) => Some(customers::Entity::find_for(&ctx.db, &actor, id.0).await?),
        None => None,
    };
    let page = query.paging.checked()?;
    let page = vehicles::Model::search(
        &ctx.db,
        &actor,
        customer.as_ref(),
        checked_search(query.q.as_deref())?,
        page,
    )
    .await?;
    let owner_ids: Vec<i64> = page.items.iter().map(|v| v.customer_id).collect();
    let owners = customers::Model::by_ids(&ctx.db, actor.organization_id(), &owner_ids).await?;
    let page = page.try_map(|vehicle| {
        owners
            .iter()
            .find(|owner| owner.id == vehicle.customer_id)
            .map(|owner| VehicleResponse::new(&vehicle, owner))
            .ok_or_else(|| ApiError::internal("a vehicle's owner is missing"))
    })?;
    Ok(axum::Json(PageResponse::from(page)))
}

/// One vehicle with its service schedule.
#[utoipa::path(get, path = "/api/vehicles/{id}", tag = "vehicles",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = VehicleResponse),
        (status = 403, body = ErrorBody),
    ))]
async fn show(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
) -> ApiResult<impl IntoResponse> {
    let vehicle = vehicles::Entity::find_for(&ctx.db, &actor, id).await?;
    Ok(axum::Json(render(&ctx, &vehicle).await?))
}

/// Change a vehicle's details, intervals or owner.
#[utoipa::path(patch, path = "/api/vehicles/{id}", tag = "vehicles", request_body = UpdateVehicleParams,
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = VehicleResponse),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    ))]
async fn update(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
    JsonBody(params): JsonBody<UpdateVehicleParams>,
) -> ApiResult<impl IntoResponse> {
    let vehicle = vehicles::Entity::find_for(&ctx.db, &actor, id).await?;
    let new_owner = match params.customer_id {
        Some(owner) => Some(customers::Entity::find_for(&ctx.db, &actor, owner.0).await?),
        None => None,
    };
    let details = params.parse(actor.clock)?;
    let txn = Write::begin(&ctx.db).await?;
    let vehicle = vehicle
        .into_active_model()
        .change(&txn, &actor, new_owner.as_ref(), details)
        .await?;
    txn.commit().await?;
    Ok(axum::Json(render(&ctx, &vehicle).await?))
}

/// Record an odometer reading. A reading lower than an earlier one is refused.
#[utoipa::path(post, path = "/api/vehicles/{id}/odometer", tag = "vehicles", request_body = OdometerParams,
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 201, body = OdometerRecorded),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ))]
async fn record_reading(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
    JsonBody(params): JsonBody<OdometerParams>,
) -> ApiResult<impl IntoResponse> {
    let vehicle = vehicles::Entity::find_for(&ctx.db, &actor, id).await?;
    let mut errors = FieldErrors::default();
    let mut check = Checks(&mut errors, actor.clock);
    check.range("reading_km", Some(params.reading_km), 0, MAX_KM);
    check.not_future("read_on", Some(params.read_on.0));
    errors.finish()?;
    let reading = Reading {
        km: params.reading_km,
        on: params.read_on.0,
        source: ReadingSource::Manual,
    };
    let txn = Write::begin(&ctx.db).await?;
    let (recorded, vehicle) = vehicle.record_reading(&txn, &actor, reading).await?;
    txn.commit().await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(OdometerRecorded {
            reading: OdometerReadingResponse::from(recorded),
            vehicle: render(&ctx, &vehicle).await?,
        }),
    ))
}

/// A vehicle's odometer readings, newest first.
#[utoipa::path(get, path = "/api/vehicles/{id}/odometer", tag = "vehicles",
    params(("id" = Uuid, Path), PageParams), security(("bearer" = [])),
    responses(
        (status = 200, body = PageResponse<OdometerReadingResponse>),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
async fn readings(
    State(ctx): State<AppContext>,
    actor: Actor,
    Ids(id): Ids<Uuid>,
    QueryParams(page): QueryParams<PageParams>,
) -> ApiResult<impl IntoResponse> {
    let vehicle = vehicles::Entity::find_for(&ctx.db, &actor, id).await?;
    let page = odometer_readings::Model::history_of(&ctx.db, &vehicle, page.checked()?).await?;
    Ok(axum::Json(PageResponse::from(
        page.map(OdometerReadingResponse::from),
    )))
}

async fn render(ctx: &AppContext, vehicle: &vehicles::Model) -> ApiResult<VehicleResponse> {
    let owner = customers::Model::by_ids(&ctx.db, vehicle.organization_id, &[vehicle.customer_id])
        .await?
        .pop()
        .ok_or_else(|| ApiError::internal("a vehicle's owner is missing"))?;
    Ok(VehicleResponse::new(vehicle, &owner))
}

pub fn routes() -> ApiRoutes {
    ApiRoutes::new("vehicles")
        .route(routes!(create, list))
        .route(routes!(show, update))
        .route(routes!(record_reading, readings))
}
