// What the browser tests share: Debian's chromium through playwright-core,
// the API for setting things up, sign-in through the form, axe-core's
// audit and the screenshots (tests/browser/README.md).

import { mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export const BASE = process.env.BASE_URL || "http://localhost:5150";
export const SHOTS = process.env.SHOTS_DIR || path.resolve("screenshots");
export const PASSWORD = process.env.DEMO_PASSWORD || "karakana-demo";
export const PHONE = { width: 390, height: 844 };
export const DESK = { width: 1280, height: 900 };

export function check(condition, what) {
  if (!condition) throw new Error(`check failed: ${what}`);
}

export function log(...args) {
  console.log(new Date().toISOString().slice(11, 19), ...args);
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
}

// A browser context of its own (cookies, service worker, offline switch)
// at `viewport`, speaking `lang` by its Accept-Language.
export async function person(browser, viewport, lang) {
  const context = await browser.newContext({
    viewport,
    locale: lang === "sw" ? "sw-KE" : "en-GB",
    extraHTTPHeaders: { "Accept-Language": lang === "sw" ? "sw-KE,sw;q=0.9" : "en-GB,en;q=0.9" },
    hasTouch: viewport.width < 600,
  });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(`script error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" && !/Failed to load resource|net::ERR_INTERNET_DISCONNECTED/.test(message.text())) {
      problems.push(`console error: ${message.text()}`);
    }
  });
  page.problems = problems;
  return { context, page };
}

export async function signIn(page, email) {
  await page.goto(`${BASE}/login`);
  await page.fill("#email", email);
  await page.fill("#password", PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click("form[action='/login'] button[type=submit]")]);
  check(!page.url().includes("/login"), `${email} signed in (at ${page.url()})`);
}

// The API as `token`'s user.
export async function api(token, method, route, body) {
  const response = await fetch(`${BASE}${route}`, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = text; }
  return { status: response.status, body: json };
}

export async function ok(token, method, route, body) {
  const answer = await api(token, method, route, body);
  check(answer.status >= 200 && answer.status < 300,
    `${method} ${route} → ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

export async function token(email) {
  return (await ok(null, "POST", "/api/auth/login", { email, password: PASSWORD })).token;
}

const audited = [];

// axe-core on the page as it is: no serious or critical violation of
// WCAG 2.1 A and AA. Returns what it found, for the summary.
export async function audit(page, name) {
  await page.addScriptTag({ content: AXE });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const run = await axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
    });
    return run.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
    }));
  });
  const bad = result.filter((v) => v.impact === "serious" || v.impact === "critical");
  for (const v of result) if (!bad.includes(v)) log(`axe on ${name} (${v.impact}): ${v.id} ${v.help} ${v.nodes.join(", ")}`);
  audited.push({ name, violations: result.length, serious: bad.length });
  check(bad.length === 0, `axe on ${name}: ${JSON.stringify(bad, null, 1)}`);
  return result;
}

export function auditSummary() {
  return audited;
}

// A screenshot of the whole page under SHOTS/<lang>/<width>/<name>.png.
export async function shot(page, lang, name) {
  const width = page.viewportSize().width;
  const dir = path.join(SHOTS, lang, String(width));
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  // Nothing wider than the screen: a phone page that scrolls sideways is
  // a page a thumb cannot use.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 1, `${name} at ${width} px is ${overflow} px too wide`);
  return file;
}

// Buttons and links a thumb must hit: at least 44 × 44 CSS pixels.
export async function thumbSized(page, name) {
  if (page.viewportSize().width > 600) return;
  const small = await page.evaluate(() => Array.from(
    document.querySelectorAll("main button, main a.button, main input:not([type=hidden]):not(.file-input), main select, .shiftbar button, .nav a"),
  ).filter((el) => el.offsetParent !== null).map((el) => {
    // A radio button or a checkbox is hit through its label.
    const target = el.matches("input[type=radio], input[type=checkbox]") && el.closest("label") ? el.closest("label") : el;
    const box = target.getBoundingClientRect();
    return { what: el.textContent.trim().slice(0, 30) || el.name || el.id, w: box.width, h: box.height };
  }).filter((b) => b.h < 44 || b.w < 44));
  check(small.length === 0, `${name}: controls too small for a thumb: ${JSON.stringify(small)}`);
}

// A photo as a phone camera sends it (fixtures/brake-pads.jpg), under a
// name of its own.
export function photo(name = "brake-pads.jpg") {
  const buffer = readFileSync(new URL("./fixtures/brake-pads.jpg", import.meta.url));
  return { name, mimeType: "image/jpeg", buffer };
}

// The link with `marker` in the newest mail to `address` (the SMTP
// sink's folder), once more than `seen` such mails have arrived.
export async function mailedLink(address, marker, seen = 0) {
  const dir = process.env.MAIL_DIR;
  check(dir, "MAIL_DIR names the SMTP sink's folder");
  for (let tries = 0; tries < 100; tries += 1) {
    const messages = readdirSync(dir).filter((name) => name.endsWith(".json") && !name.startsWith("."))
      .map((name) => ({ at: statSync(path.join(dir, name)).mtimeMs, ...JSON.parse(readFileSync(path.join(dir, name), "utf8")) }))
      .filter((message) => message.rcpt_tos.includes(address) && (message.text || "").includes(marker))
      .sort((a, b) => a.at - b.at);
    if (messages.length > seen) {
      const word = messages[messages.length - 1].text.split(/\s+/).find((w) => w.includes(marker));
      return new URL(word).pathname;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no mail with ${marker} reached ${address}`);
}
