use karakana::{app::App, tasks::seed_demo};
use loco_rs::{boot::run_task, task};
use serde_json::Value;

use crate::support::TestApp;

/// `key` of every item of a page, as strings.
fn each<'a>(page: &'a Value, key: &str) -> Vec<&'a str> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item[key].as_str().unwrap_or_default())
        .collect()
}

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
    let owner: Value = owner.json();
    assert_eq!(owner["user"]["organization"]["name"], "Kamau Motors");
    let token = owner["token"].as_str().unwrap();
    let get = |path: String| {
        let app = &app;
        async move {
            app.server
                .get(&path)
                .authorization_bearer(token)
                .await
                .json::<Value>()
        }
    };

    let sites = get("/api/sites".into()).await;
    assert_eq!(sites["total"], 3);
    let codes = each(&sites, "code");
    assert!(codes.contains(&"NBO") && codes.contains(&"MSA") && codes.contains(&"KLA"));
    let currencies = each(&sites, "currency");
    assert!(
        currencies.contains(&"KES") && currencies.contains(&"UGX"),
        "Kenya and Uganda"
    );

    let staff = get("/api/staff?per_page=200".into()).await;
    for role in ["owner", "manager", "advisor", "technician"] {
        assert!(
            each(&staff, "role").contains(&role),
            "no {role} in the demo"
        );
    }
    let customers = get("/api/customers".into()).await;
    assert!(customers["total"].as_u64().unwrap() >= 9);
    let vehicles = get("/api/vehicles".into()).await;
    assert!(
        each(&vehicles, "service_due_on")
            .iter()
            .all(|due| !due.is_empty()),
        "every vehicle has a service due date"
    );
    let orders = get("/api/repair-orders?per_page=200".into()).await;
    for status in [
        "requested",
        "pending_approval",
        "approved",
        "in_progress",
        "completed",
    ] {
        assert!(
            each(&orders, "status").contains(&status),
            "no {status} order in the demo"
        );
    }

    // The till and the stockroom: products (some low), invoices paid, part
    // paid and overdue.
    let products = get("/api/products?per_page=200".into()).await;
    assert_eq!(
        products["total"], 12,
        "four products at each of three sites"
    );
    let low = get("/api/products?low_stock=true".into()).await;
    assert!(
        low["total"].as_u64().unwrap() >= 3,
        "brake pads run low everywhere"
    );
    let invoices = get("/api/invoices?per_page=200".into()).await;
    for status in ["paid", "partially_paid", "issued"] {
        assert!(
            each(&invoices, "status").contains(&status),
            "no {status} invoice in the demo"
        );
    }
    let nairobi = sites["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|site| site["code"] == "NBO")
        .unwrap()["id"]
        .as_str()
        .unwrap();
    let receivables = get(format!("/api/invoices/receivables?site_id={nairobi}")).await;
    assert_ne!(
        receivables["buckets"]["31_60"], "0.00",
        "one invoice is overdue"
    );

    // The floor: finished work was timed, so efficiency and earnings have
    // figures; Ronald is on leave at Kampala.
    let stats = get("/api/technicians/stats".to_string()).await;
    let kevin = stats["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["technician"]["name"] == "Kevin Kiprop")
        .unwrap();
    // 5 h billed over 2 × 2 h 10 min timed (and the seconds of the timer
    // running since the seed).
    let efficiency: f64 = kevin["efficiency"].as_str().unwrap().parse().unwrap();
    assert!((1.1..=1.16).contains(&efficiency), "{kevin}");
    assert_eq!(kevin["comebacks"], 1, "{kevin}");
    assert!(kevin["earnings"].is_string(), "{kevin}");
    let kampala = sites["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|site| site["code"] == "KLA")
        .unwrap()["id"]
        .as_str()
        .unwrap();
    let board = get(format!("/api/technicians/board?site_id={kampala}")).await;
    let ronald = board
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["technician"]["name"] == "Ronald Mugisha")
        .unwrap();
    assert_eq!(ronald["away"]["kind"], "leave", "{board}");

    let technician = app
        .try_login("kevin@kamaumotors.co.ke", seed_demo::DEMO_PASSWORD)
        .await;
    let technician = technician.json::<Value>()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let queue: Value = app
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
