//! The customer's own page end to end, with the link sent through a real
//! SMTP server: they ask for a link, sign in with it, decide an estimate
//! line by line, read and download their invoice, switch to Swahili, turn
//! offers off, and the used link never works again.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{
    pages::{csrf_of, location, Browser},
    smtp::SmtpSink,
    Estimated, TestApp,
};

const NOW: &str = "2026-12-01T07:00:00Z";

/// The link with `marker` in the mail to `to` (its path on this server).
fn link_in(messages: &[Value], to: &str, marker: &str) -> String {
    messages
        .iter()
        .filter(|message| message["rcpt_tos"] == json!([to]))
        .filter_map(|message| message["text"].as_str())
        .flat_map(str::split_whitespace)
        .find(|word| word.contains(marker))
        .unwrap_or_else(|| panic!("a {marker} link to {to}: {messages:#?}"))
        .trim_start_matches("http://localhost")
        .to_string()
}

/// Asks for a link from a fresh page, as a visitor.
async fn ask(browser: &mut Browser<'_>, contact: &str) -> axum_test::TestResponse {
    let form = browser.get("/portal").await;
    assert_eq!(form.status_code(), 200);
    let csrf = csrf_of(&form.text());
    browser
        .post("/portal/link", &[("_csrf", &csrf), ("contact", contact)])
        .await
}

/// Signs in with the link at `path`: its page, then its button.
async fn use_link(browser: &mut Browser<'_>, path: &str) -> axum_test::TestResponse {
    let page = browser.get(path).await;
    if page.status_code() != 200 {
        return page;
    }
    let csrf = csrf_of(&page.text());
    browser.post(path, &[("_csrf", &csrf)]).await
}

#[tokio::test]
#[ignore = "needs python3-aiosmtpd (a real SMTP server)"]
async fn a_customer_signs_in_by_link_decides_an_estimate_and_reads_their_invoice() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with_settings(json!({"clock": NOW, "mail": sink.settings()})).await;
    let owner = app.owner("Kamau Motors").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let Estimated {
        order,
        customer,
        labour: labour_line,
        part: part_line,
    } = app
        .estimated_order(
            &owner,
            &site,
            &technician,
            &json!({"email": "achieng@example.com", "marketing_opt_in": true}),
        )
        .await;
    sink.wait_for(1, Duration::from_secs(2));

    // A stranger's address gets the same answer and no mail.
    let mut stranger = Browser::new(&app);
    let unknown = ask(&mut stranger, "nobody@example.com").await;
    let mut browser = Browser::new(&app);
    let known = ask(&mut browser, "Achieng@Example.com ").await;
    assert_eq!(known.status_code(), 200, "{}", known.text());
    assert_eq!(unknown.status_code(), known.status_code());
    assert_eq!(
        unknown.text().replace("nobody@example.com", "X"),
        known.text().replace("Achieng@Example.com ", "X"),
        "the answer never says whether the address is known"
    );
    let messages = sink.wait_for(2, Duration::from_secs(2));
    assert_eq!(messages.len(), 2, "one estimate, one link: {messages:#?}");
    assert!(
        messages.iter().any(|message| message["subject"]
            .as_str()
            .unwrap()
            .contains("Your link to sign in")),
        "{messages:#?}"
    );
    let link = link_in(&messages, "achieng@example.com", "/p/");

    // The link's page signs nobody in by itself (mail scanners open links).
    let signed_in = use_link(&mut browser, &link).await;
    assert_eq!(signed_in.status_code(), 303, "{}", signed_in.text());
    assert_eq!(location(&signed_in), "/portal");
    let page = browser.get("/portal").await;
    assert_eq!(page.status_code(), 200);
    let html = page.text();
    assert!(html.contains("Hello, Customer"), "{html}");
    assert!(html.contains("2 items to decide"), "{html}");
    assert!(html.contains("Send me offers from the workshop"), "{html}");

    // The used link does not work twice, in this browser or another.
    for _ in 0..2 {
        let mut other = Browser::new(&app);
        let again = use_link(&mut other, &link).await;
        assert_eq!(again.status_code(), 404, "{}", again.text());
        assert!(again.text().contains("This link no longer works"));
        assert!(!other.cookies.contains_key("karakana_portal"));
    }

    // The estimate: the page's link opens the estimate's own page, where
    // the customer approves one line and declines the other.
    let estimate = html
        .split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .find(|href| href.starts_with("/e/"))
        .expect("a link to the estimate")
        .to_string();
    let decided = browser
        .post(
            &estimate,
            &[
                (&*format!("line.{labour_line}"), "approved"),
                (&*format!("line.{part_line}"), "declined"),
            ],
        )
        .await;
    assert_eq!(decided.status_code(), 200, "{}", decided.text());
    let detail: Value = app
        .get(&format!("/api/repair-orders/{order}"), &owner)
        .await
        .json();
    assert_eq!(detail["labor"][0]["approval"], "approved");
    assert_eq!(detail["parts"][0]["approval"], "declined");
    assert_eq!(detail["labor"][0]["decided"]["source"], "customer");
    assert!(browser.get("/portal").await.text().contains("all decided"));

    // The invoice, its page with how to pay, and its PDF.
    let invoice = app.complete(&technician, &order, &owner).await;
    let invoice_id = invoice["id"].as_str().unwrap();
    let html = browser.get("/portal").await.text();
    assert!(html.contains(invoice["number"].as_str().unwrap()), "{html}");
    let page = browser.get(&format!("/portal/invoices/{invoice_id}")).await;
    assert_eq!(page.status_code(), 200, "{}", page.text());
    // 1.5 h × 2000 = 3000 (the declined pads are not billed) + 16 % tax.
    assert!(page.text().contains("3,480.00"), "{}", page.text());
    assert!(page.text().contains("How to pay"));
    let pdf = browser
        .get(&format!("/portal/invoices/{invoice_id}/pdf"))
        .await;
    assert_eq!(pdf.status_code(), 200);
    assert_eq!(pdf.header("content-type"), "application/pdf");
    assert!(pdf.as_bytes().starts_with(b"%PDF"));

    // Another customer's invoice is the 404 page.
    let theirs_order = app.claimed_order(&owner, &site, &technician).await;
    let theirs = app.complete(&technician, &theirs_order, &owner).await;
    for path in [
        format!("/portal/invoices/{}", theirs["id"].as_str().unwrap()),
        format!("/portal/invoices/{}/pdf", theirs["id"].as_str().unwrap()),
        "/portal/invoices/not-an-id".to_string(),
    ] {
        let response = browser.get(&path).await;
        assert_eq!(response.status_code(), 404, "{path}");
    }

    // Swahili, and no offers: theirs to choose, recorded as theirs.
    let csrf = csrf_of(&browser.get("/portal").await.text());
    let saved = browser
        .post(
            "/portal/preferences",
            &[("_csrf", &csrf), ("language", "sw")],
        )
        .await;
    assert_eq!(saved.status_code(), 303, "{}", saved.text());
    let html = browser.get("/portal").await.text();
    assert!(html.contains("Habari, Customer"), "{html}");
    assert!(html.contains("<html lang=\"sw\">"));
    let record: Value = app
        .get(&format!("/api/customers/{customer}"), &owner)
        .await
        .json();
    assert_eq!(record["language"], "sw");
    assert_eq!(record["marketing_opt_in"], false);
    assert_eq!(record["marketing_consent"]["source"], "web", "{record}");

    // A form without the session's token changes nothing.
    let forged = browser
        .post(
            "/portal/preferences",
            &[("language", "en"), ("marketing", "yes")],
        )
        .await;
    assert_eq!(forged.status_code(), 403);

    // Signing out ends the session; the cookie is no way back in.
    let session = browser.cookies.get("karakana_portal").cloned().unwrap();
    let out = browser.post("/portal/logout", &[("_csrf", &csrf)]).await;
    assert_eq!(out.status_code(), 303);
    let mut replay = Browser::new(&app);
    replay
        .cookies
        .insert("karakana_portal".to_string(), session);
    let page = replay.get("/portal").await;
    assert!(page.text().contains("name=\"contact\""), "the sign-in form");
}

