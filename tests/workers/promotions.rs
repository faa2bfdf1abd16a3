//! Promotions through a real SMTP server: only to customers who agreed,
//! only inside 08:00–20:00 at the branch, once each, with a one-click
//! unsubscribe that the next promotion honours, and never past the
//! organization's daily cap.

use std::time::Duration;

use futures::future::join_all;
use karakana::{
    app::App,
    models::{_entities::organizations, clock::Clock},
};
use loco_rs::{boot::run_task, task};
use sea_orm::{sea_query::Expr, EntityTrait};
use serde_json::{json, Value};

use crate::support::{assert_error, id_of, smtp::SmtpSink, unique, Session, TestApp};

/// 10:00 in Nairobi.
const MORNING: &str = "2026-12-01T07:00:00Z";
/// 22:00 in Nairobi: quiet hours.
const NIGHT: &str = "2026-12-01T19:00:00Z";

struct Shop {
    sink: SmtpSink,
    app: TestApp,
    owner: Session,
    site: String,
}

impl Shop {
    async fn open(now: &str) -> Self {
        let sink = SmtpSink::start();
        let app =
            TestApp::spawn_with_settings(json!({"clock": now, "mail": sink.settings()})).await;
        let owner = app.owner("Kamau Motors").await;
        let site = app.site(&owner, "NBO").await;
        Self {
            sink,
            app,
            owner,
            site,
        }
    }

    /// A customer of `site` (`extra` fields added) with a vehicle of `make`.
    async fn customer(&self, site: &str, extra: Value, make: &str, year: i32) -> String {
        self.customer_and_vehicle(site, extra, make, year).await.0
    }

    async fn customer_and_vehicle(
        &self,
        site: &str,
        extra: Value,
        make: &str,
        year: i32,
    ) -> (String, String) {
        let mut body = json!({"name": format!("Customer {}", unique()), "home_site_id": site,
                              "phone": "+254712345678"});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let response = self.app.post("/api/customers", &self.owner, &body).await;
        assert_eq!(response.status_code(), 201, "{}", response.text());
        let customer = id_of(&response.json());
        let response = self
            .app
            .post(
                "/api/vehicles",
                &self.owner,
                &json!({"customer_id": customer, "plate": format!("KD{}", &unique()[..5]).to_uppercase(),
                        "make": make, "model": "Fit", "year": year}),
            )
            .await;
        assert_eq!(response.status_code(), 201, "{}", response.text());
        (customer, id_of(&response.json()))
    }

    async fn promotion(&self, by: &Session, body: Value) -> Value {
        let response = self.app.post("/api/promotions", by, &body).await;
        assert_eq!(response.status_code(), 201, "{}", response.text());
        response.json()
    }

    /// `POST /api/promotions/{promotion}/{action}` as the owner.
    async fn act(&self, promotion: &str, action: &str) -> axum_test::TestResponse {
        self.app
            .post(
                &format!("/api/promotions/{promotion}/{action}"),
                &self.owner,
                &json!({}),
            )
            .await
    }

    async fn show(&self, promotion: &str) -> Value {
        let response = self
            .app
            .get(&format!("/api/promotions/{promotion}"), &self.owner)
            .await;
        assert_eq!(response.status_code(), 200, "{}", response.text());
        response.json()
    }

    async fn sweep(&self) {
        run_task::<App>(
            &self.app.ctx,
            Some(&"send_due_promotions".to_string()),
            &task::Vars::default(),
        )
        .await
        .expect("the sweep runs");
    }

    fn set_clock(&self, now: &str) {
        self.app
            .ctx
            .shared_store
            .insert(Clock::Fixed(now.parse().unwrap()));
    }

    async fn set_cap(&self, cap: i32) {
        organizations::Entity::update_many()
            .col_expr(organizations::Column::PromotionDailyCap, Expr::value(cap))
            .exec(&self.app.ctx.db)
            .await
            .unwrap();
    }
}

