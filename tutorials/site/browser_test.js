// The book's website as a reader sees it: headless Chromium (Debian's /usr/bin/chromium, driven
// by playwright-core; no browser is downloaded) opens every page of a site built by
// `scripts/book html`, served from 127.0.0.1, and fails on
//   - a console error, an uncaught exception, a request that fails or is answered >= 400;
//   - any request that leaves 127.0.0.1 (nothing is fetched from the internet);
//   - an image that does not load (naturalWidth 0);
//   - an internal link to no page, or to an anchor that the page does not have;
//   - mathematics left unrendered: a `$` in the text, a span.math without KaTeX in it, or a
//     KaTeX error node;
//   - Chinese text drawn in another font than Noto Sans CJK SC (simplified Chinese glyphs);
//   - a page that scrolls sideways on a 390 px wide phone screen;
//   - a search for a chapter's key term (in English and, for chapters 5 to 11, in Chinese)
//     whose results do not include that chapter; and a page that no link reaches.
// Into the report folder it writes screenshots of each chapter page (the whole page at 1280 px,
// one screen of 1200 px after another, and its top at 390 px) and report.txt, with each
// page's load time.
//   node browser_test.js SITE_DIR REPORT_DIR [PAGES]
// PAGES, a regular expression, opens only the pages whose path matches it (the test of this
// test plants faults in one page and runs it on that page alone).
"use strict";
const fs = require("fs");
const http = require("http");
const path = require("path");
const { chromium } = require("playwright-core");

const [site, reportDir] = process.argv.slice(2, 4).map((p) => path.resolve(p));
const only = process.argv[4] ? new RegExp(process.argv[4]) : null;
const CHROMIUM = process.env.XTGRAD_CHROMIUM || "/usr/bin/chromium";
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 1200 };

// Key terms: a reader who searches for one must find its chapter (NN is the folder's number).
const KEY_TERMS = [
  ["01", ["broadcasting"]],
  ["02", ["tape"]],
  ["03", ["central differences"]],
  ["04", ["custom op"]],
  ["05", ["gradients by hand", "链式法则"]],
  ["06", ["dropout", "正则化"]],
  ["07", ["cross-entropy", "交叉熵"]],
  ["08", ["pretraining", "逐层贪婪预训练"]],
  ["09", ["denoising", "去噪"]],
  ["10", ["sparsity", "稀疏"]],
  ["11", ["reparameterisation", "重参数化"]],
];

const TYPES = { ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript",
  ".json": "application/json", ".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg",
  ".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf" };

function serve(root) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    const file = path.join(root, decodeURIComponent(url.pathname));
    if (!file.startsWith(root) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404);
      res.end("not found");
      return;
    }
    res.writeHead(200, { "Content-Type": TYPES[path.extname(file)] || "application/octet-stream" });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

// Runs in the page: what a reader would see broken, and what the page offers (links, ids).
function inspectPage() {
  const problems = [];
  for (const img of document.images) {
    if (!img.complete || img.naturalWidth === 0) problems.push(`image does not load: ${img.getAttribute("src")}`);
  }
  for (const e of document.querySelectorAll(".katex-error")) {
    problems.push(`KaTeX error: ${e.getAttribute("title")} in ${e.textContent.slice(0, 80)}`);
  }
  for (const e of document.querySelectorAll("span.math")) {
    if (!e.querySelector(".katex")) problems.push(`mathematics not typeset: ${e.textContent.slice(0, 80)}`);
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.nodeValue.includes("$") && !n.parentElement.closest("pre, code, .katex, script, style")) {
      const at = n.nodeValue.indexOf("$");
      problems.push(`a raw $ in the text: "${n.nodeValue.slice(Math.max(0, at - 40), at + 40).trim()}"`);
    }
  }
  const links = [...document.querySelectorAll("a[href]")].map((a) => a.href);
  const ids = [...document.querySelectorAll("[id]")].map((e) => e.id);
  const cjk = [...document.querySelectorAll("main p, main li, main td")]
    .find((e) => /[\u4e00-\u9fff]/.test(e.textContent) && !e.closest("pre, code"));
  if (cjk) cjk.setAttribute("data-cjk-probe", "");
  return { problems, links, ids, hasCjk: Boolean(cjk) };
}

