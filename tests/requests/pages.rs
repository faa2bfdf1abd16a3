//! The pages as a browser without JavaScript meets them: sign-in with a
//! cookie, CSRF on every form, errors as pages (a form again with its
//! errors and what was typed), another organization's order as the 404
//! page, English and Swahili. The browser tests (tests/browser) drive the
//! same pages in chromium, with their script.

use serde_json::{json, Value};

use crate::support::{
    id_of,
    pages::{csrf_of, location, Browser},
    TestApp, PASSWORD,
};

#[tokio::test]
async fn the_front_door_leads_to_sign_in_and_then_to_the_roles_page() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let manager = app.staff(&owner, "manager", &[&site]).await;

    let mut browser = Browser::new(&app);
    let door = browser.get("/").await;
    assert_eq!(door.status_code(), 303);
    assert_eq!(location(&door), "/login");
    let asked = browser.get("/work").await;
    assert_eq!(location(&asked), "/login?next=%2Fwork");

    browser.sign_in(&technician.email).await;
    assert_eq!(location(&browser.get("/").await), "/queue");
    let session = browser.cookies.get("karakana_session").cloned();
    assert!(session.is_some(), "{:?}", browser.cookies);

    let mut office = Browser::new(&app);
    office.sign_in(&manager.email).await;
    assert_eq!(location(&office.get("/").await), "/board");
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site_and_ends_with_a_new_password() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;

    let mut browser = Browser::new(&app);
    let form = browser.get("/login").await;
    let csrf = csrf_of(&form.text());
    let signed_in = browser
        .post(
            "/login",
            &[
                ("_csrf", &csrf),
                ("email", &technician.email),
                ("password", PASSWORD),
            ],
        )
        .await;
    let cookie = signed_in
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap().to_string())
        .find(|value| value.starts_with("karakana_session="))
        .expect("a session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert_eq!(browser.get("/queue").await.status_code(), 200);

    let changed = app
        .patch(
            &format!("/api/staff/{}", technician.id),
            &owner,
            &json!({"password": "another long password"}),
        )
        .await;
    assert_eq!(changed.status_code(), 200, "{}", changed.text());
    let after = browser.get("/queue").await;
    assert_eq!(after.status_code(), 303);
    assert!(
        location(&after).starts_with("/login"),
        "{}",
        location(&after)
    );
}

#[tokio::test]
async fn a_wrong_password_is_the_form_again_with_the_email_kept() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let mut browser = Browser::new(&app);
    let form = browser.get("/login").await;
    let csrf = csrf_of(&form.text());

    let refused = browser
        .post(
            "/login",
            &[
                ("_csrf", &csrf),
                ("email", &owner.email),
                ("password", "not it at all"),
            ],
        )
        .await;

    assert_eq!(refused.status_code(), 401);
    let page = refused.text();
    assert!(page.contains("do not match an active account"), "{page}");
    assert!(
        page.contains(&format!("value=\"{}\"", owner.email)),
        "{page}"
    );
    assert!(!browser.cookies.contains_key("karakana_session"));
}

#[tokio::test]
async fn a_form_without_its_csrf_token_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let order = app.approved_order(&owner, &site, "normal").await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in(&technician.email).await;

    let claim = format!("/queue/{order}/claim");
    for forged in ["", "forged-token", &csrf[..csrf.len() - 1]] {
        let refused = browser.post(&claim, &[("_csrf", forged)]).await;
        assert_eq!(refused.status_code(), 403, "{forged}");
        assert!(refused.text().contains("This form has expired"));
    }
    // The token of another session does not do either.
    let mut other = Browser::new(&app);
    let theirs = other.sign_in(&owner.email).await;
    let refused = browser.post(&claim, &[("_csrf", &theirs)]).await;
    assert_eq!(refused.status_code(), 403);
    let detail: Value = app
        .get(&format!("/api/repair-orders/{order}"), &owner)
        .await
        .json();
    assert_eq!(detail["status"], "approved");

    let claimed = browser.post(&claim, &[("_csrf", &csrf)]).await;
    assert_eq!(claimed.status_code(), 303, "{}", claimed.text());
    assert_eq!(location(&claimed), format!("/work/{order}"));
}

#[tokio::test]
async fn the_queue_page_shows_claimable_work_and_names_a_missing_skill() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    app.post("/api/skills", &owner, &json!({"name": "hybrid"}))
        .await;
    let plain = app.approved_order(&owner, &site, "urgent").await;
    let customer = app.customer(&owner, &site).await;
    let vehicle = app.vehicle(&owner, &customer).await;
    let hybrid = id_of(
        &app.post(
            "/api/repair-orders",
            &owner,
            &json!({"site_id": site, "vehicle_id": vehicle, "description": "Hybrid battery",
                    "required_skills": ["hybrid"]}),
        )
        .await
        .json(),
    );
    for to in ["pending_approval", "approved"] {
        app.transition(&owner, &hybrid, to).await;
    }
    let mut browser = Browser::new(&app);
    browser.sign_in(&technician.email).await;

    let page = browser.get("/queue").await;
    assert_eq!(page.status_code(), 200);
    let html = page.text();
    assert!(
        html.contains(&format!("action=\"/queue/{plain}/claim\"")),
        "{html}"
    );
    assert!(!html.contains(&format!("action=\"/queue/{hybrid}/claim\"")));
    assert!(html.contains("Needs hybrid"), "{html}");
    assert!(html.contains("2 orders waiting"), "{html}");
    // The same template, alone, for htmx.
    let fragment = app
        .server
        .get("/queue")
        .add_header("cookie", browser.cookie_header())
        .add_header("hx-request", "true")
        .await;
    let fragment = fragment.text();
    assert!(
        fragment.trim_start().starts_with("<section id=\"queue\""),
        "{fragment}"
    );
    assert!(!fragment.contains("<html"));
}

