// The customer's own page in chromium, on their phone (390 px): Achieng
// asks for a link with her email address, signs in with the link from her
// mail, approves one line of her estimate and declines the other,
// downloads her invoice (read back with pdftotext), switches her page to
// Swahili and turns offers off; the used link does not work twice, and
// another customer's invoice is the 404 page. Every page is audited by
// axe-core and photographed at 390 and 1280 px in both languages.
//
// Run by tests/requests/browser.rs against a server with the demo data:
//   BASE_URL=http://127.0.0.1:5150 MAIL_DIR=… node tests/browser/portal.mjs

import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  BASE, DESK, PHONE, audit, auditSummary, check, launch, log, mailedLink, ok, person, shot,
  thumbSized, token,
} from "./lib.mjs";

const OWNER = "wanjiru@kamaumotors.co.ke";
const ACHIENG = "achieng.odhiambo@gmail.com";

// A page at both widths, audited and photographed.
async function both(page, lang, name) {
  for (const viewport of [PHONE, DESK]) {
    await page.setViewportSize(viewport);
    await audit(page, `${name} (${lang}, ${viewport.width})`);
    await thumbSized(page, name);
    await shot(page, lang, name);
  }
  await page.setViewportSize(PHONE);
}

const browser = await launch();
try {
  const visitor = await person(browser, PHONE, "en");
  const page = visitor.page;

  // Asking for a link.
  await page.goto(`${BASE}/portal`);
  await both(page, "en", "portal-sign-in");
  await page.fill("#contact", "not an address");
  await Promise.all([page.waitForNavigation(), page.click("form[action='/portal/link'] button[type=submit]")]);
  check(await page.locator("#contact[aria-invalid=true]").count() === 1, "a bad contact is said at the field");
  await page.fill("#contact", ACHIENG);
  await Promise.all([page.waitForNavigation(), page.click("form[action='/portal/link'] button[type=submit]")]);
  check((await page.locator("h1").innerText()).includes("Check your messages"), "the link is on its way");
  await both(page, "en", "portal-link-sent");

  // The link from her mail: its page, then its button.
  const link = await mailedLink(ACHIENG, "/p/");
  log("link", link);
  await page.goto(`${BASE}${link}`);
  await both(page, "en", "portal-link");
  await Promise.all([page.waitForNavigation(), page.click("main form button[type=submit]")]);
  check(new URL(page.url()).pathname === "/portal", `signed in (at ${page.url()})`);
  check((await page.locator("h1").innerText()).includes("Achieng"), "her page");
  check(await page.locator("text=KDA 123A").count() >= 1, "her car is listed");
  await both(page, "en", "portal");

  // The estimate: one line approved, the other declined.
  await Promise.all([page.waitForNavigation(), page.click("a.button:has-text('Approve or decline')")]);
  check(new URL(page.url()).pathname.startsWith("/e/"), "the estimate's own page");
  const radios = page.locator("input[type=radio][value=approved]");
  check(await radios.count() === 2, "two lines to decide");
  await radios.nth(0).check();
  await page.locator("input[type=radio][value=declined]").nth(1).check();
  await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
  check(await page.locator("[role=status]", { hasText: "Thank you" }).count() === 1, "the decision is recorded");
  await audit(page, "estimate decided (en)");
  await shot(page, "en", "portal-estimate-decided");
  const owner = await token(OWNER);
  const orders = await ok(owner, "GET", "/api/repair-orders?status=pending_approval&per_page=100");
  const tyres = orders.items.find((order) => order.description === "Tyres and wheel alignment");
  check(tyres, "the demo's tyre job");
  const detail = await ok(owner, "GET", `/api/repair-orders/${tyres.id}`);
  check(detail.labor.map((line) => line.approval).join() === "approved,declined", `decided: ${detail.labor.map((l) => l.approval)}`);
  await page.click("a[href='/portal']");
  await page.waitForURL(`${BASE}/portal`);
  check(await page.locator("text=all decided").count() === 1, "nothing left to decide");

  // Her invoice, and its PDF.
  const invoiceLink = page.locator("a[href^='/portal/invoices/']:not([download])").first();
  const number = (await invoiceLink.innerText()).trim();
  await Promise.all([page.waitForNavigation(), invoiceLink.click()]);
  await both(page, "en", "portal-invoice");
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("a[download]")]);
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "portal-")), "invoice.pdf");
  await download.saveAs(file);
  const text = execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
  check(text.includes(number) && text.includes("Achieng Odhiambo"), `the PDF is her invoice ${number}`);

  // Another customer's invoice is the 404 page.
  const invoices = await ok(owner, "GET", "/api/invoices?per_page=100");
  const theirs = invoices.items.find((invoice) => !invoice.customer.name.includes("Achieng"));
  const response = await page.goto(`${BASE}/portal/invoices/${theirs.id}`);
  check(response.status() === 404, `another customer's invoice: ${response.status()}`);
  await audit(page, "portal 404 (en)");

  // Swahili, and no offers.
  await page.goto(`${BASE}/portal#settings`);
  await page.selectOption("#language", "sw");
  await page.uncheck("input[name=marketing]");
  await Promise.all([page.waitForNavigation(), page.click("form[action='/portal/preferences'] button[type=submit]")]);
  check((await page.locator("h1").innerText()).includes("Habari"), "her page in Swahili");
  check(!(await page.locator("input[name=marketing]").isChecked()), "offers are off");
  await both(page, "sw", "portal");
  await page.goto(`${BASE}/portal/invoices/${new URL(await invoiceLink.getAttribute("href"), BASE).pathname.split("/").pop()}`);
  await both(page, "sw", "portal-invoice");
  const customers = await ok(owner, "GET", `/api/customers?q=${encodeURIComponent("Achieng")}`);
  const record = await ok(owner, "GET", `/api/customers/${customers.items[0].id}`);
  check(record.language === "sw" && record.marketing_opt_in === false, `recorded: ${record.language} ${record.marketing_opt_in}`);
  check(record.marketing_consent.source === "web", "withdrawn on the web, by her");

  // The used link does not work twice.
  for (const round of [1, 2]) {
    const stranger = await person(browser, PHONE, "sw");
    const again = await stranger.page.goto(`${BASE}${link}`);
    check(again.status() === 404, `the used link, try ${round}: ${again.status()}`);
    check(await stranger.page.locator("#contact").count() === 1, "it offers a new link instead");
    if (round === 1) {
      await both(stranger.page, "sw", "portal-link-used");
      // The visitor's pages in Swahili: asking, and a new link's page
      // (in her language now), left unused.
      await stranger.page.goto(`${BASE}/portal`);
      await both(stranger.page, "sw", "portal-sign-in");
      await stranger.page.fill("#contact", ACHIENG);
      await Promise.all([stranger.page.waitForNavigation(), stranger.page.click("form[action='/portal/link'] button[type=submit]")]);
      await both(stranger.page, "sw", "portal-link-sent");
      const fresh = await mailedLink(ACHIENG, "/p/", 1);
      check(fresh !== link, "a new link");
      await stranger.page.goto(`${BASE}${fresh}`);
      check((await stranger.page.locator("h1").innerText()).includes("Karibu"), "the link's page in her language");
      await both(stranger.page, "sw", "portal-link");
    }
    await stranger.context.close();
  }

  // Signing out.
  await Promise.all([page.waitForNavigation(), page.click("form[action='/portal/logout'] button[type=submit]")]);
  check(await page.locator("#contact").count() === 1, "signed out, the form again");
  check(page.problems.length === 0, page.problems.join("; "));
  await visitor.context.close();
  log("axe:", JSON.stringify(auditSummary()));
} finally {
  await browser.close();
}
