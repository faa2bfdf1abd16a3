//! When technicians are expected in and when they are away: weekly working
//! hours per site that never overlap (even when two managers write at
//! once), time off recorded once, the board's "due in" and "away"; a
//! vehicle's repair history; every technician's stats side by side.

use futures::future::join_all;
use serde_json::{json, Value};

use crate::support::{assert_error, Session, TestApp};

struct Rota {
    app: TestApp,
    owner: Session,
    nbo: String,
    msa: String,
    /// Works at both branches.
    technician: Session,
    nbo_manager: Session,
    msa_manager: Session,
}

impl Rota {
    async fn open() -> Self {
        let app = TestApp::spawn().await;
        let owner = app.owner("Kamau Motors").await;
        let nbo = app.site(&owner, "NBO").await;
        let msa = app.site(&owner, "MSA").await;
        let technician = app.staff(&owner, "technician", &[&nbo, &msa]).await;
        let nbo_manager = app.staff(&owner, "manager", &[&nbo]).await;
        let msa_manager = app.staff(&owner, "manager", &[&msa]).await;
        Self {
            app,
            owner,
            nbo,
            msa,
            technician,
            nbo_manager,
            msa_manager,
        }
    }

    fn hours_path(who: &Session) -> String {
        format!("/api/technicians/{}/working-hours", who.id)
    }

    async fn set_hours(&self, by: &Session, of: &Session, hours: Value) -> axum_test::TestResponse {
        self.app
            .put(&Self::hours_path(of), by, &json!({ "hours": hours }))
            .await
    }

    async fn hours(&self, by: &Session, of: &Session) -> Vec<Value> {
        let response = self.app.get(&Self::hours_path(of), by).await;
        assert_eq!(response.status_code(), 200, "{}", response.text());
        response.json::<Value>()["hours"]
            .as_array()
            .unwrap()
            .clone()
    }

    async fn time_off(&self, by: &Session, of: &Session, body: Value) -> axum_test::TestResponse {
        self.app
            .post(&format!("/api/technicians/{}/time-off", of.id), by, &body)
            .await
    }

    /// Every request from now on is judged at `at`.
    fn set_clock(&self, at: &str) {
        self.app
            .ctx
            .shared_store
            .insert(karakana::models::clock::Clock::Fixed(at.parse().unwrap()));
    }
}

/// A page's items.
fn items(page: &Value) -> Vec<Value> {
    page["items"].as_array().expect("items").clone()
}

fn stint(site: &str, weekday: &str, starts: &str, ends: &str) -> Value {
    json!({"site_id": site, "weekday": weekday, "starts": starts, "ends": ends})
}