fn opted_in(email: &str) -> Value {
    json!({"email": email, "marketing_opt_in": true})
}

#[tokio::test]
#[ignore = "needs python3-aiosmtpd (a real SMTP server)"]
async fn a_promotion_reaches_its_consenting_audience_once_and_unsubscribing_is_one_click() {
    let shop = Shop::open(MORNING).await;
    let site = shop.site.clone();
    let toyota = shop
        .customer(&site, opted_in("achieng@example.com"), "Toyota", 2015)
        .await;
    shop.customer(&site, opted_in("baraka@example.com"), "Honda", 2015)
        .await;
    // Toyotas whose owners did not agree, or have no address, or are too old.
    shop.customer(
        &site,
        json!({"email": "chebet@example.com"}),
        "Toyota",
        2015,
    )
    .await;
    shop.customer(&site, json!({"marketing_opt_in": true}), "Toyota", 2015)
        .await;
    shop.customer(&site, opted_in("daudi@example.com"), "Toyota", 2004)
        .await;

    let promotion = shop
        .promotion(
            &shop.owner,
            json!({"title": "10% off Toyota brake service", "body": "Bring your Toyota in before Christmas.\n\nPads & discs <10% off>.",
                   "send_at": MORNING, "site_ids": [site],
                   "audience": {"make": "toyota", "year_from": 2010}}),
        )
        .await;
    let id = id_of(&promotion);
    assert_eq!(promotion["status"], "scheduled");
    assert_eq!(promotion["recipients"], 1, "{promotion}");
    let preview = shop.act(&id, "preview").await;
    assert_eq!(preview.status_code(), 200, "{}", preview.text());
    let preview: Value = preview.json();
    assert_eq!(
        preview,
        json!({"recipients": 1, "daily_cap": 1000, "used_today": 0,
               "send_from_hour": 8, "send_until_hour": 20})
    );

    let sent = shop.act(&id, "send").await;
    assert_eq!(sent.status_code(), 200, "{}", sent.text());
    let sent: Value = sent.json();
    // Its one message went out with the launch: nothing is owed.
    assert_eq!(sent["status"], "sent", "{sent}");
    shop.sweep().await;
    shop.sweep().await;
    let messages = shop.sink.wait_for(2, Duration::from_millis(500));
    assert_eq!(messages.len(), 1, "one message, once: {messages:#?}");
    let message = &messages[0];
    assert_eq!(message["rcpt_tos"], json!(["achieng@example.com"]));
    assert_eq!(
        message["subject"],
        "10% off Toyota brake service — Branch NBO"
    );
    assert!(message["html"]
        .as_str()
        .unwrap()
        .contains("Pads &amp; discs &lt;10% off&gt;."));
    let header = message["headers"]["list-unsubscribe"].as_str().unwrap();
    assert_eq!(
        message["headers"]["list-unsubscribe-post"],
        "List-Unsubscribe=One-Click"
    );
    let url = header.trim_start_matches('<').trim_end_matches('>');
    assert!(
        message["text"].as_str().unwrap().contains(url),
        "the text carries the link too"
    );
    let counts = shop.show(&id).await;
    assert_eq!(
        (
            &counts["recipients"],
            &counts["sent"],
            &counts["failed"],
            &counts["skipped"]
        ),
        (&json!(1), &json!(1), &json!(0), &json!(0)),
        "{counts}"
    );

    // The page asks; a mail client's one-click POST unsubscribes.
    let path = url.trim_start_matches("http://localhost");
    let page = shop.app.server.get(path).await;
    assert_eq!(page.status_code(), 200);
    assert!(
        page.text().contains("Unsubscribe from offers"),
        "{}",
        page.text()
    );
    let done = shop
        .app
        .server
        .post(path)
        .content_type("application/x-www-form-urlencoded")
        .bytes("List-Unsubscribe=One-Click".into())
        .await;
    assert_eq!(done.status_code(), 200);
    assert!(
        done.text().contains("You are unsubscribed"),
        "{}",
        done.text()
    );
    let customer: Value = shop
        .app
        .get(&format!("/api/customers/{toyota}"), &shop.owner)
        .await
        .json();
    assert_eq!(customer["marketing_opt_in"], false, "{customer}");
    assert_eq!(shop.show(&id).await["unsubscribed"], 1);
    // A second click changes nothing more.
    let again = shop.app.server.post(path).await;
    assert_eq!(again.status_code(), 200);
    let audit: Value = shop
        .app
        .get("/api/audit-events?per_page=200", &shop.owner)
        .await
        .json();
    let unsubscribed = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["action"] == "customer.unsubscribed")
        .count();
    assert_eq!(unsubscribed, 1, "recorded once: {audit}");
    // The same token opens no estimate.
    let token = path.trim_start_matches("/u/");
    assert_eq!(
        shop.app
            .server
            .get(&format!("/estimates/{token}"))
            .await
            .status_code(),
        404
    );

    // The next promotion to the same audience reaches nobody.
    let next = shop
        .promotion(
            &shop.owner,
            json!({"title": "Free wash", "body": "With every service.", "send_at": MORNING,
                   "audience": {"make": "Toyota", "year_from": 2010}}),
        )
        .await;
    assert_eq!(next["recipients"], 0, "{next}");
    shop.sweep().await;
    assert_eq!(shop.sink.wait_for(2, Duration::from_millis(300)).len(), 1);

    // A link that was tampered with opens nothing.
    let forged = shop
        .app
        .server
        .get(&format!("{}x", &path[..path.len() - 1]))
        .await;
    assert_eq!(forged.status_code(), 404);
    assert!(forged.text().contains("This link is not valid"));
}

