//! The invoice PDF, read back as a customer's PDF reader would: the text
//! with `pdftotext`, the pages with `pdfinfo` (Debian's poppler-utils,
//! which `.ci/run` installs).

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use serde_json::{json, Value};

use crate::support::{id_of, TestApp};

fn poppler(tool: &str, args: &[&str]) -> String {
    let output = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|err| panic!("{tool} does not run ({err}): apt-get install poppler-utils"));
    assert!(
        output.status.success(),
        "{tool}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8")
}

/// The invoice's PDF, saved to a file of its own.
async fn pdf_of(app: &TestApp, owner: &crate::support::Session, invoice: &Value) -> PathBuf {
    let response = app
        .get(&format!("/api/invoices/{}/pdf", id_of(invoice)), owner)
        .await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let bytes = response.as_bytes();
    assert!(bytes.starts_with(b"%PDF-"), "a PDF");
    let path = std::env::temp_dir().join(format!("karakana-invoice-{}.pdf", id_of(invoice)));
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Whitespace collapsed, so that wrapped text compares as one string.
fn text(path: &Path) -> String {
    poppler(
        "pdftotext",
        &["-raw", "-enc", "UTF-8", path.to_str().unwrap(), "-"],
    )
    .split_whitespace()
    .collect::<Vec<_>>()
    .join(" ")
}

fn pages(path: &Path) -> usize {
    poppler("pdfinfo", &[path.to_str().unwrap()])
        .lines()
        .find_map(|line| line.strip_prefix("Pages:"))
        .and_then(|pages| pages.trim().parse().ok())
        .expect("a Pages: line")
}

#[tokio::test]
#[ignore = "needs poppler-utils (pdftotext)"]
async fn the_invoice_pdf_reads_back_its_number_lines_total_and_unicode_names() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    app.patch(
        &format!("/api/sites/{site}"),
        &owner,
        &json!({"payment_instructions": "M-Pesa Buy Goods: Till 512345"}),
    )
    .await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let customer = id_of(
        &app.post(
            "/api/customers",
            &owner,
            &json!({"name": "Ngũgĩ wa Thiong'o", "phone": "+254722000111", "home_site_id": site}),
        )
        .await
        .json(),
    );
    let vehicle = id_of(
        &app.post(
            "/api/vehicles",
            &owner,
            &json!({"customer_id": customer, "plate": "KDA 123A", "make": "Toyota",
                    "model": "Probox", "odometer_km": 120_000}),
        )
        .await
        .json(),
    );
    let order = id_of(
        &app.post(
            "/api/repair-orders",
            &owner,
            &json!({"site_id": site, "vehicle_id": vehicle, "description": "Full service"}),
        )
        .await
        .json(),
    );
    for to in ["pending_approval", "approved"] {
        app.transition(&owner, &order, to).await;
    }
    app.post(
        &format!("/api/repair-orders/{order}/claim"),
        &technician,
        &json!({}),
    )
    .await;
    let oil = app.product(&owner, &site, "OIL-5W30", "20", "950").await;
    app.post(
        &format!("/api/repair-orders/{order}/labor"),
        &technician,
        &json!({"description": "Full service, Zoë's checklist", "hours": "2.5", "rate": "2500"}),
    )
    .await;
    app.add_part(&technician, &order, &oil, "4.5").await;
    let invoice = app.complete(&technician, &order, &owner).await;

    let path = pdf_of(&app, &owner, &invoice).await;
    let read = text(&path);

    // 2.5 × 2,500 + 4.5 × 950 = 6,250 + 4,275 = 10,525; VAT 16 % 1,684.
    assert_eq!(invoice["total"], "12209.00");
    for expected in [
        invoice["number"].as_str().unwrap(),
        "Ngũgĩ wa Thiong'o",
        "Full service, Zoë's checklist",
        "Part OIL-5W30",
        "KDA 123A",
        "120,000 km",
        "10,525.00",
        "12,209.00",
        "M-Pesa Buy Goods: Till 512345",
    ] {
        assert!(read.contains(expected), "{expected:?} is not in: {read}");
    }
    assert_eq!(pages(&path), 1);
    let _ = std::fs::remove_file(path);
}

#[tokio::test]
#[ignore = "needs poppler-utils (pdftotext)"]
async fn a_sixty_line_invoice_runs_over_several_pages() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let order = app.claimed_order(&owner, &site, &technician).await;
    for n in 1..=60 {
        let response = app
            .post(
                &format!("/api/repair-orders/{order}/labor"),
                &technician,
                &json!({"description": format!("Task number {n}"), "hours": "1", "rate": "100"}),
            )
            .await;
        assert_eq!(response.status_code(), 201);
    }
    let invoice = app.complete(&technician, &order, &owner).await;

    let path = pdf_of(&app, &owner, &invoice).await;
    let pages = pages(&path);
    let last = poppler(
        "pdftotext",
        &[
            "-raw",
            "-f",
            &pages.to_string(),
            "-l",
            &pages.to_string(),
            path.to_str().unwrap(),
            "-",
        ],
    );
    let read = text(&path);

    assert!(pages >= 2, "{pages} page(s)");
    for n in [1, 30, 60] {
        assert!(
            read.contains(&format!("Task number {n} ")),
            "line {n} is printed"
        );
    }
    // 60 × 100 = 6,000 + 16 % = 6,960, on the last page.
    assert!(last.contains("6,960.00"), "{last}");
    assert!(last.contains(&format!("Page {pages} of {pages}")), "{last}");
    let _ = std::fs::remove_file(path);
}