#[tokio::test]
async fn working_hours_are_set_per_site_and_never_overlap() {
    let rota = Rota::open().await;
    let (nbo, msa) = (rota.nbo.clone(), rota.msa.clone());
    let response = rota
        .set_hours(
            &rota.nbo_manager,
            &rota.technician,
            json!([
                stint(&nbo, "saturday", "08:00", "13:00"),
                stint(&nbo, "monday", "08:00", "17:00"),
            ]),
        )
        .await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
    let week: Value = response.json();
    assert_eq!(week["hours"][0]["weekday"], "monday", "{week}");
    assert_eq!(week["hours"][0]["starts"], "08:00");
    assert_eq!(week["hours"][0]["ends"], "17:00");
    assert_eq!(week["hours"][0]["site"]["id"], nbo.as_str());
    assert_eq!(week["hours"][1]["weekday"], "saturday");

    // Monday afternoon in Mombasa clashes with Monday in Nairobi, which
    // the Mombasa manager cannot see but which stays.
    let clash = rota
        .set_hours(
            &rota.msa_manager,
            &rota.technician,
            json!([stint(&msa, "monday", "16:00", "20:00")]),
        )
        .await;
    let body = assert_error(&clash, 422, "validation_failed");
    assert!(
        body["error"]["fields"]["hours"][0]
            .as_str()
            .is_some_and(|message| message.contains("monday")),
        "{body}"
    );
    let response = rota
        .set_hours(
            &rota.msa_manager,
            &rota.technician,
            json!([
                stint(&msa, "monday", "17:00", "20:00"),
                stint(&msa, "tuesday", "08:00", "24:00"),
            ]),
        )
        .await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
    assert_eq!(
        response.json::<Value>()["hours"].as_array().unwrap().len(),
        2,
        "a manager sees the hours at their own sites"
    );
    assert_eq!(rota.hours(&rota.owner, &rota.technician).await.len(), 4);
    assert_eq!(
        rota.hours(&rota.technician, &rota.technician).await.len(),
        4,
        "technicians read their own week"
    );
    // The Nairobi manager clears Nairobi; Mombasa's hours stay.
    let response = rota
        .set_hours(&rota.nbo_manager, &rota.technician, json!([]))
        .await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
    let left = rota.hours(&rota.owner, &rota.technician).await;
    assert_eq!(left.len(), 2, "{left:?}");
    assert!(left.iter().all(|row| row["site"]["id"] == msa.as_str()));

    // Bad weeks change nothing, and say what is wrong.
    let kla = rota.app.site(&rota.owner, "KLA").await;
    let nowhere = uuid::Uuid::new_v4().to_string();
    for (by, hours, field) in [
        (
            &rota.owner,
            json!([stint(&msa, "monday", "8:00", "12:00")]),
            "hours[0].starts",
        ),
        (
            &rota.owner,
            json!([stint(&msa, "monday", "+8:00", "12:00")]),
            "hours[0].starts",
        ),
        (
            &rota.owner,
            json!([stint(&msa, "monday", "08:+5", "12:00")]),
            "hours[0].starts",
        ),
        (
            &rota.owner,
            json!([stint(&msa, "monday", "07:00", "25:00")]),
            "hours[0].ends",
        ),
        (
            &rota.owner,
            json!([stint(&msa, "monday", "24:00", "24:00")]),
            "hours[0].starts",
        ),
        (
            &rota.owner,
            json!([stint(&msa, "monday", "12:00", "09:00")]),
            "hours[0].ends",
        ),
        (
            &rota.owner,
            json!([stint(&msa, "monday", "09:00", "09:00")]),
            "hours[0].ends",
        ),
        (
            &rota.owner,
            json!([stint(&msa, "funday", "08:00", "12:00")]),
            "hours[0].weekday",
        ),
        (
            &rota.owner,
            json!([
                stint(&msa, "friday", "08:00", "12:00"),
                stint(&msa, "friday", "11:59", "15:00"),
            ]),
            "hours",
        ),
        // Not a site the technician works at; not the manager's site; no
        // such site.
        (
            &rota.owner,
            json!([stint(&kla, "monday", "08:00", "12:00")]),
            "hours[0].site_id",
        ),
        (
            &rota.nbo_manager,
            json!([stint(&msa, "monday", "08:00", "12:00")]),
            "hours[0].site_id",
        ),
        (
            &rota.owner,
            json!([stint(&nowhere, "monday", "08:00", "12:00")]),
            "hours[0].site_id",
        ),
        (
            &rota.owner,
            json!((0..51)
                .map(|_| stint(&msa, "monday", "08:00", "09:00"))
                .collect::<Vec<_>>()),
            "hours",
        ),
    ] {
        let response = rota.set_hours(by, &rota.technician, hours.clone()).await;
        let body = assert_error(&response, 422, "validation_failed");
        assert!(
            body["error"]["fields"].get(field).is_some(),
            "{hours}: {body}"
        );
    }
    let response = rota
        .app
        .put(
            &Rota::hours_path(&rota.technician),
            &rota.owner,
            &json!({"hours": [], "extra": 1}),
        )
        .await;
    assert_eq!(response.status_code(), 422, "{}", response.text());
    assert_eq!(rota.hours(&rota.owner, &rota.technician).await, left);

    // Who may: owners and managers of the technician's sites write;
    // advisors and the technician read; other sites' staff see nothing.
    let advisor = rota.app.staff(&rota.owner, "advisor", &[&nbo]).await;
    for by in [&advisor, &rota.technician] {
        assert_error(
            &rota.set_hours(by, &rota.technician, json!([])).await,
            403,
            "forbidden",
        );
    }
    // Leaving a site ends one's hours there.
    let response = rota
        .app
        .patch(
            &format!("/api/staff/{}", rota.technician.id),
            &rota.owner,
            &json!({ "site_ids": [nbo] }),
        )
        .await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
    assert_eq!(
        rota.hours(&rota.owner, &rota.technician).await,
        Vec::<Value>::new()
    );
    let kla_manager = rota.app.staff(&rota.owner, "manager", &[&kla]).await;
    assert_error(
        &rota
            .app
            .get(&Rota::hours_path(&rota.technician), &kla_manager)
            .await,
        404,
        "not_found",
    );
    assert_error(
        &rota
            .set_hours(&kla_manager, &rota.technician, json!([]))
            .await,
        404,
        "not_found",
    );
    assert_error(
        &rota
            .app
            .get(&Rota::hours_path(&rota.nbo_manager), &rota.owner)
            .await,
        404,
        "not_found",
    );
}