#[tokio::test]
#[ignore = "needs python3-aiosmtpd (a real SMTP server)"]
async fn each_customer_gets_the_promotion_in_their_language() {
    let shop = Shop::open(MORNING).await;
    let site = shop.site.clone();
    shop.customer(
        &site,
        json!({"email": "amina@example.com", "marketing_opt_in": true, "language": "sw"}),
        "Toyota",
        2015,
    )
    .await;
    shop.customer(&site, opted_in("grace@example.com"), "Toyota", 2015)
        .await;
    // Swahili alone, or a blank Swahili body, is refused.
    let refused = shop
        .app
        .post(
            "/api/promotions",
            &shop.owner,
            &json!({"title": "Oil change", "body": "This week.", "send_at": MORNING,
                   "title_sw": "Kubadilisha mafuta", "body_sw": " "}),
        )
        .await;
    let error = assert_error(&refused, 422, "validation_failed");
    assert!(error["error"]["fields"]["body_sw"].is_array(), "{error}");
    let promotion = shop
        .promotion(
            &shop.owner,
            json!({"title": "Oil change, 10% off", "body": "This week at Branch NBO.",
                   "title_sw": "Kubadilisha mafuta, punguzo la 10%",
                   "body_sw": "Wiki hii katika tawi la NBO.", "send_at": MORNING}),
        )
        .await;
    assert_eq!(promotion["title_sw"], "Kubadilisha mafuta, punguzo la 10%");
    let sent = shop.act(&id_of(&promotion), "send").await;
    assert_eq!(sent.status_code(), 200, "{}", sent.text());
    shop.sweep().await;
    let messages = shop.sink.wait_for(2, Duration::from_secs(5));
    assert_eq!(messages.len(), 2, "{messages:#?}");
    let to = |address: &str| {
        messages
            .iter()
            .find(|message| message["rcpt_tos"] == json!([address]))
            .unwrap_or_else(|| panic!("a message to {address}"))
    };
    let swahili = to("amina@example.com");
    assert!(
        swahili["subject"]
            .as_str()
            .unwrap()
            .starts_with("Kubadilisha mafuta, punguzo la 10%"),
        "{swahili}"
    );
    assert!(swahili["text"]
        .as_str()
        .unwrap()
        .contains("Wiki hii katika tawi la NBO."));
    let english = to("grace@example.com");
    assert!(english["subject"]
        .as_str()
        .unwrap()
        .starts_with("Oil change, 10% off"));
    assert!(english["text"]
        .as_str()
        .unwrap()
        .contains("This week at Branch NBO."));
}

