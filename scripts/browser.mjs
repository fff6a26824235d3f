#!/usr/bin/env node
// Drives headless Chromium through the DevTools protocol over a pipe (--remote-debugging-pipe: no port,
// no npm package), for the HTML report's browser tests (tests/cli/html.rs) and its load benchmark
// (scripts/bench-html).
//
//   node scripts/browser.mjs PLAN.json      (or the plan on standard input)
//
// The plan: {"width": 1400, "height": 900, "steps": [...]}, each step one of
//   {"open": URL}                          navigate and wait for the load event (timings.open: ms)
//   {"wait": EXPR, "as": NAME}             poll EXPR until truthy (timings[NAME]: ms since the last open)
//   {"eval": EXPR, "as": NAME}             results[NAME] = the value of EXPR (promises awaited)
//   {"click": CSS, "as": NAME}             a real mouse click at the element's centre (timings[NAME]: ms
//                                          until the next animation frame after it)
//   {"screenshot": PATH}                   a PNG of the viewport
// It prints one JSON object: {"console": [...], "exceptions": [...], "dialogs": [...], "violations":
// [...], "requests": [...], "results": {...}, "timings": {...}}; console holds the page's errors and
// warnings (CSP violations among them), requests every URL the page asked for. The browser is $CHROMIUM, else chromium on the PATH. Exit 1 on a failed step.

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const planText = process.argv[2] ? readFileSync(process.argv[2], "utf8") : readFileSync(0, "utf8");
const plan = JSON.parse(planText);
const profile = mkdtempSync(join(tmpdir(), "unspun-chromium-"));
const browser = spawn(
  process.env.CHROMIUM || "chromium",
  [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
    "--user-data-dir=" + profile,
    "--remote-debugging-pipe",
    "about:blank",
  ],
  { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"] }
);
let stderr = "";
browser.stderr.on("data", (d) => (stderr = (stderr + d).slice(-4000)));
const toBrowser = browser.stdio[3];
const fromBrowser = browser.stdio[4];

const out = { console: [], exceptions: [], dialogs: [], violations: [], requests: [], results: {}, timings: {} };
let nextId = 1;
const waiting = new Map();
const listeners = [];
let buffer = "";
fromBrowser.on("data", (chunk) => {
  buffer += chunk.toString("utf8");
  let end;
  while ((end = buffer.indexOf("\0")) >= 0) {
    const message = JSON.parse(buffer.slice(0, end));
    buffer = buffer.slice(end + 1);
    if (message.id && waiting.has(message.id)) {
      const { resolve, reject } = waiting.get(message.id);
      waiting.delete(message.id);
      if (message.error) reject(new Error(JSON.stringify(message.error)));
      else resolve(message.result);
    } else if (message.method) {
      for (const l of listeners) l(message);
    }
  }
});

function send(method, params = {}, sessionId) {
  const id = nextId++;
  const message = { id, method, params };
  if (sessionId) message.sessionId = sessionId;
  toBrowser.write(JSON.stringify(message) + "\0");
  return new Promise((resolve, reject) => waiting.set(id, { resolve, reject }));
}

function fail(message) {
  out.error = message + (stderr ? "\nchromium stderr (end): " + stderr : "");
  finish(1);
}

function finish(code) {
  process.stdout.write(JSON.stringify(out) + "\n");
  browser.kill("SIGKILL");
  try {
    rmSync(profile, { recursive: true, force: true });
  } catch (e) {}
  process.exit(code);
}

browser.on("error", (e) => fail("cannot start chromium: " + e.message));
browser.on("exit", (code) => {
  if (!out.done) fail("chromium exited early (" + code + ")");
});
const deadline = setTimeout(() => fail("timed out"), (plan.timeout || 60) * 1000);

async function main() {
  const { targetId } = await send("Target.createTarget", { url: "about:blank" });
  const { sessionId } = await send("Target.attachToTarget", { targetId, flatten: true });
  const call = (method, params) => send(method, params, sessionId);
  let loaded = null;
  listeners.push((m) => {
    if (m.sessionId !== sessionId) return;
    const p = m.params;
    if (m.method === "Runtime.consoleAPICalled" && ["error", "warning", "assert"].includes(p.type)) {
      out.console.push({ level: p.type, text: p.args.map((a) => a.value ?? a.description ?? "").join(" ") });
    } else if (m.method === "Log.entryAdded" && ["error", "warning"].includes(p.entry.level)) {
      out.console.push({ level: p.entry.level, text: p.entry.text, url: p.entry.url });
    } else if (m.method === "Runtime.exceptionThrown") {
      const d = p.exceptionDetails;
      out.exceptions.push((d.exception && d.exception.description) || d.text);
    } else if (m.method === "Page.javascriptDialogOpening") {
      out.dialogs.push(p.type + ": " + p.message);
      call("Page.handleJavaScriptDialog", { accept: false });
    } else if (m.method === "Network.requestWillBeSent") {
      out.requests.push(p.request.url);
    } else if (m.method === "Page.loadEventFired" && loaded) {
      loaded();
    }
  });
  await call("Page.enable");
  await call("Runtime.enable");
  await call("Log.enable");
  await call("Network.enable");
  await call("Emulation.setDeviceMetricsOverride", {
    width: plan.width || 1400,
    height: plan.height || 900,
    deviceScaleFactor: 1,
    mobile: false,
  });
  // Any CSP violation, whatever the console says of it.
  await call("Page.addScriptToEvaluateOnNewDocument", {
    source:
      "document.addEventListener('securitypolicyviolation', e => " +
      "(window.__violations = window.__violations || []).push(e.violatedDirective + ' ' + e.blockedURI));",
  });
  const evaluate = async (expression) => {
    const r = await call("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true });
    if (r.exceptionDetails) throw new Error("evaluating " + expression + ": " + JSON.stringify(r.exceptionDetails));
    return r.result.value;
  };
  let opened = performance.now();
  for (const step of plan.steps) {
    if (step.open) {
      opened = performance.now();
      const load = new Promise((resolve) => (loaded = resolve));
      await call("Page.navigate", { url: step.open });
      await load;
      loaded = null;
      out.timings[step.as || "open"] = Math.round(performance.now() - opened);
    } else if (step.wait) {
      const start = performance.now();
      while (!(await evaluate(step.wait))) {
        if (performance.now() - start > (step.timeout || 20) * 1000) throw new Error("waiting for " + step.wait);
        await new Promise((r) => setTimeout(r, 5));
      }
      if (step.as) out.timings[step.as] = Math.round(performance.now() - opened);
    } else if (step.eval) {
      out.results[step.as || step.eval] = await evaluate(step.eval);
    } else if (step.click) {
      const selector = JSON.stringify(step.click);
      const box = await evaluate(
        "(() => { const e = document.querySelector(" + selector + "); if (!e) return null; " +
          "e.scrollIntoView({block: 'center'}); const r = e.getClientRects()[0] || e.getBoundingClientRect(); " +
          "return {x: r.left + Math.min(r.width, 20) / 2, y: r.top + r.height / 2}; })()"
      );
      if (!box) throw new Error("nothing to click at " + step.click);
      const start = performance.now();
      for (const type of ["mousePressed", "mouseReleased"]) {
        await call("Input.dispatchMouseEvent", { type, x: box.x, y: box.y, button: "left", clickCount: 1 });
      }
      await evaluate("new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)))");
      if (step.as) out.timings[step.as] = Math.round(performance.now() - start);
    } else if (step.screenshot) {
      const shot = await call("Page.captureScreenshot", { format: "png" });
      writeFileSync(step.screenshot, Buffer.from(shot.data, "base64"));
    } else {
      throw new Error("unknown step " + JSON.stringify(step));
    }
  }
  out.violations = (await evaluate("window.__violations || []")) || [];
  out.done = true;
  clearTimeout(deadline);
  finish(0);
}

main().catch((e) => fail(e.message));
