//! The rules of the customer's sign-in link, without a mail server: the
//! links are read from the database and signed with the server's key, as
//! the sent message would carry them.

use chrono::TimeDelta;
use karakana::{
    messages::links::{Links, Purpose},
    models::_entities::portal_links,
};
use sea_orm::{EntityTrait, QueryOrder};
use serde_json::json;

use crate::support::{
    pages::{csrf_of, Browser},
    TestApp,
};

const NOW: &str = "2026-12-01T07:00:00Z";

async fn ask(app: &TestApp, contact: &str) -> axum_test::TestResponse {
    let mut browser = Browser::new(app);
    let form = browser.get("/portal").await;
    let csrf = csrf_of(&form.text());
    browser
        .post("/portal/link", &[("_csrf", &csrf), ("contact", contact)])
        .await
}

/// The path of the newest link asked for, as its message carries it.
async fn newest_link(app: &TestApp) -> String {
    let link = portal_links::Entity::find()
        .order_by_desc(portal_links::Column::Id)
        .one(&app.ctx.db)
        .await
        .unwrap()
        .expect("a link was made");
    let links = Links::of(&app.ctx).unwrap();
    let url = links.url(
        Purpose::Portal,
        link.pid,
        chrono::Utc::now(),
        TimeDelta::days(1),
    );
    url.split_once("/p/")
        .map(|(_, token)| format!("/p/{token}"))
        .unwrap()
}

async fn links_made(app: &TestApp) -> usize {
    portal_links::Entity::find()
        .all(&app.ctx.db)
        .await
        .unwrap()
        .len()
}

/// A customer with an email address, and the app.
async fn shop() -> (TestApp, String) {
    let app = TestApp::spawn_at(NOW).await;
    let owner = app.owner("Kamau Motors").await;
    let site = app.site(&owner, "NBO").await;
    let order = app.order(&owner, &site, "normal").await;
    let customer = app
        .order_customer(&owner, &order, &json!({"email": "achieng@example.com"}))
        .await;
    (app, customer)
}

#[tokio::test]
async fn asking_for_a_link_is_throttled_alike_for_known_and_unknown_contacts() {
    let (app, _) = shop().await;
    for contact in ["achieng@example.com", "nobody@example.com"] {
        for _ in 0..3 {
            let asked = ask(&app, contact).await;
            assert_eq!(asked.status_code(), 200, "{}", asked.text());
        }
        let fourth = ask(&app, contact).await;
        assert_eq!(fourth.status_code(), 429, "{contact}: {}", fourth.text());
        assert!(fourth.text().contains("Too many links"));
    }
    assert_eq!(
        links_made(&app).await,
        3,
        "only the known contact gets links"
    );
    // The window passes.
    app.advance_clock(TimeDelta::minutes(16));
    assert_eq!(ask(&app, "achieng@example.com").await.status_code(), 200);
}

#[tokio::test]
async fn what_is_not_an_email_or_a_phone_number_is_said_and_nothing_is_made() {
    let (app, _) = shop().await;
    for contact in ["", "   ", "not an address", "07", "+999", "a@", "\u{0}"] {
        let asked = ask(&app, contact).await;
        assert_eq!(asked.status_code(), 422, "{contact:?}: {}", asked.text());
        assert!(asked.text().contains("aria-invalid=\"true\""));
    }
    // A form without the visit's token is refused.
    let mut browser = Browser::new(&app);
    let forged = browser
        .post("/portal/link", &[("contact", "achieng@example.com")])
        .await;
    assert_eq!(forged.status_code(), 403);
    assert_eq!(links_made(&app).await, 0);
}

#[tokio::test]
async fn a_national_phone_number_finds_the_customer() {
    let (app, _) = shop().await;
    // Every test customer has +254712345678 on file.
    assert_eq!(ask(&app, "0712 345 678").await.status_code(), 200);
    assert_eq!(links_made(&app).await, 1);
    let link = portal_links::Entity::find()
        .one(&app.ctx.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(link.channel, "sms");
}

#[tokio::test]
async fn of_many_racing_uses_of_one_link_exactly_one_signs_in() {
    let (app, _) = shop().await;
    assert_eq!(ask(&app, "achieng@example.com").await.status_code(), 200);
    let path = newest_link(&app).await;
    let mut browser = Browser::new(&app);
    let page = browser.get(&path).await;
    assert_eq!(page.status_code(), 200, "{}", page.text());
    let csrf = csrf_of(&page.text());
    let body = format!("_csrf={csrf}");
    let cookies = browser.cookie_header();
    let attempts = (0..8).map(|_| async {
        app.server
            .post(&path)
            .add_header("accept", "text/html")
            .add_header("cookie", cookies.clone())
            .add_header("content-type", "application/x-www-form-urlencoded")
            .bytes(body.clone().into())
            .await
            .status_code()
            .as_u16()
    });
    let statuses: Vec<u16> = futures::future::join_all(attempts).await;
    assert_eq!(
        statuses.iter().filter(|status| **status == 303).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .all(|status| *status == 303 || *status == 404),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn a_link_expires_and_a_session_ends() {
    let (app, _) = shop().await;
    assert_eq!(ask(&app, "achieng@example.com").await.status_code(), 200);
    let late = newest_link(&app).await;
    app.advance_clock(TimeDelta::minutes(16));
    let mut browser = Browser::new(&app);
    let page = browser.get(&late).await;
    assert_eq!(page.status_code(), 404);
    assert!(page.text().contains("This link no longer works"));

    assert_eq!(ask(&app, "achieng@example.com").await.status_code(), 200);
    let path = newest_link(&app).await;
    let page = browser.get(&path).await;
    let csrf = csrf_of(&page.text());
    assert_eq!(
        browser.post(&path, &[("_csrf", &csrf)]).await.status_code(),
        303
    );
    assert!(browser.get("/portal").await.text().contains("Hello,"));
    app.advance_clock(TimeDelta::hours(13));
    let after = browser.get("/portal").await;
    assert!(after.text().contains("name=\"contact\""), "signed out");
    // A forged or mangled token is the same page as a used one.
    for path in ["/p/x", "/p/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "/p/%00"] {
        let response = browser.get(path).await;
        assert_eq!(response.status_code(), 404, "{path}");
    }
}

#[tokio::test]
async fn a_staff_session_is_not_a_customer_session() {
    let (app, _) = shop().await;
    let mut browser = Browser::new(&app);
    let owner = app.owner("Another garage").await;
    browser.sign_in(&owner.email).await;
    let page = browser.get("/portal").await;
    assert_eq!(page.status_code(), 200);
    assert!(page.text().contains("name=\"contact\""));
    // And a portal cookie made of anything else opens nothing.
    browser
        .cookies
        .insert("karakana_portal".to_string(), owner.token.clone());
    assert!(browser
        .get("/portal")
        .await
        .text()
        .contains("name=\"contact\""));
    for path in ["/portal/invoices/00000000-0000-0000-0000-000000000000"] {
        let response = browser.get(path).await;
        assert_eq!(response.status_code(), 303, "to the sign-in form: {path}");
    }
}
