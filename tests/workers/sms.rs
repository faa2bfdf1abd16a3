//! Text messages through a fake gateway on a real port (Africa's Talking's
//! and Twilio's HTTP APIs): for customers without email or who prefer
//! texts, one segment where the words allow, once each, in the same
//! ledger as mail.

use std::time::Duration;

use karakana::{app::App, messages::sms::segments};
use loco_rs::{boot::run_task, task};
use serde_json::{json, Value};

use crate::support::{
    id_of,
    sms::{FakeGateway, Mode},
    smtp::SmtpSink,
    unique, Session, TestApp,
};

/// 10:00 in Nairobi, past the reminder hour; a service falls due on the
/// 4th.
const NOW: &str = "2026-12-01T07:00:00Z";

struct Shop {
    gateway: FakeGateway,
    sink: SmtpSink,
    app: TestApp,
    owner: Session,
    site: String,
}

impl Shop {
    async fn open(sms: impl FnOnce(&FakeGateway) -> Value) -> Self {
        let gateway = FakeGateway::start().await;
        let sink = SmtpSink::start();
        let app = TestApp::spawn_with_settings(
            json!({"clock": NOW, "mail": sink.settings(), "sms": sms(&gateway)}),
        )
        .await;
        let owner = app.owner("Kamau Motors").await;
        let site = app.site(&owner, "NBO").await;
        Self {
            gateway,
            sink,
            app,
            owner,
            site,
        }
    }

    /// A customer with `contact` and a vehicle due a service on the 4th.
    async fn customer(&self, contact: Value) -> (String, String) {
        let mut body = json!({"name": "Baraka Mwita", "home_site_id": self.site});
        body.as_object_mut()
            .unwrap()
            .extend(contact.as_object().unwrap().clone());
        let response = self.app.post("/api/customers", &self.owner, &body).await;
        assert_eq!(response.status_code(), 201, "{}", response.text());
        let customer = id_of(&response.json());
        let response = self
            .app
            .post(
                "/api/vehicles",
                &self.owner,
                &json!({"customer_id": customer, "plate": format!("KC{}", &unique()[..5]).to_uppercase(),
                        "make": "Toyota", "model": "Probox", "service_interval_months": 6,
                        "last_service_on": "2026-06-04"}),
            )
            .await;
        assert_eq!(response.status_code(), 201, "{}", response.text());
        (customer, id_of(&response.json()))
    }

    async fn task(&self, name: &str) {
        run_task::<App>(
            &self.app.ctx,
            Some(&name.to_string()),
            &task::Vars::default(),
        )
        .await
        .expect("the task runs");
    }

    async fn deliveries(&self, customer: &str) -> Vec<Value> {
        let response = self
            .app
            .get(
                &format!("/api/customers/{customer}/deliveries"),
                &self.owner,
            )
            .await;
        assert_eq!(response.status_code(), 200, "{}", response.text());
        response.json::<Value>()["items"]
            .as_array()
            .unwrap()
            .clone()
    }
}

#[tokio::test]
#[ignore = "needs python3-aiosmtpd (a real SMTP server)"]
async fn a_customer_without_email_is_texted_once_in_one_segment_through_africas_talking() {
    let shop = Shop::open(FakeGateway::africas_talking).await;
    let (customer, _) = shop.customer(json!({"phone": "+254722111222"})).await;
    let (_, _) = shop
        .customer(json!({"phone": "+254733444555", "email": "njeri@example.com"}))
        .await;

    shop.task("send_service_reminders").await;
    shop.task("send_service_reminders").await;

    let texts = shop.gateway.messages();
    assert_eq!(texts.len(), 1, "one text, once: {texts:#?}");
    let text = &texts[0];
    assert_eq!(text["to"], "+254722111222");
    assert_eq!(text["from"], "KAMAU");
    assert_eq!(text["username"], "kamau");
    let body = text["body"].as_str().unwrap();
    assert!(
        body.starts_with("Branch NBO: KC")
            && body.contains("is due for its service on 4 December 2026"),
        "{body}"
    );
    assert_eq!(segments(body), 1, "{body}");
    // The customer with an email address was mailed instead.
    assert_eq!(shop.sink.wait_for(1, Duration::from_secs(2)).len(), 1);

    let ledger = shop.deliveries(&customer).await;
    assert_eq!(ledger.len(), 1, "{ledger:#?}");
    assert_eq!(ledger[0]["channel"], "sms");
    assert_eq!(ledger[0]["status"], "sent");
    assert_eq!(ledger[0]["recipient"], "+254722111222");
    assert_eq!(ledger[0]["segments"], 1, "what the text cost: {ledger:#?}");
}

