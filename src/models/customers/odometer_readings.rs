//! The odometer history of a vehicle. Readings only go up with time: a
//! reading lower than an earlier one is refused.

use sea_orm::{entity::prelude::*, ActiveValue, QueryOrder};

pub use crate::models::_entities::odometer_readings::{self, ActiveModel, Column, Entity, Model};
use crate::models::error::{DomainError, DomainResult};
use crate::models::values::Stored;
use crate::models::{
    actor::Actor,
    customers::{vehicles, vehicles::Reading},
    Write,
};

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// Adds a reading that fits the history: not lower than any reading
    /// dated on or before it, not higher than any dated after it.
    ///
    /// It first locks the vehicle (by writing its row, in the caller's
    /// `Write`), so readings of one vehicle are checked and added one at a
    /// time and two racing readings cannot both fit a history that only
    /// one of them has seen.
    ///
    /// # Errors
    /// 422 naming `reading_km` or `read_on` when it does not fit.
    pub async fn record(
        db: &Write,
        actor: &Actor,
        vehicle: &vehicles::Model,
        reading: Reading,
    ) -> DomainResult<Self> {
        if reading.on > actor.clock.latest_date() {
            return Err(DomainError::invalid("read_on", "must not be in the future"));
        }
        vehicles::Model::lock(db, vehicle.id).await?;
        let history = Entity::find().filter(Column::VehicleId.eq(vehicle.id));
        let earlier = history
            .clone()
            .filter(Column::ReadOn.lte(reading.on))
            .filter(Column::ReadingKm.gt(reading.km))
            .order_by_desc(Column::ReadingKm)
            .one(db)
            .await?;
        if let Some(earlier) = earlier {
            return Err(DomainError::invalid(
                "reading_km",
                format!(
                    "must not be lower than the {} km read on {}",
                    earlier.reading_km, earlier.read_on
                ),
            ));
        }
        let later = history
            .filter(Column::ReadOn.gt(reading.on))
            .filter(Column::ReadingKm.lt(reading.km))
            .order_by_asc(Column::ReadingKm)
            .one(db)
            .await?;
        if let Some(later) = later {
            return Err(DomainError::invalid(
                "reading_km",
                format!(
                    "must not be higher than the {} km read later, on {}",
                    later.reading_km, later.read_on
                ),
            ));
        }
        Ok(ActiveModel {
            organization_id: ActiveValue::Set(vehicle.organization_id),
            vehicle_id: ActiveValue::Set(vehicle.id),
            reading_km: ActiveValue::Set(reading.km),
            read_on: ActiveValue::Set(reading.on),
            source: ActiveValue::Set(reading.source.as_str().to_string()),
            recorded_by: ActiveValue::Set(Some(actor.user_id())),
            created_at: ActiveValue::Set(crate::models::now_at(actor.clock)),
            ..Default::default()
        }
        .insert(db)
        .await?)
    }

    /// A vehicle's readings, newest first.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn history_of(
        db: &impl ConnectionTrait,
        vehicle: &vehicles::Model,
        page: crate::models::paging::PageRequest,
    ) -> DomainResult<crate::models::paging::Page<Self>> {
        let query = Entity::find()
            .filter(Column::VehicleId.eq(vehicle.id))
            .order_by_desc(Column::ReadOn)
            .order_by_desc(Column::ReadingKm);
        page.fetch(db, query).await
    }
}
