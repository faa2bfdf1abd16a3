//! Estimates: staff send one, `SendEstimate` mails a signed link through a
//! real SMTP server, and the customer approves or declines each line on the
//! page it opens; the lines, the order's history and the advisor hear it.

use std::time::Duration;

use karakana::models::clock::Clock;
use serde_json::{json, Value};

use crate::support::{assert_error, smtp::SmtpSink, Session, TestApp};

const NOW: &str = "2026-12-01T07:00:00Z";

struct Estimate {
    sink: SmtpSink,
    app: TestApp,
    owner: Session,
    technician: Session,
    order: String,
}

impl Estimate {
    /// An order in progress with a labour line and a part line, for a
    /// customer with an email address.
    async fn open() -> Self {
        let sink = SmtpSink::start();
        let app =
            TestApp::spawn_with_settings(json!({"clock": NOW, "mail": sink.settings()})).await;
        let owner = app.owner("Kamau Motors").await;
        let site = app.site(&owner, "NBO").await;
        let technician = app.staff(&owner, "technician", &[&site]).await;
        let order = app.claimed_order(&owner, &site, &technician).await;
        app.order_customer(
            &owner,
            &order,
            &json!({"email": "achieng@example.com", "language": "sw"}),
        )
        .await;
        let response = app
            .post(
                &format!("/api/repair-orders/{order}/labor"),
                &technician,
                &json!({"description": "Brake pads fitted", "hours": "1.5", "rate": "2000"}),
            )
            .await;
        assert_eq!(response.status_code(), 201, "{}", response.text());
        let product = app.product(&owner, &site, "PAD-01", "10", "1500.00").await;
        let response = app.add_part(&technician, &order, &product, "2").await;
        assert_eq!(response.status_code(), 201, "{}", response.text());
        Self {
            sink,
            app,
            owner,
            technician,
            order,
        }
    }

    async fn send(&self, by: &Session) -> axum_test::TestResponse {
        self.app
            .post(
                &format!("/api/repair-orders/{}/estimate/send", self.order),
                by,
                &json!({}),
            )
            .await
    }

    /// The link in the estimate email, as a path on this server.
    fn link(&self) -> String {
        let messages = self.sink.wait_for(1, Duration::from_secs(2));
        assert_eq!(messages.len(), 1, "{messages:#?}");
        let text = messages[0]["text"].as_str().unwrap();
        let url = text
            .split_whitespace()
            .find(|word| word.contains("/e/"))
            .expect("the link is in the text");
        url.trim_start_matches("http://localhost").to_string()
    }

    async fn detail(&self) -> Value {
        self.app
            .get(&format!("/api/repair-orders/{}", self.order), &self.owner)
            .await
            .json()
    }

