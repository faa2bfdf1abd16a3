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
    // Each face holds only the outlines this invoice draws.
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(size < 30_000, "{size} bytes");
    let _ = std::fs::remove_file(path);
}

/// A PDF drawn by poppler at 40 dpi, in grey: the bytes of its first page.
fn drawn(pdf: &[u8], name: &str) -> Vec<u8> {
    let dir = std::env::temp_dir().join(format!("karakana-drawn-{}", crate::support::unique()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{name}.pdf"));
    std::fs::write(&file, pdf).unwrap();
    let prefix = dir.join(name);
    let output = Command::new("pdftoppm")
        .args(["-r", "40", "-gray", "-f", "1", "-l", "1"])
        .arg(&file)
        .arg(&prefix)
        .output()
        .expect("pdftoppm runs: apt-get install poppler-utils");
    assert!(
        output.status.success() && output.stderr.is_empty(),
        "pdftoppm: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let page = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| path.extension().is_some_and(|ext| ext == "pgm"))
        .expect("a page image");
    let pixels = std::fs::read(page).unwrap();
    let _ = std::fs::remove_dir_all(dir);
    pixels
}

#[test]
#[ignore = "needs poppler-utils (pdftoppm)"]
fn each_invoice_embeds_only_its_glyphs_and_draws_the_same_pixels() {
    let renderer = karakana::pdf::InvoiceRenderer::new().unwrap();
    for (name, document) in [
        ("one-page", karakana::pdf::samples::one_page()),
        ("paid", karakana::pdf::samples::paid()),
        ("void", karakana::pdf::samples::void()),
        ("sixty-lines", karakana::pdf::samples::sixty_lines()),
    ] {
        let cut = renderer.render(&document).unwrap();
        let whole = renderer.render_with_whole_fonts(&document).unwrap();
        assert!(
            cut.len() * 2 < whole.len(),
            "{name}: {} bytes cut, {} whole",
            cut.len(),
            whole.len()
        );
        assert!(
            drawn(&cut, name) == drawn(&whole, &format!("{name}-whole")),
            "{name}: the invoice with its own glyphs draws other pixels than with the whole subset"
        );
    }
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

#[tokio::test]
#[ignore = "needs poppler-utils (pdftotext)"]
async fn a_swahili_customers_invoice_names_the_business_its_due_day_and_turns_overdue() {
    let app = TestApp::spawn_at("2026-12-01T09:00:00+03:00").await;
    let owner = app.owner("Kamau Motors").await;
    let changed = app
        .patch(
            "/api/organization",
            &owner,
            &json!({"legal_name": "Kamau Motors Limited", "tax_number": "p051234567x"}),
        )
        .await;
    assert_eq!(changed.status_code(), 200, "{}", changed.text());
    let site = app.site(&owner, "NBO").await;
    let terms = app
        .patch(
            &format!("/api/sites/{site}"),
            &owner,
            &json!({"payment_terms_days": 14}),
        )
        .await;
    assert_eq!(terms.json::<Value>()["payment_terms_days"], 14);
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let order = app.claimed_order(&owner, &site, &technician).await;
    let customer = app
        .get(&format!("/api/repair-orders/{order}"), &owner)
        .await
        .json::<Value>()["customer"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let swahili = app
        .patch(
            &format!("/api/customers/{customer}"),
            &owner,
            &json!({"language": "sw"}),
        )
        .await;
    assert_eq!(swahili.status_code(), 200, "{}", swahili.text());
    app.post(
        &format!("/api/repair-orders/{order}/labor"),
        &technician,
        &json!({"description": "Kubadilisha pedi za breki", "hours": "1", "rate": "2500"}),
    )
    .await;
    let invoice = app.complete(&technician, &order, &owner).await;

    assert_eq!(invoice["issued_on"], "2026-12-01");
    assert_eq!(invoice["due_on"], "2026-12-15");
    assert_eq!(invoice["overdue"], false);
    assert_eq!(invoice["language"], "sw");
    assert_eq!(
        invoice["business"],
        json!({"name": "Kamau Motors Limited", "tax_number": "P051234567X"})
    );
    let path = pdf_of(&app, &owner, &invoice).await;
    let read = text(&path);
    for expected in [
        "ANKARA",
        "Kamau Motors Limited",
        "KRA PIN P051234567X",
        "Imetolewa 1 Des 2026",
        "Inalipwa 15 Des 2026",
        "IMETOLEWA",
        "Salio la kulipa",
        "2,900.00",
    ] {
        assert!(read.contains(expected), "{expected:?} is not in: {read}");
    }
    assert!(!read.contains("IMEPITA MUDA"), "{read}");

    // A day past its due day, with the balance unpaid: overdue, in the API
    // and on the paper; an invoice changed by nothing else.
    app.advance_clock(chrono::TimeDelta::days(15));
    let later: Value = app
        .get(&format!("/api/invoices/{}", id_of(&invoice)), &owner)
        .await
        .json();
    assert_eq!(later["overdue"], true);
    let listed: Value = app.get("/api/invoices", &owner).await.json();
    assert_eq!(listed["items"][0]["overdue"], true);
    let overdue = text(&pdf_of(&app, &owner, &invoice).await);
    assert!(overdue.contains("IMEPITA MUDA"), "{overdue}");

    // Paid in full, it is no longer overdue.
    let paid = app
        .post(
            &format!("/api/invoices/{}/payments", id_of(&invoice)),
            &owner,
            &json!({"amount": "2900.00", "method": "cash"}),
        )
        .await;
    assert_eq!(paid.status_code(), 201, "{}", paid.text());
    let settled: Value = app
        .get(&format!("/api/invoices/{}", id_of(&invoice)), &owner)
        .await
        .json();
    assert_eq!(settled["overdue"], false);
    let _ = std::fs::remove_file(path);
}