// Runs in the page at phone width: the elements that stick out to the right, so the failure
// names what to fix.
function sideways() {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return null;
  const culprits = [];
  const clipped = (e) => {  // inside a box that scrolls or clips by itself
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== "visible") return true;
    }
    return false;
  };
  for (const e of document.body.querySelectorAll("*")) {
    const r = e.getBoundingClientRect();
    const right = Math.max(r.right, r.left + e.scrollWidth);  // its box, or text spilling out of it
    if (right > width + 1 && !clipped(e)) {
      culprits.push(`<${e.tagName.toLowerCase()}${e.className ? " class=" + e.className : ""}> ` +
        `${Math.round(right)} px: ${e.textContent.slice(0, 60).replace(/\s+/g, " ")}`);
      if (culprits.length === 3) break;
    }
  }
  return `the page is ${document.documentElement.scrollWidth} px wide on a ${width} px screen ` +
    `and scrolls sideways (${culprits.join("; ")})`;
}

async function main() {
  const started = Date.now();
  const pages = JSON.parse(fs.readFileSync(path.join(site, "pages.json"), "utf8"))
    .filter((p) => !only || only.test(p.path));
  fs.mkdirSync(path.join(reportDir, "screenshots"), { recursive: true });
  const server = await serve(site);
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: process.getuid && process.getuid() === 0 ? ["--no-sandbox"] : [],
  });
  const failures = [];
  const fail = (where, what) => failures.push(`${where}: ${what}`);

  async function newPage(viewport) {
    const context = await browser.newContext({ viewport });
    await context.route("**/*", (route) => {
      if (route.request().url().startsWith(origin + "/")) return route.continue();
      fail("network", `a page asked for ${route.request().url()} (nothing may leave 127.0.0.1)`);
      return route.abort();
    });
    const page = await context.newPage();
    page.on("console", (m) => { if (m.type() === "error") fail(page.url(), `console error: ${m.text()}`); });
    page.on("pageerror", (e) => fail(page.url(), `uncaught exception: ${e.message}`));
    page.on("requestfailed", (r) => {
      if (r.url().startsWith(origin)) fail(page.url(), `request failed: ${r.url()} (${r.failure().errorText})`);
    });
    page.on("response", (r) => { if (r.status() >= 400) fail(page.url(), `${r.status()} for ${r.url()}`); });
    return page;
  }

  // Every page: load it at 1280 px, inspect it, narrow it to a phone's 390 px, photograph it.
  const desktop = await newPage(DESKTOP);
  const cdp = await desktop.context().newCDPSession(desktop);
  await cdp.send("DOM.enable");
  await cdp.send("CSS.enable");
  const seen = new Map();  // url without hash -> ids
  const links = [];        // [from page, absolute url]
  const timings = [];
  for (const p of pages) {
    const url = `${origin}/${p.path}`;
    const t0 = Date.now();
    await desktop.goto(url, { waitUntil: "load" });
    const loadMs = Date.now() - t0;
    await desktop.evaluate(() => document.fonts.ready);
    const nav = await desktop.evaluate(() => {
      const n = performance.getEntriesByType("navigation")[0];
      return { load: n.loadEventEnd - n.startTime, bytes: performance.getEntriesByType("resource")
        .reduce((s, r) => s + (r.transferSize || 0), n.transferSize || 0) };
    });
    const found = await desktop.evaluate(inspectPage);
    for (const problem of found.problems) fail(p.path, problem);
    seen.set(url, new Set(found.ids));
    for (const l of found.links) links.push([p.path, l]);
    if (found.hasCjk) {
      const { root } = await cdp.send("DOM.getDocument", { depth: -1 });
      const { nodeId } = await cdp.send("DOM.querySelector", { nodeId: root.nodeId, selector: "[data-cjk-probe]" });
      const { fonts } = await cdp.send("CSS.getPlatformFontsForNode", { nodeId });
      if (!fonts.some((f) => f.familyName === "Noto Sans CJK SC")) {
        fail(p.path, `Chinese text is drawn in ${fonts.map((f) => f.familyName).join(", ")}, not in ` +
          "Noto Sans CJK SC (Debian package fonts-noto-cjk)");
      }
    }
    // At a phone's width the same page must not scroll sideways.
    await desktop.setViewportSize(PHONE);
    const wide = await desktop.evaluate(sideways);
    if (wide) fail(p.path, wide);
    if (p.chapter && p.path.endsWith("/index.html")) {
      await desktop.screenshot({ path: path.join(reportDir, "screenshots", `${p.path.split("/")[0]}-phone.png`) });
    }
    await desktop.setViewportSize(DESKTOP);
    if (p.chapter && p.path.endsWith("/index.html")) {  // the whole page, in slices a viewer can show
      const height = await desktop.evaluate(() => document.documentElement.scrollHeight);
      for (let y = 0, n = 1; y < height; y += DESKTOP.height, n += 1) {
        await desktop.evaluate((top) => window.scrollTo(0, top), y);
        await desktop.screenshot({ path: path.join(reportDir, "screenshots", `${p.path.split("/")[0]}.${String(n).padStart(2, "0")}.png`) });
      }
    }
    timings.push({ path: p.path, loadMs, navMs: Math.round(nav.load), kb: Math.round(nav.bytes / 1024) });
  }

  // Links and anchors: every internal link leads to a page of the site, and to an element there.
  const reached = new Set([`${origin}/index.html`]);
  for (const [from, href] of links) {
    if (!href.startsWith(origin)) continue;
    const [target, anchor] = href.split("#");
    reached.add(target);
    if (!seen.has(target)) {
      const file = path.join(site, decodeURIComponent(new URL(target).pathname));
      if (!fs.existsSync(file)) fail(from, `link to ${target.slice(origin.length)}, which is not in the site`);
      continue;
    }
    if (anchor && !seen.get(target).has(decodeURIComponent(anchor))) {
      fail(from, `link to ${target.slice(origin.length + 1)}#${anchor}: that page has no such anchor`);
    }
  }
  for (const p of pages) {
    if (!reached.has(`${origin}/${p.path}`)) fail(p.path, "no link of the site leads to this page");
  }

  // Search: each chapter's key terms find it.
  await desktop.goto(`${origin}/index.html`, { waitUntil: "load" });
  const searches = [];
  for (const [chapter, terms] of KEY_TERMS) {
    const page = pages.find((p) => p.chapter === chapter && p.path.endsWith("/index.html"));
    if (!page) {
      if (!only) fail("search", `no chapter ${chapter} in the site`);
      continue;
    }
    for (const term of terms) {
      await desktop.fill("#search", term);
      await desktop.waitForFunction((t) => document.getElementById("search-results").dataset.query === t, term);
      const hrefs = await desktop.$$eval("#search-results a.page", (as) => as.map((a) => a.getAttribute("href")));
      const rank = hrefs.indexOf(page.path) + 1;
      searches.push(`${term} -> ${rank ? `chapter ${chapter} is result ${rank} of ${hrefs.length}` : "NOT FOUND"}`);
      if (!rank) fail("search", `"${term}" does not find chapter ${chapter} (${page.path}); it finds ${hrefs.join(", ") || "nothing"}`);
    }
  }
  await desktop.fill("#search", "重参数化");
  await desktop.waitForFunction(() => document.getElementById("search-results").dataset.query === "重参数化");
  await desktop.screenshot({ path: path.join(reportDir, "screenshots", "search.png") });

  await browser.close();
  server.close();

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const report = [
    `browser test of ${site}: ${pages.length} pages, Chromium ${browser.version()}, ${seconds} s`,
    "page load times (1280 px; from navigation to the load event, served from 127.0.0.1):",
    ...timings.map((t) => `  ${t.path.padEnd(50)} ${String(t.loadMs).padStart(5)} ms  (navigation timing ${t.navMs} ms, ${t.kb} KiB)`),
    "search:", ...searches.map((s) => "  " + s),
    failures.length ? `${failures.length} problems:` : "no problems",
    ...failures.map((f) => "  " + f),
  ].join("\n") + "\n";
  fs.writeFileSync(path.join(reportDir, "report.txt"), report);
  process.stdout.write(report);
  console.log(`screenshots in ${path.join(reportDir, "screenshots")}`);
  console.log(failures.length === 0 ? `site test passed: ${pages.length} pages, no problem`
    : `site test FAILED: ${failures.length} problems`);
  process.exit(failures.length === 0 ? 0 : 1);
}

main().catch((e) => { console.error(`browser test: ${e.stack || e}`); process.exit(1); });