    /// How many "the customer decided" notifications the owner has.
    async fn decided_notifications(&self) -> usize {
        let notifications: Value = self.app.get("/api/notifications", &self.owner).await.json();
        notifications["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|item| item["kind"] == "estimate_decided")
            .count()
    }

    async fn submit(&self, path: &str, form: &str) -> axum_test::TestResponse {
        self.app
            .server
            .post(path)
            .content_type("application/x-www-form-urlencoded")
            .bytes(form.to_string().into())
            .await
    }
}

#[tokio::test]
#[ignore = "needs python3-aiosmtpd (a real SMTP server)"]
async fn the_customer_approves_and_declines_lines_through_the_emailed_link() {
    let shop = Estimate::open().await;
    let response = shop.send(&shop.owner).await;
    assert_eq!(response.status_code(), 202, "{}", response.text());

    let messages = shop.sink.wait_for(1, Duration::from_secs(2));
    let message = &messages[0];
    assert_eq!(message["rcpt_tos"], json!(["achieng@example.com"]));
    // 1.5 h × 2000 + 2 × 1500 = 6000, and 16 % tax.
    assert!(
        message["subject"]
            .as_str()
            .unwrap()
            .starts_with("Makadirio ya "),
        "in the customer's language: {}",
        message["subject"]
    );
    assert!(
        message["text"].as_str().unwrap().contains("KES 6,960.00"),
        "{}",
        message["text"]
    );
    let path = shop.link();

    let page = shop.app.server.get(&path).await;
    assert_eq!(page.status_code(), 200);
    let html = page.text();
    assert!(html.contains("Brake pads fitted") && html.contains("Part PAD-01"));
    assert!(html.contains("6,960.00"), "{html}");

    let detail = shop.detail().await;
    let labour = detail["labor"][0]["id"].as_str().unwrap().to_string();
    let part = detail["parts"][0]["id"].as_str().unwrap().to_string();
    let done = shop
        .submit(
            &path,
            &format!("line.{labour}=approved&line.{part}=declined&note=Pads+only%2C+please"),
        )
        .await;
    assert_eq!(done.status_code(), 200, "{}", done.text());
    assert!(done.text().contains("Asante"), "{}", done.text());
    // Declined parts are left out of the total: 3000 + 16 %.
    assert!(done.text().contains("3,480.00"), "{}", done.text());

    let detail = shop.detail().await;
    assert_eq!(detail["labor"][0]["approval"], "approved");
    assert_eq!(detail["labor"][0]["decided"]["source"], "customer");
    assert_eq!(detail["labor"][0]["decided"]["by"], Value::Null);
    assert_eq!(detail["labor"][0]["decided"]["note"], "Pads only, please");
    assert_eq!(detail["parts"][0]["approval"], "declined");
    assert_eq!(
        detail["parts"][0]["holds_stock"], false,
        "a declined part goes back on the shelf"
    );

    // Whoever opened the order is told.
    let notifications: Value = shop.app.get("/api/notifications", &shop.owner).await.json();
    let told = notifications["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["kind"] == "estimate_decided")
        .unwrap_or_else(|| panic!("{notifications}"));
    assert!(
        told["title"]
            .as_str()
            .unwrap()
            .contains("approved 1 and declined 1"),
        "{told}"
    );
    // And the audit trail says the customer did it.
    let audit: Value = shop
        .app
        .get("/api/audit-events?per_page=200", &shop.owner)
        .await
        .json();
    let entries: Vec<&Value> = audit["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{audit}"))
        .iter()
        .filter(|entry| entry["action"] == "estimate_line.decided")
        .collect();
    assert_eq!(entries.len(), 2, "{audit}");
    assert!(entries
        .iter()
        .all(|entry| entry["details"]["by"] == "customer"));

    // Sending the same decision again changes nothing and tells no one.
    let again = shop.submit(&path, &format!("line.{labour}=approved")).await;
    assert_eq!(again.status_code(), 200);
    assert_eq!(shop.decided_notifications().await, 1);

    // Bad forms change nothing.
    for form in [
        String::new(),
        format!("line.{labour}=maybe"),
        "line.not-a-uuid=approved".to_string(),
        format!("line.{}=approved", uuid::Uuid::new_v4()),
        format!("line.{labour}=declined&note={}", "x".repeat(501)),
    ] {
        let response = shop.submit(&path, &form).await;
        assert_eq!(response.status_code(), 422, "{form}: {}", response.text());
        assert!(
            response.text().contains("Chagua") || response.text().contains("Ujumbe ni mrefu"),
            "said in the customer's Kiswahili: {}",
            response.text()
        );
    }
    assert_eq!(shop.detail().await["labor"][0]["approval"], "approved");
}

#[tokio::test]
#[ignore = "needs python3-aiosmtpd (a real SMTP server)"]
async fn a_link_is_refused_when_forged_expired_or_the_order_closed() {
    let shop = Estimate::open().await;
    assert_error(&shop.send(&shop.technician).await, 403, "forbidden");
    let response = shop.send(&shop.owner).await;
    assert_eq!(response.status_code(), 202, "{}", response.text());
    let path = shop.link();

    let forged = shop.app.server.get(&format!("{path}x")).await;
    assert_eq!(forged.status_code(), 404);
    assert!(forged
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("text/html"));

    // Completed, the estimate can be read but no longer changed.
    let detail = shop.detail().await;
    let labour = detail["labor"][0]["id"].as_str().unwrap().to_string();
    let response = shop
        .app
        .transition(&shop.technician, &shop.order, "completed")
        .await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
    let page = shop.app.server.get(&path).await;
    assert_eq!(page.status_code(), 200);
    assert!(!page.text().contains("<form"), "{}", page.text());
    let refused = shop.submit(&path, &format!("line.{labour}=declined")).await;
    assert_eq!(refused.status_code(), 409, "{}", refused.text());
    assert_error(&shop.send(&shop.owner).await, 409, "conflict");

    // Fifteen days on, the link has expired.
    shop.app
        .ctx
        .shared_store
        .insert(Clock::Fixed("2026-12-16T07:00:00Z".parse().unwrap()));
    assert_eq!(shop.app.server.get(&path).await.status_code(), 404);
}

/// A form body is held to the rule JSON bodies are: a NUL (which
/// PostgreSQL cannot store) or another control character is the page's 422,
/// with the estimate as it was, and nothing is recorded.
#[tokio::test]
#[ignore = "needs python3-aiosmtpd (a real SMTP server)"]
async fn a_nul_or_control_character_in_the_form_is_a_422_page_and_changes_nothing() {
    let shop = Estimate::open().await;
    let response = shop.send(&shop.owner).await;
    assert_eq!(response.status_code(), 202, "{}", response.text());
    let path = shop.link();
    let detail = shop.detail().await;
    let labour = detail["labor"][0]["id"].as_str().unwrap().to_string();

    for note in ["brakes%00squeal", "brakes%07squeal", "ok", "%1B"] {
        let (field, value) = if note == "ok" {
            ("note%00", "fine")
        } else {
            ("note", note)
        };
        let refused = shop
            .submit(&path, &format!("line.{labour}=declined&{field}={value}"))
            .await;
        assert_eq!(refused.status_code(), 422, "{note}: {}", refused.text());
        assert!(
            refused.text().contains("<form"),
            "the form again: {}",
            refused.text()
        );
    }
    let detail = shop.detail().await;
    assert_eq!(detail["labor"][0]["approval"], "pending", "nothing decided");
    assert_eq!(shop.decided_notifications().await, 0);

    let accepted = shop
        .submit(
            &path,
            &format!("line.{labour}=declined&note=Line%201%0D%0ALine%202%09ok"),
        )
        .await;
    assert_eq!(accepted.status_code(), 200, "{}", accepted.text());
    assert_eq!(shop.detail().await["labor"][0]["approval"], "declined");
}

#[tokio::test]
#[ignore = "needs python3-aiosmtpd (a real SMTP server)"]
async fn a_decision_sent_twice_at_once_releases_the_part_once() {
    let shop = Estimate::open().await;
    let response = shop.send(&shop.owner).await;
    assert_eq!(response.status_code(), 202, "{}", response.text());
    let path = shop.link();
    let detail = shop.detail().await;
    let part = detail["parts"][0]["id"].as_str().unwrap().to_string();
    let product = detail["parts"][0]["product_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(available(&shop, &product).await, "8");

    let form = format!("line.{part}=declined");
    let (first, second) = tokio::join!(shop.submit(&path, &form), shop.submit(&path, &form));
    assert_eq!(first.status_code(), 200, "{}", first.text());
    assert_eq!(second.status_code(), 200, "{}", second.text());
    assert_eq!(available(&shop, &product).await, "10", "released once");
    assert_eq!(shop.decided_notifications().await, 1, "told once");
}

#[tokio::test]
#[ignore = "needs python3-aiosmtpd (a real SMTP server)"]
async fn an_estimate_needs_lines_and_an_order_of_ones_own() {
    let shop = Estimate::open().await;
    let site = shop.app.site(&shop.owner, "MSA").await;
    let empty = shop.app.approved_order(&shop.owner, &site, "normal").await;
    assert_error(
        &shop
            .app
            .post(
                &format!("/api/repair-orders/{empty}/estimate/send"),
                &shop.owner,
                &json!({}),
            )
            .await,
        409,
        "conflict",
    );
    let stranger = shop.app.owner("Another Garage").await;
    assert_error(&shop.send(&stranger).await, 404, "not_found");
    let manager = shop.app.staff(&shop.owner, "manager", &[&site]).await;
    assert_error(&shop.send(&manager).await, 404, "not_found");
    assert!(shop.sink.wait_for(1, Duration::from_millis(300)).is_empty());
}

/// What is available of `product`, as the API says it.
async fn available(shop: &Estimate, product: &str) -> String {
    let body: Value = shop
        .app
        .get(&format!("/api/products/{product}"), &shop.owner)
        .await
        .json();
    body["available"].as_str().unwrap().to_string()
}
