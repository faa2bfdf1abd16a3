//! Customers' vehicles, their odometer history and service schedule.

use chrono::NaiveDate;
use sea_orm::{
    entity::prelude::*, sea_query::Expr, ActiveValue, Condition, IntoActiveModel, QueryOrder,
    QuerySelect, TryIntoModel,
};
use serde_json::json;

pub use crate::models::_entities::vehicles::{self, ActiveModel, Column, Entity, Model};
use crate::models::error::{DomainError, DomainResult, OnUnique};
use crate::models::Scoped;
use crate::models::{
    actor::{Ability, Actor},
    audit_events::{self, Change},
    customers,
    customers::{odometer_readings, schedule::ServiceHistory},
    paging::{Page, PageRequest},
    values::Plate,
    Write,
};

#[async_trait::async_trait]
impl ActiveModelBehavior for ActiveModel {
    /// A new row gets its public id. Its times are the writer's to set,
    /// from the actor's (or the job's) clock.
    async fn before_save<C>(mut self, _db: &C, insert: bool) -> Result<Self, DbErr>
    where
        C: ConnectionTrait,
    {
        if insert {
            self.pid = ActiveValue::Set(Uuid::new_v4());
        }
        Ok(self)
    }
}

/// A vehicle as described at the counter, every value already checked.
#[derive(Clone, Debug)]
pub struct NewVehicle {
    pub plate: Plate,
    pub vin: Option<String>,
    pub make: String,
    pub model: String,
    pub year: Option<i32>,
    pub service_interval_months: Option<i32>,
    pub service_interval_km: Option<i64>,
    pub last_service_on: Option<NaiveDate>,
    pub last_service_km: Option<i64>,
}

/// A partial change; for the optional values `Some(None)` clears.
#[derive(Clone, Debug, Default)]
pub struct VehicleDetails {
    pub plate: Option<Plate>,
    pub vin: Option<Option<String>>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub year: Option<Option<i32>>,
    pub service_interval_months: Option<Option<i32>>,
    pub service_interval_km: Option<Option<i64>>,
    pub last_service_on: Option<Option<NaiveDate>>,
    pub last_service_km: Option<Option<i64>>,
}

/// An odometer reading to record.
#[derive(Clone, Copy, Debug)]
pub struct Reading {
    pub km: i64,
    pub on: NaiveDate,
    pub source: ReadingSource,
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, strum::IntoStaticStr, strum::EnumString, strum::VariantArray,
)]
#[strum(serialize_all = "snake_case")]
pub enum ReadingSource {
    /// Read off the dashboard and typed in.
    Manual,
    /// Taken when the vehicle was booked in for a repair.
    Intake,
}

const PLATE_TAKEN: &str = "is already registered to another vehicle";

impl Scoped for Entity {
    const NAME: &'static str = "vehicle";
    const ABILITY: Option<Ability> = Some(Ability::ManageCustomers);

    fn pid_column() -> Column {
        Column::Pid
    }

    /// The organization's vehicles (customers, and so their vehicles, belong to the whole organization).
    fn visible_to(actor: &Actor) -> Select<Self> {
        Entity::find().filter(Column::OrganizationId.eq(actor.organization_id()))
    }
}

impl Model {
    /// A vehicle whose repair history `actor` may read: staff of every
    /// role, technicians included (the orders they then see are still
    /// those of their sites).
    ///
    /// # Errors
    /// 404 when no such vehicle exists for the actor, and for customers.
    pub async fn find_for_history(
        db: &impl ConnectionTrait,
        actor: &Actor,
        pid: Uuid,
    ) -> DomainResult<Self> {
        if actor.role == crate::models::people::roles::Role::Customer {
            return Err(DomainError::NotFound("vehicle"));
        }
        Entity::visible_to(actor)
            .filter(Column::Pid.eq(pid))
            .one(db)
            .await?
            .ok_or(DomainError::NotFound("vehicle"))
    }

