//! Invoice PDF benchmark: Karakana's renderer (printpdf, fonts subset once,
//! each document's outlines cut from it) against WeasyPrint rendering the same invoice from an
//! equivalent HTML page, in the same run on the same machine.
//!
//! `cargo bench --bench invoice_pdf`; `BENCH_QUICK=1` for a short run (as CI
//! does). WeasyPrint comes from Debian (`apt-get install weasyprint`, which
//! `.ci/run` installs) and runs in-process in Debian's Python after a
//! warm-up render, so its figure is rendering alone, not Python's start-up.
//! Prints Markdown tables.

use std::{
    io::Write,
    process::{Command, Stdio},
    sync::Arc,
    time::Instant,
};

use karakana::pdf::{samples, InvoiceDocument, InvoiceRenderer};

/// Debian's Python, where `python3-weasyprint` is installed.
const PYTHON: &str = "/usr/bin/python3";

fn main() {
    let quick = std::env::var("BENCH_QUICK").is_ok_and(|quick| quick != "0");
    let (renders, weasy_renders) = if quick { (100, 3) } else { (2_000, 30) };

    let started = Instant::now();
    let renderer = Arc::new(InvoiceRenderer::new().expect("the renderer"));
    let setup_ms = started.elapsed().as_secs_f64() * 1e3;
    let one = samples::one_page();
    let sixty = samples::sixty_lines();
    for _ in 0..20 {
        std::hint::black_box(renderer.render(&one).expect("a PDF"));
    }

    let one_thread = per_second(&renderer, &one, renders, 1);
    let two_threads = per_second(&renderer, &one, renders, 2);
    let sixty_one_thread = per_second(&renderer, &sixty, renders / 4, 1);
    let one_bytes = renderer.render(&one).expect("a PDF").len();
    let sixty_bytes = renderer.render(&sixty).expect("a PDF").len();
    let (weasy_rate, weasy_bytes) = weasyprint(&html(&one), weasy_renders);

    println!("\nInvoice PDF benchmark ({renders} renders a case; WeasyPrint {weasy_renders} after a warm-up)\n");
    println!("| renderer | invoice | threads | PDFs/s | ms each | bytes |");
    println!("|---|---|---:|---:|---:|---:|");
    let row = |renderer: &str, invoice: &str, threads: usize, rate: f64, bytes: usize| {
        println!(
            "| {renderer} | {invoice} | {threads} | {rate:.0} | {:.2} | {bytes} |",
            1e3 * threads as f64 / rate
        );
    };
    row("Karakana (printpdf)", "one page", 1, one_thread, one_bytes);
    row("Karakana (printpdf)", "one page", 2, two_threads, one_bytes);
    row(
        "Karakana (printpdf)",
        "60 lines, 3 pages",
        1,
        sixty_one_thread,
        sixty_bytes,
    );
    row(
        "WeasyPrint (same invoice as HTML)",
        "one page",
        1,
        weasy_rate,
        weasy_bytes,
    );
    println!(
        "\nOn one core Karakana renders {:.0}× WeasyPrint's rate; its one-page PDF is {:.0} KB \
         (WeasyPrint's {:.0} KB). Building the renderer (font subsetting) took {setup_ms:.0} ms, once.",
        one_thread / weasy_rate,
        one_bytes as f64 / 1024.0,
        weasy_bytes as f64 / 1024.0,
    );
}

/// Invoices a second, `threads` threads rendering `renders` between them.
fn per_second(
    renderer: &Arc<InvoiceRenderer>,
    document: &InvoiceDocument,
    renders: usize,
    threads: usize,
) -> f64 {
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                for _ in 0..renders / threads {
                    std::hint::black_box(renderer.render(document).expect("a PDF"));
                }
            });
        }
    });
    (renders / threads * threads) as f64 / started.elapsed().as_secs_f64()
}

