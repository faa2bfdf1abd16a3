//! Shifts and work timers: one open shift per technician whichever site,
//! one running timer, decided by the database when requests race; the
//! board a manager assigns from.

use futures::future::join_all;
use serde_json::{json, Value};

use crate::support::{assert_error, Session, TestApp};

struct Floor {
    app: TestApp,
    owner: Session,
    technician: Session,
    nbo: String,
    msa: String,
}

impl Floor {
    async fn open() -> Self {
        let app = TestApp::spawn().await;
        let owner = app.owner("Kamau Motors").await;
        let nbo = app.site(&owner, "NBO").await;
        let msa = app.site(&owner, "MSA").await;
        let technician = app.staff(&owner, "technician", &[&nbo, &msa]).await;
        Self {
            app,
            owner,
            technician,
            nbo,
            msa,
        }
    }

    async fn clock_in(&self, who: &Session, site: &str) -> axum_test::TestResponse {
        self.app
            .post("/api/shifts/clock-in", who, &json!({ "site_id": site }))
            .await
    }

    async fn clock_out(&self, who: &Session) -> axum_test::TestResponse {
        self.app
            .post("/api/shifts/clock-out", who, &json!({}))
            .await
    }

    /// The technician writes `hours` of labour at `rate` on `order`.
    async fn labour(&self, order: &str, hours: &str, rate: &str) {
        let response = self
            .app
            .post(
                &format!("/api/repair-orders/{order}/labor"),
                &self.technician,
                &json!({"description": "Work", "hours": hours, "rate": rate}),
            )
            .await;
        assert_eq!(response.status_code(), 201, "{}", response.text());
    }

    /// Every request from now on is judged at `at`.
    fn set_clock(&self, at: &str) {
        self.app
            .ctx
            .shared_store
            .insert(karakana::models::clock::Clock::Fixed(at.parse().unwrap()));
    }

    async fn timer(&self, order: &str, action: &str) -> axum_test::TestResponse {
        self.app
            .post(
                &format!("/api/repair-orders/{order}/timer/{action}"),
                &self.technician,
                &json!({}),
            )
            .await
    }
}

#[tokio::test]
async fn one_open_shift_at_a_time_whichever_site() {
    let floor = Floor::open().await;
    let response = floor.clock_in(&floor.technician, &floor.nbo).await;
    assert_eq!(response.status_code(), 201, "{}", response.text());
    let shift: Value = response.json();
    assert_eq!(shift["site"]["id"], floor.nbo.as_str());
    assert_eq!(shift["ended_at"], Value::Null);
    assert_error(
        &floor.clock_in(&floor.technician, &floor.nbo).await,
        409,
        "conflict",
    );
    assert_error(
        &floor.clock_in(&floor.technician, &floor.msa).await,
        409,
        "conflict",
    );
    let current: Value = floor
        .app
        .get("/api/shifts/current", &floor.technician)
        .await
        .json();
    assert_eq!(current["id"], shift["id"]);

    let response = floor.clock_out(&floor.technician).await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
    assert!(response.json::<Value>()["ended_at"].is_string());
    assert_error(&floor.clock_out(&floor.technician).await, 409, "conflict");
    assert_error(
        &floor
            .app
            .get("/api/shifts/current", &floor.technician)
            .await,
        404,
        "not_found",
    );
    // Now Mombasa.
    let response = floor.clock_in(&floor.technician, &floor.msa).await;
    assert_eq!(response.status_code(), 201, "{}", response.text());

    // Only technicians clock in, only at their sites; bad bodies change
    // nothing.
    let manager = floor
        .app
        .staff(&floor.owner, "manager", &[&floor.nbo])
        .await;
    assert_error(
        &floor.clock_in(&manager, &floor.nbo).await,
        403,
        "forbidden",
    );
    let only_nbo = floor
        .app
        .staff(&floor.owner, "technician", &[&floor.nbo])
        .await;
    assert_error(
        &floor.clock_in(&only_nbo, &floor.msa).await,
        404,
        "not_found",
    );
    for body in [
        json!({}),
        json!({"site_id": "x"}),
        json!({"site_id": floor.nbo, "at": 1}),
    ] {
        let response = floor
            .app
            .post("/api/shifts/clock-in", &only_nbo, &body)
            .await;
        assert!(
            [400, 422].contains(&response.status_code().as_u16()),
            "{body}: {}",
            response.text()
        );
    }
    assert_error(
        &floor.app.get("/api/shifts/current", &only_nbo).await,
        404,
        "not_found",
    );
}

