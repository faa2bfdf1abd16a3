//! The promotion pages as a browser without JavaScript (and htmx's live
//! count) meets them: written in English and Swahili, the number of
//! customers it would reach counted as the audience changes, scheduled in
//! branch time or sent now, called off, and followed; with the API's rules,
//! and the pages shut to those who do not run promotions.

use serde_json::{json, Value};

use crate::support::{
    id_of,
    pages::{location, Browser},
    Session, TestApp,
};

/// 10:00 in Nairobi.
const MORNING: &str = "2026-12-01T07:00:00Z";

async fn customer(app: &TestApp, owner: &Session, site: &str, email: &str, make: &str) {
    let response = app
        .post(
            "/api/customers",
            owner,
            &json!({"name": email, "email": email, "home_site_id": site, "marketing_opt_in": true}),
        )
        .await;
    assert_eq!(response.status_code(), 201, "{}", response.text());
    let customer = id_of(&response.json());
    let response = app
        .post(
            "/api/vehicles",
            owner,
            &json!({"customer_id": customer, "plate": format!("KD{}", &crate::support::unique()[..5]).to_uppercase(),
                    "make": make, "model": "Fit", "year": 2015}),
        )
        .await;
    assert_eq!(response.status_code(), 201, "{}", response.text());
}

/// The live count's fragment, as htmx asks for it.
async fn count(app: &TestApp, browser: &Browser<'_>, form: &[(&str, &str)]) -> String {
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let response = app
        .server
        .post("/promotions/count")
        .add_header("cookie", browser.cookie_header())
        .add_header("hx-request", "true")
        .add_header("content-type", "application/x-www-form-urlencoded")
        .bytes(body.into())
        .await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
    response.text()
}

