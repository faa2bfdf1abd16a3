use chrono::{Days, Months, NaiveDate};
use serde_json::json;

use crate::support::{assert_error, id_of, ids, TestApp};

/// The tests run at 22:30 UTC on 10 March 2026, which is already 01:30 on
/// the 11th in Nairobi, where their branch is: a reading taken "today" there
/// is dated the 11th.
const NOW: &str = "2026-03-10T22:30:00Z";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 11).unwrap()
}

async fn app() -> TestApp {
    TestApp::spawn_at(NOW).await
}

#[tokio::test]
async fn a_vehicle_is_registered_with_its_first_reading_and_schedule() {
    let app = app().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let customer = app.customer(&owner, &site).await;
    let last_service = today() - Months::new(2);

    let response = app
        .post(
            "/api/vehicles",
            &owner,
            &json!({
                "customer_id": customer,
                "plate": "kda  123a",
                "make": "Toyota",
                "model": "Fielder",
                "year": 2015,
                "vin": "jtdbr32e720123456",
                "odometer_km": 98_000,
                "service_interval_months": 6,
                "service_interval_km": 5_000,
                "last_service_on": last_service,
                "last_service_km": 95_000,
            }),
        )
        .await;

    assert_eq!(response.status_code(), 201, "{}", response.text());
    let vehicle: serde_json::Value = response.json();
    assert_eq!(vehicle["plate"], "KDA 123A");
    assert_eq!(vehicle["vin"], "JTDBR32E720123456");
    assert_eq!(vehicle["customer"]["id"], customer.as_str());
    assert_eq!(vehicle["odometer_km"], 98_000);
    assert_eq!(
        vehicle["next_service_due_on"],
        json!(last_service + Months::new(6))
    );
    assert_eq!(vehicle["next_service_due_km"], 100_000);
    assert!(
        vehicle["next_service_km_predicted_on"].is_null(),
        "one reading gives no pace"
    );
    assert_eq!(vehicle["service_due_on"], vehicle["next_service_due_on"]);
    let readings: serde_json::Value = app
        .get(
            &format!("/api/vehicles/{}/odometer", id_of(&vehicle)),
            &owner,
        )
        .await
        .json();
    assert_eq!(
        readings["items"][0]["read_on"],
        json!(today()),
        "the first reading is dated by the branch's calendar, not UTC's"
    );
}

#[tokio::test]
async fn the_service_date_follows_the_vehicles_own_pace() {
    let app = app().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let customer = app.customer(&owner, &site).await;
    let vehicle = id_of(
        &app.post(
            "/api/vehicles",
            &owner,
            &json!({
                "customer_id": customer, "plate": "KCX 900B", "make": "Nissan", "model": "Note",
                "service_interval_months": 12, "service_interval_km": 5_000,
                "last_service_on": today() - Days::new(30), "last_service_km": 40_000,
            }),
        )
        .await
        .json(),
    );

    // 100 km a day: 40,000 km thirty days ago, 43,000 km today.
    let first = app
        .post(
            &format!("/api/vehicles/{vehicle}/odometer"),
            &owner,
            &json!({"reading_km": 40_000, "read_on": today() - Days::new(30)}),
        )
        .await;
    let second = app
        .post(
            &format!("/api/vehicles/{vehicle}/odometer"),
            &owner,
            &json!({"reading_km": 43_000, "read_on": today()}),
        )
        .await;

    assert_eq!(first.status_code(), 201, "{}", first.text());
    assert_eq!(second.status_code(), 201);
    let body: serde_json::Value = second.json();
    assert_eq!(body["reading"]["reading_km"], 43_000);
    let vehicle_now = &body["vehicle"];
    assert_eq!(vehicle_now["odometer_km"], 43_000);
    assert_eq!(vehicle_now["next_service_due_km"], 45_000);
    assert_eq!(
        vehicle_now["next_service_km_predicted_on"],
        json!(today() + Days::new(20))
    );
    assert_eq!(
        vehicle_now["service_due_on"],
        json!(today() + Days::new(20)),
        "distance comes first"
    );
    let history: serde_json::Value = app
        .get(&format!("/api/vehicles/{vehicle}/odometer"), &owner)
        .await
        .json();
    assert_eq!(history["total"], 2);
    assert_eq!(history["items"][0]["reading_km"], 43_000);
}

