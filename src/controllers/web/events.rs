//! Server-sent events that tell an open queue or board that the floor
//! changed, so the page fetches its fragment again without a reload.
//!
//! Each stream asks the database (the source of truth, whichever process
//! made the change) for a small fingerprint of what its page shows, every
//! `EVERY`, and sends `changed` when it differs. The page falls back to
//! polling when the browser cannot keep a stream open.

use std::{convert::Infallible, time::Duration};

use axum::{
    extract::State,
    response::{
        sse::{Event, KeepAlive, Sse},
        IntoResponse, Response,
    },
};
use futures_util::stream::{self, Stream};
use loco_rs::app::AppContext;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement, Value};

use super::Viewer;

/// How often a stream looks.
const EVERY: Duration = Duration::from_millis(1500);

/// What the queue shows: approved orders nobody holds at these sites.
const QUEUE: &str = "SELECT COUNT(*) AS n, MAX(updated_at) AS at FROM repair_orders \
     WHERE organization_id = $1 AND status = 'approved' AND technician_id IS NULL";

/// What a board shows: every order at these sites, and who is on shift.
const BOARD: &str = "SELECT (SELECT COUNT(*) FROM repair_orders WHERE organization_id = $1 {sites}) AS n, \
     (SELECT MAX(updated_at) FROM repair_orders WHERE organization_id = $1 {sites}) AS at, \
     (SELECT COUNT(*) FROM shifts WHERE organization_id = $1 AND ended_at IS NULL {sites}) AS on_shift, \
     (SELECT MAX(started_at) FROM shifts WHERE organization_id = $1 {sites}) AS shift_at";

fn with_sites(sql: &str, site_ids: &[i64]) -> String {
    if site_ids.is_empty() {
        return sql.replace("{sites}", "");
    }
    let list = site_ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let filter = format!("AND site_id IN ({list})");
    if sql.contains("{sites}") {
        sql.replace("{sites}", &filter)
    } else {
        format!("{sql} {filter}")
    }
}

async fn fingerprint(db: &DatabaseConnection, sql: &str, organization: i64) -> Option<String> {
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            sql,
            [Value::from(organization)],
        ))
        .await
        .ok()??;
    // Whatever the columns' types on each database, their text is the print.
    let text = |name: &str| -> String {
        row.try_get::<Option<i64>>("", name)
            .ok()
            .flatten()
            .map(|n| n.to_string())
            .or_else(|| {
                row.try_get::<Option<chrono::DateTime<chrono::FixedOffset>>>("", name)
                    .ok()
                    .flatten()
                    .map(|at| at.to_rfc3339())
            })
            .or_else(|| row.try_get::<Option<String>>("", name).ok().flatten())
            .unwrap_or_default()
    };
    Some(
        ["n", "at", "on_shift", "shift_at"]
            .iter()
            .map(|name| text(name))
            .collect::<Vec<_>>()
            .join("|"),
    )
}

fn changes(
    db: DatabaseConnection,
    sql: String,
    organization: i64,
) -> impl Stream<Item = Result<Event, Infallible>> {
    stream::unfold(
        (db, sql, None::<String>),
        move |(db, sql, last)| async move {
            loop {
                let now = fingerprint(&db, &sql, organization).await;
                match (&last, now) {
                    // The first look only learns where things stand.
                    (None, Some(now)) => {
                        let event = Event::default().event("ready").data("ready");
                        return Some((Ok(event), (db, sql, Some(now))));
                    }
                    (Some(before), Some(now)) if *before != now => {
                        let event = Event::default().event("changed").data("changed");
                        return Some((Ok(event), (db, sql, Some(now))));
                    }
                    _ => tokio::time::sleep(EVERY).await,
                }
            }
        },
    )
}

fn stream_for(ctx: &AppContext, viewer: &Viewer, sql: &str) -> Response {
    let site_ids: Vec<i64> = viewer.sites.iter().map(|site| site.id).collect();
    let sql = with_sites(sql, &site_ids);
    Sse::new(changes(ctx.db.clone(), sql, viewer.actor.organization_id()))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

/// `GET /queue/events`.
pub async fn queue(State(ctx): State<AppContext>, viewer: Viewer) -> Response {
    stream_for(&ctx, &viewer, QUEUE)
}

/// `GET /board/events`.
pub async fn board(State(ctx): State<AppContext>, viewer: Viewer) -> Response {
    stream_for(&ctx, &viewer, BOARD)
}
