//! The pages in Debian's headless chromium (tests/browser, driven through
//! playwright-core): the workshop floor's flow in English and in Swahili,
//! working through a dropped connection, then every page at 390 and 1280
//! pixels in both languages, audited by axe-core and photographed into
//! `tests/browser/screenshots/<lang>/<width>/`.
//!
//! Needs chromium (`apt-get install chromium`), python3-aiosmtpd (the
//! customer's estimate arrives by mail) and the scripts' packages
//! (`npm ci --prefix tests/browser`), which `.ci/run` installs; ignored
//! elsewhere, and CI runs it (`--include-ignored`).

use std::{path::Path, process::Command};

use serde_json::json;

use crate::support::{smtp::SmtpSink, TestApp};

fn run_script(script: &str, base: &str, mail: &Path) {
    let browser = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    assert!(
        browser.join("node_modules/playwright-core").exists(),
        "the browser tests need their packages: npm ci --prefix tests/browser"
    );
    let output = Command::new("node")
        .arg(script)
        .current_dir(&browser)
        .env("BASE_URL", base)
        .env("MAIL_DIR", mail)
        .env("SHOTS_DIR", browser.join("screenshots"))
        .output()
        .expect("node runs (the browser tests need Node.js)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(
        output.status.success(),
        "{script} failed:\n{stdout}\n{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs chromium and npm ci --prefix tests/browser; CI runs it"]
async fn the_workshop_floor_works_in_chromium_in_both_languages() {
    // A real SMTP server: the customer's estimate arrives by mail, and its
    // link is what they open.
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with_settings(json!({"mail": sink.settings()})).await;
    karakana::tasks::seed_demo::seed(&app.ctx)
        .await
        .expect("the demo workshop loads");
    let base = app
        .server
        .server_address()
        .expect("the test server listens on a port")
        .to_string();
    let base = base.trim_end_matches('/').to_string();
    for script in ["floor.mjs", "office.mjs", "portal.mjs", "tour.mjs"] {
        let base = base.clone();
        let mail = sink.folder().to_path_buf();
        tokio::task::spawn_blocking(move || run_script(script, &base, &mail))
            .await
            .expect("the script's runner");
    }
}