#[tokio::test]
async fn an_odometer_never_goes_backwards() {
    let app = app().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let customer = app.customer(&owner, &site).await;
    let vehicle = app.vehicle(&owner, &customer).await; // 120,000 km today
    let path = format!("/api/vehicles/{vehicle}/odometer");

    let lower = app
        .post(
            &path,
            &owner,
            &json!({"reading_km": 119_999, "read_on": today()}),
        )
        .await;
    let earlier_but_higher = app
        .post(
            &path,
            &owner,
            &json!({"reading_km": 121_000, "read_on": today() - Days::new(10)}),
        )
        .await;
    let earlier_and_lower = app
        .post(
            &path,
            &owner,
            &json!({"reading_km": 110_000, "read_on": today() - Days::new(10)}),
        )
        .await;
    let future = app
        .post(
            &path,
            &owner,
            &json!({"reading_km": 130_000, "read_on": today() + Days::new(1)}),
        )
        .await;
    let negative = app
        .post(
            &path,
            &owner,
            &json!({"reading_km": -5, "read_on": today()}),
        )
        .await;
    let not_a_date = app
        .post(
            &path,
            &owner,
            &json!({"reading_km": 1, "read_on": "yesterday"}),
        )
        .await;

    let body = assert_error(&lower, 422, "validation_failed");
    assert!(body["error"]["fields"]["reading_km"][0]
        .as_str()
        .unwrap()
        .contains("120000"));
    assert_error(&earlier_but_higher, 422, "validation_failed");
    assert_eq!(
        earlier_and_lower.status_code(),
        201,
        "a backdated reading that fits is fine"
    );
    let body = assert_error(&future, 422, "validation_failed");
    assert!(body["error"]["fields"]["read_on"].is_array());
    assert_error(&negative, 422, "validation_failed");
    assert_error(&not_a_date, 422, "validation_failed");
    let history: serde_json::Value = app.get(&path, &owner).await.json();
    assert_eq!(history["total"], 2, "refused readings change nothing");
}

#[tokio::test]
async fn bad_vehicle_input_names_the_fields() {
    let app = app().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let customer = app.customer(&owner, &site).await;

    let response = app
        .post(
            "/api/vehicles",
            &owner,
            &json!({
                "customer_id": customer, "plate": "K!", "make": "", "model": "Probox",
                "vin": "1M8GDM9A1KP042788", "year": 1850, "service_interval_months": 0,
                "service_interval_km": 10, "odometer_km": -1,
            }),
        )
        .await;
    let with_o = app
        .post(
            "/api/vehicles",
            &owner,
            &json!({"customer_id": customer, "plate": "KDA 1", "make": "Toyota", "model": "Probox", "vin": "JTDBR32E72O123456"}),
        )
        .await;
    let short = app
        .post(
            "/api/vehicles",
            &owner,
            &json!({"customer_id": customer, "plate": "KDA 1", "make": "Toyota", "model": "Probox", "vin": "JTDBR32E72"}),
        )
        .await;
    let year_as_text = app
        .post(
            "/api/vehicles",
            &owner,
            &json!({"customer_id": customer, "plate": "KDA 1", "make": "Toyota", "model": "Probox", "year": "2015"}),
        )
        .await;

    let body = assert_error(&response, 422, "validation_failed");
    let fields = body["error"]["fields"].as_object().unwrap();
    for field in [
        "plate",
        "make",
        "vin",
        "year",
        "service_interval_months",
        "service_interval_km",
        "odometer_km",
    ] {
        assert!(fields.contains_key(field), "{field} missing from {body}");
    }
    assert_eq!(
        fields["vin"],
        json!(["has a wrong check digit (position 9)"])
    );
    assert_eq!(
        assert_error(&with_o, 422, "validation_failed")["error"]["fields"]["vin"],
        json!(["must not contain I, O or Q"])
    );
    assert_eq!(
        assert_error(&short, 422, "validation_failed")["error"]["fields"]["vin"],
        json!(["must be 17 letters and digits"])
    );
    assert_error(&year_as_text, 400, "bad_request");
}

