//! Completing an order issues its invoice; payments, reversals and voids.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::support::{assert_error, id_of, TestApp};

/// A site billing in Ugandan shillings, which have no cents.
async fn kampala(app: &TestApp, owner: &crate::support::Session) -> String {
    let response = app
        .post(
            "/api/sites",
            owner,
            &json!({"name": "Kampala", "code": "KLA", "timezone": "Africa/Kampala",
                    "currency": "UGX", "tax_rate": "0.18"}),
        )
        .await;
    assert_eq!(response.status_code(), 201, "{}", response.text());
    id_of(&response.json())
}

fn labour(hours: &str, rate: &str) -> Value {
    json!({"description": "Labour", "hours": hours, "rate": rate})
}

#[tokio::test]
async fn completing_an_order_issues_its_invoice_rounded_per_line_then_tax_on_the_subtotal() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await; // KES, 16 %
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let pads = app.product(&owner, &site, "PADS", "10", "33.33").await;
    let order = app.claimed_order(&owner, &site, &technician).await;
    // 0.5 × 0.05 = 0.025 → 0.03 (half a cent rounds away from zero)
    let first = app
        .post(
            &format!("/api/repair-orders/{order}/labor"),
            &technician,
            &labour("0.5", "0.05"),
        )
        .await;
    assert_eq!(first.status_code(), 201, "{}", first.text());
    // 1.5 × 33.33 = 49.995 → 50.00
    assert_eq!(
        app.add_part(&technician, &order, &pads, "1.5")
            .await
            .status_code(),
        201
    );

    let invoice = app.complete(&technician, &order, &owner).await;

    assert_eq!(
        invoice["number"],
        format!("NBO-{}-000001", chrono::Utc::now().format("%Y"))
    );
    assert_eq!(invoice["status"], "issued");
    assert_eq!(invoice["currency"], "KES");
    let amounts: Vec<&str> = invoice["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| line["amount"].as_str().unwrap())
        .collect();
    assert_eq!(amounts, ["0.03", "50.00"]);
    assert_eq!(invoice["lines"][1]["quantity"], "1.5");
    assert_eq!(invoice["subtotal"], "50.03");
    // 16 % of 50.03 = 8.0048 → 8.00, on the subtotal, not per line.
    assert_eq!(invoice["tax"], "8.00");
    assert_eq!(invoice["total"], "58.03");
    assert_eq!(invoice["amount_paid"], "0.00");
    assert_eq!(invoice["balance"], "58.03");
    assert_eq!(invoice["tax_rate"], "0.16");
    // The parts were taken out of stock exactly once.
    let product: Value = app
        .get(&format!("/api/products/{pads}"), &owner)
        .await
        .json();
    assert_eq!(product["quantity_on_hand"], "8.5");
    assert_eq!(product["reserved"], "0");
}

#[tokio::test]
async fn a_ugandan_invoice_rounds_to_whole_shillings() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = kampala(&app, &owner).await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let oil = app.product(&owner, &site, "OIL-1L", "40", "15500").await;
    let order = app.claimed_order(&owner, &site, &technician).await;
    // 1.5 h × 3,333 = 4,999.5 → 5,000
    app.post(
        &format!("/api/repair-orders/{order}/labor"),
        &technician,
        &labour("1.5", "3333"),
    )
    .await;
    // 2.25 l × 15,500 = 34,875
    assert_eq!(
        app.add_part(&technician, &order, &oil, "2.25")
            .await
            .status_code(),
        201
    );

    let invoice = app.complete(&technician, &order, &owner).await;

    assert_eq!(invoice["currency"], "UGX");
    assert_eq!(invoice["lines"][0]["amount"], "5000.00");
    assert_eq!(invoice["lines"][1]["quantity"], "2.25");
    assert_eq!(invoice["lines"][1]["amount"], "34875.00");
    assert_eq!(invoice["subtotal"], "39875.00");
    // 18 % of 39,875 = 7,177.5 → 7,178
    assert_eq!(invoice["tax"], "7178.00");
    assert_eq!(invoice["total"], "47053.00");
    // Cents cannot be paid in a currency without them.
    let cents = app
        .post(
            &format!("/api/invoices/{}/payments", id_of(&invoice)),
            &owner,
            &json!({"amount": "100.50", "method": "cash"}),
        )
        .await;
    let body = assert_error(&cents, 422, "validation_failed");
    assert!(body["error"]["fields"]["amount"].is_array());
}

