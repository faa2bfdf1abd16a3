//! The README's role table where it is easiest to get wrong: stock and its
//! costs belong to managers and owners, erasing a customer to owners and
//! the managers of the customer's home branch.

use serde_json::{json, Value};

use crate::support::{assert_error, TestApp};

#[tokio::test]
async fn advisors_see_stock_but_neither_change_it_nor_see_what_it_cost() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let nbo = app.site(&owner, "NBO").await;
    let msa = app.site(&owner, "MSA").await;
    let advisor = app.staff(&owner, "advisor", &[&nbo]).await;
    let manager = app.staff(&owner, "manager", &[&nbo]).await;
    let product = app.product(&owner, &nbo, "PAD-1", "10", "950").await;
    let path = |tail: &str| format!("/api/products/{product}{tail}");

    let seen = app.get(&path(""), &advisor).await;
    assert_eq!(seen.status_code(), 200, "{}", seen.text());
    let seen: Value = seen.json();
    assert_eq!(seen["available"], "10");
    assert!(seen["unit_cost"].is_null(), "an advisor sees costs: {seen}");

    let refused = [
        app.post(
            &path("/adjustments"),
            &advisor,
            &json!({"delta": "-1", "reason": "broken"}),
        )
        .await,
        app.patch(&path(""), &advisor, &json!({"unit_price": "1.00"}))
            .await,
        app.post(
            &path("/transfers"),
            &advisor,
            &json!({"to_site_id": msa, "quantity": "1"}),
        )
        .await,
        app.post(
            "/api/products",
            &advisor,
            &json!({"site_id": nbo, "sku": "NEW", "name": "New", "unit_cost": "1",
                    "unit_price": "2", "quantity_on_hand": "1", "reorder_level": "0"}),
        )
        .await,
        app.post(
            "/api/purchase-orders",
            &advisor,
            &json!({"site_id": nbo, "supplier": "S", "lines": [
                {"product_id": product, "quantity": "1", "unit_cost": "1"}]}),
        )
        .await,
    ];
    for response in &refused {
        assert_error(response, 403, "forbidden");
    }
    let still: Value = app.get(&path(""), &owner).await.json();
    assert_eq!(still["quantity_on_hand"], "10");
    assert_eq!(still["unit_price"], "950.00");

    let adjusted = app
        .post(
            &path("/adjustments"),
            &manager,
            &json!({"delta": "-1", "reason": "broken"}),
        )
        .await;
    assert_eq!(adjusted.status_code(), 201, "{}", adjusted.text());
    let seen: Value = app.get(&path(""), &manager).await.json();
    assert_eq!(seen["unit_cost"], "100.00");
}

#[tokio::test]
async fn only_owners_and_managers_of_the_home_branch_erase_a_customer() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let nbo = app.site(&owner, "NBO").await;
    let msa = app.site(&owner, "MSA").await;
    let advisor = app.staff(&owner, "advisor", &[&nbo]).await;
    let msa_manager = app.staff(&owner, "manager", &[&msa]).await;
    let nbo_manager = app.staff(&owner, "manager", &[&nbo]).await;
    let customer = app.customer(&owner, &nbo).await;
    let path = format!("/api/customers/{customer}");

    assert_error(&app.delete(&path, &advisor).await, 403, "forbidden");
    assert_error(&app.delete(&path, &msa_manager).await, 403, "forbidden");
    let kept: Value = app.get(&path, &owner).await.json();
    assert_ne!(kept["name"], "Erased customer", "{kept}");

    let erased = app.delete(&path, &nbo_manager).await;
    assert_eq!(erased.status_code(), 204, "{}", erased.text());
    assert_error(&app.get(&path, &owner).await, 404, "not_found");

    let another = app.customer(&owner, &msa).await;
    let by_owner = app
        .delete(&format!("/api/customers/{another}"), &owner)
        .await;
    assert_eq!(by_owner.status_code(), 204, "{}", by_owner.text());
}
