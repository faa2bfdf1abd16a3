// Every page at 390 px and at 1280 px, in English and in
// Swahili, on the demo workshop: a screenshot of each under SHOTS_DIR, and
// axe-core's audit of each (no serious or critical violation). On the
// phone, nothing wider than the screen and every control big enough for a
// thumb.

import {
  BASE, DESK, PHONE, audit, auditSummary, check, launch, log, person, shot, signIn, thumbSized,
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
  check(office.page.problems.length === 0, office.page.problems.join("; "));
  await office.context.close();

  const owner = await person(browser, viewport, lang);
  await signIn(owner.page, OWNER);
  await visit(owner.page, lang, "settings", "/settings");
  await visit(owner.page, lang, "customers", "/customers");
  await visit(owner.page, lang, "orders", "/orders");
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
