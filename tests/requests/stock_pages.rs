//! The stock pages as a browser without JavaScript meets them: the shelves
//! of each branch and the low ones, a count in or out with its reason, a
//! transfer, a part the branch lacks brought from a sister branch onto
//! the job in one step, and an order to a supplier received in part. Each
//! with the API's rules, and another branch's product the 404 page.

use serde_json::Value;

use crate::support::{
    pages::{location, Browser},
    TestApp,
};

async fn product(app: &TestApp, owner: &crate::support::Session, id: &str) -> Value {
    app.get(&format!("/api/products/{id}"), owner).await.json()
}

#[tokio::test]
async fn managers_keep_the_shelves_on_pages_with_the_apis_rules() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let nairobi = app.site(&owner, "NBO").await;
    let mombasa = app.site(&owner, "MSA").await;
    let mombasa_manager = app.staff(&owner, "manager", &[&mombasa]).await;
    let advisor = app.staff(&owner, "advisor", &[&nairobi]).await;
    // Reorder level 2: one litre of oil is low, three pads are not.
    let oil = app.product(&owner, &nairobi, "OIL-1L", "1", "950.00").await;
    let pads = app
        .product(&owner, &nairobi, "PADS-F", "3", "4800.00")
        .await;
    let their_pads = app
        .product(&owner, &mombasa, "PADS-F", "10", "4800.00")
        .await;

    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in(&owner.email).await;
    let shelves = browser.get("/stock").await;
    assert_eq!(shelves.status_code(), 200);
    let html = shelves.text();
    assert!(
        html.contains(&format!("/stock/{oil}")) && html.contains(&format!("/stock/{their_pads}"))
    );
    let low = browser.get("/stock?low_stock=on").await.text();
    assert!(low.contains(&format!("/stock/{oil}")), "{low}");
    assert!(!low.contains(&format!("/stock/{pads}")));
    for bad in ["/stock?site_id=not-a-branch", "/stock?q=%00"] {
        let refused = browser.get(bad).await;
        assert_eq!(refused.status_code(), 200, "{bad}: said above the list");
        assert!(refused.text().contains("class=\"problem\""), "{bad}");
    }
    let one_branch = browser
        .get(&format!("/stock?site_id={mombasa}"))
        .await
        .text();
    assert!(!one_branch.contains(&format!("/stock/{oil}")));

    // A count that is not a number, or no reason: the form again with its
    // error, nothing changed.
    let adjust = format!("/stock/{pads}/adjustments");
    let refused = browser
        .post(
            &adjust,
            &[("_csrf", &csrf), ("delta", "two"), ("reason", "count")],
        )
        .await;
    assert_eq!(refused.status_code(), 422, "{}", refused.text());
    assert!(refused.text().contains("id=\"adjust-delta-error\""));
    let no_reason = browser
        .post(
            &adjust,
            &[("_csrf", &csrf), ("delta", "-1"), ("reason", " ")],
        )
        .await;
    assert_eq!(no_reason.status_code(), 422);
    assert!(no_reason.text().contains("id=\"adjust-reason-error\""));
    assert_eq!(product(&app, &owner, &pads).await["quantity_on_hand"], "3");
    let adjusted = browser
        .post(
            &adjust,
            &[
                ("_csrf", &csrf),
                ("delta", "-1"),
                ("reason", "one set cracked"),
            ],
        )
        .await;
    assert_eq!(
        location(&adjusted),
        format!("/stock/{pads}?notice=stock-adjusted")
    );
    assert_eq!(product(&app, &owner, &pads).await["quantity_on_hand"], "2");
    let page = browser.get(&format!("/stock/{pads}")).await.text();
    assert!(
        page.contains("one set cracked"),
        "the movement with its reason"
    );

    // A new price typed with its comma; a blank name is refused.
    let edit = browser.get(&format!("/stock/{pads}/edit")).await.text();
    assert!(edit.contains("value=\"4800.00\""), "{edit}");
    let change = |name: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("sku", "PADS-F".to_string()),
            ("name", name.to_string()),
            ("unit_cost", "3,300".to_string()),
            ("unit_price", "5,200".to_string()),
            ("reorder_level", "2".to_string()),
            ("supplier", String::new()),
            ("barcode", String::new()),
        ]
    };
    let form = change(" ");
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let blank = browser.post(&format!("/stock/{pads}"), &pairs).await;
    assert_eq!(blank.status_code(), 422, "{}", blank.text());
    assert!(blank.text().contains("id=\"product-name-error\""));
    assert_eq!(product(&app, &owner, &pads).await["unit_price"], "4800.00");
    let form = change("Front brake pads");
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let saved = browser.post(&format!("/stock/{pads}"), &pairs).await;
    assert_eq!(saved.status_code(), 303, "{}", saved.text());
    let changed = product(&app, &owner, &pads).await;
    assert_eq!(changed["unit_price"], "5200.00");
    assert_eq!(changed["name"], "Front brake pads");
    assert_eq!(
        changed["quantity_on_hand"], "2",
        "stock is not changed here"
    );

    // More than Mombasa has cannot be sent; what it has can.
    let send = format!("/stock/{their_pads}/transfers");
    let too_many = browser
        .post(
            &send,
            &[
                ("_csrf", &csrf),
                ("to_site_id", &nairobi),
                ("quantity", "11"),
            ],
        )
        .await;
    assert_eq!(too_many.status_code(), 409, "{}", too_many.text());
    assert_eq!(
        product(&app, &owner, &their_pads).await["quantity_on_hand"],
        "10"
    );
    let sent = browser
        .post(
            &send,
            &[
                ("_csrf", &csrf),
                ("to_site_id", &nairobi),
                ("quantity", "1"),
            ],
        )
        .await;
    assert_eq!(sent.status_code(), 303, "{}", sent.text());
    assert_eq!(product(&app, &owner, &pads).await["quantity_on_hand"], "3");
    assert_eq!(
        product(&app, &owner, &their_pads).await["quantity_on_hand"],
        "9"
    );

    // Mombasa's manager sees Mombasa's shelves only; Nairobi's product is
    // the 404 page. The front desk and the floor have no stock pages.
    let mut theirs = Browser::new(&app);
    theirs.sign_in(&mombasa_manager.email).await;
    assert!(!theirs
        .get("/stock")
        .await
        .text()
        .contains(&format!("/stock/{pads}")));
    assert_eq!(
        theirs.get(&format!("/stock/{pads}")).await.status_code(),
        404
    );
    let mut desk = Browser::new(&app);
    desk.sign_in(&advisor.email).await;
    assert_eq!(desk.get("/stock").await.status_code(), 404);
    assert_eq!(desk.get("/purchase-orders").await.status_code(), 404);
}