#[tokio::test]
#[ignore = "needs python3-aiosmtpd (a real SMTP server)"]
async fn a_customer_who_unsubscribes_after_the_launch_is_skipped_not_written_to() {
    let shop = Shop::open(NIGHT).await;
    let site = shop.site.clone();
    let customer = shop
        .customer(&site, opted_in("achieng@example.com"), "Toyota", 2015)
        .await;
    let promotion = shop
        .promotion(
            &shop.owner,
            json!({"title": "Offer", "body": "An offer.", "send_at": NIGHT}),
        )
        .await;
    let id = id_of(&promotion);
    shop.sweep().await;
    assert_eq!(shop.show(&id).await["status"], "sending");
    let response = shop
        .app
        .patch(
            &format!("/api/customers/{customer}"),
            &shop.owner,
            &json!({"marketing_opt_in": false}),
        )
        .await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
    shop.set_clock("2026-12-02T07:00:00Z");
    shop.sweep().await;
    assert!(shop.sink.wait_for(1, Duration::from_millis(300)).is_empty());
    let counts = shop.show(&id).await;
    assert_eq!(
        (&counts["sent"], &counts["skipped"]),
        (&json!(0), &json!(1)),
        "{counts}"
    );
}

#[tokio::test]
#[ignore = "needs python3-aiosmtpd (a real SMTP server)"]
async fn nothing_goes_out_in_quiet_hours_and_held_messages_go_in_the_morning() {
    let shop = Shop::open(NIGHT).await;
    let site = shop.site.clone();
    shop.customer(&site, opted_in("achieng@example.com"), "Toyota", 2015)
        .await;
    shop.customer(&site, opted_in("baraka@example.com"), "Honda", 2018)
        .await;
    let promotion = shop
        .promotion(
            &shop.owner,
            json!({"title": "Offer", "body": "An offer.", "send_at": NIGHT}),
        )
        .await;
    let id = id_of(&promotion);

    // Due and launched at 22:00, but held.
    shop.sweep().await;
    let counts = shop.show(&id).await;
    assert_eq!(counts["status"], "sending", "{counts}");
    assert_eq!(counts["recipients"], 2);
    assert_eq!(counts["sent"], 0);
    assert!(shop.sink.wait_for(1, Duration::from_millis(300)).is_empty());

    // 07:59 is still quiet; 08:00 is morning.
    shop.set_clock("2026-12-02T04:59:00Z");
    shop.sweep().await;
    assert!(shop.sink.wait_for(1, Duration::from_millis(200)).is_empty());
    shop.set_clock("2026-12-02T05:00:00Z");
    shop.sweep().await;
    shop.sweep().await;
    let messages = shop.sink.wait_for(3, Duration::from_millis(500));
    assert_eq!(messages.len(), 2, "{messages:#?}");
    assert_eq!(shop.show(&id).await["sent"], 2);
}

