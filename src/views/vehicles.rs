use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::refs::CustomerRef;
use crate::models::{
    customers,
    customers::{odometer_readings, vehicles},
};

/// A customer's vehicle and its service schedule.
#[derive(Debug, Serialize, ToSchema)]
pub struct VehicleResponse {
    pub id: Uuid,
    pub customer: CustomerRef,
    #[schema(example = "KDA 123A")]
    pub plate: String,
    pub vin: Option<String>,
    #[schema(example = "Toyota")]
    pub make: String,
    #[schema(example = "Probox")]
    pub model: String,
    pub year: Option<i32>,
    /// The latest odometer reading.
    pub odometer_km: Option<i64>,
    pub service_interval_months: Option<i32>,
    pub service_interval_km: Option<i64>,
    pub last_service_on: Option<NaiveDate>,
    pub last_service_km: Option<i64>,
    /// The last service plus the interval in months.
    pub next_service_due_on: Option<NaiveDate>,
    /// The odometer at the last service plus the interval in km.
    pub next_service_due_km: Option<i64>,
    /// When `next_service_due_km` will be reached at this vehicle's own
    /// average km per day.
    pub next_service_km_predicted_on: Option<NaiveDate>,
    /// The earlier of the two dates: when the reminder is about.
    pub service_due_on: Option<NaiveDate>,
    #[serde(serialize_with = "super::time::rfc3339")]
    pub created_at: DateTime<FixedOffset>,
    #[serde(serialize_with = "super::time::rfc3339")]
    pub updated_at: DateTime<FixedOffset>,
}

impl VehicleResponse {
    #[must_use]
    pub fn new(vehicle: &vehicles::Model, owner: &customers::Model) -> Self {
        Self {
            id: vehicle.pid,
            customer: CustomerRef {
                id: owner.pid,
                name: owner.name.clone(),
            },
            plate: vehicle.plate.clone(),
            vin: vehicle.vin.clone(),
            make: vehicle.make.clone(),
            model: vehicle.model.clone(),
            year: vehicle.year,
            odometer_km: vehicle.odometer_km,
            service_interval_months: vehicle.service_interval_months,
            service_interval_km: vehicle.service_interval_km,
            last_service_on: vehicle.last_service_on,
            last_service_km: vehicle.last_service_km,
            next_service_due_on: vehicle.next_service_due_on,
            next_service_due_km: vehicle.next_service_due_km,
            next_service_km_predicted_on: vehicle.next_service_km_predicted_on,
            service_due_on: vehicle.service_due_on,
            created_at: vehicle.created_at,
            updated_at: vehicle.updated_at,
        }
    }
}

/// One odometer reading.
#[derive(Debug, Serialize, ToSchema)]
pub struct OdometerReadingResponse {
    pub reading_km: i64,
    pub read_on: NaiveDate,
    /// `manual` or `intake` (taken when booked in for a repair).
    pub source: String,
    #[serde(serialize_with = "super::time::rfc3339")]
    pub recorded_at: DateTime<FixedOffset>,
}

impl From<odometer_readings::Model> for OdometerReadingResponse {
    fn from(reading: odometer_readings::Model) -> Self {
        Self {
            reading_km: reading.reading_km,
            read_on: reading.read_on,
            source: reading.source,
            recorded_at: reading.created_at,
        }
    }
}