#[tokio::test]
async fn two_managers_writing_clashing_hours_at_once_leave_one() {
    let rota = Rota::open().await;
    for round in 0..3 {
        let (nbo, msa) = (
            json!([stint(&rota.nbo, "wednesday", "08:00", "17:00")]),
            json!([stint(&rota.msa, "wednesday", "12:00", "20:00")]),
        );
        let responses = join_all([
            rota.set_hours(&rota.nbo_manager, &rota.technician, nbo),
            rota.set_hours(&rota.msa_manager, &rota.technician, msa),
        ])
        .await;
        let mut codes: Vec<u16> = responses
            .iter()
            .map(|response| response.status_code().as_u16())
            .collect();
        codes.sort_unstable();
        assert_eq!(codes, [200, 422], "round {round}");
        assert_eq!(rota.hours(&rota.owner, &rota.technician).await.len(), 1);
        for manager in [&rota.nbo_manager, &rota.msa_manager] {
            let response = rota.set_hours(manager, &rota.technician, json!([])).await;
            assert_eq!(response.status_code(), 200, "{}", response.text());
        }
    }
}

#[tokio::test]
async fn time_off_is_recorded_once_and_the_board_shows_who_is_due_in() {
    let rota = Rota::open().await;
    // Monday 7 December 2026, 09:00 in Nairobi.
    rota.set_clock("2026-12-07T06:00:00Z");
    let (app, owner, nbo) = (&rota.app, &rota.owner, rota.nbo.clone());
    let due = &rota.technician;
    let away = app.staff(owner, "technician", &[&nbo]).await;
    let unscheduled = app.staff(owner, "technician", &[&nbo]).await;
    for who in [due, &away] {
        let response = rota
            .set_hours(
                owner,
                who,
                json!([
                    stint(&nbo, "monday", "08:00", "17:00"),
                    stint(&nbo, "tuesday", "08:00", "12:30")
                ]),
            )
            .await;
        assert_eq!(response.status_code(), 200, "{}", response.text());
    }

    let leave = json!({"kind": "leave", "first_day": "2026-12-07", "last_day": "2026-12-11", "note": "Annual leave"});
    let response = rota.time_off(&rota.nbo_manager, &away, leave).await;
    assert_eq!(response.status_code(), 201, "{}", response.text());
    let recorded: Value = response.json();
    assert_eq!(recorded["kind"], "leave");
    assert_eq!(recorded["last_day"], "2026-12-11");
    assert_error(
        &rota
            .time_off(
                owner,
                &away,
                json!({"kind": "sick", "first_day": "2026-12-11", "last_day": "2026-12-14"}),
            )
            .await,
        409,
        "conflict",
    );
    let response = rota
        .time_off(
            owner,
            &away,
            json!({"kind": "day_off", "first_day": "2026-12-21", "last_day": "2026-12-21"}),
        )
        .await;
    assert_eq!(response.status_code(), 201, "{}", response.text());
    let day_off = response.json::<Value>()["id"].as_str().unwrap().to_string();

    // Racing requests for the same days record one.
    let same = json!({"kind": "sick", "first_day": "2026-12-08", "last_day": "2026-12-08"});
    let responses =
        join_all((0..4).map(|_| rota.time_off(owner, &unscheduled, same.clone()))).await;
    let created = responses
        .iter()
        .filter(|response| response.status_code() == 201)
        .count();
    assert_eq!(created, 1);
    for response in &responses {
        assert!(
            [201, 409].contains(&response.status_code().as_u16()),
            "{}",
            response.text()
        );
    }

    let list = |who: &Session, of: &Session, query: &str| {
        let path = format!("/api/technicians/{}/time-off{query}", of.id);
        let who = who.clone();
        async move { app.get(&path, &who).await }
    };
    let all: Value = list(&away, &away, "").await.json();
    assert_eq!(all["total"], 2, "a technician reads their own: {all}");
    let all = all["items"].as_array().unwrap();
    assert_eq!(all.len(), 2, "a technician reads their own: {all:?}");
    assert_eq!(all[0]["kind"], "leave");
    let december: Value = list(owner, &away, "?from=2026-12-15&to=2026-12-31")
        .await
        .json();
    assert_eq!(crate::support::ids(&december), [day_off.as_str()]);
    let second: Value = list(owner, &away, "?per_page=1&page=2").await.json();
    assert_eq!(crate::support::ids(&second), [day_off.as_str()]);
    assert_error(&list(due, &away, "").await, 404, "not_found");
    assert_error(
        &list(owner, &away, "?from=2026-12-31&to=2026-12-01").await,
        422,
        "validation_failed",
    );

    // The board: the one due in and not away before the one away and the
    // one with no hours today; anyone clocked in first of all.
    let board = || async {
        let response = app
            .get(
                &format!("/api/technicians/board?site_id={nbo}"),
                &rota.nbo_manager,
            )
            .await;
        assert_eq!(response.status_code(), 200, "{}", response.text());
        response.json::<Vec<Value>>()
    };
    let now = board().await;
    assert_eq!(now.len(), 3, "{now:#?}");
    assert_eq!(now[0]["technician"]["id"], due.id.as_str(), "{now:#?}");
    assert_eq!(
        now[0]["due_today"],
        json!([{"starts": "08:00", "ends": "17:00"}])
    );
    assert_eq!(now[0]["away"], Value::Null);
    let away_row = now
        .iter()
        .find(|row| row["technician"]["id"] == away.id.as_str())
        .unwrap();
    assert_eq!(away_row["away"]["kind"], "leave");
    assert_eq!(away_row["due_today"].as_array().unwrap().len(), 1);
    let response = app
        .post(
            "/api/shifts/clock-in",
            &unscheduled,
            &json!({ "site_id": nbo }),
        )
        .await;
    assert_eq!(response.status_code(), 201, "{}", response.text());
    let now = board().await;
    assert_eq!(now[0]["technician"]["id"], unscheduled.id.as_str());
    assert_eq!(now[1]["technician"]["id"], due.id.as_str());
    // 21:30 UTC on Tuesday is 00:30 on Wednesday in Nairobi: nobody is due.
    rota.set_clock("2026-12-08T21:30:00Z");
    let late = board().await;
    assert!(
        late.iter().all(|row| row["due_today"] == json!([])),
        "{late:#?}"
    );
    rota.set_clock("2026-12-08T08:00:00Z");
    let tuesday = board().await;
    let due_row = tuesday
        .iter()
        .find(|row| row["technician"]["id"] == due.id.as_str())
        .unwrap();
    assert_eq!(
        due_row["due_today"],
        json!([{"starts": "08:00", "ends": "12:30"}])
    );

    // Cancelling: once, by owners and managers.
    let cancel = format!("/api/technicians/{}/time-off/{day_off}", away.id);
    assert_error(&app.delete(&cancel, &away).await, 403, "forbidden");
    assert_eq!(
        app.delete(&cancel, &rota.nbo_manager).await.status_code(),
        204
    );
    assert_error(&app.delete(&cancel, owner).await, 404, "not_found");
    assert_eq!(list(owner, &away, "").await.json::<Value>()["total"], 1);
    let audit: Value = app
        .get("/api/audit-events?per_page=200", owner)
        .await
        .json();
    let cancelled = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["action"] == "time_off.cancelled")
        .count();
    assert_eq!(cancelled, 1, "{audit}");

    // Bad input changes nothing; only owners and managers record.
    for body in [
        json!({"kind": "leave", "first_day": "2026-12-20", "last_day": "2026-12-19"}),
        json!({"kind": "leave", "first_day": "2026-01-01", "last_day": "2027-01-02"}),
        json!({"kind": "holiday", "first_day": "2026-12-20", "last_day": "2026-12-20"}),
        json!({"kind": "leave", "first_day": "2026-12-20"}),
        json!({"kind": "leave", "first_day": "2026-12-20", "last_day": "2026-12-20", "note": "x".repeat(501)}),
        json!({"kind": "leave", "first_day": "2026-12-20", "last_day": "2026-12-20", "by": "me"}),
        json!({"kind": "leave", "first_day": "1850-12-20", "last_day": "1850-12-21"}),
    ] {
        let response = rota.time_off(owner, &unscheduled, body.clone()).await;
        assert_eq!(response.status_code(), 422, "{body}: {}", response.text());
    }
    let response = rota
        .time_off(
            owner,
            &unscheduled,
            json!({"kind": "leave", "first_day": "20th", "last_day": "2026-12-20"}),
        )
        .await;
    assert!(
        [400, 422].contains(&response.status_code().as_u16()),
        "{}",
        response.text()
    );
    let response = rota
        .time_off(
            owner,
            &unscheduled,
            json!({"kind": "leave", "first_day": "-5000-01-01", "last_day": "-5000-01-02"}),
        )
        .await;
    assert!(
        [400, 422].contains(&response.status_code().as_u16()),
        "{}",
        response.text()
    );
    for query in ["?from=-5000-01-01", "?to=1066-10-14", "?per_page=500"] {
        let response = list(owner, &unscheduled, query).await;
        assert!(
            [400, 422].contains(&response.status_code().as_u16()),
            "{query}: {}",
            response.text()
        );
    }
    assert_eq!(
        list(owner, &unscheduled, "").await.json::<Value>()["total"],
        1
    );
    let advisor = app.staff(owner, "advisor", &[&nbo]).await;
    let fine = json!({"kind": "day_off", "first_day": "2026-12-28", "last_day": "2026-12-28"});
    for by in [&advisor, &unscheduled] {
        assert_error(
            &rota.time_off(by, &unscheduled, fine.clone()).await,
            403,
            "forbidden",
        );
    }
    assert_error(
        &rota.time_off(&rota.msa_manager, &unscheduled, fine).await,
        404,
        "not_found",
    );
}

