//! Products, their stock, parts on repair orders, transfers and purchase
//! orders.

use serde_json::{json, Value};

use crate::support::{assert_error, id_of, TestApp};

fn quantities(product: &Value) -> (String, String, String) {
    let text = |key: &str| product[key].as_str().unwrap().to_string();
    (
        text("quantity_on_hand"),
        text("reserved"),
        text("available"),
    )
}

#[tokio::test]
async fn a_product_is_stocked_per_site_with_its_opening_stock_explained() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let nbo = app.site(&owner, "NBO").await;
    let msa = app.site(&owner, "MSA").await;

    let created = app
        .post(
            "/api/products",
            &owner,
            &json!({
                "site_id": nbo, "sku": "OIL-5W30-1L", "name": "Engine oil 5W-30, 1 litre",
                "unit_cost": "610", "unit_price": "950.00", "quantity_on_hand": "24.5",
                "reorder_level": "10", "supplier": "Total Kenya", "barcode": "6001234567890",
            }),
        )
        .await;
    let same_sku_same_site = app
        .post(
            "/api/products",
            &owner,
            &json!({"site_id": nbo, "sku": "OIL-5W30-1L", "name": "Again", "unit_cost": "1",
                    "unit_price": "1", "quantity_on_hand": "0", "reorder_level": "0"}),
        )
        .await;
    let same_sku_other_site = app.product(&owner, &msa, "OIL-5W30-1L", "3", "990").await;

    assert_eq!(created.status_code(), 201, "{}", created.text());
    let product: Value = created.json();
    assert_eq!(
        quantities(&product),
        ("24.5".into(), "0".into(), "24.5".into())
    );
    assert_eq!(product["unit_cost"], "610.00");
    assert_eq!(product["unit_price"], "950.00");
    assert_eq!(product["reorder_level"], "10");
    assert_eq!(product["low_stock"], false);
    assert_eq!(product["site"]["id"], nbo.as_str());
    let body = assert_error(&same_sku_same_site, 409, "conflict");
    assert!(body["error"]["fields"]["sku"].is_array());
    assert_ne!(same_sku_other_site, id_of(&product));
    let movements: Value = app
        .get(
            &format!("/api/products/{}/movements", id_of(&product)),
            &owner,
        )
        .await
        .json();
    assert_eq!(movements["total"], 1);
    assert_eq!(movements["items"][0]["kind"], "adjustment");
    assert_eq!(movements["items"][0]["reason"], "opening stock");
    assert_eq!(movements["items"][0]["on_hand_after"], "24.5");
}

#[tokio::test]
async fn bad_product_input_names_every_field() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let product = app.product(&owner, &site, "PADS", "4", "2500").await;

    let created = app
        .post(
            "/api/products",
            &owner,
            &json!({"site_id": site, "sku": "has space", "name": " ", "unit_cost": "-1",
                    "unit_price": "1.005", "quantity_on_hand": "1.0005", "reorder_level": "x"}),
        )
        .await;
    let patched = app
        .patch(
            &format!("/api/products/{product}"),
            &owner,
            &json!({"unit_price": "abc", "reorder_level": "-2", "quantity_on_hand": "9"}),
        )
        .await;
    let patched_fields = app
        .patch(
            &format!("/api/products/{product}"),
            &owner,
            &json!({"unit_price": "abc", "reorder_level": "-2"}),
        )
        .await;
    let adjusted = app
        .post(
            &format!("/api/products/{product}/adjustments"),
            &owner,
            &json!({"delta": "0", "reason": ""}),
        )
        .await;
    let transferred = app
        .post(
            &format!("/api/products/{product}/transfers"),
            &owner,
            &json!({"to_site_id": site, "quantity": "-1"}),
        )
        .await;

    let body = assert_error(&created, 422, "validation_failed");
    for field in [
        "sku",
        "name",
        "unit_cost",
        "unit_price",
        "quantity_on_hand",
        "reorder_level",
    ] {
        assert!(body["error"]["fields"][field].is_array(), "{field}: {body}");
    }
    // On-hand changes only through movements that explain it.
    let body = assert_error(&patched, 422, "validation_failed");
    assert_eq!(
        body["error"]["fields"]["quantity_on_hand"],
        json!(["is not allowed"])
    );
    let body = assert_error(&patched_fields, 422, "validation_failed");
    assert!(body["error"]["fields"]["unit_price"].is_array());
    assert!(body["error"]["fields"]["reorder_level"].is_array());
    let body = assert_error(&adjusted, 422, "validation_failed");
    assert!(body["error"]["fields"]["delta"].is_array());
    assert!(body["error"]["fields"]["reason"].is_array());
    let body = assert_error(&transferred, 422, "validation_failed");
    assert!(body["error"]["fields"]["quantity"].is_array());
    let unchanged: Value = app
        .get(&format!("/api/products/{product}"), &owner)
        .await
        .json();
    assert_eq!(unchanged["unit_price"], "2500.00");
    assert_eq!(unchanged["quantity_on_hand"], "4");
}