#[tokio::test]
#[ignore = "needs python3-aiosmtpd (a real SMTP server)"]
async fn a_customer_erases_their_data_from_their_page() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with_settings(json!({"clock": NOW, "mail": sink.settings()})).await;
    let owner = app.owner("Kamau Motors").await;
    let site = app.site(&owner, "NBO").await;
    let order = app.order(&owner, &site, "normal").await;
    let customer = app
        .order_customer(&owner, &order, &json!({"email": "wafula@example.com"}))
        .await;
    let mut browser = Browser::new(&app);
    assert_eq!(
        ask(&mut browser, "wafula@example.com").await.status_code(),
        200
    );
    let messages = sink.wait_for(1, Duration::from_secs(2));
    let link = link_in(&messages, "wafula@example.com", "/p/");
    assert_eq!(use_link(&mut browser, &link).await.status_code(), 303);
    let html = browser.get("/portal").await.text();
    assert!(html.contains("Booked in"), "the car's status: {html}");
    let csrf = csrf_of(&html);

    let unticked = browser.post("/portal/erase", &[("_csrf", &csrf)]).await;
    assert_eq!(unticked.status_code(), 422);
    let record: Value = app
        .get(&format!("/api/customers/{customer}"), &owner)
        .await
        .json();
    assert_eq!(record["email"], "wafula@example.com", "nothing was erased");

    let erased = browser
        .post("/portal/erase", &[("_csrf", &csrf), ("confirm", "yes")])
        .await;
    assert_eq!(erased.status_code(), 303, "{}", erased.text());
    assert_eq!(location(&erased), "/portal?notice=erased");
    assert!(browser
        .get("/portal?notice=erased")
        .await
        .text()
        .contains("Your details were erased"));
    // As staff erase: the record is gone for staff, its orders keep it.
    let gone = app.get(&format!("/api/customers/{customer}"), &owner).await;
    assert_eq!(gone.status_code(), 404);
    let audit: Value = app
        .get("/api/audit-events?per_page=200", &owner)
        .await
        .json();
    let entry = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["action"] == "customer.erased")
        .unwrap_or_else(|| panic!("{audit}"));
    assert_eq!(entry["details"]["requested_by"], "customer");
    // And asking for a link to the erased customer sends nothing.
    let mut again = Browser::new(&app);
    assert_eq!(
        ask(&mut again, "wafula@example.com").await.status_code(),
        200
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(sink.wait_for(2, Duration::from_millis(500)).len(), 1);
}
