use karakana::{app::App, tasks::seed_demo};
use loco_rs::{boot::run_task, task};
use serde_json::json;

use crate::support::TestApp;

#[tokio::test]
async fn seed_demo_loads_kamau_motors_once_and_its_logins_work() {
    let app = TestApp::spawn().await;
    let vars = task::Vars::default();

    run_task::<App>(&app.ctx, Some(&"seed_demo".to_string()), &vars)
        .await
        .expect("the task runs");
    run_task::<App>(&app.ctx, Some(&"seed_demo".to_string()), &vars)
        .await
        .expect("a second run changes nothing");

    let owner = app
        .try_login(seed_demo::DEMO_OWNER_EMAIL, seed_demo::DEMO_PASSWORD)
        .await;
    assert_eq!(owner.status_code(), 200, "{}", owner.text());
    let owner: serde_json::Value = owner.json();
    assert_eq!(owner["user"]["organization"]["name"], "Kamau Motors");
    let token = owner["token"].as_str().unwrap();

    let sites: serde_json::Value = app
        .server
        .get("/api/sites")
        .authorization_bearer(token)
        .await
        .json();
    assert_eq!(sites["total"], 3);
    let codes: Vec<&str> = sites["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"NBO") && codes.contains(&"MSA") && codes.contains(&"KLA"));
    let currencies: Vec<&str> = sites["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["currency"].as_str().unwrap())
        .collect();
    assert!(
        currencies.contains(&"KES") && currencies.contains(&"UGX"),
        "Kenya and Uganda"
    );

    let staff: serde_json::Value = app
        .server
        .get("/api/staff?per_page=200")
        .authorization_bearer(token)
        .await
        .json();
    for role in ["owner", "manager", "advisor", "technician"] {
        assert!(
            staff["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["role"] == json!(role)),
            "no {role} in the demo"
        );
    }
    let customers: serde_json::Value = app
        .server
        .get("/api/customers")
        .authorization_bearer(token)
        .await
        .json();
    assert!(customers["total"].as_u64().unwrap() >= 9);
    let vehicles: serde_json::Value = app
        .server
        .get("/api/vehicles")
        .authorization_bearer(token)
        .await
        .json();
    assert!(vehicles["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|v| v["service_due_on"].is_string()));
    let orders: serde_json::Value = app
        .server
        .get("/api/repair-orders?per_page=200")
        .authorization_bearer(token)
        .await
        .json();
    let statuses: Vec<&str> = orders["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["status"].as_str().unwrap())
        .collect();
    for status in [
        "requested",
        "pending_approval",
        "approved",
        "in_progress",
        "completed",
    ] {
        assert!(statuses.contains(&status), "no {status} order in the demo");
    }
    let technician = app
        .try_login("kevin@kamaumotors.co.ke", seed_demo::DEMO_PASSWORD)
        .await;
    let technician = technician.json::<serde_json::Value>()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let queue: serde_json::Value = app
        .server
        .get("/api/repair-orders/queue")
        .authorization_bearer(&technician)
        .await
        .json();
    assert!(
        queue["total"].as_u64().unwrap() >= 1,
        "the Nairobi queue has work"
    );

    for login in seed_demo::logins().lines().skip(2) {
        let email = login.split_whitespace().nth(1).unwrap();
        let response = app.try_login(email, seed_demo::DEMO_PASSWORD).await;
        assert_eq!(response.status_code(), 200, "{email} cannot sign in");
    }
}
