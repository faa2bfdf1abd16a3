//! The dashboard's figures against a day worked out by hand, across three
//! branches in two currencies.

use chrono::TimeDelta;
use serde_json::{json, Value};

use crate::support::{assert_error, id_of, Session, TestApp};

fn labour(hours: &str, rate: &str) -> Value {
    json!({"description": "Labour", "hours": hours, "rate": rate})
}

async fn ok(app: &TestApp, path: &str, by: &Session, body: &Value) -> Value {
    let response = app.post(path, by, body).await;
    assert!(
        [200, 201].contains(&response.status_code().as_u16()),
        "{path}: {}",
        response.text()
    );
    response.json()
}

#[tokio::test]
async fn the_dashboard_adds_up_a_day_worked_out_by_hand() {
    // Monday 7 December 2026, 08:00 in Nairobi and Kampala (UTC+3).
    let app = TestApp::spawn_at("2026-12-07T05:00:00Z").await;
    let owner = app.owner("Garage").await;
    let nairobi = app.site(&owner, "NBO").await; // KES, 16 %
    let mombasa = app.site(&owner, "MSA").await; // KES, 16 %
    let kampala = id_of(
        &app.post(
            "/api/sites",
            &owner,
            &json!({"name": "Kampala", "code": "KLA", "timezone": "Africa/Kampala",
                    "currency": "UGX", "tax_rate": "0.18"}),
        )
        .await
        .json(),
    );
    let kevin = app.staff(&owner, "technician", &[&nairobi]).await;
    let amina = app.staff(&owner, "technician", &[&mombasa, &kampala]).await;
    let manager = app.staff(&owner, "manager", &[&mombasa]).await;

    // Nairobi. Kevin clocks in at 08:00; an order approved at 08:00 is
    // claimed at 08:30 and worked for 90 minutes on the timer; 2 hours are
    // billed at 1,000: 2,000 before tax, 2,320 with it, 320 paid. Completing
    // the order stops its timer.
    ok(
        &app,
        "/api/shifts/clock-in",
        &kevin,
        &json!({"site_id": nairobi}),
    )
    .await;
    let first = app.approved_order(&owner, &nairobi, "normal").await;
    app.advance_clock(TimeDelta::minutes(30));
    assert_eq!(app.claim(&kevin, &first).await.status_code(), 200);
    ok(
        &app,
        &format!("/api/repair-orders/{first}/timer/start"),
        &kevin,
        &json!({}),
    )
    .await;
    ok(
        &app,
        &format!("/api/repair-orders/{first}/labor"),
        &kevin,
        &labour("2", "1000"),
    )
    .await;
    app.advance_clock(TimeDelta::minutes(90));
    let invoice = app.complete(&kevin, &first, &owner).await;
    assert_eq!(invoice["total"], "2320.00");
    let paid = app
        .post(
            &format!("/api/invoices/{}/payments", id_of(&invoice)),
            &owner,
            &json!({"amount": "320", "method": "cash"}),
        )
        .await;
    assert_eq!(paid.status_code(), 201, "{}", paid.text());
    // Two more cars in at Nairobi: one waiting for its estimate, one in the
    // queue.
    app.order(&owner, &nairobi, "normal").await;
    app.approved_order(&owner, &nairobi, "urgent").await;

    // Mombasa, 10:00: approved, claimed an hour later, done an hour after
    // that: 1 hour at 1,500, 1,740 with tax, nothing paid. One part is low.
    let second = app.approved_order(&owner, &mombasa, "normal").await;
    app.advance_clock(TimeDelta::hours(1));
    assert_eq!(app.claim(&amina, &second).await.status_code(), 200);
    ok(
        &app,
        &format!("/api/repair-orders/{second}/labor"),
        &amina,
        &labour("1", "1500"),
    )
    .await;
    app.advance_clock(TimeDelta::hours(1));
    app.complete(&amina, &second, &owner).await;
    app.product(&owner, &mombasa, "PADS", "1", "900").await; // reorder level 2
    app.product(&owner, &mombasa, "OIL", "40", "900").await;

    // Kampala, 12:00: claimed at once, done in two hours, billed 1 hour at
    // 50,000 UGX: 59,000 with 18 % tax, issued on 30 November (last month,
    // within the 30 days).
    let third = app.approved_order(&owner, &kampala, "normal").await;
    assert_eq!(app.claim(&amina, &third).await.status_code(), 200);
    ok(
        &app,
        &format!("/api/repair-orders/{third}/labor"),
        &amina,
        &labour("1", "50000"),
    )
    .await;
    app.advance_clock(TimeDelta::hours(2));
    let ugx = app.complete(&amina, &third, &owner).await;
    assert_eq!(ugx["total"], "59000.00");
    app.issued_on(&ugx, "2026-11-30").await;
    // Now 14:00.

    let all: Value = app.get("/api/dashboard", &owner).await.json();
    assert_eq!(all["site"], Value::Null);
    assert_eq!(
        (all["from"].as_str(), all["to"].as_str()),
        (Some("2026-11-08"), Some("2026-12-07"))
    );
    assert_eq!(
        all["open_orders"],
        json!({"requested": 1, "pending_approval": 0, "approved": 1, "in_progress": 0, "total": 2})
    );
    assert_eq!(all["cars_in_today"], 5);
    assert_eq!(all["completed_today"], 3);
    // Claims waited 30 min, 60 min and 0: a mean of 30 min. Work took
    // 90, 60 and 120 min: 90 min.
    assert_eq!(all["mean_approval_to_claim_secs"], 1800);
    assert_eq!(all["mean_claim_to_completion_secs"], 5400);
    assert_eq!(all["low_stock"], 1);
    assert_eq!(all["technicians_on_shift"], 1);
    assert_eq!(
        all["money"],
        json!([
            {"currency": "KES", "revenue_today": "3500.00", "revenue_month": "3500.00",
             "invoices_month": 2, "average_repair_order": "1750.00",
             "receivables": "3740.00"},
            {"currency": "UGX", "revenue_today": "0.00", "revenue_month": "0.00",
             "invoices_month": 0, "average_repair_order": null,
             "receivables": "59000.00"},
        ])
    );
    let days = all["days"].as_array().unwrap();
    assert_eq!(days.len(), 30);
    assert_eq!(
        days[29],
        json!({"day": "2026-12-07", "opened": 5, "completed": 3})
    );
    assert!(days[..29]
        .iter()
        .all(|day| day["opened"] == 0 && day["completed"] == 0));

    let branches = all["branches"].as_array().unwrap();
    let codes: Vec<&str> = branches
        .iter()
        .map(|b| b["site"]["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["MSA", "NBO", "KLA"],
        "by name: Branch MSA, Branch NBO, Kampala"
    );
    let kla = &branches[2];
    assert_eq!(kla["currency"], "UGX");
    assert_eq!(kla["revenue_month"], "0.00");
    let revenue_days = kla["revenue_days"].as_array().unwrap();
    assert_eq!(
        revenue_days[22],
        json!({"day": "2026-11-30", "amount": "50000.00"})
    );
    let nbo = &branches[1];
    assert_eq!(nbo["open_orders"]["total"], 2);
    assert_eq!(nbo["revenue_today"], "2000.00");
    assert_eq!(nbo["receivables"], "2000.00");
    assert_eq!(nbo["mean_approval_to_claim_secs"], 1800);
    assert_eq!(nbo["technicians_on_shift"], 1);
    assert_eq!(branches[0]["low_stock"], 1);

    // Kevin billed 2 hours on 1.5 clocked; Amina billed 2 and clocked none.
    let technicians = all["technicians"].as_array().unwrap();
    assert_eq!(technicians.len(), 2);
    assert_eq!(technicians[0]["technician"]["id"], kevin.id);
    assert_eq!(technicians[0]["billed_hours"], "2.00");
    assert_eq!(technicians[0]["clocked_hours"], "1.50");
    assert_eq!(technicians[0]["efficiency"], "1.33");
    assert_eq!(technicians[1]["technician"]["id"], amina.id);
    assert_eq!(technicians[1]["efficiency"], Value::Null);

    // One branch: only its own numbers.
    let one: Value = app
        .get(&format!("/api/dashboard?site_id={mombasa}"), &owner)
        .await
        .json();
    assert_eq!(one["site"]["code"], "MSA");
    assert_eq!(one["cars_in_today"], 1);
    assert_eq!(one["money"][0]["revenue_today"], "1500.00");
    assert_eq!(one["money"][0]["receivables"], "1740.00");
    assert_eq!(one["branches"].as_array().unwrap().len(), 1);

    // The Mombasa manager sees Mombasa only; Nairobi is not there for them.
    let theirs: Value = app.get("/api/dashboard", &manager).await.json();
    assert_eq!(theirs["branches"].as_array().unwrap().len(), 1);
    assert_eq!(theirs["cars_in_today"], 1);
    assert_error(
        &app.get(&format!("/api/dashboard?site_id={nairobi}"), &manager)
            .await,
        404,
        "not_found",
    );
    // Technicians and bad ids.
    assert_error(&app.get("/api/dashboard", &kevin).await, 403, "forbidden");
    assert_error(
        &app.get("/api/dashboard?site_id=nope", &owner).await,
        400,
        "bad_request",
    );
}
