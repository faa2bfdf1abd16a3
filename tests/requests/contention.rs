//! Many writes at once: only the contract's statuses come back, and every
//! write that was acknowledged is there afterwards. On SQLite, writers queue
//! for the database's one write lock; on PostgreSQL, for the rows they touch.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use serde_json::{json, Value};

use crate::support::{id_of, unique, TestApp};

/// The tests run at noon in Nairobi on 10 March 2026, on a fixed clock, so
/// "today" is the same day at the branch and in the test.
async fn app() -> TestApp {
    TestApp::spawn_at("2026-03-10T09:00:00Z").await
}

fn day(days_ago: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 10).unwrap() - Days::new(days_ago)
}

/// Six readings of one vehicle at once, ten times over: each is either
/// recorded or refused as lower than an earlier one, never an error of ours,
/// and the history never goes backwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn simultaneous_readings_of_one_vehicle_are_recorded_or_refused_never_failed() {
    let app = app().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let customer = app.customer(&owner, &site).await;
    let vehicle = app.vehicle(&owner, &customer).await; // 120,000 km today
    let path = format!("/api/vehicles/{vehicle}/odometer");

    let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
    for round in 0..10_u64 {
        let readings =
            (0..6_u64).map(|n| json!({"reading_km": 120_000 + round * 10 + n, "read_on": day(0)}));
        let answers = futures::future::join_all(readings.map(|body| {
            let (app, path, owner) = (&app, &path, &owner);
            async move { app.post(path, owner, &body).await.status_code().as_u16() }
        }))
        .await;
        for status in answers {
            *statuses.entry(status).or_default() += 1;
        }
    }

    assert!(
        statuses.keys().all(|status| [201, 422].contains(status)),
        "only recorded or refused: {statuses:?}"
    );
    let history: Value = app
        .get(&format!("{path}?per_page=200"), &owner)
        .await
        .json();
    assert_eq!(
        history["total"].as_u64(),
        statuses.get(&201).map(|n| *n as u64 + 1),
        "every acknowledged reading is kept: {statuses:?}"
    );
    assert_history_never_decreases(&history);
}

/// The race that broke PostgreSQL: 50,000 km on the 10th and 40,000 km on
/// the 15th, sent at once. Whichever comes second is lower than an earlier
/// reading (or higher than a later one), so exactly one is recorded.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_readings_that_contradict_each_other_cannot_both_be_recorded() {
    let app = app().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let customer = app.customer(&owner, &site).await;

    for _ in 0..10 {
        let plate = format!("K{}", &unique()[..6]).to_uppercase();
        let vehicle = id_of(
            &app.post(
                "/api/vehicles",
                &owner,
                &json!({"customer_id": customer, "plate": plate, "make": "Toyota", "model": "Vitz"}),
            )
            .await
            .json(),
        );
        let path = format!("/api/vehicles/{vehicle}/odometer");
        let earlier_higher = json!({"reading_km": 50_000, "read_on": day(15)});
        let later_lower = json!({"reading_km": 40_000, "read_on": day(10)});
        let (earlier_higher, later_lower) = futures::join!(
            app.post(&path, &owner, &earlier_higher),
            app.post(&path, &owner, &later_lower),
        );

        let mut statuses = [
            earlier_higher.status_code().as_u16(),
            later_lower.status_code().as_u16(),
        ];
        statuses.sort_unstable();
        assert_eq!(statuses, [201, 422], "exactly one fits");
        let history: Value = app.get(&path, &owner).await.json();
        assert_eq!(history["total"], 1);
    }
}

fn assert_history_never_decreases(history: &Value) {
    let mut readings: Vec<(String, u64)> = history["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|r| {
            (
                r["read_on"].as_str().unwrap().to_string(),
                r["reading_km"].as_u64().unwrap(),
            )
        })
        .collect();
    readings.sort();
    for pair in readings.windows(2) {
        assert!(
            pair[0].1 <= pair[1].1,
            "the history goes backwards: {pair:?}"
        );
    }
}

/// What one of the fifty writes was, to check afterwards that it stuck.
enum Write {
    Customer(String),
    Reading(u64),
    Note(String),
    SiteName(String),
    Staff(String),
}