#[tokio::test]
async fn a_second_claim_goes_back_to_the_queue_told_it_was_taken() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let first = app.staff(&owner, "technician", &[&site]).await;
    let second = app.staff(&owner, "technician", &[&site]).await;
    let order = app.approved_order(&owner, &site, "normal").await;
    app.claim(&first, &order).await;

    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in(&second.email).await;
    let lost = browser
        .post(&format!("/queue/{order}/claim"), &[("_csrf", &csrf)])
        .await;

    assert_eq!(location(&lost), "/queue?notice=taken");
    let page = browser.get("/queue?notice=taken").await.text();
    assert!(
        page.contains("Someone else claimed that order first."),
        "{page}"
    );
}

#[tokio::test]
async fn a_labour_form_with_errors_comes_back_with_them_and_what_was_typed() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let order = app.claimed_order(&owner, &site, &technician).await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in(&technician.email).await;

    let refused = browser
        .post(
            &format!("/work/{order}/labor"),
            &[
                ("_csrf", &csrf),
                ("description", "Bleed the brakes"),
                ("hours", "two"),
                ("rate", "1500"),
            ],
        )
        .await;

    assert_eq!(refused.status_code(), 422);
    let html = refused.text();
    assert!(html.contains("value=\"Bleed the brakes\""), "{html}");
    assert!(html.contains("value=\"two\""));
    assert!(html.contains("id=\"labor-hours-error\""), "{html}");
    assert!(html.contains("aria-invalid=\"true\" aria-describedby=\"labor-hours-error\""));
    let detail: Value = app
        .get(&format!("/api/repair-orders/{order}"), &owner)
        .await
        .json();
    assert_eq!(detail["labor"], json!([]));

    let added = browser
        .post(
            &format!("/work/{order}/labor"),
            &[
                ("_csrf", &csrf),
                ("description", "Bleed the brakes"),
                ("hours", "1.5"),
                ("rate", "1500"),
            ],
        )
        .await;
    assert_eq!(added.status_code(), 303, "{}", added.text());
    let page = browser.get(&location(&added)).await.text();
    assert!(page.contains("Labour added."), "{page}");
    assert!(page.contains("2,250.00"), "{page}");
}

#[tokio::test]
async fn another_organizations_order_is_the_404_page() {
    let app = TestApp::spawn().await;
    let ours = app.owner("Garage").await;
    let site = app.site(&ours, "NBO").await;
    let technician = app.staff(&ours, "technician", &[&site]).await;
    let theirs = app.owner("Rival Motors").await;
    let their_site = app.site(&theirs, "MSA").await;
    let their_order = app.approved_order(&theirs, &their_site, "normal").await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in(&technician.email).await;

    let page = browser.get(&format!("/work/{their_order}")).await;
    assert_eq!(page.status_code(), 404);
    assert!(page.text().contains("Not found"));
    let claim = browser
        .post(&format!("/queue/{their_order}/claim"), &[("_csrf", &csrf)])
        .await;
    assert_eq!(claim.status_code(), 404);
    assert!(claim.text().contains("<html"));
    // A path that is nothing is the 404 page for a browser, JSON for the API.
    let nothing = browser.get("/no/such/page").await;
    assert_eq!(nothing.status_code(), 404);
    assert!(nothing.text().contains("Not found"));
    let api = app.server.get("/api/no/such/route").await;
    assert_eq!(api.json::<Value>()["error"]["code"], "not_found");
}

#[tokio::test]
async fn pages_speak_swahili_when_the_browser_or_the_user_asks() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    app.approved_order(&owner, &site, "urgent").await;

    let mut browser = Browser::new(&app);
    browser.language = Some("sw-KE,sw;q=0.9,en;q=0.5");
    let form = browser.get("/login").await.text();
    assert!(form.contains("lang=\"sw\""), "{form}");
    assert!(form.contains("Ingia kwenye Karakana"));
    let csrf = browser.sign_in(&technician.email).await;
    let queue = browser.get("/queue").await.text();
    assert!(queue.contains("Kazi zinazosubiri"), "{queue}");
    assert!(queue.contains("Dharura"));

    // The user's own choice wins over the browser's, and is remembered.
    let chose = browser
        .post(
            "/language",
            &[("_csrf", &csrf), ("lang", "en"), ("back", "/queue")],
        )
        .await;
    assert_eq!(location(&chose), "/queue");
    let queue = browser.get("/queue").await.text();
    assert!(queue.contains("Work waiting"), "{queue}");
}