fn recipients(html: &str) -> u64 {
    let at = html.find("data-figure=\"recipients\">").expect("the count") + 25;
    html[at..].split('<').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_promotion_is_written_in_two_languages_counted_as_it_is_aimed_and_sent() {
    let app = TestApp::spawn_at(MORNING).await;
    let owner = app.owner("Garage").await;
    let nairobi = app.site(&owner, "NBO").await;
    let mombasa = app.site(&owner, "MSA").await;
    let mombasa_manager = app.staff(&owner, "manager", &[&mombasa]).await;
    let technician = app.staff(&owner, "technician", &[&nairobi]).await;
    customer(&app, &owner, &nairobi, "achieng@example.com", "Toyota").await;
    customer(&app, &owner, &nairobi, "baraka@example.com", "Toyota").await;
    customer(&app, &owner, &mombasa, "chebet@example.com", "Honda").await;

    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in(&owner.email).await;
    let compose = browser.get("/promotions/new").await;
    assert_eq!(compose.status_code(), 200);
    let html = compose.text();
    assert_eq!(recipients(&html), 3, "everyone who agreed, to start with");
    assert!(html.contains("1000 of today"), "the cap is shown: {html}");
    assert!(
        html.contains("between 8:00 and 20:00"),
        "the sending hours are shown"
    );

    // The count follows the audience and the branches, as htmx asks.
    let toyotas = count(
        &app,
        &browser,
        &[("_csrf", &csrf), ("audience_make", "toyota")],
    )
    .await;
    assert!(!toyotas.contains("<html"), "a fragment");
    assert_eq!(recipients(&toyotas), 2);
    let in_mombasa = count(
        &app,
        &browser,
        &[
            ("_csrf", &csrf),
            ("site_ids", &mombasa),
            ("audience_make", "toyota"),
        ],
    )
    .await;
    assert_eq!(recipients(&in_mombasa), 0);
    let bad_year = count(
        &app,
        &browser,
        &[("_csrf", &csrf), ("audience_year_from", "20x5")],
    )
    .await;
    assert!(bad_year.contains("must be a year"), "{bad_year}");
    let backwards = count(
        &app,
        &browser,
        &[
            ("_csrf", &csrf),
            ("audience_year_from", "2020"),
            ("audience_year_to", "2010"),
        ],
    )
    .await;
    assert!(
        backwards.contains("must not be before year_from"),
        "{backwards}"
    );

    // No title: the form again with its error and what was typed; nothing
    // written.
    let form = |title: &'static str, when: &'static str, send_at: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("title", title.to_string()),
            ("body", "Pads and discs, 10% off this month.".to_string()),
            ("title_sw", "Punguzo la breki".to_string()),
            (
                "body_sw",
                "Pedi na diski, punguzo la 10% mwezi huu.".to_string(),
            ),
            ("site_ids", nairobi.clone()),
            ("audience_make", "Toyota".to_string()),
            ("when", when.to_string()),
            ("send_at", send_at.to_string()),
        ]
    };
    let typed = form("", "later", "2026-12-04T09:00");
    let pairs: Vec<(&str, &str)> = typed.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = browser.post("/promotions", &pairs).await;
    assert_eq!(refused.status_code(), 422, "{}", refused.text());
    let html = refused.text();
    assert!(html.contains("id=\"promotion-title-error\""), "{html}");
    assert!(html.contains("Pedi na diski"), "what was typed is kept");
    assert_eq!(recipients(&html), 2, "the count is of what was typed");
    let listed: Value = app.get("/api/promotions", &owner).await.json();
    assert_eq!(listed["total"], 0);
    // Later, without a time: said by the field.
    let typed = form("Brakes", "later", "");
    let pairs: Vec<(&str, &str)> = typed.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let no_time = browser.post("/promotions", &pairs).await;
    assert_eq!(no_time.status_code(), 422);
    assert!(no_time.text().contains("id=\"promotion-send-at-error\""));

    // Scheduled for 09:00 Nairobi time, three days on.
    let typed = form("Brakes", "later", "2026-12-04T09:00");
    let pairs: Vec<(&str, &str)> = typed.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let scheduled = browser.post("/promotions", &pairs).await;
    assert_eq!(scheduled.status_code(), 303, "{}", scheduled.text());
    let page = location(&scheduled);
    assert!(page.ends_with("?notice=promotion-scheduled"), "{page}");
    let id = page
        .trim_start_matches("/promotions/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let promotion: Value = app
        .get(&format!("/api/promotions/{id}"), &owner)
        .await
        .json();
    assert_eq!(promotion["status"], "scheduled");
    assert_eq!(promotion["send_at"], "2026-12-04T06:00:00Z");
    assert_eq!(promotion["title_sw"], "Punguzo la breki");
    assert_eq!(promotion["audience"]["make"], "Toyota");
    let shown = browser.get(&page).await.text();
    assert!(shown.contains("Pedi na diski"), "{shown}");
    // Called off from its page.
    let cancelled = browser
        .post(&format!("/promotions/{id}/cancel"), &[("_csrf", &csrf)])
        .await;
    assert_eq!(cancelled.status_code(), 303, "{}", cancelled.text());
    let promotion: Value = app
        .get(&format!("/api/promotions/{id}"), &owner)
        .await
        .json();
    assert_eq!(promotion["status"], "cancelled");
    let again = browser
        .post(&format!("/promotions/{id}/send"), &[("_csrf", &csrf)])
        .await;
    assert_eq!(
        again.status_code(),
        409,
        "a called-off promotion is not sent"
    );

    // Sent now: its two Toyota owners are its recipients.
    let typed = form("Brakes", "now", "");
    let pairs: Vec<(&str, &str)> = typed.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let sent = browser.post("/promotions", &pairs).await;
    assert_eq!(sent.status_code(), 303, "{}", sent.text());
    let page = location(&sent);
    assert!(page.ends_with("?notice=promotion-sent"), "{page}");
    let shown = browser.get(&page).await.text();
    assert!(shown.contains("data-figure=\"recipients\">2<"), "{shown}");
    let list = browser.get("/promotions").await.text();
    assert!(list.contains("Brakes"));

    // Not the technician's, nor a Mombasa manager's (it is Nairobi's).
    let mut floor = Browser::new(&app);
    floor.sign_in(&technician.email).await;
    assert_eq!(floor.get("/promotions").await.status_code(), 404);
    assert_eq!(floor.get("/promotions/new").await.status_code(), 404);
    let mut theirs = Browser::new(&app);
    theirs.sign_in(&mombasa_manager.email).await;
    assert_eq!(theirs.get(&page).await.status_code(), 404);
    let preview = app
        .post("/api/promotions/preview", &technician, &json!({}))
        .await;
    assert_eq!(preview.status_code(), 403, "{}", preview.text());
}