/// WeasyPrint's renders a second and bytes per PDF for `page`.
fn weasyprint(page: &str, renders: usize) -> (f64, usize) {
    const SCRIPT: &str = r#"
import sys, time
from weasyprint import HTML
page, renders = sys.stdin.read(), int(sys.argv[1])
pdf = HTML(string=page).write_pdf()  # warm-up: fonts, styles
started = time.perf_counter()
for _ in range(renders):
    pdf = HTML(string=page).write_pdf()
print(renders / (time.perf_counter() - started), len(pdf))
"#;
    let mut child = Command::new(PYTHON)
        .args(["-c", SCRIPT, &renders.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|err| panic!("{PYTHON} does not run ({err}): apt-get install weasyprint"));
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(page.as_bytes())
        .expect("the page reaches WeasyPrint");
    let output = child.wait_with_output().expect("WeasyPrint finishes");
    assert!(
        output.status.success(),
        "WeasyPrint failed: apt-get install weasyprint"
    );
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    let mut fields = text.split_whitespace();
    let rate = fields
        .next()
        .and_then(|rate| rate.parse().ok())
        .expect("a rate");
    let bytes = fields
        .next()
        .and_then(|bytes| bytes.parse().ok())
        .expect("a size");
    (rate, bytes)
}

/// The same invoice as an HTML page, laid out as the PDF is: what a
/// browser-engine renderer would be given.
fn html(doc: &InvoiceDocument) -> String {
    let escape = |text: &str| {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let optional = |text: &Option<String>| text.as_deref().map(escape).unwrap_or_default();
    let lines: String = doc
        .lines
        .iter()
        .map(|line| {
            format!(
                "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
                escape(&line.description),
                escape(&line.quantity),
                escape(&line.unit_price),
                escape(&line.amount)
            )
        })
        .collect();
    let instructions: String = doc
        .payment_instructions
        .iter()
        .map(|line| format!("<p>{}</p>", escape(line)))
        .collect();
    format!(
        r#"<!doctype html><html><head><meta charset="utf-8"><style>
@page {{ size: A4; margin: 18mm 16mm; @bottom-right {{ content: "Page " counter(page) " of " counter(pages); font-size: 8pt; color: #667; }} }}
body {{ font-family: "DejaVu Sans"; font-size: 9pt; color: #1b2430; }}
header {{ display: flex; justify-content: space-between; border-bottom: 2px solid #14507a; padding-bottom: 8pt; }}
h1 {{ font-size: 17pt; margin: 0 0 4pt; }} .invoice {{ text-align: right; }}
.invoice h2 {{ color: #14507a; letter-spacing: 3pt; font-size: 22pt; margin: 0; }}
.badge {{ background: #b8621a; color: white; padding: 2pt 6pt; border-radius: 3pt; font-size: 7pt; }}
.parties {{ display: flex; justify-content: space-between; margin: 14pt 0; }}
.label {{ font-size: 7pt; color: #667; letter-spacing: 1pt; text-transform: uppercase; }}
table {{ width: 100%; border-collapse: collapse; }} th {{ background: #eef2f6; font-size: 7pt; text-align: left; padding: 6pt; }}
td {{ border-bottom: 1px solid #dde3ea; padding: 6pt; }} .n {{ text-align: right; }}
.bottom {{ display: flex; justify-content: space-between; margin-top: 14pt; }}
.pay {{ border: 1px solid #dde3ea; border-radius: 4pt; padding: 8pt; width: 45%; }}
.totals td {{ border: 0; padding: 3pt 6pt; }} .due {{ background: #14507a; color: white; font-weight: bold; }}
</style></head><body>
<header><div><h1>{site}</h1><p>{address}<br>{phone} · {email}</p></div>
<div class=invoice><h2>INVOICE</h2><p><b>{number}</b><br>Issued {issued}</p><span class=badge>{status}</span></div></header>
<div class=parties><div><div class=label>Bill to</div><b>{customer}</b><br>{customer_phone}<br>{customer_email}</div>
<div><div class=label>Vehicle</div><b>{vehicle}</b><br>Odometer {odometer}<br>Order {order}</div></div>
<table><thead><tr><th>Description</th><th class=n>Qty</th><th class=n>Unit price</th><th class=n>Amount ({currency})</th></tr></thead>
<tbody>{lines}</tbody></table>
<div class=bottom><div class=pay><div class=label>Payment instructions</div>{instructions}</div>
<table class=totals style="width: 45%"><tr><td>Subtotal</td><td class=n>{currency} {subtotal}</td></tr>
<tr><td>{tax_label}</td><td class=n>{currency} {tax}</td></tr><tr><td><b>Total</b></td><td class=n><b>{currency} {total}</b></td></tr>
<tr><td>Paid</td><td class=n>{currency} {paid}</td></tr><tr class=due><td>Balance due</td><td class=n>{currency} {balance}</td></tr></table></div>
</body></html>"#,
        site = escape(&doc.site_name),
        address = optional(&doc.site_address),
        phone = optional(&doc.site_phone),
        email = optional(&doc.site_email),
        number = escape(&doc.number),
        issued = escape(&doc.issued_on),
        status = escape(&doc.status),
        customer = escape(&doc.customer_name),
        customer_phone = optional(&doc.customer_phone),
        customer_email = optional(&doc.customer_email),
        vehicle = escape(&doc.vehicle),
        odometer = optional(&doc.odometer),
        order = optional(&doc.order_ref),
        currency = escape(&doc.currency),
        subtotal = escape(&doc.subtotal),
        tax_label = escape(&doc.tax_label),
        tax = escape(&doc.tax),
        total = escape(&doc.total),
        paid = escape(&doc.amount_paid),
        balance = escape(&doc.balance),
    )
}