#[tokio::test]
async fn a_pages_script_may_call_the_api_with_the_session_and_its_csrf_header_only() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let order = app.claimed_order(&owner, &site, &technician).await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in(&technician.email).await;
    let path = format!("/api/repair-orders/{order}/notes");
    let body = json!({"body": "Pads worn to the metal"});

    let without = app
        .server
        .post(&path)
        .add_header("cookie", browser.cookie_header())
        .json(&body)
        .await;
    let with = app
        .server
        .post(&path)
        .add_header("cookie", browser.cookie_header())
        .add_header("x-csrf-token", csrf.clone())
        .add_header("idempotency-key", "note-1")
        .json(&body)
        .await;
    let again = app
        .server
        .post(&path)
        .add_header("cookie", browser.cookie_header())
        .add_header("x-csrf-token", csrf)
        .add_header("idempotency-key", "note-1")
        .json(&body)
        .await;

    assert_eq!(without.status_code(), 401);
    assert_eq!(with.status_code(), 201, "{}", with.text());
    assert_eq!(again.header("idempotent-replayed"), "true");
    let notes: Value = app.get(&path, &owner).await.json();
    assert_eq!(notes["total"], 1, "{notes}");
}

#[tokio::test]
async fn the_board_shows_the_floor_and_assigns_only_to_the_skilled() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let manager = app.staff(&owner, "manager", &[&site]).await;
    let skilled = app.staff(&owner, "technician", &[&site]).await;
    let unskilled = app.staff(&owner, "technician", &[&site]).await;
    app.post("/api/skills", &owner, &json!({"name": "hybrid"}))
        .await;
    let given = app
        .patch(
            &format!("/api/technicians/{}", skilled.id),
            &manager,
            &json!({"skills": ["hybrid"]}),
        )
        .await;
    assert_eq!(given.status_code(), 200, "{}", given.text());
    let customer = app.customer(&owner, &site).await;
    let vehicle = app.vehicle(&owner, &customer).await;
    let hybrid = id_of(
        &app.post(
            "/api/repair-orders",
            &owner,
            &json!({"site_id": site, "vehicle_id": vehicle, "description": "Hybrid battery",
                    "required_skills": ["hybrid"]}),
        )
        .await
        .json(),
    );
    for to in ["pending_approval", "approved"] {
        app.transition(&owner, &hybrid, to).await;
    }
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in(&manager.email).await;

    let board = browser.get("/board").await.text();
    let select = board
        .split(&format!("id=\"assign-{hybrid}\""))
        .nth(1)
        .and_then(|rest| rest.split("</select>").next())
        .expect("an assignment form for the order");
    assert!(select.contains(&skilled.id), "{select}");
    assert!(!select.contains(&unskilled.id), "{select}");

    let assigned = browser
        .post(
            &format!("/board/{hybrid}/assign"),
            &[("_csrf", &csrf), ("technician_id", &skilled.id)],
        )
        .await;
    assert_eq!(assigned.status_code(), 303, "{}", assigned.text());
    let detail: Value = app
        .get(&format!("/api/repair-orders/{hybrid}"), &owner)
        .await
        .json();
    assert_eq!(detail["technician"]["id"], skilled.id.as_str());
    // A technician has no board.
    let mut floor = Browser::new(&app);
    floor.sign_in(&skilled.email).await;
    assert_eq!(floor.get("/board").await.status_code(), 404);
}