/// Five in stock, ten technicians each asking for one at once: five lines,
/// five refusals, and nothing held beyond what there is.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_reservations_never_hold_more_than_there_is() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let product = app.product(&owner, &site, "BATTERY", "5", "9500").await;
    let mut orders = Vec::new();
    for _ in 0..10 {
        let technician = app.staff(&owner, "technician", &[&site]).await;
        let order = app.claimed_order(&owner, &site, &technician).await;
        orders.push((technician, order));
    }

    let answers = futures::future::join_all(
        orders
            .iter()
            .map(|(technician, order)| app.add_part(technician, order, &product, "1")),
    )
    .await;

    let statuses: Vec<u16> = answers.iter().map(|a| a.status_code().as_u16()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        5,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        5,
        "{statuses:?}"
    );
    let refused = answers.iter().find(|a| a.status_code() == 409).unwrap();
    let body = assert_error(refused, 409, "conflict");
    assert!(body["error"]["fields"]["quantity"].is_array());
    let after: Value = app
        .get(&format!("/api/products/{product}"), &owner)
        .await
        .json();
    assert_eq!(quantities(&after), ("5".into(), "5".into(), "0".into()));
}

/// A part line racing the order's completion either lands before it (and
/// is invoiced and consumed) or is refused; never a line left on a closed
/// order, never stock held or taken twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_line_racing_the_completion_is_billed_or_refused_never_lost() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let product = app.product(&owner, &site, "BULB", "100", "150").await;

    let mut taken = 0;
    for _ in 0..8 {
        let order = app.claimed_order(&owner, &site, &technician).await;
        let (part, completion) = futures::join!(
            app.add_part(&technician, &order, &product, "1"),
            app.transition(&technician, &order, "completed"),
        );
        assert_eq!(completion.status_code(), 200, "{}", completion.text());
        let invoice_id = completion.json::<Value>()["invoice"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let invoice: Value = app
            .get(&format!("/api/invoices/{invoice_id}"), &owner)
            .await
            .json();
        let billed = invoice["lines"].as_array().unwrap().len();
        let detail: Value = app
            .get(&format!("/api/repair-orders/{order}"), &owner)
            .await
            .json();
        match part.status_code().as_u16() {
            201 => {
                taken += 1;
                assert_eq!(billed, 1, "a line added before completion is billed");
                assert_eq!(detail["parts"][0]["holds_stock"], false);
                assert!(detail["parts"][0]["consumed_at"].is_string());
            }
            409 => {
                assert_eq!(billed, 0);
                assert_eq!(detail["parts"], json!([]), "a refused line leaves nothing");
            }
            other => panic!("unexpected status {other}: {}", part.text()),
        }
        let late = app.add_part(&technician, &order, &product, "1").await;
        assert_error(&late, 409, "conflict");
    }
    let after: Value = app
        .get(&format!("/api/products/{product}"), &owner)
        .await
        .json();
    assert_eq!(after["quantity_on_hand"], (100 - taken).to_string());
    assert_eq!(after["reserved"], "0");
}