#[tokio::test]
#[ignore = "needs python3-aiosmtpd (a real SMTP server)"]
async fn a_refused_number_is_settled_and_a_gateway_that_is_down_is_tried_again() {
    let shop = Shop::open(FakeGateway::africas_talking).await;
    let (refused, _) = shop.customer(json!({"phone": "+254722111222"})).await;
    shop.gateway.set_mode(Mode::RefuseNumbers);
    shop.task("send_service_reminders").await;
    let ledger = shop.deliveries(&refused).await;
    assert_eq!(ledger[0]["status"], "failed", "{ledger:#?}");
    assert!(
        ledger[0]["error"]
            .as_str()
            .unwrap()
            .contains("InvalidPhoneNumber"),
        "the ledger says why: {ledger:#?}"
    );
    shop.gateway.set_mode(Mode::Accept);
    shop.task("send_service_reminders").await;
    assert!(
        shop.gateway.messages().is_empty(),
        "a number refused for good is not tried again"
    );

    let (waiting, _) = shop.customer(json!({"phone": "+254733000111"})).await;
    shop.gateway.set_mode(Mode::Down);
    shop.task("send_service_reminders").await;
    let ledger = shop.deliveries(&waiting).await;
    assert_eq!(ledger[0]["status"], "failed", "{ledger:#?}");
    assert!(ledger[0]["error"].as_str().unwrap().contains("503"));
    shop.gateway.set_mode(Mode::Accept);
    // Its job's retry sends it; a sweep takes it only once it looks lost.
    shop.app.advance_clock(chrono::TimeDelta::hours(3));
    shop.task("send_service_reminders").await;
    let texts = shop.gateway.messages();
    assert_eq!(texts.len(), 1, "{texts:#?}");
    assert_eq!(texts[0]["to"], "+254733000111");
    assert_eq!(shop.deliveries(&waiting).await[0]["status"], "sent");
}

#[tokio::test]
#[ignore = "needs python3-aiosmtpd (a real SMTP server)"]
async fn twilio_whatsapp_carries_estimates_job_news_and_promotions_to_those_who_prefer_texts() {
    let shop = Shop::open(|gateway| gateway.twilio(true)).await;
    let technician = shop
        .app
        .staff(&shop.owner, "technician", &[&shop.site])
        .await;
    let order = shop
        .app
        .claimed_order(&shop.owner, &shop.site, &technician)
        .await;
    let detail: Value = shop
        .app
        .get(&format!("/api/repair-orders/{order}"), &shop.owner)
        .await
        .json();
    let customer = detail["customer"]["id"].as_str().unwrap().to_string();
    let response = shop
        .app
        .patch(
            &format!("/api/customers/{customer}"),
            &shop.owner,
            &json!({"email": "fleet@example.com", "prefers_sms": true, "marketing_opt_in": true}),
        )
        .await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
    assert_eq!(response.json::<Value>()["prefers_sms"], true);
    let response = shop
        .app
        .post(
            &format!("/api/repair-orders/{order}/labor"),
            &technician,
            &json!({"description": "Brake pads fitted", "hours": "1.5", "rate": "2000"}),
        )
        .await;
    assert_eq!(response.status_code(), 201, "{}", response.text());

    let response = shop
        .app
        .post(
            &format!("/api/repair-orders/{order}/estimate/send"),
            &shop.owner,
            &json!({}),
        )
        .await;
    assert_eq!(response.status_code(), 202, "{}", response.text());
    let texts = shop.gateway.messages();
    let estimate = texts
        .iter()
        .find(|text| text["body"].as_str().unwrap().contains("estimate for"))
        .unwrap_or_else(|| panic!("{texts:#?}"));
    assert_eq!(estimate["gateway"], "twilio");
    assert_eq!(estimate["to"], "whatsapp:+254712345678");
    assert_eq!(estimate["from"], "whatsapp:+14155550100");
    let body = estimate["body"].as_str().unwrap();
    assert!(body.contains("KES 3,480.00"), "{body}");
    let link = body
        .split_whitespace()
        .find(|word| word.contains("/e/"))
        .unwrap()
        .trim_start_matches("http://localhost");
    assert_eq!(shop.app.server.get(link).await.status_code(), 200);
    assert_eq!(segments(body), 1, "one segment: {body}");

    // A promotion reaches them by text too, with its way out.
    let response = shop
        .app
        .post(
            "/api/promotions",
            &shop.owner,
            &json!({"title": "Free wash with every service", "body": "Until 24 December.", "send_at": NOW}),
        )
        .await;
    assert_eq!(response.status_code(), 201, "{}", response.text());
    shop.task("send_due_promotions").await;
    let texts = shop.gateway.messages();
    let offer = texts
        .iter()
        .find(|text| text["body"].as_str().unwrap().contains("Free wash"))
        .unwrap_or_else(|| panic!("{texts:#?}"));
    let body = offer["body"].as_str().unwrap();
    assert!(body.contains("/u/"), "{body}");
    assert!(
        body.contains("Until 24 December"),
        "what the offer is: {body}"
    );
    assert_eq!(segments(body), 1, "{body}");

    // Job news: ready for collection.
    let response = shop.app.transition(&technician, &order, "completed").await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
    let texts = shop.gateway.messages();
    assert!(
        texts.iter().any(|text| text["body"]
            .as_str()
            .unwrap()
            .contains("is ready for collection")),
        "{texts:#?}"
    );
    assert!(
        shop.sink.messages().is_empty(),
        "nothing went by email to a customer who prefers texts"
    );
    let ledger = shop.deliveries(&customer).await;
    assert!(
        ledger.iter().all(|delivery| delivery["channel"] == "sms"),
        "{ledger:#?}"
    );
}