#[tokio::test]
async fn a_plate_belongs_to_one_vehicle() {
    let app = app().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let customer = app.customer(&owner, &site).await;
    let body = |plate: &str| json!({"customer_id": customer, "plate": plate, "make": "Toyota", "model": "Probox"});
    app.post("/api/vehicles", &owner, &body("KDA 123A")).await;

    let again = app.post("/api/vehicles", &owner, &body("kda-123a")).await;

    let error = assert_error(&again, 409, "conflict");
    assert!(error["error"]["fields"]["plate"].is_array());
}

#[tokio::test]
async fn a_vehicle_changes_owner_and_intervals() {
    let app = app().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let seller = app.customer(&owner, &site).await;
    let buyer = app.customer(&owner, &site).await;
    let vehicle = app.vehicle(&owner, &seller).await;

    let response = app
        .patch(
            &format!("/api/vehicles/{vehicle}"),
            &owner,
            &json!({"customer_id": buyer, "service_interval_km": 10_000, "last_service_km": 118_000, "vin": null}),
        )
        .await;

    assert_eq!(response.status_code(), 200, "{}", response.text());
    let body: serde_json::Value = response.json();
    assert_eq!(body["customer"]["id"], buyer.as_str());
    assert_eq!(body["next_service_due_km"], 128_000);
    let by_buyer = ids(&app
        .get(&format!("/api/vehicles?customer_id={buyer}"), &owner)
        .await
        .json());
    assert_eq!(by_buyer, vec![vehicle.clone()]);
    let by_seller = ids(&app
        .get(&format!("/api/vehicles?customer_id={seller}"), &owner)
        .await
        .json());
    assert!(by_seller.is_empty());
}

#[tokio::test]
async fn another_organizations_vehicle_and_its_history_are_not_found() {
    let app = app().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let customer = app.customer(&owner, &site).await;
    let vehicle = app.vehicle(&owner, &customer).await;
    let stranger = app.owner("Other Garage").await;
    let their_site = app.site(&stranger, "NBO").await;
    let their_customer = app.customer(&stranger, &their_site).await;

    assert_error(
        &app.get(&format!("/api/vehicles/{vehicle}"), &stranger)
            .await,
        404,
        "not_found",
    );
    assert_error(
        &app.get(&format!("/api/vehicles/{vehicle}/odometer"), &stranger)
            .await,
        404,
        "not_found",
    );
    assert_error(
        &app.post(
            &format!("/api/vehicles/{vehicle}/odometer"),
            &stranger,
            &json!({"reading_km": 200_000, "read_on": today()}),
        )
        .await,
        404,
        "not_found",
    );
    assert_error(
        &app.patch(
            &format!("/api/vehicles/{vehicle}"),
            &stranger,
            &json!({"make": "Stolen"}),
        )
        .await,
        404,
        "not_found",
    );
    // Registering a vehicle to a customer of another organization.
    assert_error(
        &app.post(
            "/api/vehicles",
            &owner,
            &json!({"customer_id": their_customer, "plate": "KZZ 1", "make": "A", "model": "B"}),
        )
        .await,
        404,
        "not_found",
    );
    assert_error(
        &app.get(&format!("/api/vehicles?customer_id={customer}"), &stranger)
            .await,
        404,
        "not_found",
    );
}

/// Plates and VINs hold letters and digits only: a search with none of
/// those finds nothing, rather than every vehicle.
#[tokio::test]
async fn a_search_without_letters_or_digits_finds_no_vehicle() {
    let app = app().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let customer = app.customer(&owner, &site).await;
    app.vehicle(&owner, &customer).await;
    app.vehicle(&owner, &customer).await;

    for q in ["%27", "%25", "%C3%BC", "-%20-"] {
        let found: serde_json::Value = app
            .get(&format!("/api/vehicles?q={q}"), &owner)
            .await
            .json();
        assert_eq!(found["total"], 0, "q={q}");
        assert_eq!(found["items"], json!([]), "q={q}");
    }
    let blank: serde_json::Value = app.get("/api/vehicles?q=%20", &owner).await.json();
    assert_eq!(blank["total"], 2, "a blank search is no search");
}
