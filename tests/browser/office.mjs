// The office's money in chromium (1280 px), in English then in Swahili:
// the owner finds the demo's overdue invoice, records an M-Pesa payment on
// it (part of it in English, the rest in Swahili) and watches what
// customers owe fall by as much; downloads its PDF and reads
// it back with pdftotext; a manager of one branch opening another
// branch's invoice gets the 404 page. Before that, a Nairobi job that
// lacks brake pads gets them from Mombasa in one step, and a promotion
// is written in Swahili, counted, sent and followed, and Nairobi's manager
// adds a technician with skills, pay and a working week. Every page is
// audited by axe-core.
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
// Manager of Nairobi.
const NAIROBI_MANAGER = "james@kamaumotors.co.ke";

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

// A Nairobi job needs more brake pads than Nairobi has: the order page
// offers Mombasa's, and one click brings the missing ones over and puts
// the part on the job.
async function transfer(browser, lang) {
  log(`— a part from Mombasa, in ${lang}`);
  const owner = await person(browser, DESK, lang);
  const page = owner.page;
  await signIn(page, OWNER);
  const api = await token(OWNER);
  const sites = await ok(api, "GET", "/api/sites");
  const nairobi = sites.items.find((site) => site.code === "NBO");
  const mombasa = sites.items.find((site) => site.code === "MSA");
  const pads = async (site) => (await ok(api, "GET", `/api/products?site_id=${site.id}&q=PADS-FRONT`)).items[0];
  const [herePads, therePads] = [await pads(nairobi), await pads(mombasa)];
  const open = await ok(api, "GET", `/api/repair-orders?site_id=${nairobi.id}&status=in_progress`);
  check(open.items.length > 0, "the demo has a Nairobi job in progress");
  const order = open.items[0];

  // The low pads are on the stock page's low list.
  await page.goto(`${BASE}/stock?low_stock=on&site_id=${nairobi.id}`);
  await audit(page, `stock, low (${lang})`);
  await shot(page, lang, "stock-low");
  check(await page.locator(`#stock a[href="/stock/${herePads.id}"]`).count() === 1, "Nairobi's pads are low");

  const wanted = Number(herePads.available) + 2;
  await page.goto(`${BASE}/orders/${order.id}`);
  await page.selectOption("#desk-part-product", herePads.id);
  await page.fill("#desk-part-quantity", String(wanted));
  await Promise.all([page.waitForNavigation(), page.click("#parts button[type=submit]")]);
  await page.waitForSelector("#shortage-heading");
  await audit(page, `order lacking a part (${lang})`);
  await shot(page, lang, "order-shortage");
  const bring = page.locator(`.shortage form:has(input[value="${therePads.id}"]) button`);
  check(await bring.count() === 1, "Mombasa's pads are offered");
  await Promise.all([page.waitForNavigation(), bring.click()]);
  check((await page.locator(".notice").count()) === 1, "the part is on the job");
  await shot(page, lang, "order-part-transferred");
  const detail = await ok(api, "GET", `/api/repair-orders/${order.id}`);
  check(detail.parts.some((line) => line.product_id === herePads.id && Number(line.quantity) === wanted),
    `the job holds ${wanted} pads`);
  const [hereAfter, thereAfter] = [await pads(nairobi), await pads(mombasa)];
  check(Number(thereAfter.quantity_on_hand) === Number(therePads.quantity_on_hand) - 2, "two left Mombasa");
  check(Number(hereAfter.quantity_on_hand) === Number(herePads.quantity_on_hand) + 2, "two came to Nairobi");
  check(Number(hereAfter.available) === 0, "Nairobi's pads are all held for the job");

  // The movement is on Mombasa's product page, with the job it was for.
  await page.goto(`${BASE}/stock/${therePads.id}`);
  await audit(page, `product (${lang})`);
  await shot(page, lang, "product");
  check((await page.locator("#product-movements ~ div tbody tr").first().innerText()).includes(order.vehicle.plate),
    "the transfer names the car it was for");
  await page.goto(`${BASE}/purchase-orders/new?site_id=${nairobi.id}`);
  await audit(page, `purchase order draft (${lang})`);
  await shot(page, lang, "purchase-order-new");
  check(page.problems.length === 0, page.problems.join("; "));
  await owner.context.close();
}