/// The ids a page links to under `prefix` (`/orders/`), in order.
fn links(html: &str, prefix: &str) -> Vec<String> {
    html.split(&format!("href=\"{prefix}"))
        .skip(1)
        .filter_map(|rest| rest.split(['"', '?', '#', '/']).next())
        .filter(|id| id.len() == 36)
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn the_front_desk_books_a_new_customers_car_in_on_one_page() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let advisor = app.staff(&owner, "advisor", &[&site]).await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in(&advisor.email).await;
    assert_eq!(location(&browser.get("/").await), "/board");

    let form = browser.get("/orders/new").await;
    assert_eq!(form.status_code(), 200);
    let booking: Vec<(&str, &str)> = vec![
        ("_csrf", &csrf),
        ("customer.name", "Grace Achieng"),
        ("customer.phone", "+254722000111"),
        ("customer.email", ""),
        ("customer.home_site_id", &site),
        ("customer.language", "sw"),
        ("vehicle.plate", "KDX 123E"),
        ("vehicle.make", "Toyota"),
        ("vehicle.model", "Fielder"),
        ("vehicle.year", "twenty fourteen"),
        ("site_id", &site),
        ("order.odometer_km", "151,200"),
        ("order.priority", "high"),
        ("order.description", "Brakes squeal"),
        ("order.complaint", "At low speed"),
    ];

    // A year that is not one: the page again, the customer now chosen (it
    // was created), the vehicle's fields as typed with the error by the year.
    let refused = browser.post("/orders", &booking).await;
    assert_eq!(refused.status_code(), 422, "{}", refused.text());
    let html = refused.text();
    assert!(html.contains("id=\"vehicle.year-error\""), "{html}");
    assert!(html.contains("value=\"twenty fourteen\""));
    assert!(html.contains("value=\"KDX 123E\""));
    let customer_id = html
        .split("name=\"customer_id\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the customer created is kept chosen")
        .to_string();

    let mut fixed: Vec<(&str, &str)> = booking
        .iter()
        .filter(|(name, _)| !name.starts_with("customer."))
        .map(|(name, value)| {
            if *name == "vehicle.year" {
                (*name, "2014")
            } else {
                (*name, *value)
            }
        })
        .collect();
    fixed.push(("customer_id", &customer_id));
    fixed.push(("vehicle_id", ""));
    let booked = browser.post("/orders", &fixed).await;
    assert_eq!(booked.status_code(), 303, "{}", booked.text());
    let order_page = location(&booked);
    assert!(order_page.starts_with("/orders/"), "{order_page}");
    let order = order_page
        .trim_start_matches("/orders/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let page = browser.get(&order_page).await.text();
    assert!(page.contains("Booked in."), "{page}");
    assert!(page.contains("KDX 123E"));

    let customers: Value = app.get("/api/customers?q=Grace", &owner).await.json();
    assert_eq!(customers["total"], 1, "one customer, not two: {customers}");
    let detail: Value = app
        .get(&format!("/api/repair-orders/{order}"), &owner)
        .await
        .json();
    assert_eq!(detail["status"], "requested");
    assert_eq!(detail["priority"], "high");
    assert_eq!(detail["odometer_km"], 151_200);
    assert_eq!(detail["customer"]["id"], customer_id.as_str());

    // Found again by plate, on the customers page.
    let found = browser.get("/customers?q=KDX").await.text();
    assert_eq!(links(&found, "/customers/"), vec![customer_id.clone()]);
}

#[tokio::test]
async fn the_desk_moves_an_order_records_the_customers_word_and_sends_the_estimate() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let advisor = app.staff(&owner, "advisor", &[&site]).await;
    let order = app.order(&owner, &site, "normal").await;
    let customer = app
        .order_customer(&owner, &order, &json!({"email": "grace@example.com"}))
        .await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in(&advisor.email).await;
    let path = format!("/orders/{order}");

    let labour = browser
        .post(
            &format!("{path}/labor"),
            &[
                ("_csrf", &csrf),
                ("description", "Fit pads"),
                ("hours", "2"),
                ("rate", "1500"),
            ],
        )
        .await;
    assert_eq!(labour.status_code(), 303, "{}", labour.text());
    let bad = browser
        .post(
            &format!("{path}/labor"),
            &[
                ("_csrf", &csrf),
                ("description", "Discs"),
                ("hours", "-2"),
                ("rate", "1500"),
            ],
        )
        .await;
    assert_eq!(bad.status_code(), 422);
    assert!(bad.text().contains("value=\"-2\""));
    let detail: Value = app
        .get(&format!("/api/repair-orders/{order}"), &owner)
        .await
        .json();
    let line = detail["labor"][0]["id"].as_str().unwrap().to_string();

    let asked = browser
        .post(
            &format!("{path}/transition"),
            &[("_csrf", &csrf), ("to", "pending_approval"), ("note", "")],
        )
        .await;
    assert_eq!(asked.status_code(), 303, "{}", asked.text());
    let sent = browser
        .post(&format!("{path}/estimate"), &[("_csrf", &csrf)])
        .await;
    assert_eq!(sent.status_code(), 303, "{}", sent.text());
    let decided = browser
        .post(
            &format!("{path}/lines/{line}/approval"),
            &[("_csrf", &csrf), ("decision", "approved")],
        )
        .await;
    assert_eq!(decided.status_code(), 303, "{}", decided.text());
    let approved = browser
        .post(
            &format!("{path}/transition"),
            &[("_csrf", &csrf), ("to", "approved")],
        )
        .await;
    assert_eq!(approved.status_code(), 303, "{}", approved.text());

    let detail: Value = app
        .get(&format!("/api/repair-orders/{order}"), &owner)
        .await
        .json();
    assert_eq!(detail["status"], "approved");
    assert_eq!(detail["labor"][0]["approval"], "approved");
    let page = browser.get(&location(&approved)).await.text();
    assert!(page.contains("3,000.00"), "{page}");
    // The estimate went to the customer: it is in their messages.
    let deliveries: Value = app
        .get(&format!("/api/customers/{customer}/deliveries"), &owner)
        .await
        .json();
    assert!(
        deliveries["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|delivery| delivery["kind"] == "estimate"),
        "{deliveries}"
    );
    let customer_page = browser.get(&format!("/customers/{customer}")).await.text();
    assert!(customer_page.contains("Estimate"), "{customer_page}");

    // A move the state does not allow is the order again, with the reason.
    let refused = browser
        .post(
            &format!("{path}/transition"),
            &[("_csrf", &csrf), ("to", "pending_approval")],
        )
        .await;
    assert_eq!(refused.status_code(), 409);
    assert!(refused.text().contains("class=\"problem\""));
}

#[tokio::test]
async fn a_customer_is_edited_and_a_reading_recorded_with_the_apis_rules() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let advisor = app.staff(&owner, "advisor", &[&site]).await;
    let customer = app.customer(&owner, &site).await;
    let vehicle = app.vehicle(&owner, &customer).await; // 120,000 km
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in(&advisor.email).await;

    let edit = browser.get(&format!("/customers/{customer}/edit")).await;
    assert_eq!(edit.status_code(), 200);
    let refused = browser
        .post(
            &format!("/customers/{customer}"),
            &[
                ("_csrf", &csrf),
                ("name", "Grace"),
                ("phone", ""),
                ("email", ""),
                ("home_site_id", &site),
            ],
        )
        .await;
    assert_eq!(refused.status_code(), 422, "{}", refused.text());
    assert!(refused.text().contains("value=\"Grace\""));
    let saved = browser
        .post(
            &format!("/customers/{customer}"),
            &[
                ("_csrf", &csrf),
                ("name", "Grace Achieng"),
                ("phone", "+254722000111"),
                ("email", "grace@example.com"),
                ("home_site_id", &site),
                ("language", "sw"),
                ("marketing_opt_in", "on"),
            ],
        )
        .await;
    assert_eq!(saved.status_code(), 303, "{}", saved.text());
    let now: Value = app
        .get(&format!("/api/customers/{customer}"), &owner)
        .await
        .json();
    assert_eq!(now["name"], "Grace Achieng");
    assert_eq!(now["language"], "sw");
    assert_eq!(now["marketing_opt_in"], true);

    // The branch's day (Nairobi), which the vehicle's first reading is
    // dated by: after 21:00 UTC it is already tomorrow there.
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Africa::Nairobi)
        .date_naive()
        .to_string();
    let lower = browser
        .post(
            &format!("/vehicles/{vehicle}/odometer"),
            &[
                ("_csrf", &csrf),
                ("reading_km", "90,000"),
                ("read_on", &today),
            ],
        )
        .await;
    assert_eq!(lower.status_code(), 422, "{}", lower.text());
    assert!(lower.text().contains("value=\"90,000\""));
    let higher = browser
        .post(
            &format!("/vehicles/{vehicle}/odometer"),
            &[
                ("_csrf", &csrf),
                ("reading_km", "125,500"),
                ("read_on", &today),
            ],
        )
        .await;
    assert_eq!(higher.status_code(), 303, "{}", higher.text());
    let page = browser.get(&location(&higher)).await.text();
    assert!(page.contains("125,500 km"), "{page}");
    assert!(page.contains("Reading recorded."), "{page}");
    // A technician has no front desk.
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let mut floor = Browser::new(&app);
    floor.sign_in(&technician.email).await;
    assert_eq!(floor.get("/customers").await.status_code(), 404);
}