#[tokio::test]
async fn declined_lines_are_not_invoiced_and_give_their_stock_back() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let advisor = app.staff(&owner, "advisor", &[&site]).await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let filter = app.product(&owner, &site, "FILTER", "5", "800").await;
    let order = app.claimed_order(&owner, &site, &technician).await;
    let wanted: Value = app
        .post(
            &format!("/api/repair-orders/{order}/labor"),
            &technician,
            &labour("1", "2000"),
        )
        .await
        .json();
    let declined: Value = app.add_part(&technician, &order, &filter, "2").await.json();
    let decide = |line: &Value, decision: &str| {
        let path = format!("/api/repair-orders/{order}/lines/{}/approval", id_of(line));
        let body = json!({"decision": decision, "note": "customer on the phone"});
        let (app, advisor) = (&app, &advisor);
        async move { app.post(&path, advisor, &body).await }
    };

    let approved = decide(&wanted, "approved").await;
    let refused = decide(&declined, "declined").await;
    let by_technician = app
        .post(
            &format!(
                "/api/repair-orders/{order}/lines/{}/approval",
                id_of(&wanted)
            ),
            &technician,
            &json!({"decision": "approved"}),
        )
        .await;

    assert_eq!(approved.status_code(), 200, "{}", approved.text());
    let detail: Value = refused.json();
    assert_eq!(detail["parts"][0]["approval"], "declined");
    assert_eq!(detail["parts"][0]["holds_stock"], false);
    assert_eq!(
        detail["parts"][0]["decided"]["by"]["id"],
        advisor.id.as_str()
    );
    assert_eq!(
        detail["parts"][0]["decided"]["note"],
        "customer on the phone"
    );
    assert_eq!(detail["labor"][0]["approval"], "approved");
    assert_eq!(detail["total"], "2000.00");
    assert_error(&by_technician, 403, "forbidden");
    let product: Value = app
        .get(&format!("/api/products/{filter}"), &owner)
        .await
        .json();
    assert_eq!(
        product["available"], "5",
        "the declined part went back on the shelf"
    );

    let invoice = app.complete(&technician, &order, &owner).await;
    assert_eq!(invoice["lines"].as_array().unwrap().len(), 1);
    assert_eq!(invoice["subtotal"], "2000.00");
    let product: Value = app
        .get(&format!("/api/products/{filter}"), &owner)
        .await
        .json();
    assert_eq!(
        product["quantity_on_hand"], "5",
        "nothing declined was consumed"
    );
}

/// Eight orders completed at once at one site get eight consecutive
/// numbers, none twice and none skipped.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn invoice_numbers_have_no_gaps_or_repeats_under_concurrent_completions() {
    const ORDERS: usize = 8;
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let mut orders = Vec::new();
    for _ in 0..ORDERS {
        let order = app.claimed_order(&owner, &site, &technician).await;
        app.post(
            &format!("/api/repair-orders/{order}/labor"),
            &technician,
            &labour("1", "1000"),
        )
        .await;
        orders.push(order);
    }

    let completions = futures::future::join_all(
        orders
            .iter()
            .map(|order| app.transition(&technician, order, "completed")),
    )
    .await;

    let mut numbers = BTreeSet::new();
    for response in &completions {
        assert_eq!(response.status_code(), 200, "{}", response.text());
        let detail: Value = response.json();
        numbers.insert(detail["invoice"]["number"].as_str().unwrap().to_string());
    }
    let year = chrono::Utc::now().format("%Y");
    let expected: BTreeSet<String> = (1..=ORDERS).map(|n| format!("NBO-{year}-{n:06}")).collect();
    assert_eq!(numbers, expected);
}