#[tokio::test]
#[ignore = "needs python3-aiosmtpd (a real SMTP server)"]
async fn the_daily_cap_refuses_what_would_pass_it_and_holds_a_scheduled_promotion() {
    let shop = Shop::open(MORNING).await;
    let site = shop.site.clone();
    for email in ["a@example.com", "b@example.com", "c@example.com"] {
        shop.customer(&site, opted_in(email), "Toyota", 2015).await;
    }
    shop.set_cap(4).await;
    let first = shop
        .promotion(
            &shop.owner,
            json!({"title": "One", "body": "One.", "send_at": "2026-12-20T07:00:00Z"}),
        )
        .await;
    let second = shop
        .promotion(
            &shop.owner,
            json!({"title": "Two", "body": "Two.", "send_at": MORNING}),
        )
        .await;

    let response = shop.act(&id_of(&first), "send").await;
    assert_eq!(response.status_code(), 200, "{}", response.text());

    // Three more would make six of four: refused, nothing changed.
    let response = shop.act(&id_of(&second), "send").await;
    let body = assert_error(&response, 429, "rate_limited");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("daily cap of 4") && message.contains("1 left"),
        "{message}"
    );
    assert!(response.headers().contains_key("retry-after"));
    assert_eq!(shop.show(&id_of(&second)).await["status"], "scheduled");

    // The schedule cannot answer 429: it holds the promotion, saying why.
    shop.sweep().await;
    let held = shop.show(&id_of(&second)).await;
    assert_eq!(held["status"], "held", "{held}");
    assert!(held["held_reason"].as_str().unwrap().contains("daily cap"));
    assert_eq!(shop.sink.wait_for(4, Duration::from_millis(500)).len(), 3);

    // The next day there is room again; staff send it.
    shop.set_clock("2026-12-02T07:00:00Z");
    let response = shop.act(&id_of(&second), "send").await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
    assert_eq!(shop.sink.wait_for(6, Duration::from_secs(2)).len(), 6);
}