#[tokio::test]
async fn sign_in_never_sends_the_browser_to_another_site() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    for next in [
        "//evil.example",
        "/\t/evil.example",
        "/\\evil.example",
        "https://evil.example/",
        "/ok\n",
    ] {
        let mut browser = Browser::new(&app);
        let form = browser.get("/login").await;
        let csrf = csrf_of(&form.text());
        let signed_in = browser
            .post(
                "/login",
                &[
                    ("_csrf", &csrf),
                    ("email", &owner.email),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(signed_in.status_code(), 303, "{next:?}");
        assert_eq!(location(&signed_in), "/dashboard", "{next:?}");
    }
}

#[tokio::test]
async fn a_visitors_token_does_not_open_a_signed_in_browsers_forms() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let order = app.approved_order(&owner, &site, "normal").await;
    let mut browser = Browser::new(&app);
    browser.sign_in(&technician.email).await;
    // The sign-in form, opened again while signed in, hands out a token
    // bound to the visitor cookie (which a sibling site could have set).
    let visitor_token = csrf_of(&browser.get("/login").await.text());
    assert!(browser.cookies.contains_key("karakana_visit"));

    let refused = browser
        .post(
            &format!("/queue/{order}/claim"),
            &[("_csrf", &visitor_token)],
        )
        .await;

    assert_eq!(refused.status_code(), 403);
    let detail: Value = app
        .get(&format!("/api/repair-orders/{order}"), &owner)
        .await
        .json();
    assert_eq!(detail["status"], "approved");
}

#[tokio::test]
async fn the_phone_shows_what_the_office_changed_until_the_technician_has_seen_it() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let advisor = app.staff(&owner, "advisor", &[&site]).await;
    let order = app.claimed_order(&owner, &site, &technician).await;
    let mut phone = Browser::new(&app);
    let csrf = phone.sign_in(&technician.email).await;
    let before = phone.get(&format!("/work/{order}")).await.text();
    assert!(!before.contains("Changed by the office"), "{before}");

    let mut desk = Browser::new(&app);
    let desk_csrf = desk.sign_in(&advisor.email).await;
    let noted = desk
        .post(
            &format!("/orders/{order}/notes"),
            &[
                ("_csrf", &desk_csrf),
                ("body", "Customer waits: done by 4pm"),
            ],
        )
        .await;
    assert_eq!(noted.status_code(), 303, "{}", noted.text());
    let revised = desk
        .post(
            &format!("/orders/{order}/revise"),
            &[
                ("_csrf", &desk_csrf),
                ("description", "Front pads and a rear brake check"),
                ("complaint", ""),
                ("priority", "urgent"),
            ],
        )
        .await;
    assert_eq!(revised.status_code(), 303, "{}", revised.text());
    let desk_page = desk.get(&location(&revised)).await.text();
    assert!(desk_page.contains("The order is changed."), "{desk_page}");
    assert!(
        desk_page.contains("has not seen 2 changes yet"),
        "{desk_page}"
    );

    let list = phone.get("/work").await.text();
    assert!(list.contains("Changed by the office: 2"), "{list}");
    let page = phone.get(&format!("/work/{order}")).await.text();
    assert!(page.contains("Changed by the office"), "{page}");
    assert!(page.contains("2 changes since you last looked"), "{page}");
    assert!(page.contains("Customer waits: done by 4pm"), "{page}");
    assert!(page.contains("Priority: Urgent"), "{page}");

    let seen = phone
        .post(&format!("/work/{order}/seen"), &[("_csrf", &csrf)])
        .await;
    assert_eq!(seen.status_code(), 303, "{}", seen.text());
    let after = phone.get(&location(&seen)).await.text();
    assert!(after.contains("you have seen the changes"), "{after}");
    assert!(!after.contains("Changed by the office"), "{after}");
    assert!(!phone
        .get("/work")
        .await
        .text()
        .contains("Changed by the office"));
}