#[tokio::test]
#[ignore = "needs python3-aiosmtpd (a real SMTP server)"]
async fn a_sign_in_link_asked_for_by_phone_number_is_texted_there_in_one_segment() {
    let shop = Shop::open(FakeGateway::africas_talking).await;
    // The customer has both; they typed their number, so it is texted.
    let (customer, _) = shop
        .customer(json!({"phone": "+254722111222", "email": "baraka@example.com"}))
        .await;
    let mut browser = crate::support::pages::Browser::new(&shop.app);
    let form = browser.get("/portal").await;
    let csrf = crate::support::pages::csrf_of(&form.text());
    let asked = browser
        .post(
            "/portal/link",
            &[("_csrf", &csrf), ("contact", "0722 111 222")],
        )
        .await;
    assert_eq!(asked.status_code(), 200, "{}", asked.text());

    let texts = shop.gateway.messages();
    assert_eq!(texts.len(), 1, "{texts:#?}");
    assert_eq!(texts[0]["to"], "+254722111222");
    let body = texts[0]["body"].as_str().unwrap();
    assert_eq!(segments(body), 1, "{body}");
    let link = body
        .split_whitespace()
        .find(|word| word.contains("/p/"))
        .unwrap_or_else(|| panic!("the link in {body}"))
        .trim_start_matches("http://localhost")
        .to_string();
    assert!(
        shop.sink.wait_for(1, Duration::from_millis(300)).is_empty(),
        "no mail: the link went where it was asked for"
    );
    let deliveries = shop.deliveries(&customer).await;
    let links: Vec<&Value> = deliveries
        .iter()
        .filter(|delivery| delivery["kind"] == "portal_link")
        .collect();
    assert_eq!(links.len(), 1, "{deliveries:#?}");
    assert_eq!(links[0]["channel"], "sms");
    assert_eq!(links[0]["status"], "sent");

    // The texted link signs in.
    let page = browser.get(&link).await;
    assert_eq!(page.status_code(), 200, "{}", page.text());
    let csrf = crate::support::pages::csrf_of(&page.text());
    let signed_in = browser.post(&link, &[("_csrf", &csrf)]).await;
    assert_eq!(signed_in.status_code(), 303, "{}", signed_in.text());
    assert!(browser
        .get("/portal")
        .await
        .text()
        .contains("Hello, Baraka Mwita"));
}
