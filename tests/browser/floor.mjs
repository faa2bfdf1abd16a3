// The workshop floor in chromium, once in English and once in Swahili:
// an advisor books a new customer's car in at the front desk (1280 px),
// adds a part and labour and sends the estimate; the customer approves it
// through the link in their mail (on their phone); the order appears on a
// technician's phone (390 × 844) and on the manager's board without a
// reload; the technician claims it, clocks in,
// times it, adds a part, labour and a photo, then loses the connection,
// adds labour and a photo and pauses the timer, and on reconnecting sees
// each reach the server exactly once; a form with errors keeps its input;
// a forged CSRF token is refused; another organization's order is the 404
// page; the order is completed and the board shows every step. Every page
// is audited by axe-core and photographed (tour.mjs adds the rest).
//
// Run by tests/requests/browser.rs against a server with the demo data:
//   BASE_URL=http://127.0.0.1:5150 node tests/browser/floor.mjs

import {
  BASE, DESK, PASSWORD, PHONE, api, audit, auditSummary, check, launch, log, mailedLink, ok,
  person, photo, shot, signIn, thumbSized, token,
} from "./lib.mjs";

const OWNER = "wanjiru@kamaumotors.co.ke";
const MANAGER = "james@kamaumotors.co.ke";
const ADVISOR = "peter@kamaumotors.co.ke";

// Marks the page's document, to tell later that it was never reloaded.
async function mark(page) {
  await page.evaluate(() => { window.karakanaMark = Math.random().toString(36).slice(2); });
  return page.evaluate(() => window.karakanaMark);
}

async function sameDocument(page, marker, what) {
  const now = await page.evaluate(() => window.karakanaMark);
  check(now === marker, `${what}: the page updated without reloading`);
}

// The front desk books a new customer's car in on one page, adds a part
// and labour, asks for approval and sends the estimate.
async function bookIn(desk, site, lang, product) {
  const stamp = Date.now().toString().slice(-5);
  const plate = `KDX ${stamp.slice(0, 3)}${lang === "sw" ? "S" : "E"}`;
  const email = `customer-${lang}-${stamp}@example.com`;
  await desk.goto(`${BASE}/orders/new`);
  await audit(desk, `book in (${lang})`);
  await desk.fill("[id='customer.name']", lang === "sw" ? `Neema Wanjiku ${stamp}` : `Grace Achieng ${stamp}`);
  await desk.fill("[id='customer.phone']", `+2547${stamp}1234`.slice(0, 13));
  await desk.fill("[id='customer.email']", email);
  await desk.selectOption("[id='customer.language']", lang);
  await desk.fill("[id='vehicle.plate']", plate);
  await desk.fill("[id='vehicle.make']", "Toyota");
  await desk.fill("[id='vehicle.model']", "Fielder");
  await desk.fill("[id='vehicle.year']", "2014");
  await desk.selectOption("#site_id", site.id);
  await desk.selectOption("[id='order.priority']", "high");
  await desk.fill("[id='order.description']", lang === "sw" ? "Breki zinalia" : "Brakes squeal when stopping");
  await desk.fill("[id='order.complaint']", lang === "sw" ? "Kelele wakati wa kusimama" : "Noise at low speed");
  await desk.fill("[id='order.odometer_km']", "151,200");
  await shot(desk, lang, "book-in");
  await Promise.all([desk.waitForNavigation(), desk.locator("form[action='/orders'] button[type=submit]").click()]);
  const order = new URL(desk.url()).pathname.split("/")[2];
  check(/^[0-9a-f-]{36}$/.test(order || ""), `booked in (${desk.url()})`);
  // A part and labour, proposed to the customer.
  await desk.selectOption("#desk-part-product", product.id);
  await desk.fill("#desk-part-quantity", "2");
  await Promise.all([desk.waitForNavigation(), desk.locator("form#parts button[type=submit]").click()]);
  await desk.fill("#desk-labor-description", lang === "sw" ? "Kubadilisha pedi za breki" : "Replace front brake pads");
  await desk.fill("#desk-labor-hours", "1.5");
  await desk.fill("#desk-labor-rate", "2000");
  await Promise.all([desk.waitForNavigation(), desk.locator("form#labor button[type=submit]").click()]);
  await desk.locator("#lines table.lines").getByText("3,000.00").waitFor();
  await Promise.all([desk.waitForNavigation(), desk.locator("#moves button[value=pending_approval]").click()]);
  await Promise.all([desk.waitForNavigation(), desk.locator("form[action$='/estimate'] button").click()]);
  await desk.locator(".notice").waitFor();
  await audit(desk, `order at the desk (${lang})`);
  await shot(desk, lang, "desk-order");
  return { plate, order, email };
}