#[tokio::test]
async fn the_desk_changes_a_booked_job_and_a_blank_description_comes_back_with_its_error() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let skill = app
        .post("/api/skills", &owner, &json!({"name": "Hybrid"}))
        .await;
    assert_eq!(skill.status_code(), 201, "{}", skill.text());
    let order = app.order(&owner, &site, "normal").await;
    let mut desk = Browser::new(&app);
    let csrf = desk.sign_in(&owner.email).await;

    let refused = desk
        .post(
            &format!("/orders/{order}/revise"),
            &[("_csrf", &csrf), ("description", " "), ("priority", "high")],
        )
        .await;
    assert_eq!(refused.status_code(), 422, "{}", refused.text());
    let html = refused.text();
    assert!(html.contains("id=\"revise-description-error\""), "{html}");
    assert!(html.contains("<details id=\"revise\" open>"), "{html}");
    let unchanged: Value = app
        .get(&format!("/api/repair-orders/{order}"), &owner)
        .await
        .json();
    assert_eq!(unchanged["priority"], "normal");

    let saved = desk
        .post(
            &format!("/orders/{order}/revise"),
            &[
                ("_csrf", &csrf),
                ("description", "Hybrid battery check"),
                ("complaint", "Warning light on"),
                ("priority", "high"),
                ("required_skills", "Hybrid"),
            ],
        )
        .await;
    assert_eq!(saved.status_code(), 303, "{}", saved.text());
    let detail: Value = app
        .get(&format!("/api/repair-orders/{order}"), &owner)
        .await
        .json();
    assert_eq!(detail["description"], "Hybrid battery check");
    assert_eq!(detail["complaint"], "Warning light on");
    assert_eq!(detail["priority"], "high");
    assert_eq!(detail["required_skills"], json!(["Hybrid"]));

    // Unticking every skill clears them; an emptied complaint is cleared.
    desk.post(
        &format!("/orders/{order}/revise"),
        &[
            ("_csrf", &csrf),
            ("description", "Hybrid battery check"),
            ("complaint", ""),
            ("priority", "high"),
        ],
    )
    .await;
    let detail: Value = app
        .get(&format!("/api/repair-orders/{order}"), &owner)
        .await
        .json();
    assert_eq!(detail["required_skills"], json!([]));
    assert_eq!(detail["complaint"], Value::Null);
}

