// Every page at 390 px and at 1280 px, in English and in
// Swahili, on the demo workshop: a screenshot of each under SHOTS_DIR, and
// axe-core's audit of each (no serious or critical violation). On the
// phone, nothing wider than the screen and every control big enough for a
// thumb.

import {
  BASE, DESK, PHONE, audit, auditSummary, check, launch, log, ok, person, shot, signIn, thumbSized,
  token,
} from "./lib.mjs";

const TECHNICIAN = "kevin@kamaumotors.co.ke";
const MANAGER = "james@kamaumotors.co.ke";
const OWNER = "wanjiru@kamaumotors.co.ke";

async function visit(page, lang, name, path) {
  const response = await page.goto(`${BASE}${path}`);
  check(response.status() < 500, `${path}: ${response.status()}`);
  await page.waitForLoadState("load");
  await audit(page, `${name} (${lang}, ${page.viewportSize().width})`);
  await thumbSized(page, name);
  await shot(page, lang, name);
  return response;
}

// The owner switches between all branches and one; the figures shown are
// the API's for the same choice.
async function dashboardMatchesTheApi(page) {
  const owner = await token(OWNER);
  const shown = async (name) => (await page.locator(`[data-figure=${name}]`).innerText()).trim();
  const all = await ok(owner, "GET", "/api/dashboard");
  check(await shown("cars-in") === String(all.cars_in_today), "all branches: cars in today");
  check(await shown("open") === String(all.open_orders.total), "all branches: open orders");
  const branch = all.branches[0];
  await page.selectOption("#dashboard-site", branch.site.id);
  await page.waitForFunction(
    (name) => document.querySelector("h1").textContent.includes(name), branch.site.name);
  const one = await ok(owner, "GET", `/api/dashboard?site_id=${branch.site.id}`);
  check(await shown("cars-in") === String(one.cars_in_today), "one branch: cars in today");
  check(await shown("open") === String(one.open_orders.total), "one branch: open orders");
  const receivable = await shown(`receivables-${branch.currency}`);
  const expected = Number(one.money[0].receivables).toLocaleString("en-US", { minimumFractionDigits: 2 });
  check(receivable.endsWith(expected), `one branch: owed ${receivable} is the API's ${expected}`);
  check(new URL(page.url()).searchParams.get("site_id") === branch.site.id, "the choice is in the address");
  await page.selectOption("#dashboard-site", "");
  await page.waitForFunction(() => document.querySelector("#branches-heading") !== null);
}

async function tour(browser, lang, viewport) {
  log(`— the pages in ${lang} at ${viewport.width} px`);
  const anonymous = await person(browser, viewport, lang);
  await visit(anonymous.page, lang, "login", "/login");
  await anonymous.context.close();

  const floor = await person(browser, viewport, lang);
  const page = floor.page;
  await signIn(page, TECHNICIAN);
  await visit(page, lang, "queue", "/queue");
  await visit(page, lang, "work", "/work");
  const open = page.locator("main a.button").first();
  check(await open.count() === 1, "the demo technician has an order open");
  const order = new URL(await open.getAttribute("href"), BASE).pathname;
  await visit(page, lang, "order", order);
  await visit(page, lang, "stats", "/me/stats");
  await visit(page, lang, "stats-month", "/me/stats?period=month");
  const missing = await visit(page, lang, "not-found", "/work/00000000-0000-4000-8000-000000000000");
  check(missing.status() === 404, "an unknown order is the 404 page");
  // A form whose token was tampered with: the 403 page.
  await page.goto(`${BASE}/queue`);
  await page.evaluate(() => {
    document.querySelectorAll("input[name=_csrf]").forEach((input) => { input.value = "tampered"; });
  });
  const form = page.locator(".shiftbar form button").first();
  await Promise.all([page.waitForNavigation(), form.click()]);
  check((await page.content()).includes("403"), "a tampered form is refused");
  await audit(page, `csrf (${lang}, ${viewport.width})`);
  await shot(page, lang, "forbidden");
  check(page.problems.length === 0, page.problems.join("; "));
  await floor.context.close();

  const office = await person(browser, viewport, lang);
  await signIn(office.page, MANAGER);
  await visit(office.page, lang, "board", "/board");
  await visit(office.page, lang, "dashboard-manager", "/dashboard");
  check(office.page.problems.length === 0, office.page.problems.join("; "));
  await office.context.close();

  const owner = await person(browser, viewport, lang);
  await signIn(owner.page, OWNER);
  await visit(owner.page, lang, "dashboard", "/dashboard");
  await dashboardMatchesTheApi(owner.page);
  await visit(owner.page, lang, "invoices", "/invoices");
  const invoice = owner.page.locator("#invoices tbody a").first();
  check(await invoice.count() === 1, "the demo has invoices");
  await visit(owner.page, lang, "invoice", new URL(await invoice.getAttribute("href"), BASE).pathname);
  await visit(owner.page, lang, "receivables", "/invoices/receivables");
  await visit(owner.page, lang, "jobs", "/jobs");
  await visit(owner.page, lang, "audit", "/audit");
  await visit(owner.page, lang, "settings", "/settings");
  await visit(owner.page, lang, "customers", "/customers");
  await visit(owner.page, lang, "orders", "/orders");
  await visit(owner.page, lang, "stock", "/stock");
  await visit(owner.page, lang, "stock-low", "/stock?low_stock=on");
  const product = owner.page.locator("#stock tbody a").first();
  const productPath = new URL(await product.getAttribute("href"), BASE).pathname;
  await visit(owner.page, lang, "product", productPath);
  await visit(owner.page, lang, "product-edit", `${productPath}/edit`);
  await visit(owner.page, lang, "product-new", "/stock/new");
  await visit(owner.page, lang, "purchase-orders", "/purchase-orders");
  const purchase = owner.page.locator("#purchase-orders tbody a").first();
  check(await purchase.count() === 1, "the demo has a purchase order");
  await visit(owner.page, lang, "purchase-order", new URL(await purchase.getAttribute("href"), BASE).pathname);
  await visit(owner.page, lang, "purchase-order-branch", "/purchase-orders/new");
  await owner.page.click("form[action='/purchase-orders/new'] button[type=submit]");
  await owner.page.waitForSelector("#order");
  await visit(owner.page, lang, "purchase-order-new", new URL(owner.page.url()).pathname + new URL(owner.page.url()).search);
  await visit(owner.page, lang, "promotions", "/promotions");
  const offer = owner.page.locator("#promotions tbody a").first();
  check(await offer.count() === 1, "the demo has a promotion");
  await visit(owner.page, lang, "promotion", new URL(await offer.getAttribute("href"), BASE).pathname);
  await visit(owner.page, lang, "promotion-new", "/promotions/new");
  await visit(owner.page, lang, "people", "/people");
  const kevin = owner.page.locator("#people tbody a", { hasText: "Kevin" }).first();
  await visit(owner.page, lang, "person", new URL(await kevin.getAttribute("href"), BASE).pathname);
  await visit(owner.page, lang, "person-new", "/people/new");
  await visit(owner.page, lang, "people-stats", "/people/stats");
  check(owner.page.problems.length === 0, owner.page.problems.join("; "));
  await owner.context.close();
}

const browser = await launch();
try {
  for (const lang of ["en", "sw"]) {
    for (const viewport of [PHONE, DESK]) {
      await tour(browser, lang, viewport);
    }
  }
  log("axe:", JSON.stringify(auditSummary()));
} finally {
  await browser.close();
}
