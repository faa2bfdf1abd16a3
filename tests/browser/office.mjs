// The office's money in chromium (1280 px), in English then in Swahili:
// the owner finds the demo's overdue invoice, records an M-Pesa payment on
// it (part of it in English, the rest in Swahili) and watches what
// customers owe fall by as much; downloads its PDF and reads
// it back with pdftotext; a manager of one branch opening another
// branch's invoice gets the 404 page. Every page is audited by axe-core.
//
// Run by tests/requests/browser.rs against a server with the demo data:
//   BASE_URL=http://127.0.0.1:5150 node tests/browser/office.mjs

import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  BASE, DESK, audit, auditSummary, check, launch, log, ok, person, shot, signIn, token,
} from "./lib.mjs";

const OWNER = "wanjiru@kamaumotors.co.ke";
// Manager of Mombasa only.
const MOMBASA_MANAGER = "aisha@kamaumotors.co.ke";

// "KES 23,100.00" → 23100.
function amount(text) {
  return Number(text.replace(/[^0-9.]/g, ""));
}

async function owedAt(page, siteId) {
  await page.goto(`${BASE}/invoices/receivables?site_id=${siteId}`);
  return amount(await page.locator("[data-figure=owed-total]").innerText());
}

async function money(browser, lang, code, part) {
  log(`— money in ${lang}`);
  const owner = await person(browser, DESK, lang);
  const page = owner.page;
  await signIn(page, OWNER);
  check(new URL(page.url()).pathname === "/dashboard", `the owner lands on the dashboard (at ${page.url()})`);

  // An overdue invoice from the list, filtered to overdue ones.
  await page.goto(`${BASE}/invoices`);
  await audit(page, `invoices (${lang})`);
  await page.selectOption("#invoices-status", "overdue");
  await Promise.all([page.waitForResponse((r) => r.url().includes("status=overdue")), page.click(".filters-form button[type=submit]")]);
  await page.waitForSelector("#invoices .badge.overdue");
  await shot(page, lang, "invoices-overdue");
  // Nairobi's (the demo's alternator job, six weeks old): Mombasa's
  // manager must not see it below.
  const link = page.locator("#invoices tbody a", { hasText: "NBO-" }).first();
  const invoicePath = new URL(await link.getAttribute("href"), BASE).pathname;
  const api = await token(OWNER);
  const before = await ok(api, "GET", `/api/invoices/${invoicePath.split("/").pop()}`);
  check(before.overdue === true, "the invoice is overdue");
  const owedBefore = await owedAt(page, before.site.id);
  await audit(page, `receivables (${lang})`);
  await shot(page, lang, "receivables");

  // Its balance paid by M-Pesa, with a code of its own.
  await page.goto(`${BASE}${invoicePath}`);
  await audit(page, `invoice (${lang})`);
  await shot(page, lang, "invoice");
  check(amount(await page.locator("#payment-amount").inputValue()) === Number(before.balance), "the amount offered is the balance");
  // Typed as a cashier writes it, with a thousands separator.
  const paying = part ? 1000 : Number(before.balance);
  await page.fill("#payment-amount", paying.toLocaleString("en-US"));
  await page.selectOption("#payment-method", "mobile_money");
  await page.fill("#payment-reference", code);
  await Promise.all([page.waitForNavigation(), page.click("#payment button[type=submit]")]);
  const refusal = await page.locator(".problem, .field-error").allInnerTexts();
  check((await page.locator(".notice").count()) === 1, `the payment is confirmed (${refusal.join("; ")})`);
  const left = Number(before.balance) - paying;
  check(Math.abs(amount(await page.locator("[data-figure=balance]").innerText()) - left) < 0.005, `${left} is left to pay`);
  await shot(page, lang, "invoice-paid");
  const after = await ok(api, "GET", `/api/invoices/${before.id}`);
  check(after.status === (part ? "partially_paid" : "paid") && after.payments.some((p) => p.reference === code),
    `the API has the payment (${after.status})`);
  const owedAfter = await owedAt(page, before.site.id);
  check(Math.abs(owedBefore - owedAfter - paying) < 0.005,
    `owed fell by the payment: ${owedBefore} → ${owedAfter} (paid ${paying})`);

  // The PDF, read back.
  await page.goto(`${BASE}${invoicePath}`);
  const [download] = await Promise.all([page.waitForEvent("download"), page.click(`a[href$="/pdf"]`)]);
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "karakana-pdf-")), "invoice.pdf");
  await download.saveAs(file);
  const text = execFileSync("pdftotext", ["-layout", file, "-"]).toString();
  check(text.includes(before.number), `the PDF names ${before.number}`);
  check(text.includes("Kamau Motors Limited"), "the PDF names the business");
  const shown = left.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  check(text.includes(shown), `the PDF's balance is what is left, ${shown}`);
  check(page.problems.length === 0, page.problems.join("; "));
  await owner.context.close();

  // Another branch's invoice is not there for Mombasa's manager.
  if (before.site.name.includes("Mombasa")) throw new Error("the demo's overdue invoice should be outside Mombasa");
  const manager = await person(browser, DESK, lang);
  await signIn(manager.page, MOMBASA_MANAGER);
  const refused = await manager.page.goto(`${BASE}${invoicePath}`);
  check(refused.status() === 404, `another branch's invoice is the 404 page (${refused.status()})`);
  await audit(manager.page, `invoice of another branch (${lang})`);
  await manager.context.close();
}

const browser = await launch();
try {
  // Part of the overdue invoice in English, the rest in Swahili, each with
  // a code of its own.
  await money(browser, "en", "SKE1AB2CD3", true);
  await money(browser, "sw", "SKS4EF5GH6", false);
  log("axe:", JSON.stringify(auditSummary()));
} finally {
  await browser.close();
}