#[tokio::test]
async fn a_part_the_branch_lacks_comes_from_a_sister_branch_onto_the_job_in_one_step() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let nairobi = app.site(&owner, "NBO").await;
    let mombasa = app.site(&owner, "MSA").await;
    let technician = app.staff(&owner, "technician", &[&nairobi]).await;
    let pads = app
        .product(&owner, &nairobi, "PADS-F", "3", "4800.00")
        .await;
    let their_pads = app
        .product(&owner, &mombasa, "PADS-F", "10", "4800.00")
        .await;
    let order = app.claimed_order(&owner, &nairobi, &technician).await;

    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in(&owner.email).await;
    let lacking = browser
        .post(
            &format!("/orders/{order}/parts"),
            &[("_csrf", &csrf), ("product_id", &pads), ("quantity", "5")],
        )
        .await;
    assert_eq!(lacking.status_code(), 409, "{}", lacking.text());
    let html = lacking.text();
    assert!(html.contains("id=\"shortage-heading\""), "{html}");
    assert!(
        html.contains(&format!("value=\"{their_pads}\"")),
        "Mombasa's pads offered"
    );
    assert!(
        html.contains("name=\"transfer\" value=\"2\""),
        "the two missing"
    );

    let filled = browser
        .post(
            &format!("/orders/{order}/parts/transfer"),
            &[
                ("_csrf", &csrf),
                ("from_product_id", &their_pads),
                ("transfer", "2"),
                ("quantity", "5"),
            ],
        )
        .await;
    assert_eq!(filled.status_code(), 303, "{}", filled.text());
    assert_eq!(
        location(&filled),
        format!("/orders/{order}?notice=part-transferred#parts")
    );
    let detail: Value = app
        .get(&format!("/api/repair-orders/{order}"), &owner)
        .await
        .json();
    assert_eq!(detail["parts"][0]["quantity"], "5");
    let here = product(&app, &owner, &pads).await;
    assert_eq!(
        (
            here["quantity_on_hand"].as_str(),
            here["available"].as_str()
        ),
        (Some("5"), Some("0"))
    );
    assert_eq!(
        product(&app, &owner, &their_pads).await["quantity_on_hand"],
        "8"
    );

    // A transfer from a product that is not one: the order page says so,
    // nothing moves.
    let nowhere = browser
        .post(
            &format!("/orders/{order}/parts/transfer"),
            &[
                ("_csrf", &csrf),
                ("from_product_id", "not-a-product"),
                ("transfer", "1"),
                ("quantity", "1"),
            ],
        )
        .await;
    assert_eq!(nowhere.status_code(), 409, "{}", nowhere.text());
    assert_eq!(
        product(&app, &owner, &their_pads).await["quantity_on_hand"],
        "8"
    );
}