#[tokio::test]
async fn payments_move_the_invoice_from_issued_to_paid_and_a_reversal_moves_it_back() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let advisor = app.staff(&owner, "advisor", &[&site]).await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let order = app.claimed_order(&owner, &site, &technician).await;
    app.post(
        &format!("/api/repair-orders/{order}/labor"),
        &technician,
        &labour("1", "1000"),
    )
    .await;
    let invoice = app.complete(&technician, &order, &owner).await; // 1,160.00
    let pay = |body: Value| {
        let path = format!("/api/invoices/{}/payments", id_of(&invoice));
        let (app, advisor) = (&app, &advisor);
        async move { app.post(&path, advisor, &body).await }
    };

    let cash = pay(json!({"amount": "160", "method": "cash"})).await;
    let too_much = pay(json!({"amount": "1000.01", "method": "card"})).await;
    let no_code = pay(json!({"amount": "500", "method": "mobile_money"})).await;
    let mpesa =
        pay(json!({"amount": "1000", "method": "mobile_money", "reference": "sgh7k2lq9p"})).await;

    assert_eq!(cash.status_code(), 201, "{}", cash.text());
    let after_cash: Value = cash.json();
    assert_eq!(after_cash["invoice"]["status"], "partially_paid");
    assert_eq!(after_cash["invoice"]["balance"], "1000.00");
    assert_eq!(
        after_cash["payment"]["received_by"]["id"],
        advisor.id.as_str()
    );
    let body = assert_error(&too_much, 422, "validation_failed");
    assert!(body["error"]["fields"]["amount"][0]
        .as_str()
        .unwrap()
        .contains("1000.00"));
    let body = assert_error(&no_code, 422, "validation_failed");
    assert!(body["error"]["fields"]["reference"].is_array());
    assert_eq!(mpesa.status_code(), 201, "{}", mpesa.text());
    let paid: Value = mpesa.json();
    assert_eq!(paid["invoice"]["status"], "paid");
    assert_eq!(paid["invoice"]["balance"], "0.00");

    let reversal = app
        .post(
            &format!(
                "/api/invoices/{}/payments/{}/reverse",
                id_of(&invoice),
                id_of(&paid["payment"])
            ),
            &owner,
            &json!({"reason": "M-Pesa reversal requested by Safaricom"}),
        )
        .await;
    let again = app
        .post(
            &format!(
                "/api/invoices/{}/payments/{}/reverse",
                id_of(&invoice),
                id_of(&paid["payment"])
            ),
            &owner,
            &json!({"reason": "twice"}),
        )
        .await;

    assert_eq!(reversal.status_code(), 200, "{}", reversal.text());
    let reversed: Value = reversal.json();
    assert_eq!(reversed["invoice"]["status"], "partially_paid");
    assert_eq!(reversed["invoice"]["amount_paid"], "160.00");
    assert_eq!(
        reversed["payment"]["reversal_reason"],
        "M-Pesa reversal requested by Safaricom"
    );
    assert!(reversed["payment"]["reversed_at"].is_string());
    assert_eq!(
        reversed["invoice"]["payments"].as_array().unwrap().len(),
        2,
        "never deleted"
    );
    assert_error(&again, 409, "conflict");
}

/// One M-Pesa code is one payment, in the whole organization: typed again,
/// in other case or with spaces, at another branch, it is refused.
#[tokio::test]
async fn an_mpesa_code_cannot_be_recorded_twice() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let nbo = app.site(&owner, "NBO").await;
    let msa = app.site(&owner, "MSA").await;
    let mut invoices = Vec::new();
    for site in [&nbo, &msa] {
        let technician = app.staff(&owner, "technician", &[site]).await;
        let order = app.claimed_order(&owner, site, &technician).await;
        app.post(
            &format!("/api/repair-orders/{order}/labor"),
            &technician,
            &labour("1", "1000"),
        )
        .await;
        invoices.push(app.complete(&technician, &order, &owner).await);
    }
    let pay = |invoice: &Value, reference: &str| {
        let path = format!("/api/invoices/{}/payments", id_of(invoice));
        let body = json!({"amount": "100", "method": "mobile_money", "reference": reference});
        let (app, owner) = (&app, &owner);
        async move { app.post(&path, owner, &body).await }
    };

    let first = pay(&invoices[0], "SGH7K2LQ9P").await;
    let same_invoice = pay(&invoices[0], "sgh7 k2lq 9p").await;
    let other_branch = pay(&invoices[1], "SGH7K2LQ9P").await;

    assert_eq!(first.status_code(), 201, "{}", first.text());
    for duplicate in [&same_invoice, &other_branch] {
        let body = assert_error(duplicate, 409, "conflict");
        assert!(body["error"]["fields"]["reference"].is_array(), "{body}");
    }
    let other: Value = app
        .get(&format!("/api/invoices/{}", id_of(&invoices[1])), &owner)
        .await
        .json();
    assert_eq!(
        other["amount_paid"], "0.00",
        "the refused payment changed nothing"
    );
}

