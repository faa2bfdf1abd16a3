//! Invoices by email: completing an order mails its invoice with the PDF
//! attached, once; staff can send it again; the sweep sends what a lost job
//! did not.

use std::time::Duration;

use karakana::{
    app::App,
    models::{_entities::invoices, clock::Clock},
};
use loco_rs::{boot::run_task, task};
use sea_orm::{sea_query::Expr, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};

use crate::support::{assert_error, smtp::SmtpSink, Session, TestApp};

struct Workshop {
    sink: SmtpSink,
    app: TestApp,
    owner: Session,
    technician: Session,
    site: String,
}

impl Workshop {
    async fn open() -> Self {
        let sink = SmtpSink::start();
        let app = TestApp::spawn_with_settings(json!({"mail": sink.settings()})).await;
        let owner = app.owner("Kamau Motors").await;
        let site = app.site(&owner, "NBO").await;
        let response = app
            .patch(
                &format!("/api/sites/{site}"),
                &owner,
                &json!({"email": "nbo@kamaumotors.co.ke",
                        "payment_instructions": "M-Pesa Paybill 400200\nKCB A/C 1100223344"}),
            )
            .await;
        assert_eq!(response.status_code(), 200, "{}", response.text());
        let technician = app.staff(&owner, "technician", &[&site]).await;
        Self {
            sink,
            app,
            owner,
            technician,
            site,
        }
    }

    /// A completed order for a customer with an email address: its invoice.
    async fn invoice(&self) -> Value {
        let order = self
            .app
            .claimed_order(&self.owner, &self.site, &self.technician)
            .await;
        let detail: Value = self
            .app
            .get(&format!("/api/repair-orders/{order}"), &self.owner)
            .await
            .json();
        let customer = detail["customer"]["id"].as_str().unwrap();
        let response = self
            .app
            .patch(
                &format!("/api/customers/{customer}"),
                &self.owner,
                &json!({"email": "achieng@example.com"}),
            )
            .await;
        assert_eq!(response.status_code(), 200, "{}", response.text());
        let response = self
            .app
            .post(
                &format!("/api/repair-orders/{order}/labor"),
                &self.technician,
                &json!({"description": "Brake pads fitted", "hours": "1.5", "rate": "2000"}),
            )
            .await;
        assert_eq!(response.status_code(), 201, "{}", response.text());
        self.app
            .complete(&self.technician, &order, &self.owner)
            .await
    }