#[tokio::test]
async fn removing_a_line_or_cancelling_the_order_gives_the_stock_back() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let colleague = app.staff(&owner, "technician", &[&site]).await;
    let product = app.product(&owner, &site, "WIPER", "6", "700").await;
    let order = app.claimed_order(&owner, &site, &technician).await;
    let other = app.claimed_order(&owner, &site, &technician).await;

    let line: Value = app
        .add_part(&technician, &order, &product, "2")
        .await
        .json();
    app.add_part(&technician, &other, &product, "3").await;
    let by_colleague = app.add_part(&colleague, &order, &product, "1").await;
    let held: Value = app
        .get(&format!("/api/products/{product}"), &owner)
        .await
        .json();
    let removed = app
        .delete(
            &format!("/api/repair-orders/{order}/parts/{}", id_of(&line)),
            &technician,
        )
        .await;
    let removed_again = app
        .delete(
            &format!("/api/repair-orders/{order}/parts/{}", id_of(&line)),
            &technician,
        )
        .await;
    let cancelled = app.transition(&owner, &other, "cancelled").await;

    assert_error(&by_colleague, 403, "forbidden");
    assert_eq!(quantities(&held), ("6".into(), "5".into(), "1".into()));
    assert_eq!(removed.status_code(), 204);
    assert_error(&removed_again, 404, "not_found");
    assert_eq!(cancelled.status_code(), 200, "{}", cancelled.text());
    let after: Value = app
        .get(&format!("/api/products/{product}"), &owner)
        .await
        .json();
    assert_eq!(quantities(&after), ("6".into(), "0".into(), "6".into()));
    let movements: Value = app
        .get(&format!("/api/products/{product}/movements"), &owner)
        .await
        .json();
    let kinds: Vec<&str> = movements["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "release",
            "release",
            "reservation",
            "reservation",
            "adjustment"
        ],
        "newest first: cancelled, removed, held twice, opening stock"
    );
    let cancelled_order: Value = app
        .get(&format!("/api/repair-orders/{other}"), &owner)
        .await
        .json();
    assert_eq!(cancelled_order["parts"][0]["holds_stock"], false);
    assert_eq!(movements["items"][0]["repair_order_id"], other.as_str());
}

#[tokio::test]
async fn adjustments_never_take_stock_that_orders_hold() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let product = app.product(&owner, &site, "COOLANT", "10", "1200").await;
    let order = app.claimed_order(&owner, &site, &technician).await;
    app.add_part(&technician, &order, &product, "4").await;
    let adjust = |delta: &str| {
        let path = format!("/api/products/{product}/adjustments");
        let body = json!({"delta": delta, "reason": "stock-take"});
        let (app, owner) = (&app, &owner);
        async move { app.post(&path, owner, &body).await }
    };

    let found = adjust("2.5").await;
    let too_many = adjust("-8.501").await;
    let all_free = adjust("-8.5").await;

    assert_eq!(found.status_code(), 201, "{}", found.text());
    let body: Value = found.json();
    assert_eq!(body["movement"]["on_hand_change"], "2.5");
    assert_eq!(body["movement"]["actor"]["id"], owner.id.as_str());
    assert_eq!(body["product"]["quantity_on_hand"], "12.5");
    let body = assert_error(&too_many, 409, "conflict");
    assert!(body["error"]["message"].as_str().unwrap().contains("8.5"));
    assert_eq!(all_free.status_code(), 201);
    let after: Value = app
        .get(&format!("/api/products/{product}"), &owner)
        .await
        .json();
    assert_eq!(quantities(&after), ("4".into(), "4".into(), "0".into()));
    // Every movement together explains what is on hand.
    let movements: Value = app
        .get(&format!("/api/products/{product}/movements"), &owner)
        .await
        .json();
    let on_hand: f64 = movements["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            m["on_hand_change"]
                .as_str()
                .unwrap()
                .parse::<f64>()
                .unwrap()
        })
        .sum();
    assert!((on_hand - 4.0).abs() < 1e-9, "{on_hand}");
}

#[tokio::test]
async fn stock_moves_between_sites_in_one_transaction() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let nbo = app.site(&owner, "NBO").await;
    let msa = app.site(&owner, "MSA").await;
    let stranger = app.owner("Other Garage").await;
    let elsewhere = app.site(&stranger, "ELS").await;
    let product = app.product(&owner, &nbo, "TYRE-195", "8", "7500").await;
    let transfer = |to: &str, quantity: &str| {
        let path = format!("/api/products/{product}/transfers");
        let body = json!({"to_site_id": to, "quantity": quantity, "note": "Mombasa ran out"});
        let (app, owner) = (&app, &owner);
        async move { app.post(&path, owner, &body).await }
    };

    let moved = transfer(&msa, "3").await;
    let again = transfer(&msa, "1").await;
    let too_much = transfer(&msa, "5").await;
    let same_site = transfer(&nbo, "1").await;
    let foreign = transfer(&elsewhere, "1").await;

    assert_eq!(moved.status_code(), 201, "{}", moved.text());
    let body: Value = moved.json();
    assert_eq!(body["from"]["quantity_on_hand"], "5");
    assert_eq!(body["to"]["quantity_on_hand"], "3");
    assert_eq!(body["to"]["sku"], "TYRE-195");
    assert_eq!(body["to"]["site"]["id"], msa.as_str());
    assert_eq!(body["to"]["unit_price"], "7500.00");
    let again: Value = again.json();
    assert_eq!(
        again["to"]["id"], body["to"]["id"],
        "the same product at the other site"
    );
    assert_eq!(again["to"]["quantity_on_hand"], "4");
    assert_error(&too_much, 409, "conflict");
    assert_error(&same_site, 422, "validation_failed");
    assert_error(&foreign, 404, "not_found");
    let into: Value = app
        .get(
            &format!("/api/products/{}/movements", id_of(&body["to"])),
            &owner,
        )
        .await
        .json();
    assert_eq!(into["items"][0]["kind"], "transfer_in");
    assert_eq!(into["items"][0]["counterpart_product_id"], product.as_str());
    assert_eq!(into["items"][0]["reason"], "Mombasa ran out");
}