#[tokio::test]
async fn a_vehicles_history_lists_its_repairs_at_the_callers_sites() {
    let rota = Rota::open().await;
    let (app, owner) = (&rota.app, &rota.owner);
    let customer = app.customer(owner, &rota.nbo).await;
    let vehicle = app.vehicle(owner, &customer).await;
    let other_vehicle = app.vehicle(owner, &customer).await;
    let mut orders = Vec::new();
    for (site, description) in [
        (&rota.nbo, "Brakes"),
        (&rota.msa, "Air conditioning"),
        (&rota.nbo, "Service"),
    ] {
        let response = app
            .post(
                "/api/repair-orders",
                owner,
                &json!({"site_id": site, "vehicle_id": vehicle, "description": description}),
            )
            .await;
        assert_eq!(response.status_code(), 201, "{}", response.text());
        orders.push(response.json::<Value>()["id"].as_str().unwrap().to_string());
    }
    let response = app
        .post(
            "/api/repair-orders",
            owner,
            &json!({"site_id": rota.nbo, "vehicle_id": other_vehicle, "description": "Tyres"}),
        )
        .await;
    assert_eq!(response.status_code(), 201, "{}", response.text());

    let history = |who: &Session| {
        let path = format!("/api/vehicles/{vehicle}/repair-orders");
        let who = who.clone();
        async move {
            let response = app.get(&path, &who).await;
            assert_eq!(response.status_code(), 200, "{}", response.text());
            crate::support::ids(&response.json::<Value>())
        }
    };
    assert_eq!(
        history(owner).await,
        [orders[2].clone(), orders[1].clone(), orders[0].clone()],
        "newest first"
    );
    assert_eq!(
        history(&rota.nbo_manager).await,
        [orders[2].clone(), orders[0].clone()]
    );
    // A technician at Nairobi who never worked on it sees what was done,
    // though their own list still holds only their own orders.
    let technician = app.staff(owner, "technician", &[&rota.nbo]).await;
    assert_eq!(history(&technician).await.len(), 2);
    let own: Value = app.get("/api/repair-orders", &technician).await.json();
    assert_eq!(own["total"], 0, "{own}");
    // The list's filter agrees.
    let filtered: Value = app
        .get(&format!("/api/repair-orders?vehicle_id={vehicle}"), owner)
        .await
        .json();
    assert_eq!(crate::support::ids(&filtered).len(), 3);

    let customer_account = app.customer_account(owner).await;
    for (who, path) in [
        (
            owner,
            format!("/api/vehicles/{}/repair-orders", uuid::Uuid::new_v4()),
        ),
        (
            &customer_account,
            format!("/api/vehicles/{vehicle}/repair-orders"),
        ),
        (
            owner,
            format!("/api/repair-orders?vehicle_id={}", uuid::Uuid::new_v4()),
        ),
    ] {
        assert_error(&app.get(&path, who).await, 404, "not_found");
    }
    let stranger = app.owner("Another Garage").await;
    assert_error(
        &app.get(&format!("/api/vehicles/{vehicle}/repair-orders"), &stranger)
            .await,
        404,
        "not_found",
    );
    let response = app
        .get(
            &format!("/api/vehicles/{vehicle}/repair-orders?per_page=0"),
            owner,
        )
        .await;
    assert_eq!(response.status_code(), 422, "{}", response.text());
}

