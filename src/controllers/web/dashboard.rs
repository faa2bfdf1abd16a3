//! `/dashboard`: the owner's and manager's view of one branch or all of
//! theirs, the API's figures (`GET /api/dashboard`) with charts drawn on the
//! server.

use axum::{
    extract::{Query, State},
    http::Method,
    response::Response,
};
use chrono::{Datelike, NaiveDate};
use loco_rs::app::AppContext;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

use super::{api, page, Viewer};
use crate::{
    errors::ApiError,
    models::actor::Ability,
    views::charts::{self, Chart},
};

#[derive(Debug, Default, Deserialize)]
pub struct DashboardQuery {
    /// A branch's id; absent or blank: all of the viewer's.
    #[serde(default)]
    site_id: Option<String>,
}

/// The day of the month under each of the 30 days' bars, every week's.
fn day_labels(days: &[Value]) -> Vec<String> {
    days.iter()
        .filter_map(|day| day["day"].as_str())
        .filter_map(|day| NaiveDate::parse_from_str(day, "%Y-%m-%d").ok())
        .map(|day| day.day().to_string())
        .collect()
}

fn amounts(entries: &[Value], field: &str) -> Vec<Decimal> {
    entries
        .iter()
        .map(|entry| {
            entry[field]
                .as_str()
                .and_then(|text| text.parse().ok())
                .or_else(|| entry[field].as_u64().map(Decimal::from))
                .unwrap_or_default()
        })
        .collect()
}

fn drawn(chart: &Chart) -> Value {
    serde_json::to_value(chart).unwrap_or(Value::Null)
}

/// `GET /dashboard`.
pub async fn dashboard(
    State(ctx): State<AppContext>,
    viewer: Viewer,
    Query(query): Query<DashboardQuery>,
) -> Response {
    if !viewer.actor.can(Ability::ViewReports) {
        return viewer.fail(ApiError::NotFound("page"));
    }
    let chosen = query
        .site_id
        .as_deref()
        .map(str::trim)
        .filter(|id| !id.is_empty() && *id != "all");
    let site = match chosen.map(Uuid::parse_str) {
        None => None,
        Some(Ok(id)) => match viewer.sites.iter().find(|site| site.pid == id) {
            Some(site) => Some(site),
            None => return viewer.fail(ApiError::NotFound("page")),
        },
        Some(Err(_)) => return viewer.fail(ApiError::NotFound("page")),
    };
    let path = site.map_or_else(
        || "/api/dashboard".to_string(),
        |site| format!("/api/dashboard?site_id={}", site.pid),
    );
    let mut figures = match api::call(&ctx, &viewer, Method::GET, &path, None)
        .await
        .ok()
    {
        Ok(figures) => figures,
        Err(err) => return viewer.fail(err),
    };
    let days = figures["days"].as_array().cloned().unwrap_or_default();
    let labels = day_labels(&days);
    let orders_chart = charts::bars(
        &labels,
        &[amounts(&days, "opened"), amounts(&days, "completed")],
        7,
    );
    for branch in figures["branches"].as_array_mut().into_iter().flatten() {
        let revenue = branch["revenue_days"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let chart = charts::bars(&day_labels(&revenue), &[amounts(&revenue, "amount")], 7);
        branch["chart"] = drawn(&chart);
        branch["revenue_30_days"] = Value::String(
            amounts(&revenue, "amount")
                .iter()
                .sum::<Decimal>()
                .to_string(),
        );
    }
    // Efficiency bars: each technician's share of the longest.
    let technicians = figures["technicians"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let longest = amounts(&technicians, "efficiency")
        .into_iter()
        .max()
        .unwrap_or_default();
    if let Some(list) = figures["technicians"].as_array_mut() {
        for (technician, efficiency) in list.iter_mut().zip(amounts(&technicians, "efficiency")) {
            let share = if longest.is_zero() {
                Decimal::ZERO
            } else {
                (efficiency / longest * Decimal::ONE_HUNDRED).round_dp(1)
            };
            technician["bar"] = Value::String(share.to_string());
        }
    }
    let values = json!({
        "figures": figures,
        "chosen": site.map(|site| site.pid),
        "orders_chart": drawn(&orders_chart),
        "days": days,
    });
    page(
        &ctx,
        &viewer,
        "/dashboard",
        "dashboard-title",
        ("pages/dashboard.html", "fragments/dashboard.html"),
        values,
    )
    .await
}
