//! The daily low-stock digest: each manager hears of their own sites, owners
//! of every site, once a day, in the site's language; nothing low, no mail.

use std::time::Duration;

use karakana::app::App;
use loco_rs::{boot::run_task, task};
use serde_json::{json, Value};

use crate::support::{smtp::SmtpSink, TestApp};

/// 10:00 in Nairobi on 1 December.
const NOW: &str = "2026-12-01T07:00:00Z";

async fn sweep(app: &TestApp) {
    run_task::<App>(
        &app.ctx,
        Some(&"send_low_stock_digests".to_string()),
        &task::Vars::default(),
    )
    .await
    .expect("the sweep runs");
}

fn to<'a>(messages: &'a [Value], email: &str) -> Vec<&'a Value> {
    messages
        .iter()
        .filter(|message| message["rcpt_tos"] == json!([email]))
        .collect()
}

#[tokio::test]
#[ignore = "needs python3-aiosmtpd (a real SMTP server)"]
async fn managers_hear_once_a_day_of_what_runs_low_at_their_sites() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with_settings(json!({"clock": NOW, "mail": sink.settings()})).await;
    let owner = app.owner("Kamau Motors").await;
    let nbo = app.site(&owner, "NBO").await;
    let msa = app.site(&owner, "MSA").await;
    let kla = app.site(&owner, "KLA").await;
    let response = app
        .patch(
            &format!("/api/sites/{msa}"),
            &owner,
            &json!({"language": "sw"}),
        )
        .await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
    let nairobi = app.staff(&owner, "manager", &[&nbo]).await;
    let mombasa = app.staff(&owner, "manager", &[&msa]).await;
    let kampala = app.staff(&owner, "manager", &[&kla]).await;
    let advisor = app.staff(&owner, "advisor", &[&nbo]).await;
    // Reorder level 2: one on the shelf is low, ten are not.
    app.product(&owner, &nbo, "BP-01", "1", "2500.00").await;
    app.product(&owner, &nbo, "OF-02", "10", "800.00").await;
    app.product(&owner, &msa, "WB-03", "0", "450.00").await;
    app.product(&owner, &kla, "SP-04", "10", "300.00").await;

    sweep(&app).await;
    sweep(&app).await;

    let messages = sink.wait_for(3, Duration::from_secs(5));
    assert_eq!(messages.len(), 3, "{messages:#?}");
    assert!(
        to(&messages, &kampala.email).is_empty(),
        "nothing low in Kampala"
    );
    assert!(
        to(&messages, &advisor.email).is_empty(),
        "advisors are not told"
    );

    let nairobi_digest = to(&messages, &nairobi.email)[0];
    assert_eq!(
        nairobi_digest["subject"],
        "1 product is running low — 1 December 2026"
    );
    let text = nairobi_digest["text"].as_str().unwrap();
    assert!(
        text.contains("Part BP-01 (BP-01): 1 available, reorder at 2"),
        "{text}"
    );
    assert!(!text.contains("OF-02"), "{text}");
    assert!(!text.contains("WB-03"), "another site's stock: {text}");

    let mombasa_digest = to(&messages, &mombasa.email)[0];
    assert_eq!(
        mombasa_digest["subject"],
        "Bidhaa 1 inakaribia kuisha — 1 Desemba 2026"
    );
    assert!(mombasa_digest["text"].as_str().unwrap().contains("WB-03"));

    let owner_digest = to(&messages, &owner.email)[0];
    assert_eq!(
        owner_digest["subject"],
        "2 products are running low — 1 December 2026"
    );
    let text = owner_digest["text"].as_str().unwrap();
    assert!(
        text.contains("Branch NBO") && text.contains("Branch MSA") && !text.contains("Branch KLA"),
        "{text}"
    );
    let html = owner_digest["html"].as_str().unwrap();
    assert!(html.contains("<td>Part BP-01 <span"), "{html}");
}