#[tokio::test]
async fn low_stock_lists_what_is_below_its_reorder_level() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let plenty = app.product(&owner, &site, "PLENTY", "50", "10").await;
    let few = app.product(&owner, &site, "FEW", "1", "10").await; // reorder at 2
    let held = app.product(&owner, &site, "HELD", "3", "10").await;
    let order = app.claimed_order(&owner, &site, &technician).await;
    app.add_part(&technician, &order, &held, "2").await; // available 1 < 2

    let low: Value = app.get("/api/products?low_stock=true", &owner).await.json();
    let searched: Value = app.get("/api/products?q=plen", &owner).await.json();

    let low_ids: Vec<&str> = low["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(low_ids, [few.as_str(), held.as_str()]);
    assert!(low["items"][0]["low_stock"].as_bool().unwrap());
    assert_eq!(searched["items"][0]["id"], plenty.as_str());
    assert_eq!(searched["total"], 1);
}

#[tokio::test]
async fn a_purchase_order_is_received_in_parts_at_its_cost() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let manager = app.staff(&owner, "manager", &[&site]).await;
    let oil = app.product(&owner, &site, "OIL", "2", "950").await;
    let filter = app.product(&owner, &site, "FILTER", "0", "800").await;

    let created = app
        .post(
            "/api/purchase-orders",
            &manager,
            &json!({"site_id": site, "supplier": "Toyota Kenya Parts", "lines": [
                {"product_id": oil, "quantity": "24", "unit_cost": "610"},
                {"product_id": filter, "quantity": "10", "unit_cost": "450.50"},
            ]}),
        )
        .await;
    assert_eq!(created.status_code(), 201, "{}", created.text());
    let order: Value = created.json();
    let path = format!("/api/purchase-orders/{}", id_of(&order));
    let receive = |lines: Value| {
        let path = format!("{path}/receive");
        let (app, manager) = (&app, &manager);
        async move { app.post(&path, manager, &json!({ "lines": lines })).await }
    };

    let too_early = receive(json!([{"product_id": oil, "quantity": "24"}])).await;
    let placed = app
        .post(&format!("{path}/order"), &manager, &json!({}))
        .await;
    let placed_twice = app
        .post(&format!("{path}/order"), &manager, &json!({}))
        .await;
    let first = receive(json!([{"product_id": oil, "quantity": "12"}])).await;
    let too_much = receive(json!([
        {"product_id": oil, "quantity": "12"},
        {"product_id": filter, "quantity": "11"},
    ]))
    .await;
    let oil_now: Value = app
        .get(&format!("/api/products/{oil}"), &owner)
        .await
        .json();
    let rest = receive(json!([
        {"product_id": oil, "quantity": "12"},
        {"product_id": filter, "quantity": "10"},
    ]))
    .await;
    let after_all = receive(json!([{"product_id": oil, "quantity": "1"}])).await;

    assert_eq!(order["status"], "draft");
    assert_eq!(order["total_cost"], "19145.00");
    assert_error(&too_early, 409, "conflict");
    assert_eq!(placed.json::<Value>()["status"], "ordered");
    assert_error(&placed_twice, 409, "conflict");
    let partial: Value = first.json();
    assert_eq!(partial["status"], "partially_received");
    assert_eq!(partial["lines"][0]["received"], "12");
    let body = assert_error(&too_much, 422, "validation_failed");
    assert!(
        body["error"]["fields"]["lines[1].quantity"].is_array(),
        "{body}"
    );
    assert_eq!(
        oil_now["quantity_on_hand"], "14",
        "the refused delivery booked nothing"
    );
    assert_eq!(
        oil_now["unit_cost"], "610.00",
        "received at the order's cost"
    );
    let done: Value = rest.json();
    assert_eq!(done["status"], "received");
    assert!(done["received_at"].is_string());
    assert_error(&after_all, 409, "conflict");
    let filter_now: Value = app
        .get(&format!("/api/products/{filter}"), &owner)
        .await
        .json();
    assert_eq!(filter_now["quantity_on_hand"], "10");
    assert_eq!(filter_now["unit_cost"], "450.50");
    let movements: Value = app
        .get(&format!("/api/products/{filter}/movements"), &owner)
        .await
        .json();
    assert_eq!(movements["items"][0]["kind"], "receipt");
    assert_eq!(movements["items"][0]["unit_cost"], "450.50");
    assert_eq!(
        movements["items"][0]["purchase_order_id"],
        id_of(&order).as_str()
    );
}

