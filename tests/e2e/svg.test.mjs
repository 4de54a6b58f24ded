// Every letter logo the validator accepts, loaded in headless Chromium inline in a page and as
// a document of its own: no script runs. The same harness run on hostile files first shows that
// it does see a script when one runs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { spawnSync } from "node:child_process";
import { chromium } from "playwright-core";

const ROOT = new URL("../..", import.meta.url).pathname;
const VECTORS = join(ROOT, "tests/vectors/svg");
let browser;

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});
after(async () => browser?.close());

/** How many scripts ran (dialogs opened, or the page's marker set) while `file` was shown. */
async function scriptsRun(file) {
  const page = await browser.newPage();
  let ran = 0;
  page.on("dialog", async (d) => { ran += 1; await d.dismiss(); });
  await page.exposeFunction("__uploadkitRan", () => { ran += 1; });
  // Any script that runs calls alert(), or the marker function below.
  await page.addInitScript(() => {
    window.alert = () => window.__uploadkitRan();
  });
  try {
    const svg = readFileSync(file, "utf8").replace(/^<\?xml[^>]*\?>/, "");
    await page.setContent(`<!doctype html><html><body>${svg}</body></html>`);
    await page.waitForTimeout(150);
    await page.goto(pathToFileURL(file).href);
    await page.waitForTimeout(150);
  } finally {
    await page.close();
  }
  return ran;
}

function files(sub) {
  const dir = join(VECTORS, sub);
  return readdirSync(dir).filter((f) => f.endsWith(".svg")).map((f) => join(dir, f));
}

/** The validator's verdicts, from the project's own CLI, for the files given. */
function accepted(paths) {
  const run = spawnSync(join(ROOT, "target/debug/uploadkit"), ["validate", "--kind", "letter-logo", ...paths], { encoding: "utf8" });
  assert.ok(run.status === 0 || run.status === 1, run.stderr);
  const out = run.stdout;
  return out.trim().split("\n").filter((l) => l.startsWith("ok ")).map((l) => l.slice(3));
}

test("the harness sees a script run when one does", async () => {
  const control = join(VECTORS, "hostile/script/plain.svg");
  assert.ok(await scriptsRun(control) >= 1, "a plain <script> ran and was seen");
  const handler = join(VECTORS, "hostile/event-handler/on-root.svg");
  assert.ok(await scriptsRun(handler) >= 1, "an onload handler ran and was seen");
  // Comments and processing instructions that XML reads as inert and HTML ends early: inlined,
  // they run script, which is why the validator refuses them.
  for (const i of [1, 2, 3]) {
    const differential = join(VECTORS, `hostile/structure/html-parser-differential-${i}.svg`);
    assert.ok(await scriptsRun(differential) >= 1, `${differential} ran its script inline`);
  }
});

test("no accepted letter logo runs a script, inline or as a document", async () => {
  const candidates = [...files("logos"), ...readdirSync(join(VECTORS, "hostile")).flatMap((g) => files(`hostile/${g}`))];
  const ok = accepted(candidates);
  assert.ok(ok.length >= files("logos").length, `accepted: ${ok.length}`);
  for (const file of ok) {
    assert.equal(await scriptsRun(file), 0, `${file} ran a script`);
  }
});