#[tokio::test]
async fn every_technicians_stats_side_by_side_with_earnings_for_managers() {
    let rota = Rota::open().await;
    rota.set_clock("2026-12-07T06:00:00Z");
    let (app, owner) = (&rota.app, &rota.owner);
    let msa_only = app.staff(owner, "technician", &[&rota.msa]).await;
    let order = app.claimed_order(owner, &rota.nbo, &rota.technician).await;
    let response = app
        .post(
            &format!("/api/repair-orders/{order}/labor"),
            &rota.technician,
            &json!({"description": "Brakes", "hours": "2", "rate": "1000"}),
        )
        .await;
    assert_eq!(response.status_code(), 201, "{}", response.text());
    app.complete(&rota.technician, &order, owner).await;

    let stats = |who: &Session, query: &str| {
        let path = format!("/api/technicians/stats{query}");
        let who = who.clone();
        async move { app.get(&path, &who).await }
    };
    let period = "?from=2026-12-01&to=2026-12-31";
    let response = stats(&rota.nbo_manager, period).await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
    let rows = items(&response.json());
    assert_eq!(rows.len(), 1, "Nairobi's technicians only: {rows:#?}");
    assert_eq!(rows[0]["technician"]["id"], rota.technician.id.as_str());
    assert_eq!(rows[0]["completed"], 1);
    assert_eq!(rows[0]["billed_hours"], "2.00");
    assert_eq!(rows[0]["earnings"], Value::Null, "no pay basis yet");

    let response = app
        .patch(
            &format!("/api/technicians/{}", rota.technician.id),
            &rota.nbo_manager,
            &json!({"pay_basis": {"kind": "labour_share", "rate": "0.3"}}),
        )
        .await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
    let rows = items(&stats(owner, period).await.json());
    assert_eq!(rows.len(), 2, "{rows:#?}");
    let row = rows
        .iter()
        .find(|row| row["technician"]["id"] == rota.technician.id.as_str())
        .unwrap();
    // 30 % of 2 h × 1000.
    assert_eq!(row["earnings"], "600.00", "{row}");
    assert_eq!(row["earnings_currency"], "KES");
    let idle = rows
        .iter()
        .find(|row| row["technician"]["id"] == msa_only.id.as_str())
        .unwrap();
    assert_eq!(idle["completed"], 0);
    // Mombasa alone: the Nairobi work is not there.
    let rows = items(
        &stats(owner, &format!("{period}&site_id={}", rota.msa))
            .await
            .json(),
    );
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|row| row["completed"] == 0), "{rows:#?}");
    // The same on the one-technician endpoint.
    let one: Value = app
        .get(
            &format!("/api/technicians/{}/stats{period}", rota.technician.id),
            &rota.technician,
        )
        .await
        .json();
    assert_eq!(one["earnings"], "600.00", "their own: {one}");

    // Advisors see the work but not the pay; technicians only their row.
    let advisor = app.staff(owner, "advisor", &[&rota.nbo]).await;
    let rows = items(&stats(&advisor, period).await.json());
    assert_eq!(rows[0]["completed"], 1);
    assert_eq!(rows[0]["earnings"], Value::Null);
    let rows = items(&stats(&msa_only, period).await.json());
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["technician"]["id"], msa_only.id.as_str());
    let beyond: Value = stats(&msa_only, "?page=2").await.json();
    assert_eq!(beyond["total"], 1, "{beyond}");
    assert_eq!(
        items(&beyond),
        Vec::<Value>::new(),
        "their one row is on page 1"
    );

    assert_error(
        &stats(&rota.nbo_manager, &format!("?site_id={}", rota.msa)).await,
        404,
        "not_found",
    );
    assert_error(
        &stats(owner, "?from=2026-12-31&to=2026-12-01").await,
        422,
        "validation_failed",
    );
    let response = stats(owner, "?from=soon").await;
    assert_eq!(response.status_code(), 400, "{}", response.text());
    for query in ["?from=-5000-01-01", "?to=1800-01-01", "?per_page=0"] {
        let response = stats(owner, query).await;
        assert!(
            [400, 422].contains(&response.status_code().as_u16()),
            "{query}: {}",
            response.text()
        );
    }
    let page = stats(owner, &format!("{period}&per_page=1&page=2"))
        .await
        .json::<Value>();
    assert_eq!(page["total"], 2, "{page}");
    assert_eq!(items(&page).len(), 1);
}

