// In headless Chromium against the local stack: a workbook converted by the page's own
// spreadsheet package (median of 3), the converted text's SHA-256, and that text checked by the
// page's check package. Usage: node bench/sheets.mjs WORKBOOK TEMPLATE_TYPE → JSON on stdout.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { chromium } from "playwright-core";
import { startStack } from "../tests/e2e/stack.mjs";

const [path, templateType] = process.argv.slice(2);
const stack = await startStack();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage();
  await page.goto(stack.page);
  await page.waitForSelector("body[data-ready=true]");
  const result = await page.evaluate(async ({ b64, name, templateType }) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const sheets = await import("./pkg/sheets/uploadkit_sheets_wasm.js");
    const wasm = await sheets.default();
    const before = wasm.memory.buffer.byteLength;
    const times = [];
    let text;
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      text = sheets.spreadsheetToCsv(bytes, name);
      times.push(performance.now() - started);
    }
    const digest = [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)))]
      .map((b) => b.toString(16).padStart(2, "0")).join("");
    const pkg = await import(templateType === "sms" ? "./pkg/phone/uploadkit_wasm.js" : "./pkg/uploadkit_wasm.js");
    await pkg.default();
    const started = performance.now();
    const check = new pkg.CsvCheck({ templateType, previewRows: 0, fromWorkbook: true });
    check.feed(new TextEncoder().encode(text));
    const report = check.finish();
    const checkMs = performance.now() - started;
    times.sort((a, b) => a - b);
    return { ms: times[1], sha256: digest, wasmBefore: before, wasmPeak: wasm.memory.buffer.byteLength, checkMs, rows: report.rowCount, bad: report.rowsWithErrors };
  }, { b64: readFileSync(path).toString("base64"), name: basename(path), templateType });
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
  stack.stop();
}