    /// Vehicles of one customer, or whose plate or VIN contains `q`.
    ///
    /// # Errors
    /// 403 when the actor's role does not deal with vehicles.
    pub async fn search(
        db: &impl ConnectionTrait,
        actor: &Actor,
        customer: Option<&customers::Model>,
        q: Option<&str>,
        page: PageRequest,
    ) -> DomainResult<Page<Self>> {
        actor.authorize(Ability::ManageCustomers)?;
        let mut query = Entity::visible_to(actor);
        if let Some(customer) = customer {
            query = query.filter(Column::CustomerId.eq(customer.id));
        }
        if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
            // Plates and VINs hold letters and digits only; a search with
            // none of those (`'`, `%`, `ü`) matches no vehicle.
            let key = Plate::key_of(q);
            if key.is_empty() {
                return Ok(Page::empty(page));
            }
            query = query.filter(
                Condition::any()
                    .add(Column::PlateKey.contains(&key))
                    .add(Column::Vin.contains(&key)),
            );
        }
        page.fetch(db, query.order_by_asc(Column::PlateKey)).await
    }

    /// Registers a vehicle to a customer, with its first reading.
    ///
    /// # Errors
    /// 403 unless the actor deals with vehicles; 404 for a customer not
    /// theirs; 409 for a plate already registered; 422 for a reading that
    /// does not fit.
    pub async fn create(
        txn: &Write,
        actor: &Actor,
        customer: &customers::Model,
        new: NewVehicle,
        odometer: Option<Reading>,
    ) -> DomainResult<Self> {
        actor.authorize(Ability::ManageCustomers)?;
        let now = crate::models::now_at(actor.clock);
        let vehicle = ActiveModel {
            organization_id: ActiveValue::Set(actor.organization_id()),
            customer_id: ActiveValue::Set(customer.id),
            plate: ActiveValue::Set(new.plate.display),
            plate_key: ActiveValue::Set(new.plate.key),
            vin: ActiveValue::Set(new.vin),
            make: ActiveValue::Set(new.make),
            model: ActiveValue::Set(new.model),
            year: ActiveValue::Set(new.year),
            service_interval_months: ActiveValue::Set(new.service_interval_months),
            service_interval_km: ActiveValue::Set(new.service_interval_km),
            last_service_on: ActiveValue::Set(new.last_service_on),
            last_service_km: ActiveValue::Set(new.last_service_km),
            created_at: ActiveValue::Set(now),
            updated_at: ActiveValue::Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await
        .on_unique("plate", PLATE_TAKEN)?;
        if let Some(reading) = odometer {
            odometer_readings::Model::record(txn, actor, &vehicle, reading).await?;
        }
        let vehicle = vehicle.into_active_model().reschedule(txn, now).await?;
        audit_events::Model::record(
            txn,
            actor.organization_id(),
            actor,
            Change {
                action: "vehicle.created",
                subject_type: "vehicle",
                subject_id: vehicle.pid,
                site_id: None,
                details: Some(json!({ "plate": vehicle.plate, "customer": customer.pid })),
            },
        )
        .await?;
        Ok(vehicle)
    }

    /// Locks the vehicle's row until the transaction ends, by writing it
    /// (as it is): PostgreSQL holds the row lock from the UPDATE on, and
    /// SQLite's write transactions hold the database's lock from their
    /// start anyway.
    ///
    /// # Errors
    /// When the database fails or the lock is not granted in time.
    pub async fn lock(db: &Write, id: i64) -> Result<(), DbErr> {
        Entity::update_many()
            .col_expr(Column::UpdatedAt, Expr::col(Column::UpdatedAt))
            .filter(Column::Id.eq(id))
            .exec(db)
            .await
            .map(|_| ())
    }

    /// This vehicle as it is now in the database (inside a transaction that
    /// holds its lock, as the last writer left it).
    ///
    /// # Errors
    /// When the database fails or the vehicle is gone.
    pub async fn reload(&self, db: &impl ConnectionTrait) -> Result<Self, DbErr> {
        Entity::find_by_id(self.id)
            .one(db)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound(format!("vehicle {}", self.id)))
    }

    /// Records an odometer reading and moves the service schedule with it.
    ///
    /// # Errors
    /// 422 when the reading is lower than an earlier one (or higher than a
    /// later one), or dated in the future.
    pub async fn record_reading(
        &self,
        txn: &Write,
        actor: &Actor,
        reading: Reading,
    ) -> DomainResult<(odometer_readings::Model, Self)> {
        actor.authorize(Ability::ManageCustomers)?;
        let recorded = odometer_readings::Model::record(txn, actor, self, reading).await?;
        let vehicle = self
            .reload(txn)
            .await?
            .into_active_model()
            .reschedule(txn, crate::models::now_at(actor.clock))
            .await?;
        Ok((recorded, vehicle))
    }
}