// The owner writes a promotion in Swahili and English, watches the
// number of customers it would reach change as the audience narrows (the
// API's count for the same audience), sends it now and reads its results.
async function promotion(browser, lang) {
  log(`— a promotion, in ${lang}`);
  const owner = await person(browser, DESK, lang);
  const page = owner.page;
  await signIn(page, OWNER);
  const api = await token(OWNER);
  await page.goto(`${BASE}/promotions/new`);
  await audit(page, `promotion compose (${lang})`);
  const shown = async () => Number((await page.locator("[data-figure=recipients]").innerText()).trim());
  const everyone = (await ok(api, "POST", "/api/promotions/preview", {})).recipients;
  check(await shown() === everyone, `the count starts at everyone who agreed (${everyone})`);
  const toyotas = (await ok(api, "POST", "/api/promotions/preview", { audience: { make: "Toyota" } })).recipients;
  check(toyotas !== everyone, "the demo's Toyota owners are fewer than everyone");
  await page.fill("#promotion-title", "Toyota owners: a free brake check");
  await page.fill("#promotion-body", "Come in this week for a free brake check.");
  await page.fill("#promotion-title-sw", "Wenye Toyota: ukaguzi wa breki bure");
  await page.fill("#promotion-body-sw", "Karibu wiki hii kwa ukaguzi wa breki bure.");
  await page.fill("#audience-make", "Toyota");
  await page.waitForFunction((expected) =>
    document.querySelector("[data-figure=recipients]")?.textContent.trim() === String(expected), toyotas);
  await shot(page, lang, "promotion-compose");
  await audit(page, `promotion compose, counted (${lang})`);
  await page.check("input[name=when][value=now]");
  await Promise.all([page.waitForNavigation(), page.click("#promotion .actions button[type=submit]")]);
  const refusal = await page.locator(".problem, .field-error").allInnerTexts();
  check((await page.locator(".notice").count()) === 1, `the promotion went out (at ${page.url()}: ${refusal.join("; ")})`);
  const id = new URL(page.url()).pathname.split("/").pop();
  const sent = await ok(api, "GET", `/api/promotions/${id}`);
  check(sent.recipients === toyotas && sent.title_sw.startsWith("Wenye Toyota"), `its recipients are the count (${sent.recipients})`);
  check(Number((await page.locator("[data-figure=recipients]").innerText()).trim()) === toyotas, "the page shows them");
  await audit(page, `promotion results (${lang})`);
  await shot(page, lang, "promotion-results");
  check(page.problems.length === 0, page.problems.join("; "));
  await owner.context.close();
}

// Nairobi's manager adds a technician, gives them skills, pay and a
// working week; the API has what the pages said.
async function technician(browser, lang) {
  log(`— a new technician, in ${lang}`);
  const manager = await person(browser, DESK, lang);
  const page = manager.page;
  await signIn(page, NAIROBI_MANAGER);
  await page.goto(`${BASE}/people/new`);
  await audit(page, `person form (${lang})`);
  const email = `wafula.${Date.now()}@kamaumotors.co.ke`;
  await page.fill("#person-name", "Wafula Simiyu");
  await page.fill("#person-email", email);
  await page.fill("#person-password", "a first password here");
  await page.selectOption("#person-role", "technician");
  await Promise.all([page.waitForNavigation(), page.click("#person-form button[type=submit]")]);
  check((await page.locator(".notice").count()) === 1, `the technician was added (at ${page.url()})`);
  const id = new URL(page.url()).pathname.split("/").pop();
  await page.check("#profile input[name=skills][value=electrical]");
  await page.check("#profile input[name=skills][value=diagnostics]");
  await page.selectOption("#profile-level", "junior");
  await page.selectOption("#profile-pay-kind", "hourly");
  await page.fill("#profile-pay-rate", "450");
  await Promise.all([page.waitForNavigation(), page.click("#profile button[type=submit]")]);
  check((await page.locator(".notice").count()) === 1, "the profile was saved");
  for (const [row, day] of [[0, "monday"], [1, "wednesday"], [2, "friday"]]) {
    await page.selectOption(`#stint-${row}-day`, day);
    await page.fill(`#stint-${row}-starts`, "08:00");
    await page.fill(`#stint-${row}-ends`, "17:00");
  }
  await Promise.all([page.waitForNavigation(), page.click("#hours button[type=submit]")]);
  check((await page.locator(".notice").count()) === 1, "the week was saved");
  await audit(page, `person (${lang})`);
  await shot(page, lang, "person-technician");
  const api = await token(NAIROBI_MANAGER);
  const profile = await ok(api, "GET", `/api/technicians/${id}`);
  check(JSON.stringify(profile.skills) === JSON.stringify(["diagnostics", "electrical"]), `skills: ${profile.skills}`);
  check(profile.pay_basis.kind === "hourly" && Number(profile.pay_basis.rate) === 450, "paid by the hour");
  const week = await ok(api, "GET", `/api/technicians/${id}/working-hours`);
  check(week.hours.map((h) => h.weekday).join() === "monday,wednesday,friday", `the week: ${JSON.stringify(week.hours)}`);
  await page.goto(`${BASE}/people/stats`);
  await audit(page, `technicians' numbers (${lang})`);
  check(await page.locator("#team-stats", { hasText: "Wafula Simiyu" }).count() === 1, "the new technician is in the numbers");
  check(page.problems.length === 0, page.problems.join("; "));
  await manager.context.close();
}

const browser = await launch();
try {
  await transfer(browser, "en");
  await technician(browser, "en");
  await promotion(browser, "sw");
  // Part of the overdue invoice in English, the rest in Swahili, each with
  // a code of its own.
  await money(browser, "en", "SKE1AB2CD3", true);
  await money(browser, "sw", "SKS4EF5GH6", false);
  log("axe:", JSON.stringify(auditSummary()));
} finally {
  await browser.close();
}
