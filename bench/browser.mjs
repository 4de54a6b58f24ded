// In headless Chromium against the local stack: spreadsheet validation time and the wasm
// memory it took, then a 10 MiB upload from the page vs `curl -F` to the same store.
// Usage: node bench/browser.mjs FILES_DIR  → one JSON object on stdout.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { startStack } from "../tests/e2e/stack.mjs";

const files = process.argv[2];
const RUNS = 5;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const stack = await startStack();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const result = {};
try {
  const page = await browser.newPage();
  await page.goto(stack.page);
  await page.waitForSelector("body[data-ready=true]");

  for (const [name, type] of [["phones.csv", "sms"], ["emails.csv", "email"]]) {
    const bytes = readFileSync(join(files, name));
    // A fresh module instance per file, so its memory is this file's peak (wasm memory only grows).
    const runs = await page.evaluate(async ({ b64, type, runs }) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const file = new Blob([bytes], { type: "text/csv" });
      // The page loads the phone rules' package only for text messages.
      const path = type === "sms" ? "/pkg/phone/uploadkit_wasm.js" : "/pkg/uploadkit_wasm.js";
      const pkg = await import(`${path}?fresh=${type}`);
      const wasm = await pkg.default();
      const before = wasm.memory.buffer.byteLength;
      const times = [];
      let report;
      for (let i = 0; i < runs; i++) {
        const started = performance.now();
        report = await pkg.validateCsvFile(file, { templateType: type, previewRows: 0 });
        times.push(performance.now() - started);
      }
      return { times, before, peak: wasm.memory.buffer.byteLength, rows: report.rowCount, valid: report.valid, bad: report.rowsWithErrors };
    }, { b64: bytes.toString("base64"), type, runs: RUNS });
    result[name] = { ms: median(runs.times), size: bytes.length, wasmBefore: runs.before, wasmPeak: runs.peak, rows: runs.rows, bad: runs.bad };
  }

  // Upload throughput: the same 10 MiB file, the page's uploadFile vs curl -F, each with a fresh form.
  const big = readFileSync(join(files, "emails.csv"));
  const config = await (await fetch(`${stack.page}/local/config.json`)).json();
  const form = async () => (await fetch(`${stack.page}/v1/uploads`, {
    method: "POST",
    headers: { authorization: `Bearer ${config.grant}`, "content-type": "application/json" },
    body: JSON.stringify({ kind: "csv", file_name: "bench.csv", size: big.length, content_type: "text/csv" }),
  })).json();
  const browserMs = [];
  const curlMs = [];
  const dir = mkdtempSync(join(tmpdir(), "uploadkit-bench-"));
  const path = join(dir, "bench.csv");
  writeFileSync(path, big);
  for (let i = 0; i < RUNS; i++) {
    const f = await form();
    browserMs.push(await page.evaluate(async ({ f, b64 }) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const pkg = await import("/pkg/uploadkit_wasm.js");
      await pkg.default();
      const started = performance.now();
      await pkg.uploadFile(f, new Blob([bytes], { type: "text/csv" }));
      return performance.now() - started;
    }, { f, b64: big.toString("base64") }));
    const g = await form();
    const args = ["-s", "-o", "/dev/null", "-w", "%{time_total} %{http_code}"];
    for (const [k, v] of Object.entries(g.fields)) args.push("--form-string", `${k}=${v}`);
    args.push("-F", `file=@${path};type=text/csv`, g.url);
    const [seconds, code] = execFileSync("curl", args).toString().split(" ");
    if (!code.startsWith("2")) throw new Error(`curl upload answered ${code}`);
    curlMs.push(Number(seconds) * 1000);
  }
  result.upload = { size: big.length, browserMs: median(browserMs), curlMs: median(curlMs) };
} finally {
  await browser.close();
  stack.stop();
}
console.log(JSON.stringify(result));