/// Fifty writes of mixed kinds at once, all contending: new customers,
/// readings of one vehicle, notes on one order, changes to one site, new
/// staff. Every answer is one of the contract's, none is a 5xx, and every
/// acknowledged write can be read back.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_mixed_writes_at_once_answer_within_the_contract_and_lose_nothing() {
    let app = app().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let customer = app.customer(&owner, &site).await;
    let vehicle = app.vehicle(&owner, &customer).await; // 120,000 km today
    let order = app.order(&owner, &site, "normal").await;

    let requests = (0..50_u64).map(|n| {
        let (app, owner, site, vehicle, order) = (&app, &owner, &site, &vehicle, &order);
        async move {
            match n % 5 {
                0 => {
                    let name = format!("Racing customer {n}");
                    let response = app
                        .post(
                            "/api/customers",
                            owner,
                            &json!({"name": name, "email": format!("c{n}@example.com"), "home_site_id": site}),
                        )
                        .await;
                    let write = (response.status_code() == 201)
                        .then(|| Write::Customer(id_of(&response.json())));
                    (response.status_code().as_u16(), write)
                }
                1 => {
                    // The same reading from several people: each fits the
                    // history whatever order they land in.
                    let km = 120_500;
                    let response = app
                        .post(
                            &format!("/api/vehicles/{vehicle}/odometer"),
                            owner,
                            &json!({"reading_km": km, "read_on": day(0)}),
                        )
                        .await;
                    let write = (response.status_code() == 201).then_some(Write::Reading(km));
                    (response.status_code().as_u16(), write)
                }
                2 => {
                    let body = format!("note {n}");
                    let response = app
                        .post(
                            &format!("/api/repair-orders/{order}/notes"),
                            owner,
                            &json!({ "body": body }),
                        )
                        .await;
                    let write = (response.status_code() == 201).then_some(Write::Note(body));
                    (response.status_code().as_u16(), write)
                }
                3 => {
                    let name = format!("Branch renamed {n}");
                    let response = app
                        .patch(
                            &format!("/api/sites/{site}"),
                            owner,
                            &json!({"name": name, "phone": format!("+2547000000{n:02}")}),
                        )
                        .await;
                    let write = (response.status_code() == 200).then_some(Write::SiteName(name));
                    (response.status_code().as_u16(), write)
                }
                _ => {
                    let email = format!("racer{n}-{}@example.com", unique());
                    let response = app
                        .post(
                            "/api/staff",
                            owner,
                            &json!({
                                "name": format!("Racer {n}"), "email": email,
                                "password": crate::support::PASSWORD, "role": "technician",
                                "site_ids": [site],
                            }),
                        )
                        .await;
                    let write = (response.status_code() == 201).then_some(Write::Staff(email));
                    (response.status_code().as_u16(), write)
                }
            }
        }
    });
    let answers = futures::future::join_all(requests).await;

    let statuses: BTreeMap<u16, usize> = answers.iter().fold(BTreeMap::new(), |mut acc, (s, _)| {
        *acc.entry(*s).or_default() += 1;
        acc
    });
    assert!(
        statuses.keys().all(|status| *status < 500),
        "no 5xx: {statuses:?}"
    );
    assert!(
        statuses
            .keys()
            .all(|status| [200, 201, 409, 422].contains(status)),
        "only the contract's statuses: {statuses:?}"
    );
    assert_eq!(
        statuses.get(&200).copied().unwrap_or(0) + statuses.get(&201).copied().unwrap_or(0),
        50,
        "none of these writes has a reason to be refused: {statuses:?}"
    );

    let readings: Value = app
        .get(
            &format!("/api/vehicles/{vehicle}/odometer?per_page=200"),
            &owner,
        )
        .await
        .json();
    let notes: Value = app
        .get(
            &format!("/api/repair-orders/{order}/notes?per_page=200"),
            &owner,
        )
        .await
        .json();
    let staff: Value = app
        .get(&format!("/api/staff?site_id={site}&per_page=200"), &owner)
        .await
        .json();
    let site_now: Value = app.get(&format!("/api/sites/{site}"), &owner).await.json();
    let site_names: Vec<&str> = answers
        .iter()
        .filter_map(|(_, write)| match write {
            Some(Write::SiteName(name)) => Some(name.as_str()),
            _ => None,
        })
        .collect();
    assert!(
        site_names.contains(&site_now["name"].as_str().unwrap()),
        "the site kept one of the acknowledged names"
    );
    for (_, write) in &answers {
        match write {
            Some(Write::Customer(id)) => {
                let found = app.get(&format!("/api/customers/{id}"), &owner).await;
                assert_eq!(found.status_code(), 200, "customer {id} was acknowledged");
            }
            Some(Write::Reading(km)) => {
                let kept = readings["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|r| r["reading_km"] == *km)
                    .count();
                let acknowledged = answers
                    .iter()
                    .filter(|(_, write)| matches!(write, Some(Write::Reading(_))))
                    .count();
                assert_eq!(kept, acknowledged, "every acknowledged reading is kept");
            }
            Some(Write::Note(body)) => assert!(
                notes["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|note| note["body"] == body.as_str()),
                "note {body:?} was acknowledged"
            ),
            Some(Write::Staff(email)) => assert!(
                staff["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|member| member["email"] == email.as_str()),
                "staff {email} was acknowledged"
            ),
            Some(Write::SiteName(_)) | None => {}
        }
    }
    assert_history_never_decreases(&readings);
}

/// An erasure racing a change: the change lands before it (200) or finds
/// the customer gone (404); either way nothing personal is written back.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_change_racing_an_erasure_never_writes_personal_data_back() {
    let app = app().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;

    for round in 0..10 {
        let customer = app.customer(&owner, &site).await;
        let path = format!("/api/customers/{customer}");
        let change = json!({"name": format!("Renamed {round}"), "email": "private@example.com"});
        let (erased, changed) =
            futures::join!(app.delete(&path, &owner), app.patch(&path, &owner, &change));

        assert_eq!(erased.status_code(), 204, "{}", erased.text());
        assert!(
            [200, 404].contains(&changed.status_code().as_u16()),
            "{}",
            changed.text()
        );
        let kept = stored_customer(&app, &customer).await;
        assert_eq!(kept.name, "Erased customer", "round {round}");
        assert_eq!(kept.email, None, "round {round}");
        assert_eq!(kept.phone, None, "round {round}");
    }
}

/// A customer's row as stored, erased or not (the API shows erased ones to
/// nobody).
async fn stored_customer(app: &TestApp, id: &str) -> karakana::models::_entities::customers::Model {
    use karakana::models::_entities::customers::{Column, Entity};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

    Entity::find()
        .filter(Column::Pid.eq(uuid::Uuid::parse_str(id).unwrap()))
        .one(&app.ctx.db)
        .await
        .unwrap()
        .expect("the customer's row")
}