#[tokio::test]
async fn a_void_invoice_keeps_its_number_and_takes_no_payments() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let order = app.claimed_order(&owner, &site, &technician).await;
    app.post(
        &format!("/api/repair-orders/{order}/labor"),
        &technician,
        &labour("1", "1000"),
    )
    .await;
    let invoice = app.complete(&technician, &order, &owner).await;
    let path = format!("/api/invoices/{}", id_of(&invoice));
    let paid: Value = app
        .post(
            &format!("{path}/payments"),
            &owner,
            &json!({"amount": "100", "method": "cash"}),
        )
        .await
        .json();

    let with_payment = app
        .post(
            &format!("{path}/void"),
            &owner,
            &json!({"reason": "wrong customer"}),
        )
        .await;
    app.post(
        &format!("{path}/payments/{}/reverse", id_of(&paid["payment"])),
        &owner,
        &json!({"reason": "refunded"}),
    )
    .await;
    let no_reason = app
        .post(&format!("{path}/void"), &owner, &json!({"reason": "  "}))
        .await;
    let voided = app
        .post(
            &format!("{path}/void"),
            &owner,
            &json!({"reason": "wrong customer"}),
        )
        .await;
    let twice = app
        .post(&format!("{path}/void"), &owner, &json!({"reason": "again"}))
        .await;
    let payment = app
        .post(
            &format!("{path}/payments"),
            &owner,
            &json!({"amount": "1", "method": "cash"}),
        )
        .await;

    assert_error(&with_payment, 409, "conflict");
    assert_error(&no_reason, 422, "validation_failed");
    assert_eq!(voided.status_code(), 200, "{}", voided.text());
    let body: Value = voided.json();
    assert_eq!(body["status"], "void");
    assert_eq!(body["number"], invoice["number"]);
    assert_eq!(body["void_reason"], "wrong customer");
    assert_eq!(body["balance"], "0.00");
    assert_eq!(body["voided_by"]["id"], owner.id.as_str());
    assert_error(&twice, 409, "conflict");
    assert_error(&payment, 409, "conflict");
}

#[tokio::test]
async fn technicians_never_see_invoices_costs_or_take_payments() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let oil = app.product(&owner, &site, "OIL", "10", "950").await;
    let order = app.claimed_order(&owner, &site, &technician).await;
    app.add_part(&technician, &order, &oil, "1").await;
    let invoice = app.complete(&technician, &order, &owner).await;
    let path = format!("/api/invoices/{}", id_of(&invoice));

    let product: Value = app
        .get(&format!("/api/products/{oil}"), &technician)
        .await
        .json();
    let listed: Value = app.get("/api/products", &technician).await.json();

    assert!(product.get("unit_cost").is_none(), "{product}");
    assert_eq!(product["unit_price"], "950.00");
    assert!(listed["items"][0].get("unit_cost").is_none());
    for response in [
        app.get(&path, &technician).await,
        app.get("/api/invoices", &technician).await,
        app.get("/api/invoices/receivables", &technician).await,
        app.get(&format!("{path}/pdf"), &technician).await,
        app.post(
            &format!("{path}/payments"),
            &technician,
            &json!({"amount": "1", "method": "cash"}),
        )
        .await,
        app.get(&format!("/api/products/{oil}/movements"), &technician)
            .await,
        app.get("/api/purchase-orders", &technician).await,
        app.post(
            &format!("/api/products/{oil}/adjustments"),
            &technician,
            &json!({"delta": "1", "reason": "found one"}),
        )
        .await,
    ] {
        assert_error(&response, 403, "forbidden");
    }
}

#[tokio::test]
async fn another_sites_or_organizations_invoice_and_its_pdf_are_not_found() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let nbo = app.site(&owner, "NBO").await;
    let msa = app.site(&owner, "MSA").await;
    let technician = app.staff(&owner, "technician", &[&nbo]).await;
    let msa_manager = app.staff(&owner, "manager", &[&msa]).await;
    let stranger = app.owner("Other Garage").await;
    let order = app.claimed_order(&owner, &nbo, &technician).await;
    let invoice = app.complete(&technician, &order, &owner).await;
    let path = format!("/api/invoices/{}", id_of(&invoice));

    for who in [&msa_manager, &stranger] {
        assert_error(&app.get(&path, who).await, 404, "not_found");
        assert_error(
            &app.get(&format!("{path}/pdf"), who).await,
            404,
            "not_found",
        );
        assert_error(
            &app.post(
                &format!("{path}/payments"),
                who,
                &json!({"amount": "1", "method": "cash"}),
            )
            .await,
            404,
            "not_found",
        );
        assert_error(
            &app.post(&format!("{path}/void"), who, &json!({"reason": "x"}))
                .await,
            404,
            "not_found",
        );
        let listed: Value = app.get("/api/invoices", who).await.json();
        assert_eq!(listed["total"], 0);
    }
}