#[tokio::test]
async fn bad_purchase_orders_name_each_line() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let nbo = app.site(&owner, "NBO").await;
    let msa = app.site(&owner, "MSA").await;
    let oil = app.product(&owner, &nbo, "OIL", "2", "950").await;
    let mombasa_oil = app.product(&owner, &msa, "OIL", "2", "950").await;

    let empty = app
        .post(
            "/api/purchase-orders",
            &owner,
            &json!({"site_id": nbo, "supplier": " ", "lines": []}),
        )
        .await;
    let bad_lines = app
        .post(
            "/api/purchase-orders",
            &owner,
            &json!({"site_id": nbo, "supplier": "X", "lines": [
                {"product_id": oil, "quantity": "0", "unit_cost": "1.001"},
                {"product_id": mombasa_oil, "quantity": "1", "unit_cost": "1"},
                {"product_id": oil, "quantity": "1", "unit_cost": "1"},
                {"product_id": uuid::Uuid::new_v4(), "quantity": "1", "unit_cost": "1"},
            ]}),
        )
        .await;

    let body = assert_error(&empty, 422, "validation_failed");
    assert!(body["error"]["fields"]["supplier"].is_array());
    assert!(body["error"]["fields"]["lines"].is_array());
    let body = assert_error(&bad_lines, 422, "validation_failed");
    let fields = &body["error"]["fields"];
    for field in [
        "lines[0].quantity",
        "lines[0].unit_cost",
        "lines[1].product_id",
        "lines[2].product_id",
        "lines[3].product_id",
    ] {
        assert!(fields[field].is_array(), "{field}: {body}");
    }
    let listed: Value = app.get("/api/purchase-orders", &owner).await.json();
    assert_eq!(listed["total"], 0);
}

#[tokio::test]
async fn another_sites_or_organizations_products_are_not_found() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let nbo = app.site(&owner, "NBO").await;
    let msa = app.site(&owner, "MSA").await;
    let msa_manager = app.staff(&owner, "manager", &[&msa]).await;
    let msa_technician = app.staff(&owner, "technician", &[&msa]).await;
    let stranger = app.owner("Other Garage").await;
    let product = app.product(&owner, &nbo, "OIL", "5", "950").await;
    let msa_order = app.claimed_order(&owner, &msa, &msa_technician).await;

    for who in [&msa_manager, &stranger] {
        for path in [
            format!("/api/products/{product}"),
            format!("/api/products/{product}/movements"),
        ] {
            assert_error(&app.get(&path, who).await, 404, "not_found");
        }
        assert_error(
            &app.patch(
                &format!("/api/products/{product}"),
                who,
                &json!({"name": "Mine"}),
            )
            .await,
            404,
            "not_found",
        );
        assert_error(
            &app.post(
                &format!("/api/products/{product}/adjustments"),
                who,
                &json!({"delta": "-5", "reason": "theft"}),
            )
            .await,
            404,
            "not_found",
        );
        let listed: Value = app.get("/api/products", who).await.json();
        assert_eq!(listed["total"], 0);
    }
    // A technician at Mombasa cannot fit Nairobi's stock, nor see it.
    assert_error(
        &app.add_part(&msa_technician, &msa_order, &product, "1")
            .await,
        404,
        "not_found",
    );
    // The owner sees both sites, but a part comes from the order's own site.
    let owner_order = app.order(&owner, &msa, "normal").await;
    let body = assert_error(
        &app.add_part(&owner, &owner_order, &product, "1").await,
        422,
        "validation_failed",
    );
    assert!(body["error"]["fields"]["product_id"].is_array());
}