#[tokio::test]
async fn an_order_to_a_supplier_is_drafted_placed_and_received_in_part() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let nairobi = app.site(&owner, "NBO").await;
    let oil = app.product(&owner, &nairobi, "OIL-1L", "1", "950.00").await;
    let pads = app
        .product(&owner, &nairobi, "PADS-F", "3", "4800.00")
        .await;

    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in(&owner.email).await;
    // The draft offers the low oil, enough for twice its reorder level.
    let draft = browser
        .get(&format!("/purchase-orders/new?site_id={nairobi}"))
        .await
        .text();
    assert!(
        draft.contains(&format!("<option value=\"{oil}\" selected>")),
        "{draft}"
    );
    assert!(
        draft.contains("id=\"row-0-quantity\" name=\"quantity\" inputmode=\"decimal\" value=\"3\"")
    );

    // A bad quantity on the third row is named on that row (the blank
    // second row is skipped), and nothing is saved.
    let rows = |pads_quantity: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("site_id", nairobi.clone()),
            ("supplier", "Toyota Kenya Parts".to_string()),
            ("product_id", oil.clone()),
            ("quantity", "10".to_string()),
            ("unit_cost", "610".to_string()),
            ("product_id", String::new()),
            ("quantity", String::new()),
            ("unit_cost", String::new()),
            ("product_id", pads.clone()),
            ("quantity", pads_quantity.to_string()),
            ("unit_cost", "3,200".to_string()),
        ]
    };
    let form = rows("lots");
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = browser.post("/purchase-orders", &pairs).await;
    assert_eq!(refused.status_code(), 422, "{}", refused.text());
    let html = refused.text();
    assert!(html.contains("id=\"row-2-quantity-error\""), "{html}");
    assert!(html.contains("value=\"lots\""), "what was typed is kept");
    let listed: Value = app.get("/api/purchase-orders", &owner).await.json();
    assert_eq!(listed["total"], 0);

    let form = rows("4");
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let saved = browser.post("/purchase-orders", &pairs).await;
    assert_eq!(saved.status_code(), 303, "{}", saved.text());
    let page = location(&saved);
    let id = page
        .trim_start_matches("/purchase-orders/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let order: Value = app
        .get(&format!("/api/purchase-orders/{id}"), &owner)
        .await
        .json();
    assert_eq!(order["status"], "draft");
    assert_eq!(order["total_cost"], "18900.00", "10 × 610 + 4 × 3,200");

    let placed = browser
        .post(&format!("/purchase-orders/{id}/order"), &[("_csrf", &csrf)])
        .await;
    assert_eq!(placed.status_code(), 303, "{}", placed.text());
    // Four litres came, no pads yet.
    let received = browser
        .post(
            &format!("/purchase-orders/{id}/receive"),
            &[
                ("_csrf", &csrf),
                ("product_id", &oil),
                ("quantity", "4"),
                ("product_id", &pads),
                ("quantity", "0"),
            ],
        )
        .await;
    assert_eq!(received.status_code(), 303, "{}", received.text());
    let order: Value = app
        .get(&format!("/api/purchase-orders/{id}"), &owner)
        .await
        .json();
    assert_eq!(order["status"], "partially_received");
    assert_eq!(product(&app, &owner, &oil).await["quantity_on_hand"], "5");
    assert_eq!(product(&app, &owner, &pads).await["quantity_on_hand"], "3");
    // More than is outstanding is refused by its row.
    let over = browser
        .post(
            &format!("/purchase-orders/{id}/receive"),
            &[
                ("_csrf", &csrf),
                ("product_id", &oil),
                ("quantity", "0"),
                ("product_id", &pads),
                ("quantity", "9"),
            ],
        )
        .await;
    assert_eq!(over.status_code(), 422, "{}", over.text());
    let html = over.text();
    assert!(html.contains("id=\"receive-1-error\""), "{html}");
    assert!(html.contains("is more than the 4 still to come"));
    assert_eq!(product(&app, &owner, &pads).await["quantity_on_hand"], "3");
    let page = browser.get(&format!("/purchase-orders/{id}")).await.text();
    assert!(page.contains("id=\"receive-0\""));
}