#[tokio::test]
async fn receivables_age_what_customers_owe() {
    // Today is 25 April 2026 at the branch, on a fixed clock.
    let app = TestApp::spawn_at("2026-04-25T09:00:00Z").await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let mut invoices = Vec::new();
    for hours in ["1", "2", "3"] {
        let order = app.claimed_order(&owner, &site, &technician).await;
        app.post(
            &format!("/api/repair-orders/{order}/labor"),
            &technician,
            &labour(hours, "1000"),
        )
        .await;
        invoices.push(app.complete(&technician, &order, &owner).await);
    }
    // 1,160 issued today, 160 paid: 1,000 owed, 0–30 days.
    app.post(
        &format!("/api/invoices/{}/payments", id_of(&invoices[0])),
        &owner,
        &json!({"amount": "160", "method": "cash"}),
    )
    .await;
    // 2,320 issued on 10 March: 46 days, 31–60.
    app.issued_on(&invoices[1], "2026-03-10").await;
    // 3,480 issued on 10 January, 105 days ago: over 90.
    app.issued_on(&invoices[2], "2026-01-10").await;

    let receivables: Value = app
        .get(&format!("/api/invoices/receivables?site_id={site}"), &owner)
        .await
        .json();

    assert_eq!(receivables["currency"], "KES");
    assert_eq!(receivables["total"], "6800.00");
    assert_eq!(receivables["buckets"]["0_30"], "1000.00");
    assert_eq!(receivables["buckets"]["31_60"], "2320.00");
    assert_eq!(receivables["buckets"]["61_90"], "0.00");
    assert_eq!(receivables["buckets"]["90_plus"], "3480.00");
    let customers = receivables["customers"].as_array().unwrap();
    assert_eq!(customers.len(), 3);
    assert_eq!(customers[0]["total"], "3480.00", "most owed first");
    assert_eq!(customers[0]["buckets"]["90_plus"], "3480.00");
    assert_eq!(customers[0]["oldest_issued_on"], "2026-01-10");
}

#[tokio::test]
async fn invoices_are_found_by_customer_issue_day_and_being_overdue() {
    // Today is 25 April 2026 at the branch; invoices are due on the day.
    let app = TestApp::spawn_at("2026-04-25T09:00:00Z").await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let mut invoices = Vec::new();
    for _ in 0..3 {
        let order = app.claimed_order(&owner, &site, &technician).await;
        app.post(
            &format!("/api/repair-orders/{order}/labor"),
            &technician,
            &labour("1", "1000"),
        )
        .await;
        invoices.push(app.complete(&technician, &order, &owner).await);
    }
    // One from March, unpaid: overdue. One from April 20, paid: not.
    app.issued_on(&invoices[0], "2026-03-10").await;
    app.issued_on(&invoices[1], "2026-04-20").await;
    app.post(
        &format!("/api/invoices/{}/payments", id_of(&invoices[1])),
        &owner,
        &json!({"amount": "1160", "method": "cash"}),
    )
    .await;
    let numbers = |listed: Value| -> Vec<String> {
        listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|invoice| invoice["number"].as_str().unwrap().to_string())
            .collect()
    };
    let number = |at: usize| invoices[at]["number"].as_str().unwrap().to_string();

    let overdue = app.get("/api/invoices?overdue=true", &owner).await.json();
    assert_eq!(numbers(overdue), [number(0)]);
    let april = app
        .get("/api/invoices?from=2026-04-01&to=2026-04-30", &owner)
        .await
        .json();
    assert_eq!(numbers(april), [number(2), number(1)], "newest first");
    let customer = invoices[2]["customer"]["id"].as_str().unwrap();
    let theirs = app
        .get(&format!("/api/invoices?customer_id={customer}"), &owner)
        .await
        .json();
    assert_eq!(numbers(theirs), [number(2)]);

    // Days that are not days, or the wrong way round, change nothing.
    assert_error(
        &app.get("/api/invoices?from=2026-02-30", &owner).await,
        400,
        "bad_request",
    );
    assert_error(
        &app.get("/api/invoices?from=2026-04-30&to=2026-04-01", &owner)
            .await,
        422,
        "validation_failed",
    );
    // Another organization's customer is not one to filter by.
    let other = app.owner("Other").await;
    let stranger = app.customer(&other, &app.site(&other, "MSA").await).await;
    assert_error(
        &app.get(&format!("/api/invoices?customer_id={stranger}"), &owner)
            .await,
        404,
        "not_found",
    );
}