#[tokio::test]
#[ignore = "needs python3-aiosmtpd (a real SMTP server)"]
async fn racing_sends_launch_a_promotion_once() {
    let shop = Shop::open(MORNING).await;
    let site = shop.site.clone();
    shop.customer(&site, opted_in("a@example.com"), "Toyota", 2015)
        .await;
    shop.set_cap(1).await;
    let promotion = shop
        .promotion(
            &shop.owner,
            json!({"title": "One", "body": "One.", "send_at": MORNING}),
        )
        .await;
    let path = format!("/api/promotions/{}/send", id_of(&promotion));
    let body = json!({});
    let statuses: Vec<u16> = join_all((0..6).map(|_| async {
        shop.app
            .post(&path, &shop.owner, &body)
            .await
            .status_code()
            .as_u16()
    }))
    .await;
    assert_eq!(
        statuses.iter().filter(|&&status| status == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .all(|&status| status == 200 || status == 409),
        "the losers hear it went out: {statuses:?}"
    );
    assert_eq!(shop.sink.wait_for(2, Duration::from_millis(500)).len(), 1);
}

#[tokio::test]
#[ignore = "needs python3-aiosmtpd (a real SMTP server)"]
async fn managers_promote_their_own_branches_and_bad_input_changes_nothing() {
    let shop = Shop::open(MORNING).await;
    let other_site = shop.app.site(&shop.owner, "MSA").await;
    let manager = shop.app.staff(&shop.owner, "manager", &[&shop.site]).await;
    let other_manager = shop.app.staff(&shop.owner, "manager", &[&other_site]).await;
    let advisor = shop.app.staff(&shop.owner, "advisor", &[&shop.site]).await;
    shop.customer(&shop.site, opted_in("nbo@example.com"), "Toyota", 2015)
        .await;
    shop.customer(&other_site, opted_in("msa@example.com"), "Toyota", 2015)
        .await;

    // Without site_ids a manager writes for their own branch.
    let promotion = shop
        .promotion(
            &manager,
            json!({"title": "Nairobi only", "body": "Hi.", "send_at": MORNING}),
        )
        .await;
    assert_eq!(promotion["sites"].as_array().unwrap().len(), 1);
    assert_eq!(promotion["sites"][0]["id"], shop.site.as_str());
    assert_eq!(promotion["recipients"], 1);
    let path = format!("/api/promotions/{}", id_of(&promotion));
    assert_error(&shop.app.get(&path, &other_manager).await, 404, "not_found");
    assert_error(&shop.app.get(&path, &advisor).await, 403, "forbidden");
    for action in ["send", "preview"] {
        assert_error(
            &shop
                .app
                .post(&format!("{path}/{action}"), &other_manager, &json!({}))
                .await,
            404,
            "not_found",
        );
    }
    assert_error(
        &shop.app.delete(&path, &other_manager).await,
        404,
        "not_found",
    );
    // A promotion from both branches is not a one-branch manager's.
    let both = shop
        .promotion(
            &shop.owner,
            json!({"title": "Both", "body": "Hi.", "send_at": "2026-12-20T07:00:00Z",
                   "site_ids": [shop.site, other_site]}),
        )
        .await;
    assert_error(
        &shop
            .app
            .get(&format!("/api/promotions/{}", id_of(&both)), &manager)
            .await,
        404,
        "not_found",
    );
    let response = shop
        .app
        .delete(&format!("/api/promotions/{}", id_of(&both)), &shop.owner)
        .await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
    assert_error(
        &shop
            .app
            .post(
                "/api/promotions",
                &manager,
                &json!({"title": "MSA", "body": "Hi.", "send_at": MORNING, "site_ids": [other_site]}),
            )
            .await,
        404,
        "not_found",
    );
    let listed: Value = shop.app.get("/api/promotions", &other_manager).await.json();
    assert_eq!(listed["total"], 0, "{listed}");
    let listed: Value = shop.app.get("/api/promotions", &shop.owner).await.json();
    assert_eq!(listed["total"], 2, "{listed}");

    for (body, field) in [
        (
            json!({"title": " ", "body": "Hi.", "send_at": MORNING}),
            "title",
        ),
        (
            json!({"title": "T", "body": "", "send_at": MORNING}),
            "body",
        ),
        (
            json!({"title": "T", "body": "Hi.", "send_at": "2028-01-01T00:00:00Z"}),
            "send_at",
        ),
        (
            json!({"title": "T", "body": "Hi.", "send_at": "1900-01-01T00:00:00Z"}),
            "send_at",
        ),
        (
            json!({"title": "T", "body": "Hi.", "send_at": MORNING,
                   "audience": {"year_from": 2020, "year_to": 2010}}),
            "audience.year_to",
        ),
        (
            json!({"title": "T", "body": "Hi.", "send_at": MORNING,
                   "audience": {"last_visit_before": "2026-01-01", "last_visit_after": "2026-06-01"}}),
            "audience.last_visit_after",
        ),
        (
            json!({"title": "T", "body": "Hi.", "send_at": MORNING, "organization_id": 1}),
            "organization_id",
        ),
        (
            json!({"title": "T", "body": "Hi.", "send_at": MORNING,
                   "site_ids": [shop.site, shop.site]}),
            "site_ids",
        ),
    ] {
        let response = shop.app.post("/api/promotions", &shop.owner, &body).await;
        let error = assert_error(&response, 422, "validation_failed");
        assert!(
            error["error"]["fields"].get(field).is_some(),
            "{field}: {error}"
        );
    }
    let response = shop
        .app
        .post(
            "/api/promotions",
            &shop.owner,
            &json!({"title": "T", "body": "Hi.", "send_at": "yesterday"}),
        )
        .await;
    assert!(
        [400, 422].contains(&response.status_code().as_u16()),
        "{}",
        response.text()
    );
    let listed: Value = shop.app.get("/api/promotions", &shop.owner).await.json();
    assert_eq!(listed["total"], 2, "nothing was created: {listed}");

    // Cancelled before it goes, it never goes.
    let response = shop.app.delete(&path, &manager).await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
    assert_eq!(response.json::<Value>()["status"], "cancelled");
    shop.sweep().await;
    assert!(shop.sink.wait_for(1, Duration::from_millis(300)).is_empty());
    assert_error(
        &shop
            .app
            .post(&format!("{path}/send"), &manager, &json!({}))
            .await,
        409,
        "conflict",
    );
}

#[tokio::test]
#[ignore = "needs python3-aiosmtpd (a real SMTP server)"]
async fn the_audience_follows_branches_and_last_visits() {
    let shop = Shop::open(MORNING).await;
    let nbo = shop.site.clone();
    let msa = shop.app.site(&shop.owner, "MSA").await;
    shop.customer(&nbo, opted_in("nbo@example.com"), "Toyota", 2015)
        .await;
    let (_, vehicle) = shop
        .customer_and_vehicle(&msa, opted_in("visitor@example.com"), "Toyota", 2015)
        .await;
    shop.customer(&msa, opted_in("msa@example.com"), "Toyota", 2015)
        .await;
    // The Mombasa customer who had work done in Nairobi today.
    let response = shop
        .app
        .post(
            "/api/repair-orders",
            &shop.owner,
            &json!({"site_id": nbo, "vehicle_id": vehicle, "description": "Service"}),
        )
        .await;
    assert_eq!(response.status_code(), 201, "{}", response.text());

    let count = |audience: Value, sites: Value| {
        let shop = &shop;
        async move {
            shop.promotion(
                &shop.owner,
                json!({"title": "T", "body": "B", "send_at": "2026-12-20T07:00:00Z",
                       "site_ids": sites, "audience": audience}),
            )
            .await["recipients"]
                .as_u64()
                .unwrap()
        }
    };
    assert_eq!(count(json!({}), json!([])).await, 3, "every branch");
    assert_eq!(count(json!({}), json!([nbo])).await, 2, "home or visited");
    assert_eq!(count(json!({}), json!([msa])).await, 2);
    assert_eq!(
        count(json!({"last_visit_after": "2026-11-01"}), json!([])).await,
        1
    );
    assert_eq!(
        count(json!({"last_visit_before": "2026-11-01"}), json!([])).await,
        0,
        "never visited is not a lapsed visit"
    );
    assert_eq!(
        count(json!({"last_visit_before": "2099-01-01"}), json!([])).await,
        1
    );
    assert_eq!(count(json!({"make": "honda"}), json!([])).await, 0);

    // Sent from Nairobi, the Mombasa visitor hears from Nairobi.
    let promotion = shop
        .promotion(
            &shop.owner,
            json!({"title": "From Nairobi", "body": "B", "send_at": MORNING,
                   "site_ids": [nbo], "audience": {"last_visit_after": "2026-11-01"}}),
        )
        .await;
    shop.sweep().await;
    let messages = shop.sink.wait_for(1, Duration::from_secs(2));
    assert_eq!(messages.len(), 1, "{messages:#?}");
    assert_eq!(messages[0]["rcpt_tos"], json!(["visitor@example.com"]));
    assert_eq!(messages[0]["subject"], "From Nairobi — Branch NBO");
    assert_eq!(shop.show(&id_of(&promotion)).await["sent"], 1);
}

#[tokio::test]
#[ignore = "needs python3-aiosmtpd (a real SMTP server)"]
async fn a_send_time_in_another_offset_is_the_same_instant() {
    let shop = Shop::open(MORNING).await;
    let site = shop.site.clone();
    shop.customer(&site, opted_in("a@example.com"), "Toyota", 2015)
        .await;
    // 09:30 in Nairobi is 06:30 UTC: due at 07:00 UTC.
    let due = shop
        .promotion(
            &shop.owner,
            json!({"title": "Due", "body": "B", "send_at": "2026-12-01T09:30:00+03:00"}),
        )
        .await;
    assert_eq!(due["send_at"], "2026-12-01T06:30:00Z");
    // 06:00 in New York is 11:00 UTC: not yet.
    let later = shop
        .promotion(
            &shop.owner,
            json!({"title": "Later", "body": "B", "send_at": "2026-12-01T06:00:00-05:00"}),
        )
        .await;
    shop.sweep().await;
    assert_eq!(shop.show(&id_of(&due)).await["status"], "sent");
    assert_eq!(shop.show(&id_of(&later)).await["status"], "scheduled");
}
