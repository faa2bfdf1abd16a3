//! The organization's audit trail.

use axum::response::IntoResponse;
use chrono::{NaiveDate, NaiveTime};
use loco_rs::prelude::{AppContext, State};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::routes;
use uuid::Uuid;

use super::api::ApiRoutes;
use super::extract::QueryParams;
use crate::{
    errors::{ApiError, ApiResult, ErrorBody},
    models::{
        actor::Actor,
        audit_events::{self, Filters},
        paging::PageParams,
        people::users,
        values::{Day, Id},
    },
    views::{audit::AuditEventResponse, page::PageResponse},
};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only what this member of staff did.
    pub actor_id: Option<Id>,
    /// Only changes to this kind of record: `invoice`, `repair_order`,
    /// `customer`, `site`, …
    #[param(max_length = 40, pattern = r"^[a-z_]{1,40}$")]
    pub subject_type: Option<String>,
    /// Only changes to this record (its id).
    pub subject_id: Option<Id>,
    /// On or after this day (UTC).
    pub from: Option<Day>,
    /// On or before this day (UTC).
    pub to: Option<Day>,
    #[serde(flatten)]
    #[param(ignore)]
    pub paging: PageParams,
}

fn start_of(day: NaiveDate) -> chrono::DateTime<chrono::FixedOffset> {
    day.and_time(NaiveTime::MIN).and_utc().fixed_offset()
}

/// Who changed what and when, newest first (owner): all of it, or what one
/// member of staff did, to one kind of record or one record, on some days.
#[utoipa::path(get, path = "/api/audit-events", tag = "audit", params(AuditQuery, PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, body = PageResponse<AuditEventResponse>),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
async fn list(
    State(ctx): State<AppContext>,
    actor: Actor,
    QueryParams(query): QueryParams<AuditQuery>,
) -> ApiResult<impl IntoResponse> {
    actor.authorize(crate::models::actor::Ability::ViewAudit)?;
    let (from, to) = super::technicians::checked_period(query.from, query.to)?;
    let subject_type = match query.subject_type.as_deref() {
        None => None,
        Some(kind)
            if (1..=40).contains(&kind.len())
                && kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') =>
        {
            Some(kind.to_string())
        }
        Some(_) => {
            return Err(ApiError::invalid(
                "subject_type",
                "is a kind of record, in lower case: invoice, repair_order, …",
            ))
        }
    };
    let by = match query.actor_id {
        Some(pid) => Some(
            users::Entity::find()
                .filter(users::Column::Pid.eq(Uuid::from(pid)))
                .filter(users::Column::OrganizationId.eq(actor.organization_id()))
                .one(&ctx.db)
                .await?
                .ok_or(ApiError::NotFound("user"))?
                .id,
        ),
        None => None,
    };
    let filters = Filters {
        by,
        subject_type,
        subject_id: query.subject_id.map(Uuid::from),
        since: from.map(start_of),
        before: to.and_then(|day| day.succ_opt()).map(start_of),
    };
    let page =
        audit_events::Model::list_for(&ctx.db, &actor, filters, query.paging.checked()?).await?;
    Ok(axum::Json(PageResponse::from(
        page.map(AuditEventResponse::from),
    )))
}

pub fn routes() -> ApiRoutes {
    ApiRoutes::new("audit_events").route(routes!(list))
}