impl ActiveModel {
    /// Applies changes, re-registering to `owner` when given.
    ///
    /// # Errors
    /// 403 unless the actor deals with vehicles; 409 for a plate already
    /// registered.
    pub async fn change(
        mut self,
        txn: &Write,
        actor: &Actor,
        owner: Option<&customers::Model>,
        details: VehicleDetails,
    ) -> DomainResult<Model> {
        actor.authorize(Ability::ManageCustomers)?;
        if let Some(owner) = owner {
            self.customer_id.set_if_not_equals(owner.id);
        }
        if let Some(plate) = details.plate {
            self.plate.set_if_not_equals(plate.display);
            self.plate_key.set_if_not_equals(plate.key);
        }
        macro_rules! apply {
            ($($field:ident),*) => {$(
                if let Some(value) = details.$field {
                    self.$field.set_if_not_equals(value);
                }
            )*};
        }
        apply!(
            vin,
            make,
            model,
            year,
            service_interval_months,
            service_interval_km
        );
        apply!(last_service_on, last_service_km);
        if !self.is_changed() {
            return Ok(self.try_into_model()?);
        }
        let changed = crate::models::changed_columns(&self);
        let now = crate::models::now_at(actor.clock);
        self.updated_at = ActiveValue::Set(now);
        let vehicle = self.update(txn).await.on_unique("plate", PLATE_TAKEN)?;
        let vehicle = vehicle.into_active_model().reschedule(txn, now).await?;
        audit_events::Model::record(
            txn,
            actor.organization_id(),
            actor,
            Change {
                action: "vehicle.updated",
                subject_type: "vehicle",
                subject_id: vehicle.pid,
                site_id: None,
                details: Some(json!({ "changed": changed })),
            },
        )
        .await?;
        Ok(vehicle)
    }

    /// Recomputes the stored service schedule from the intervals and the
    /// odometer history, at `now`. The only writer of the schedule columns.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn reschedule(
        mut self,
        db: &impl ConnectionTrait,
        now: DateTimeWithTimeZone,
    ) -> Result<Model, DbErr> {
        let readings: Vec<(NaiveDate, i64)> = odometer_readings::Entity::find()
            .select_only()
            .column(odometer_readings::Column::ReadOn)
            .column(odometer_readings::Column::ReadingKm)
            .filter(odometer_readings::Column::VehicleId.eq(*self.id.as_ref()))
            .into_tuple()
            .all(db)
            .await?;
        let schedule = ServiceHistory {
            interval_months: *self.service_interval_months.as_ref(),
            interval_km: *self.service_interval_km.as_ref(),
            last_service_on: *self.last_service_on.as_ref(),
            last_service_km: *self.last_service_km.as_ref(),
            readings: &readings,
        }
        .schedule();
        // Written whether or not they look changed: the model this started
        // from may be older than the row.
        self.odometer_km = ActiveValue::Set(schedule.odometer_km);
        self.next_service_due_on = ActiveValue::Set(schedule.next_due_on);
        self.next_service_due_km = ActiveValue::Set(schedule.next_due_km);
        self.next_service_km_predicted_on = ActiveValue::Set(schedule.km_predicted_on);
        self.service_due_on = ActiveValue::Set(schedule.due_on);
        self.updated_at = ActiveValue::Set(now);
        self.update(db).await
    }
}