#[tokio::test]
async fn the_owner_keeps_the_business_and_each_branch_on_the_settings_page() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Kamau Motors").await;
    let site = app.site(&owner, "NBO").await;
    app.patch(
        &format!("/api/sites/{site}"),
        &owner,
        &json!({"phone": "+254700111222"}),
    )
    .await;
    let manager = app.staff(&owner, "manager", &[&site]).await;
    let mut office = Browser::new(&app);
    office.sign_in(&manager.email).await;
    assert_eq!(office.get("/settings").await.status_code(), 403);

    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in(&owner.email).await;
    let page = browser.get("/settings").await;
    assert_eq!(page.status_code(), 200);
    let html = page.text();
    assert!(
        html.contains("href=\"/settings\""),
        "the owner's menu has it"
    );
    assert!(
        html.contains(&format!("action=\"/settings/sites/{site}\"")),
        "{html}"
    );
    assert!(html.contains("value=\"+254700111222\""), "{html}");

    let refused = browser
        .post(
            "/settings/business",
            &[
                ("_csrf", &csrf),
                ("name", "Kamau Motors"),
                ("legal_name", "Kamau Motors Limited"),
                ("tax_number", "P05 <1234>"),
            ],
        )
        .await;
    assert_eq!(refused.status_code(), 422, "{}", refused.text());
    let html = refused.text();
    assert!(html.contains("id=\"business-tax_number-error\""), "{html}");
    assert!(
        html.contains("value=\"Kamau Motors Limited\""),
        "typed kept"
    );
    let unchanged: Value = app.get("/api/organization", &owner).await.json();
    assert_eq!(unchanged["legal_name"], Value::Null);

    let saved = browser
        .post(
            "/settings/business",
            &[
                ("_csrf", &csrf),
                ("name", "Kamau Motors"),
                ("legal_name", "Kamau Motors Limited"),
                ("tax_number", "P051234567X"),
            ],
        )
        .await;
    assert_eq!(saved.status_code(), 303, "{}", saved.text());
    assert!(browser
        .get(&location(&saved))
        .await
        .text()
        .contains("Settings saved."));
    let business: Value = app.get("/api/organization", &owner).await.json();
    assert_eq!(business["tax_number"], "P051234567X");

    let branch = format!("/settings/sites/{site}");
    let fields = |terms: &'static str| {
        vec![
            ("name", "Branch NBO"),
            ("address", ""),
            ("phone", ""),
            ("email", ""),
            ("timezone", "Africa/Nairobi"),
            ("currency", "KES"),
            ("tax_rate", "0.16"),
            ("language", "sw"),
            ("payment_instructions", "M-Pesa Till 512345"),
            ("payment_terms_days", terms),
            ("reminder_hour", "9"),
            ("reminder_lead_days", "7"),
            ("comeback_window_days", "30"),
            ("code", "NBO"),
        ]
    };
    let mut form = vec![("_csrf", csrf.as_str())];
    form.extend(fields("two weeks"));
    let refused = browser.post(&branch, &form).await;
    assert_eq!(refused.status_code(), 422, "{}", refused.text());
    let html = refused.text();
    assert!(
        html.contains(&format!("id=\"site-{site}-payment_terms_days-error\"")),
        "{html}"
    );
    assert!(html.contains("value=\"two weeks\""));

    let mut form = vec![("_csrf", csrf.as_str())];
    form.extend(fields("14"));
    let saved = browser.post(&branch, &form).await;
    assert_eq!(saved.status_code(), 303, "{}", saved.text());
    let site_now: Value = app.get(&format!("/api/sites/{site}"), &owner).await.json();
    assert_eq!(site_now["payment_terms_days"], 14);
    assert_eq!(site_now["language"], "sw");
    assert_eq!(site_now["phone"], Value::Null, "a blank phone clears it");
    assert_eq!(site_now["payment_instructions"], "M-Pesa Till 512345");
}