#[tokio::test]
async fn racing_clock_ins_open_one_shift() {
    let floor = Floor::open().await;
    let body = json!({ "site_id": floor.nbo });
    let statuses: Vec<u16> = join_all((0..6).map(|_| async {
        floor
            .app
            .post("/api/shifts/clock-in", &floor.technician, &body)
            .await
            .status_code()
            .as_u16()
    }))
    .await;
    assert_eq!(
        statuses.iter().filter(|&&s| s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|&s| s == 201 || s == 409),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn one_running_timer_per_technician_even_when_starts_race() {
    let floor = Floor::open().await;
    let first = floor
        .app
        .claimed_order(&floor.owner, &floor.nbo, &floor.technician)
        .await;
    let second = floor
        .app
        .claimed_order(&floor.owner, &floor.nbo, &floor.technician)
        .await;
    assert_error(&floor.timer(&first, "start").await, 409, "conflict");
    floor.clock_in(&floor.technician, &floor.nbo).await;

    let (a, b) = tokio::join!(floor.timer(&first, "start"), floor.timer(&second, "start"));
    let mut statuses = [a.status_code().as_u16(), b.status_code().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{} / {}", a.text(), b.text());
    let running = if a.status_code() == 200 {
        &first
    } else {
        &second
    };
    let other = if a.status_code() == 200 {
        &second
    } else {
        &first
    };
    assert_error(&floor.timer(running, "start").await, 409, "conflict");
    assert_error(&floor.timer(other, "pause").await, 409, "conflict");

    let paused = floor.timer(running, "pause").await;
    assert_eq!(paused.status_code(), 200, "{}", paused.text());
    let paused: Value = paused.json();
    assert_eq!(paused["running"], false);
    assert_eq!(
        paused["clocked"][0]["technician"]["id"],
        floor.technician.id.as_str()
    );
    let resumed = floor.timer(other, "start").await;
    assert_eq!(resumed.status_code(), 200, "{}", resumed.text());
    assert_eq!(resumed.json::<Value>()["running"], true);

    // Someone else's order, or an order not in progress, takes no timer.
    let colleague = floor
        .app
        .staff(&floor.owner, "technician", &[&floor.nbo])
        .await;
    let theirs = floor
        .app
        .claimed_order(&floor.owner, &floor.nbo, &colleague)
        .await;
    floor.timer(other, "pause").await;
    assert_error(&floor.timer(&theirs, "start").await, 409, "conflict");

    // Clocking out pauses what runs.
    let response = floor.timer(other, "start").await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
    floor.clock_out(&floor.technician).await;
    let clocked: Value = floor
        .app
        .get(&format!("/api/repair-orders/{other}/timer"), &floor.owner)
        .await
        .json();
    assert!(
        clocked["clocked"]
            .as_array()
            .unwrap()
            .iter()
            .all(|entry| entry["running"] == false),
        "{clocked}"
    );
}

#[tokio::test]
async fn the_board_shows_who_is_in_and_how_much_work_they_hold() {
    let floor = Floor::open().await;
    let idle = floor
        .app
        .staff(&floor.owner, "technician", &[&floor.nbo])
        .await;
    let order = floor
        .app
        .claimed_order(&floor.owner, &floor.nbo, &floor.technician)
        .await;
    floor.labour(&order, "6.5", "2000").await;
    floor.clock_in(&floor.technician, &floor.nbo).await;
    floor.timer(&order, "start").await;

    let manager = floor
        .app
        .staff(&floor.owner, "manager", &[&floor.nbo])
        .await;
    let response = floor
        .app
        .get(
            &format!("/api/technicians/board?site_id={}", floor.nbo),
            &manager,
        )
        .await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
    let board: Vec<Value> = response.json();
    assert_eq!(board.len(), 2, "{board:#?}");
    assert_eq!(
        board[0]["technician"]["id"],
        floor.technician.id.as_str(),
        "on shift first"
    );
    assert_eq!(board[0]["shift"]["site"]["id"], floor.nbo.as_str());
    assert_eq!(board[0]["open_orders"], 1);
    assert_eq!(board[0]["hours_in_hand"], "6.50");
    assert_eq!(board[0]["timer_on"], order.as_str());
    assert_eq!(board[1]["technician"]["id"], idle.id.as_str());
    assert_eq!(board[1]["shift"], Value::Null);
    assert_eq!(board[1]["open_orders"], 0);

    let elsewhere = floor
        .app
        .staff(&floor.owner, "manager", &[&floor.msa])
        .await;
    assert_error(
        &floor
            .app
            .get(
                &format!("/api/technicians/board?site_id={}", floor.nbo),
                &elsewhere,
            )
            .await,
        404,
        "not_found",
    );
    assert_error(
        &floor
            .app
            .get(
                &format!("/api/technicians/board?site_id={}", floor.nbo),
                &floor.technician,
            )
            .await,
        403,
        "forbidden",
    );
}

#[tokio::test]
async fn an_assignment_is_accepted_or_declined_with_a_reason_back_to_the_queue() {
    let floor = Floor::open().await;
    let manager = floor
        .app
        .staff(&floor.owner, "manager", &[&floor.nbo])
        .await;
    let order = floor
        .app
        .approved_order(&manager, &floor.nbo, "normal")
        .await;
    let assign = |order: String| {
        let floor = &floor;
        let manager = &manager;
        async move {
            let response = floor
                .app
                .post(
                    &format!("/api/repair-orders/{order}/assign"),
                    manager,
                    &json!({"technician_id": floor.technician.id}),
                )
                .await;
            assert_eq!(response.status_code(), 200, "{}", response.text());
        }
    };
    assign(order.clone()).await;

    // Not in the queue while it waits for them.
    let queue: Value = floor
        .app
        .get("/api/repair-orders/queue", &floor.technician)
        .await
        .json();
    assert!(queue["items"].as_array().unwrap().is_empty(), "{queue}");

    for body in [
        json!({}),
        json!({"reason": "  "}),
        json!({"reason": "x".repeat(501)}),
    ] {
        let response = floor
            .app
            .post(
                &format!("/api/repair-orders/{order}/decline"),
                &floor.technician,
                &body,
            )
            .await;
        assert_eq!(response.status_code(), 422, "{body}: {}", response.text());
    }
    let colleague = floor
        .app
        .staff(&floor.owner, "technician", &[&floor.nbo])
        .await;
    assert_error(
        &floor
            .app
            .post(
                &format!("/api/repair-orders/{order}/decline"),
                &colleague,
                &json!({"reason": "not mine"}),
            )
            .await,
        409,
        "conflict",
    );
    let response = floor
        .app
        .post(
            &format!("/api/repair-orders/{order}/decline"),
            &floor.technician,
            &json!({"reason": "No hybrid tooling today"}),
        )
        .await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
    let declined: Value = response.json();
    assert_eq!(declined["status"], "approved");
    assert_eq!(declined["technician"], Value::Null);
    let queue: Value = floor
        .app
        .get("/api/repair-orders/queue", &colleague)
        .await
        .json();
    assert_eq!(queue["items"][0]["id"], order.as_str(), "back in the queue");
    let history: Value = floor
        .app
        .get(&format!("/api/repair-orders/{order}/history"), &manager)
        .await
        .json();
    let said = history.to_string();
    assert!(
        said.contains("declined the assignment: No hybrid tooling today"),
        "{said}"
    );
    let notifications: Value = floor.app.get("/api/notifications", &manager).await.json();
    let told = notifications["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["kind"] == "assignment_declined")
        .unwrap_or_else(|| panic!("{notifications}"));
    assert_eq!(told["body"], "No hybrid tooling today");
    assert_error(
        &floor
            .app
            .post(
                &format!("/api/repair-orders/{order}/decline"),
                &floor.technician,
                &json!({"reason": "again"}),
            )
            .await,
        409,
        "conflict",
    );

    // Assigned again, accepted: theirs, in progress, in the history.
    assign(order.clone()).await;
    let response = floor
        .app
        .post(
            &format!("/api/repair-orders/{order}/accept"),
            &floor.technician,
            &json!({}),
        )
        .await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
    let accepted: Value = response.json();
    assert_eq!(accepted["status"], "in_progress");
    assert_eq!(accepted["technician"]["id"], floor.technician.id.as_str());
    assert_error(
        &floor
            .app
            .post(
                &format!("/api/repair-orders/{order}/accept"),
                &floor.technician,
                &json!({}),
            )
            .await,
        409,
        "conflict",
    );
    assert_error(
        &floor
            .app
            .post(
                &format!("/api/repair-orders/{order}/accept"),
                &manager,
                &json!({}),
            )
            .await,
        403,
        "forbidden",
    );
    let history: Value = floor
        .app
        .get(&format!("/api/repair-orders/{order}/history"), &manager)
        .await
        .json();
    assert!(
        history.to_string().contains("accepted the assignment"),
        "{history}"
    );
}

#[tokio::test]
async fn efficiency_and_a_comeback_counted_once_against_a_hand_computed_day() {
    let floor = Floor::open().await;
    floor.set_clock("2026-12-07T06:00:00Z");
    let first = floor
        .app
        .claimed_order(&floor.owner, &floor.nbo, &floor.technician)
        .await;
    let second = floor
        .app
        .claimed_order(&floor.owner, &floor.nbo, &floor.technician)
        .await;
    for (order, hours) in [(&first, "3"), (&second, "1.5")] {
        floor.labour(order, hours, "2000").await;
    }
    floor.clock_in(&floor.technician, &floor.nbo).await;
    // 06:00–08:30 on the first order, 09:00–10:00 on the second: 3.5 h.
    assert_eq!(floor.timer(&first, "start").await.status_code(), 200);
    floor.set_clock("2026-12-07T08:30:00Z");
    assert_eq!(floor.timer(&first, "pause").await.status_code(), 200);
    floor.set_clock("2026-12-07T09:00:00Z");
    assert_eq!(floor.timer(&second, "start").await.status_code(), 200);
    floor.set_clock("2026-12-07T10:00:00Z");
    assert_eq!(floor.timer(&second, "pause").await.status_code(), 200);
    // Each order's clocked time next to its billed labour.
    let timed: Value = floor
        .app
        .get(&format!("/api/repair-orders/{first}/timer"), &floor.owner)
        .await
        .json();
    assert_eq!(timed["billed_hours"], "3.00", "{timed}");
    assert_eq!(timed["clocked_hours"], "2.50", "{timed}");
    assert_eq!(timed["clocked"][0]["hours"], "2.50", "{timed}");
    let response = floor
        .app
        .transition(&floor.technician, &first, "completed")
        .await;
    assert_eq!(response.status_code(), 200, "{}", response.text());

    // The same vehicle back: a comeback of the first repair.
    let detail: Value = floor
        .app
        .get(&format!("/api/repair-orders/{first}"), &floor.owner)
        .await
        .json();
    let vehicle = detail["vehicle"]["id"].as_str().unwrap();
    let response = floor
        .app
        .post(
            "/api/repair-orders",
            &floor.owner,
            &json!({"site_id": floor.nbo, "vehicle_id": vehicle, "description": "Same noise again"}),
        )
        .await;
    assert_eq!(response.status_code(), 201, "{}", response.text());
    let again = response.json::<Value>()["id"].as_str().unwrap().to_string();
    let flag = |of: &str| {
        let path = format!("/api/repair-orders/{again}/comeback");
        let body = json!({ "of_repair_order_id": of });
        let floor = &floor;
        async move { floor.app.post(&path, &floor.owner, &body).await }
    };
    for of in [second.as_str(), again.as_str()] {
        assert_error(&flag(of).await, 422, "validation_failed");
    }
    assert_error(
        &flag(&uuid::Uuid::new_v4().to_string()).await,
        404,
        "not_found",
    );
    let response = flag(&first).await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
    assert_eq!(response.json::<Value>()["comeback_of"], first.as_str());
    assert_error(&flag(&first).await, 409, "conflict");
    assert_error(
        &floor
            .app
            .post(
                &format!("/api/repair-orders/{again}/comeback"),
                &floor.technician,
                &json!({ "of_repair_order_id": first }),
            )
            .await,
        403,
        "forbidden",
    );

    let stats: Value = floor
        .app
        .get(
            &format!("/api/technicians/{}/stats", floor.technician.id),
            &floor.technician,
        )
        .await
        .json();
    assert_eq!(stats["completed"], 1, "{stats}");
    assert_eq!(stats["billed_hours"], "3.00", "{stats}");
    assert_eq!(stats["clocked_hours"], "3.50", "{stats}");
    // 3 ÷ 3.5 = 0.857…
    assert_eq!(stats["efficiency"], "0.86", "{stats}");
    assert_eq!(stats["comebacks"], 1, "{stats}");
}

#[tokio::test]
async fn earnings_by_the_hour_or_a_share_of_labour_against_a_hand_computed_day() {
    let floor = Floor::open().await;
    let manager = floor
        .app
        .staff(&floor.owner, "manager", &[&floor.nbo])
        .await;
    let path = format!("/api/technicians/{}", floor.technician.id);
    assert_error(
        &floor
            .app
            .get(&format!("{path}/earnings"), &floor.technician)
            .await,
        409,
        "conflict",
    );
    floor.set_clock("2026-12-07T06:00:00Z");
    floor.clock_in(&floor.technician, &floor.nbo).await;
    // Order A: 2 h × 2000 labour, 1.5 h clocked; order B: 1 h × 1500
    // labour, 2 h clocked.
    for (hours, rate, clock) in [
        (
            "2",
            "2000",
            [("2026-12-07T06:00:00Z", "2026-12-07T07:30:00Z")],
        ),
        (
            "1",
            "1500",
            [("2026-12-07T08:00:00Z", "2026-12-07T10:00:00Z")],
        ),
    ] {
        let order = floor
            .app
            .claimed_order(&floor.owner, &floor.nbo, &floor.technician)
            .await;
        floor.labour(&order, hours, rate).await;
        for (start, end) in clock {
            floor.set_clock(start);
            assert_eq!(floor.timer(&order, "start").await.status_code(), 200);
            floor.set_clock(end);
            assert_eq!(floor.timer(&order, "pause").await.status_code(), 200);
        }
        floor
            .app
            .complete(&floor.technician, &order, &floor.owner)
            .await;
    }

    let set_pay = |body: Value| {
        let floor = &floor;
        let manager = &manager;
        let path = path.clone();
        async move { floor.app.patch(&path, manager, &body).await }
    };
    let response = set_pay(json!({"pay_basis": {"kind": "hourly", "rate": "500"}})).await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
    let earned: Value = floor
        .app
        .get(&format!("{path}/earnings"), &floor.technician)
        .await
        .json();
    // 1.5 h × 500 + 2 h × 500.
    assert_eq!(earned["total"], "1750.00", "{earned}");
    assert_eq!(earned["currency"], "KES");
    assert_eq!(earned["lines"].as_array().unwrap().len(), 2);
    assert_eq!(earned["lines"][0]["clocked_hours"], "1.50", "{earned}");
    assert_eq!(earned["lines"][0]["amount"], "750.00", "{earned}");

    let response = set_pay(json!({"pay_basis": {"kind": "labour_share", "rate": "0.3"}})).await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
    let earned: Value = floor
        .app
        .get(&format!("{path}/earnings"), &manager)
        .await
        .json();
    // 30 % of 4000 and of 1500.
    assert_eq!(earned["total"], "1650.00", "{earned}");
    assert_eq!(earned["lines"][1]["labour_amount"], "1500.00", "{earned}");
    // A period without that day earns nothing.
    let none: Value = floor
        .app
        .get(
            &format!("{path}/earnings?from=2020-01-01&to=2020-01-31"),
            &manager,
        )
        .await
        .json();
    assert_eq!(none["total"], "0.00");

    // Only one's own, or one's sites' technicians.
    let colleague = floor
        .app
        .staff(&floor.owner, "technician", &[&floor.nbo])
        .await;
    assert_error(
        &floor.app.get(&format!("{path}/earnings"), &colleague).await,
        404,
        "not_found",
    );
    let elsewhere = floor
        .app
        .staff(&floor.owner, "manager", &[&floor.msa])
        .await;
    let only_nbo = floor
        .app
        .staff(&floor.owner, "technician", &[&floor.nbo])
        .await;
    assert_error(
        &floor
            .app
            .get(
                &format!("/api/technicians/{}/earnings", only_nbo.id),
                &elsewhere,
            )
            .await,
        404,
        "not_found",
    );
    let advisor = floor
        .app
        .staff(&floor.owner, "advisor", &[&floor.nbo])
        .await;
    assert_error(
        &floor.app.get(&format!("{path}/earnings"), &advisor).await,
        403,
        "forbidden",
    );
    assert_error(
        &floor
            .app
            .get(
                &format!("{path}/earnings?from=2026-12-08&to=2026-12-01"),
                &manager,
            )
            .await,
        422,
        "validation_failed",
    );
    for body in [
        json!({"pay_basis": {"kind": "labour_share", "rate": "1.5"}}),
        json!({"pay_basis": {"kind": "hourly", "rate": "-5"}}),
        json!({"pay_basis": {"kind": "hourly"}}),
        json!({"pay_rate": "500"}),
        json!({"pay_basis": {"kind": "piecework", "rate": "1"}}),
    ] {
        let response = set_pay(body.clone()).await;
        assert_eq!(response.status_code(), 422, "{body}: {}", response.text());
    }
    // The old flat form is the wrong JSON type.
    let response = set_pay(json!({"pay_basis": "hourly"})).await;
    assert_eq!(response.status_code(), 400, "{}", response.text());
    let profile: Value = floor.app.get(&path, &manager).await.json();
    assert_eq!(
        profile["pay_basis"],
        json!({"kind": "labour_share", "rate": "0.3"})
    );
    assert_eq!(earned["pay_basis"]["kind"], "labour_share");
}