    /// The invoice emails received (the customer also hears that the car
    /// is ready), once there are `count` or after `within`.
    fn invoices_sent(&self, count: usize, within: Duration) -> Vec<Value> {
        let started = std::time::Instant::now();
        loop {
            let invoices: Vec<Value> = self
                .sink
                .messages()
                .into_iter()
                .filter(|message| message["subject"].as_str().unwrap().starts_with("Invoice "))
                .collect();
            if invoices.len() >= count || started.elapsed() > within {
                return invoices;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    async fn sweep(&self) {
        run_task::<App>(
            &self.app.ctx,
            Some(&"deliver_invoices".to_string()),
            &task::Vars::default(),
        )
        .await
        .expect("the sweep runs");
    }
}

#[tokio::test]
#[ignore = "needs python3-aiosmtpd (a real SMTP server)"]
async fn completing_an_order_mails_its_invoice_with_the_pdf_once() {
    let shop = Workshop::open().await;
    let invoice = shop.invoice().await;
    let number = invoice["number"].as_str().unwrap();

    shop.sweep().await; // finds nothing left to send
    let messages = shop.invoices_sent(2, Duration::from_millis(500));

    assert_eq!(messages.len(), 1, "{messages:#?}");
    let message = &messages[0];
    assert_eq!(message["rcpt_tos"], json!(["achieng@example.com"]));
    assert_eq!(
        message["subject"],
        format!("Invoice {number} from Branch NBO")
    );
    assert_eq!(message["headers"]["reply-to"], "nbo@kamaumotors.co.ke");
    let text = message["text"].as_str().unwrap();
    assert!(
        text.contains("Total: KES 3,480.00"),
        "1.5 h × 2000 + 16 %: {text}"
    );
    assert!(text.contains("Balance due: KES 3,480.00"), "{text}");
    assert!(text.contains("M-Pesa Paybill 400200"), "{text}");
    let attachments = message["attachments"].as_array().unwrap();
    assert_eq!(attachments.len(), 1);
    assert_eq!(attachments[0]["filename"], format!("{number}.pdf"));
    assert_eq!(attachments[0]["content_type"], "application/pdf");
    assert_eq!(attachments[0]["starts_with"], "%PDF-1.4");
    assert!(attachments[0]["size"].as_u64().unwrap() > 10_000);
    let customer = invoice["customer"]["id"].as_str().unwrap();
    let deliveries: Value = shop
        .app
        .get(
            &format!("/api/customers/{customer}/deliveries"),
            &shop.owner,
        )
        .await
        .json();
    assert_eq!(deliveries["items"][0]["kind"], "invoice");
    assert_eq!(deliveries["items"][0]["subject_id"], invoice["id"]);
    assert_eq!(deliveries["items"][0]["status"], "sent");
}

#[tokio::test]
#[ignore = "needs python3-aiosmtpd (a real SMTP server)"]
async fn staff_send_it_again_and_a_void_invoice_is_not_sent() {
    let shop = Workshop::open().await;
    let invoice = shop.invoice().await;
    let id = invoice["id"].as_str().unwrap();

    let response = shop
        .app
        .post(&format!("/api/invoices/{id}/send"), &shop.owner, &json!({}))
        .await;
    assert_eq!(response.status_code(), 202, "{}", response.text());
    assert_eq!(response.json::<Value>()["invoice_id"], id);
    shop.sweep().await;
    assert_eq!(
        shop.invoices_sent(3, Duration::from_millis(500)).len(),
        2,
        "the first and the one asked for, nothing more"
    );

    assert_error(
        &shop
            .app
            .post(
                &format!("/api/invoices/{id}/send"),
                &shop.technician,
                &json!({}),
            )
            .await,
        403,
        "forbidden",
    );
    let stranger = shop.app.owner("Other Garage").await;
    assert_error(
        &shop
            .app
            .post(&format!("/api/invoices/{id}/send"), &stranger, &json!({}))
            .await,
        404,
        "not_found",
    );
    let response = shop
        .app
        .post(
            &format!("/api/invoices/{id}/void"),
            &shop.owner,
            &json!({"reason": "issued twice"}),
        )
        .await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
    assert_error(
        &shop
            .app
            .post(&format!("/api/invoices/{id}/send"), &shop.owner, &json!({}))
            .await,
        409,
        "conflict",
    );
    assert_eq!(shop.invoices_sent(2, Duration::ZERO).len(), 2);
}

#[tokio::test]
#[ignore = "needs python3-aiosmtpd (a real SMTP server)"]
async fn the_sweep_sends_what_a_lost_job_did_not() {
    let shop = Workshop::open().await;
    let invoice = shop.invoice().await;
    assert_eq!(shop.invoices_sent(1, Duration::from_secs(5)).len(), 1);
    // A send asked for whose job never ran (a worker killed, a queue down):
    // only the request on the invoice says it is owed.
    invoices::Entity::update_many()
        .col_expr(
            invoices::Column::SendRequestedAt,
            Expr::value(karakana::models::now_at(Clock::System)),
        )
        .filter(
            invoices::Column::Pid.eq(invoice["id"]
                .as_str()
                .unwrap()
                .parse::<uuid::Uuid>()
                .unwrap()),
        )
        .exec(&shop.app.ctx.db)
        .await
        .unwrap();

    shop.sweep().await;
    shop.sweep().await;

    assert_eq!(shop.invoices_sent(3, Duration::from_millis(500)).len(), 2);
}