#[tokio::test]
async fn the_office_takes_money_on_the_invoice_page_with_the_apis_rules() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let nairobi = app.site(&owner, "NBO").await;
    let mombasa = app.site(&owner, "MSA").await;
    let technician = app.staff(&owner, "technician", &[&nairobi, &mombasa]).await;
    let manager = app.staff(&owner, "manager", &[&mombasa]).await;
    // One invoice at each branch: an hour at 1,000, 1,160 with tax.
    let mut invoices = Vec::new();
    for site in [&nairobi, &mombasa] {
        let order = app.claimed_order(&owner, site, &technician).await;
        let labour = app
            .post(
                &format!("/api/repair-orders/{order}/labor"),
                &technician,
                &json!({"description": "Brakes", "hours": "1", "rate": "1000"}),
            )
            .await;
        assert_eq!(labour.status_code(), 201, "{}", labour.text());
        invoices.push(app.complete(&technician, &order, &owner).await);
    }
    let (ours, theirs) = (id_of(&invoices[0]), id_of(&invoices[1]));
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in(&owner.email).await;

    let list = browser.get("/invoices").await;
    assert_eq!(list.status_code(), 200);
    let html = list.text();
    for invoice in &invoices {
        assert!(html.contains(invoice["number"].as_str().unwrap()), "{html}");
    }
    let one_branch = browser
        .get(&format!("/invoices?site_id={mombasa}"))
        .await
        .text();
    assert!(!one_branch.contains(invoices[0]["number"].as_str().unwrap()));
    let bad_day = browser.get("/invoices?from=2026-13-01").await;
    assert_eq!(
        bad_day.status_code(),
        200,
        "a bad filter is said, not a failure"
    );
    assert!(bad_day.text().contains("class=\"problem\""));
    let page = browser.get(&format!("/invoices/{ours}")).await.text();
    assert!(page.contains("KES 1,160.00"), "{page}");

    // Mobile money without its code: refused by the field, what was typed
    // kept, nothing recorded.
    let payment = |code: &'static str| {
        [
            ("_csrf", csrf.clone()),
            ("amount", "1,000".to_string()),
            ("method", "mobile_money".to_string()),
            ("reference", code.to_string()),
        ]
    };
    let form = payment("");
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = browser
        .post(&format!("/invoices/{ours}/payments"), &pairs)
        .await;
    assert_eq!(refused.status_code(), 422, "{}", refused.text());
    let html = refused.text();
    assert!(html.contains("id=\"payment-reference-error\""), "{html}");
    assert!(html.contains("value=\"1,000\""));

    // With the code: 1,000 paid (typed with its comma), 160 left.
    let form = payment("SGH7K2LQ9P");
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let paid = browser
        .post(&format!("/invoices/{ours}/payments"), &pairs)
        .await;
    assert_eq!(paid.status_code(), 303, "{}", paid.text());
    assert_eq!(
        location(&paid),
        format!("/invoices/{ours}?notice=payment-recorded")
    );
    let after: Value = app
        .get(&format!("/api/invoices/{ours}"), &owner)
        .await
        .json();
    assert_eq!(after["balance"], "160.00");
    assert_eq!(after["payments"][0]["reference"], "SGH7K2LQ9P");

    // The same code on the other branch's invoice: refused, nothing paid.
    let twice = browser
        .post(&format!("/invoices/{theirs}/payments"), &pairs)
        .await;
    assert_eq!(twice.status_code(), 409, "{}", twice.text());
    assert!(twice.text().contains("id=\"payment-reference-error\""));
    let untouched: Value = app
        .get(&format!("/api/invoices/{theirs}"), &owner)
        .await
        .json();
    assert_eq!(untouched["balance"], "1160.00");

    // Reversing needs a reason; with one, the money is owed again.
    let payment = after["payments"][0]["id"].as_str().unwrap().to_string();
    let reverse = format!("/invoices/{ours}/payments/{payment}/reverse");
    let blank = browser
        .post(&reverse, &[("_csrf", &csrf), ("reason", " ")])
        .await;
    assert_eq!(blank.status_code(), 422);
    assert!(blank
        .text()
        .contains(&format!("id=\"reverse-{payment}-error\"")));
    let reversed = browser
        .post(
            &reverse,
            &[("_csrf", &csrf), ("reason", "the code was for another car")],
        )
        .await;
    assert_eq!(reversed.status_code(), 303, "{}", reversed.text());
    let again: Value = app
        .get(&format!("/api/invoices/{ours}"), &owner)
        .await
        .json();
    assert_eq!(again["balance"], "1160.00");

    // The PDF as the customer gets it.
    let pdf = browser.get(&format!("/invoices/{ours}/pdf")).await;
    assert_eq!(pdf.status_code(), 200);
    assert!(pdf.as_bytes().starts_with(b"%PDF"));

    // What is owed, by age: both invoices, issued today.
    let owed = browser.get("/invoices/receivables").await.text();
    assert!(owed.contains("KES 2,320.00"), "{owed}");

    // Voiding needs a reason too.
    let void = format!("/invoices/{theirs}/void");
    assert_eq!(
        browser
            .post(&void, &[("_csrf", &csrf), ("reason", "")])
            .await
            .status_code(),
        422
    );
    let voided = browser
        .post(&void, &[("_csrf", &csrf), ("reason", "booked twice")])
        .await;
    assert_eq!(voided.status_code(), 303);
    let gone: Value = app
        .get(&format!("/api/invoices/{theirs}"), &owner)
        .await
        .json();
    assert_eq!(gone["status"], "void");
    assert_eq!(gone["void_reason"], "booked twice");

    // Mombasa's manager: Nairobi's invoice is the 404 page; a technician
    // has no money pages.
    let mut theirs_browser = Browser::new(&app);
    theirs_browser.sign_in(&manager.email).await;
    let hidden = theirs_browser.get(&format!("/invoices/{ours}")).await;
    assert_eq!(hidden.status_code(), 404);
    assert_eq!(
        theirs_browser
            .get(&format!("/invoices/{ours}/pdf"))
            .await
            .status_code(),
        404
    );
    assert_eq!(
        theirs_browser
            .get(&format!("/invoices/{theirs}"))
            .await
            .status_code(),
        200
    );
    let mut floor = Browser::new(&app);
    floor.sign_in(&technician.email).await;
    assert_eq!(floor.get("/invoices").await.status_code(), 404);
}

#[tokio::test]
async fn owners_read_the_trail_and_the_jobs_on_pages() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let manager = app.staff(&owner, "manager", &[&site]).await;
    let advisor = app.staff(&owner, "advisor", &[&site]).await;
    app.customer(&manager, &site).await;

    let mut browser = Browser::new(&app);
    browser.sign_in(&owner.email).await;
    let trail = browser.get("/audit").await;
    assert_eq!(trail.status_code(), 200);
    let html = trail.text();
    for action in ["organization.created", "site.created", "customer.created"] {
        assert!(html.contains(action), "{action} in {html}");
    }
    let sites_only = browser.get("/audit?subject_type=site").await.text();
    assert!(sites_only.contains("site.created"));
    assert!(!sites_only.contains("customer.created"));
    let theirs = browser
        .get(&format!("/audit?actor_id={}", manager.id))
        .await
        .text();
    assert!(theirs.contains("customer.created"));
    assert!(!theirs.contains("site.created"));
    // A day that is not one is said above an empty list, not a failure.
    let bad = browser.get("/audit?from=2026-02-30").await;
    assert_eq!(bad.status_code(), 200);
    assert!(bad.text().contains("class=\"problem\""));
    let jobs = browser.get("/jobs").await;
    assert_eq!(jobs.status_code(), 200);
    assert!(jobs.text().contains("Jobs run inside requests"));

    // Managers see the jobs, not the trail; the front desk neither.
    let mut office = Browser::new(&app);
    office.sign_in(&manager.email).await;
    assert_eq!(office.get("/jobs").await.status_code(), 200);
    assert_eq!(office.get("/audit").await.status_code(), 404);
    let mut desk = Browser::new(&app);
    desk.sign_in(&advisor.email).await;
    assert_eq!(desk.get("/jobs").await.status_code(), 404);
}