#[tokio::test]
async fn the_comeback_window_is_a_site_setting() {
    let rota = Rota::open().await;
    let (app, owner) = (&rota.app, &rota.owner);
    rota.set_clock("2026-12-01T06:00:00Z");
    let first = app.claimed_order(owner, &rota.nbo, &rota.technician).await;
    app.complete(&rota.technician, &first, owner).await;
    let detail: Value = app
        .get(&format!("/api/repair-orders/{first}"), owner)
        .await
        .json();
    let vehicle = detail["vehicle"]["id"].as_str().unwrap().to_string();

    let site_path = format!("/api/sites/{}", rota.nbo);
    let site: Value = app.get(&site_path, owner).await.json();
    assert_eq!(site["comeback_window_days"], 30);
    for days in [0, 366] {
        let response = app
            .patch(&site_path, owner, &json!({ "comeback_window_days": days }))
            .await;
        assert_eq!(response.status_code(), 422, "{days}: {}", response.text());
    }
    let response = app
        .patch(&site_path, owner, &json!({"comeback_window_days": 3}))
        .await;
    assert_eq!(response.status_code(), 200, "{}", response.text());

    // Back five days later: outside the branch's three days.
    rota.set_clock("2026-12-06T06:00:00Z");
    let response = app
        .post(
            "/api/repair-orders",
            owner,
            &json!({"site_id": rota.nbo, "vehicle_id": vehicle, "description": "Again"}),
        )
        .await;
    assert_eq!(response.status_code(), 201, "{}", response.text());
    let again = response.json::<Value>()["id"].as_str().unwrap().to_string();
    let flag = || async {
        app.post(
            &format!("/api/repair-orders/{again}/comeback"),
            owner,
            &json!({ "of_repair_order_id": first }),
        )
        .await
    };
    let refused = assert_error(&flag().await, 422, "validation_failed");
    assert!(
        refused["error"]["fields"]["of_repair_order_id"][0]
            .as_str()
            .unwrap()
            .contains("3 days"),
        "{refused}"
    );
    let response = app
        .patch(&site_path, owner, &json!({"comeback_window_days": 7}))
        .await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
    assert_eq!(flag().await.status_code(), 200);
}