// The customer opens the estimate's link on their phone and approves every
// line; the desk then records the order approved.
async function approve(browser, desk, job, lang) {
  const link = await mailedLink(job.email, "/e/");
  const customer = await person(browser, PHONE, lang);
  await customer.page.goto(`${BASE}${link}`);
  for (const radio of await customer.page.locator("input[type=radio][value=approved]").all()) {
    await radio.check();
  }
  await shot(customer.page, lang, "estimate");
  await Promise.all([customer.page.waitForNavigation(), customer.page.locator("button[type=submit]").click()]);
  await customer.context.close();
  await desk.goto(`${BASE}/orders/${job.order}`);
  check(await desk.locator("#lines .approval.approved").count() === 2, "both lines approved by the customer");
  await Promise.all([desk.waitForNavigation(), desk.locator("#moves button[value=approved]").click()]);
  await desk.locator(".badge.status-approved").first().waitFor();
}

async function column(board, status) {
  return board.locator(`#col-${status}`).locator("xpath=..");
}

async function scenario(browser, lang) {
  log(`— the floor in ${lang}`);
  const owner = await token(OWNER);
  const site = (await ok(owner, "GET", "/api/sites")).items.find((s) => s.code === "NBO");
  const products = (await ok(owner, "GET", `/api/products?site_id=${site.id}&per_page=200`)).items
    .filter((p) => Number(p.available) >= 5);
  check(products.length > 0, "the branch stocks parts");

  // A technician of our own, so the demo's state does not matter.
  const email = `fundi-${lang}-${Date.now()}@kamaumotors.co.ke`;
  await ok(owner, "POST", "/api/staff", {
    name: lang === "sw" ? "Baraka Mwangi" : "Otieno Kamau", email, password: PASSWORD,
    role: "technician", site_ids: [site.id],
  });
  const technicianToken = await token(email);

  // The manager's board on the office's screen.
  const desk = await person(browser, DESK, lang);
  const board = desk.page;
  await signIn(board, MANAGER);
  await board.goto(`${BASE}/board`);
  await board.waitForSelector("#board");
  await audit(board, `board (${lang})`);
  await shot(board, lang, "board-before");
  const boardMark = await mark(board);

  // The technician's phone, on the queue.
  const phone = await person(browser, PHONE, lang);
  const page = phone.page;
  await signIn(page, email);
  check(new URL(page.url()).pathname === "/queue", "a technician starts on the queue");
  await audit(page, `queue (${lang})`);
  await thumbSized(page, "queue");
  const queueMark = await mark(page);

  // The front desk books the car in; the board shows it booked in.
  const front = await person(browser, DESK, lang);
  await signIn(front.page, ADVISOR);
  const job = await bookIn(front.page, site, lang, products[0]);
  job.product = products[0];
  await (await column(board, "pending_approval")).getByText(job.plate).waitFor({ timeout: 15000 });
  await sameDocument(board, boardMark, "the board after booking in");
  log("booked in, estimate sent", job.plate);
  // The customer approves through the link; the desk records it.
  await approve(browser, front.page, job, lang);
  log("approved through the estimate's link");

  // It appears on the phone and on the board by itself.
  await page.locator("#queue").getByText(job.plate).waitFor({ timeout: 15000 });
  await sameDocument(page, queueMark, "the queue");
  await (await column(board, "approved")).getByText(job.plate).waitFor({ timeout: 15000 });
  await sameDocument(board, boardMark, "the board");
  await shot(page, lang, "queue");
  log("seen on the queue and the board without a reload");

  // Claim it.
  const card = page.locator("article.order", { hasText: job.plate });
  await Promise.all([page.waitForNavigation(), card.getByRole("button").click()]);
  check(page.url().endsWith(`/work/${job.order}`), `the claim opens the order (${page.url()})`);
  await (await column(board, "in_progress")).getByText(job.plate).waitFor({ timeout: 15000 });
  await sameDocument(board, boardMark, "the board after the claim");
  log("claimed; the board moved it");

  // Clock in if need be, then start the timer.
  const clockIn = page.locator(".shiftbar form[action='/shift/clock-in'] button");
  if (await clockIn.count()) {
    await Promise.all([page.waitForNavigation(), clockIn.click()]);
  }
  check(await page.locator(".shiftbar time[data-since]").count() === 1, "the shift's clock shows");
  await page.locator("#timer form[action$='/timer/start'] button").click();
  await page.locator("#timer .timer-state.running").waitFor();
  log("timer running");

  // A part from the branch's stock, and labour, found on the job.
  const part = products[1] || products[0];
  await page.selectOption("#part-product", part.id);
  await page.fill("#part-quantity", "1");
  await page.locator("#parts form button[type=submit]").click();
  await page.locator("#parts table.lines tbody tr").nth(1).waitFor();
  await page.fill("#labor-description", lang === "sw" ? "Kusafisha diski" : "Clean the discs");
  await page.fill("#labor-hours", "1");
  await page.fill("#labor-rate", "2500");
  await page.locator("#labor form button[type=submit]").click();
  await page.locator("#labor table.lines").getByText("2,500.00").waitFor();

  // A form with errors keeps what was typed, the error next to its field.
  await page.fill("#labor-description", "Check the discs");
  await page.fill("#labor-hours", "lots");
  await page.fill("#labor-rate", "2000");
  await page.locator("#labor form button[type=submit]").click();
  await page.locator("#labor-hours[aria-invalid=true]").waitFor();
  check(await page.inputValue("#labor-description") === "Check the discs", "the description is kept");
  check(await page.inputValue("#labor-hours") === "lots", "the wrong hours are kept to mend");
  check(await page.locator("#labor-hours-error").isVisible(), "the error is next to the hours");
  await audit(page, `order with a form error (${lang})`);
  await shot(page, lang, "order-form-error");
  await page.fill("#labor-description", "");
  await page.fill("#labor-hours", "");

  // A photo, taken with the phone.
  await page.setInputFiles("#photo", photo());
  await page.locator("#files ul.files img").first().waitFor();
  log("part, labour and photo added");
  await audit(page, `order (${lang})`);
  await thumbSized(page, "order");
  await shot(page, lang, "order");

  // The connection drops: labour, a photo and the pause wait on the phone.
  await phone.context.setOffline(true);
  await page.fill("#labor-description", lang === "sw" ? "Kazi bila mtandao" : "Work done offline");
  await page.fill("#labor-hours", "0.5");
  await page.fill("#labor-rate", "2000");
  await page.locator("#labor form button[type=submit]").click();
  await page.setInputFiles("#photo", photo("offline.jpg"));
  await page.locator("#timer form[action$='/timer/pause'] button").click();
  await page.locator("#outbox [data-waiting='3']").waitFor();
  const waitingText = await page.locator("#outbox").innerText();
  check(/3/.test(waitingText), `the page says what is waiting: ${waitingText}`);
  await shot(page, lang, "order-offline");
  const whileOffline = await ok(owner, "GET", `/api/repair-orders/${job.order}`);
  check(whileOffline.labor.length === 2, "nothing reached the server while offline");
  log("offline:", waitingText.replace(/\s+/g, " "));

  // Back online: each change reaches the server once, and the page says so.
  await phone.context.setOffline(false);
  await page.evaluate(() => window.dispatchEvent(new Event("online")));
  await page.locator("#outbox [data-waiting]").waitFor({ state: "detached", timeout: 30000 });
  await page.locator("#labor table.lines").getByText("1,000.00").waitFor({ timeout: 15000 });
  const after = await ok(owner, "GET", `/api/repair-orders/${job.order}`);
  const offlineLines = after.labor.filter((line) => line.hours === "0.5" || line.hours === "0.50");
  check(after.labor.length === 3 && offlineLines.length === 1, `labour once: ${JSON.stringify(after.labor)}`);
  const files = await ok(owner, "GET", `/api/repair-orders/${job.order}/attachments`);
  check(files.total === 2, `two photos, not three: ${files.total}`);
  const timer = await ok(technicianToken, "GET", `/api/repair-orders/${job.order}/timer`);
  check(timer.running === false, "the timer is paused");
  check(!(await page.locator("#outbox li.failed").count()), "nothing failed");
  log("back online: each change reached the server exactly once");

  // A forged CSRF token is refused, and changes nothing.
  const forged = await page.evaluate(async (order) => {
    const response = await fetch(`/work/${order}/notes`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "_csrf=forged&body=Forged+note",
    });
    return { status: response.status, text: await response.text() };
  }, job.order);
  check(forged.status === 403, `a forged token is refused (${forged.status})`);
  const notes = await ok(owner, "GET", `/api/repair-orders/${job.order}/notes`);
  check(!notes.items.some((n) => n.body === "Forged note"), "the forged note was not added");

  // The office changes the job meanwhile: the desk sees the technician has
  // not seen it yet, and the phone shows it until they say they have.
  await front.page.goto(`${BASE}/orders/${job.order}`);
  await front.page.locator("#revise summary").click();
  await front.page.selectOption("#revise-priority", "urgent");
  await Promise.all([
    front.page.waitForNavigation(),
    front.page.locator("#revise form button[type=submit]").click(),
  ]);
  check(await front.page.locator(".notice-inline").count() === 1, "the desk sees the change is not seen yet");
  await audit(front.page, `desk order, changed (${lang})`);
  await shot(front.page, lang, "desk-order-changed");
  await page.goto(`${BASE}/work/${job.order}`);
  await page.locator("#changes").waitFor();
  check(await page.locator("#changes li").count() === 1, "the phone lists the one change");
  await audit(page, `order changed by the office (${lang})`);
  await thumbSized(page, "order changed by the office");
  await shot(page, lang, "order-changed");
  await page.locator("#changes form button[type=submit]").click();
  await page.locator("#changes").waitFor({ state: "detached", timeout: 15000 });
  const acknowledged = await ok(owner, "GET", `/api/repair-orders/${job.order}`);
  check(acknowledged.unseen_changes.length === 0, "the technician has seen the change");
  log("the office's change shown on the phone until seen");

  // Complete it: the board shows it completed today.
  await page.locator("#complete-note").fill(lang === "sw" ? "Tayari" : "Ready for collection");
  await Promise.all([page.waitForNavigation(), page.locator("#complete form button[type=submit]").click()]);
  check(new URL(page.url()).pathname === "/work", `completing returns to my work (${page.url()})`);
  await page.locator(".notice").waitFor();
  await audit(page, `my work (${lang})`);
  await shot(page, lang, "work");
  await (await column(board, "completed")).getByText(job.plate).waitFor({ timeout: 15000 });
  await sameDocument(board, boardMark, "the board after completion");
  await shot(board, lang, "board-after");
  const done = await ok(owner, "GET", `/api/repair-orders/${job.order}`);
  check(done.status === "completed" && done.invoice, "completed with its invoice");
  log("completed; the board shows it");

  // Another organization's order is the 404 page.
  const rival = await ok(null, "POST", "/api/auth/signup", {
    organization_name: `Rival Motors ${lang} ${Date.now()}`, name: "Rival Owner",
    email: `rival-${lang}-${Date.now()}@example.com`, password: PASSWORD,
  });
  const rivalSite = await ok(rival.token, "POST", "/api/sites", {
    name: "Rival Nairobi", code: "RVL", timezone: "Africa/Nairobi", currency: "KES", tax_rate: "0.16",
  });
  const rivalCustomer = await ok(rival.token, "POST", "/api/customers", {
    name: "Their customer", phone: "+254700000001", home_site_id: rivalSite.id,
  });
  const rivalVehicle = await ok(rival.token, "POST", "/api/vehicles", {
    customer_id: rivalCustomer.id, plate: "KZZ 999Z", make: "Nissan", model: "Note",
  });
  const rivalOrder = await ok(rival.token, "POST", "/api/repair-orders", {
    site_id: rivalSite.id, vehicle_id: rivalVehicle.id, description: "Not yours",
  });
  const foreign = await page.goto(`${BASE}/work/${rivalOrder.id}`);
  check(foreign.status() === 404, `another organization's order is 404 (${foreign.status()})`);
  check(!(await page.content()).includes("Not yours"), "and shows nothing of it");
  await audit(page, `404 page (${lang})`);
  await shot(page, lang, "not-found");

  const problems = [...page.problems, ...board.problems, ...front.page.problems];
  check(problems.length === 0, `no script errors: ${problems.join("; ")}`);
  await phone.context.close();
  await desk.context.close();
  await front.context.close();
}

const browser = await launch();
try {
  await scenario(browser, "en");
  await scenario(browser, "sw");
  log("axe:", JSON.stringify(auditSummary()));
  log("the floor works in both languages");
} finally {
  await browser.close();
}
