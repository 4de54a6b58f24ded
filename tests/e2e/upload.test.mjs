// The upload page end to end in headless Chromium against the local stack: validation in the
// browser, the form from the presign API, the POST straight to the store, re-validation.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { startStack, uploadkit, readObject, ROOT } from "./stack.mjs";
import { png, pngBomb, svgWithText, svgWithScript, emailCsv } from "./files.mjs";

const ARTIFACTS = join(ROOT, "tests/artifacts/e2e");
const SERVICE = "00000000-0000-4000-8000-000000000001";
const SPREADSHEETS = join(ROOT, "tests/vectors/notify/spreadsheets");
const spreadsheet = (name) => readFileSync(join(SPREADSHEETS, "files", name));
let stack, browser;

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  stack = await startStack();
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

/// A fresh page on the upload page, recording every POST that reaches the store.
async function openPage() {
  const page = await browser.newPage();
  const storePosts = [];
  page.on("request", (r) => {
    if (r.url().startsWith(stack.store) && r.method() === "POST") storePosts.push(r);
  });
  // The signed forms the page received; the page posts exactly these fields (and the store's
  // policy check refuses the upload if any differ).
  const forms = [];
  page.on("response", async (r) => {
    if (r.url().endsWith("/v1/uploads") && r.ok()) forms.push(await r.json());
  });
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e));
  page.on("console", (m) => console.error("page:", m.text()));
  page.on("requestfailed", (r) => console.error("failed:", r.method(), r.url(), r.failure()?.errorText));
  await page.goto(stack.page);
  await page.waitForSelector("body[data-ready=true]");
  return { page, storePosts, pageErrors, forms };
}

async function choose(page, kind, name, buffer, mimeType, { templateType, template, subject } = {}) {
  await page.selectOption("#kind", kind);
  if (templateType) await page.selectOption("#template-type", templateType);
  if (template !== undefined) await page.fill("#template", template);
  if (subject !== undefined) await page.fill("#subject", subject);
  await page.setInputFiles("#file", { name, mimeType, buffer });
  await page.waitForFunction((n) => document.getElementById("file-name").textContent.startsWith(n), name);
}

async function waitReady(page) {
  await page.waitForFunction(() => !document.getElementById("upload").disabled
    || !document.getElementById("problems").hidden);
  const problems = await page.locator("#problems").isVisible();
  assert.equal(problems, false, `the file should be valid: ${await page.locator("#problems").innerText()}`);
}

async function uploadAndWait(page) {
  await page.click("#upload");
  await page.waitForFunction(() => !document.getElementById("result").hidden
    || !document.getElementById("problems").hidden, null, { timeout: 60_000 });
  assert.equal(await page.locator("#problems").isVisible(), false,
    await page.locator("#problems").innerText().catch(() => ""));
  return (await page.locator("#result-key").innerText()).trim();
}

async function problems(page) {
  await page.waitForSelector("#problems:not([hidden])");
  return page.locator("#problems").innerText();
}

test("a valid CSV uploads under service-{id}-notify/{uuid}.csv with SSE and metadata, then re-validates to valid=True", async () => {
  const { page, storePosts, pageErrors, forms } = await openPage();
  const csv = emailCsv(3);
  await choose(page, "csv", "Recipients – March.csv", csv, "text/csv", { templateType: "email", template: "Dear ((name))", subject: "Hello" });
  await waitReady(page);
  assert.match(await page.locator("#status").innerText(), /ready to upload: 3 rows/);
  // The preview: the first rows as the app reads them.
  const preview = await page.locator("#preview-rows tbody tr").evaluateAll((trs) =>
    trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  assert.deepEqual(preview[0], ["2", "person0@example.gov.uk", "Person 0"]);
  const key = await uploadAndWait(page);
  await page.screenshot({ path: join(ARTIFACTS, "csv-uploaded.png"), fullPage: true });

  assert.match(key, new RegExp(`^service-${SERVICE}-notify/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\\.csv$`));
  assert.equal(storePosts.length, 1);
  const { fields } = forms[0];
  assert.equal(fields["key"], key);
  assert.equal(fields["x-amz-server-side-encryption"], "AES256");
  assert.equal(fields["x-amz-meta-original_file_name"], "Recipients - March.csv");

  const stored = await readObject(stack, "csv-upload", key);
  assert.equal(stored.status, 200);
  assert.deepEqual(stored.body, csv, "the stored object is the file, byte for byte");
  assert.equal(stored.headers.get("x-amz-meta-original_file_name"), "Recipients - March.csv");

  const out = await uploadkit(stack, "revalidate", "--kind", "csv", "--key", key, "--template-type", "email", "--placeholder", "name");
  assert.match(out, /valid/i);
  const head = await readObject(stack, "csv-upload", key, "HEAD");
  assert.equal(head.headers.get("x-amz-meta-valid"), "True");
  assert.equal(head.headers.get("x-amz-meta-notification_count"), "3");
  assert.deepEqual(pageErrors, []);
  await page.close();
});

test("a CSV with bad rows shows the rows and the app's messages and uploads nothing", async () => {
  const { page, storePosts } = await openPage();
  const csv = Buffer.from("phone number,name\n07700900460,Ada\n12345,Bo\n07700900461,\n+44 (0) 7700 900462,Cy\nnot a number,Di\n");
  // A text message of 916 characters plus the name: Ada's is 919, one over the limit; a row
  // without a name keeps the placeholder as written, as the app counts it: 924.
  await choose(page, "csv", "texts.csv", csv, "text/csv", { templateType: "sms", template: `${"x".repeat(916)}((name))` });
  const text = await problems(page);
  await page.screenshot({ path: join(ARTIFACTS, "csv-bad-rows.png"), fullPage: true });
  assert.match(text, /There is a problem with your data: 2 rows with an invalid recipient, 1 row with missing data and 2 rows with a message that is too long or empty/);
  const rows = await page.locator("#cell-errors tbody tr").evaluateAll((trs) =>
    trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  assert.deepEqual(rows, [
    ["2", "name", "Message is too long: it has 919 characters and the limit is 918"],
    ["3", "phone number", "Mobile number is too short"],
    ["4", "name", "Missing"],
    ["4", "name", "Message is too long: it has 924 characters and the limit is 918"],
    ["6", "phone number", "Mobile numbers can only include: 0 1 2 3 4 5 6 7 8 9 ( ) + -"],
  ]);
  assert.equal(await page.locator("#upload").isDisabled(), true);
  assert.equal(storePosts.length, 0, "nothing reaches the store");
  await page.close();
});

test("a workbook is checked as the app checks it and uploaded as the CSV text the app makes of it", async () => {
  const { page, storePosts, pageErrors, forms } = await openPage();
  const workbook = spreadsheet("001.xlsx");
  await choose(page, "csv", "Bénéficiaires – mars.xlsx", workbook, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    { templateType: "sms", template: "Hello ((name)), your reference is ((ref))." });
  await waitReady(page);
  assert.match(await page.locator("#status").innerText(), /ready to upload: 7 rows/);
  const preview = await page.locator("#preview-rows tbody tr").evaluateAll((trs) =>
    trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  // A phone number typed as a number lost its 0 in the workbook; the app still reads it.
  assert.deepEqual(preview[0].slice(0, 2), ["2", "447700900123"]);
  const key = await uploadAndWait(page);
  await page.screenshot({ path: join(ARTIFACTS, "xlsx-uploaded.png"), fullPage: true });
  assert.match(key, /\.csv$/);
  assert.equal(storePosts.length, 1);
  assert.equal(forms[0].fields["Content-Type"], "text/csv");
  assert.equal(forms[0].fields["x-amz-meta-original_file_name"], "Beneficiaires - mars.xlsx");
  const stored = await readObject(stack, "csv-upload", key);
  assert.deepEqual(stored.body, readFileSync(join(SPREADSHEETS, "expected/001.csv")), "the stored object is the app's CSV text");
  const out = await uploadkit(stack, "revalidate", "--kind", "csv", "--key", key, "--template-type", "sms", "--placeholder", "name", "--placeholder", "ref");
  assert.match(out, /valid/i);
  assert.deepEqual(pageErrors, []);
  await page.close();
});

test("the 60 spreadsheet vectors convert and get the app's verdict in Chromium", async () => {
  const { page, pageErrors } = await openPage();
  const manifest = JSON.parse(readFileSync(join(SPREADSHEETS, "manifest.json"), "utf8"));
  const cases = manifest.cases.map((c) => ({ ...c, bytes: [...readFileSync(join(SPREADSHEETS, c.file))] }));
  // The page's own packages: the spreadsheet reader, then the check with phone rules.
  const results = await page.evaluate(async (cases) => {
    const sheets = await import("./pkg/sheets/uploadkit_sheets_wasm.js");
    await sheets.default();
    const pkg = await import("./pkg/phone/uploadkit_wasm.js");
    await pkg.default();
    return cases.map((c) => {
      let text;
      try {
        text = sheets.spreadsheetToCsv(new Uint8Array(c.bytes), c.file);
      } catch (error) {
        return { id: c.id, error: { name: error.name, code: error.code, appMessage: error.appMessage } };
      }
      const check = new pkg.CsvCheck({
        templateType: c.template_type, template: c.template.content, subject: c.template.subject,
        allowInternationalSms: c.permissions.allow_international_sms,
        allowSmsToUkLandlines: c.permissions.allow_sms_to_uk_landline,
        allowInternationalLetters: c.permissions.allow_international_letters,
        allRows: true,
      });
      check.feed(new TextEncoder().encode(text));
      return { id: c.id, text, verdict: check.finishAsAppVerdict() };
    });
  }, cases);
  let converted = 0, judged = 0;
  for (const [i, c] of manifest.cases.entries()) {
    const got = results[i];
    const expected = JSON.parse(readFileSync(join(SPREADSHEETS, c.expected), "utf8"));
    if (c.expected_csv === null) {
      assert.equal(got.error?.name, "ValidationError", `${c.id}: the app's reader fails on it`);
      assert.equal(got.error.appMessage, "Notify cannot read this file - try using a different file type", c.id);
      converted++; judged++;
      continue;
    }
    assert.equal(got.text, readFileSync(join(SPREADSHEETS, "expected", `${c.id}.csv`), "utf8"), `${c.id}: converted text`);
    converted++;
    delete expected.verdict_version;
    assert.deepEqual(got.verdict, expected, `${c.id}: verdict`);
    judged++;
  }
  console.log(`spreadsheet vectors in Chromium: conversion ${converted}/60, verdict ${judged}/60`);
  assert.deepEqual(pageErrors, []);
  await page.close();
});

test("a PNG logo uploads under temp-….png with the deletion tag and is served by the logo route", async () => {
  const { page, storePosts, forms } = await openPage();
  const logo = png(800, 120);
  await choose(page, "email-logo", "crest.png", logo, "image/png");
  await waitReady(page);
  assert.match(await page.locator("#status").innerText(), /resized to 640 pixels wide/);
  const key = await uploadAndWait(page);
  await page.screenshot({ path: join(ARTIFACTS, "logo-uploaded.png"), fullPage: true });
  assert.match(key, /^temp-[0-9a-f-]{36}\.png$|^temp-.+\.png$/);
  assert.equal(storePosts.length, 1);
  const { fields } = forms[0];
  assert.equal(fields["key"], key);
  assert.equal(fields["Content-Type"], "image/png");
  assert.match(fields["tagging"], /<Key>delete-after-7-days<\/Key><Value>True<\/Value>/);
  const href = await page.locator("#logo-link").getAttribute("href");
  assert.equal(href, `${stack.cdn}/${key}`);
  const served = await fetch(href);
  assert.equal(served.status, 200);
  assert.equal(served.headers.get("content-type"), "image/png");
  assert.deepEqual(Buffer.from(await served.arrayBuffer()), logo);
  await page.close();
});

test("an SVG with <text is refused with the app's message", async () => {
  const { page, storePosts } = await openPage();
  await choose(page, "letter-logo", "crest.svg", svgWithText, "image/svg+xml");
  const text = await problems(page);
  await page.screenshot({ path: join(ARTIFACTS, "svg-text-refused.png"), fullPage: true });
  assert.match(text, /This SVG has text which has not been converted to paths and may not render well/);
  assert.equal(storePosts.length, 0);
  await page.close();
});

test("a network failure mid-upload is retried and the object is whole", async () => {
  const { page, storePosts } = await openPage();
  let attempts = 0;
  await page.route((url) => url.href.startsWith(stack.store), async (route) => {
    if (route.request().method() === "POST" && ++attempts === 1) return route.abort("connectionreset");
    return route.continue();
  });
  const csv = emailCsv(2000);
  await choose(page, "csv", "big.csv", csv, "text/csv", { templateType: "email", template: "" });
  await waitReady(page);
  const key = await uploadAndWait(page);
  await page.screenshot({ path: join(ARTIFACTS, "retried-upload.png"), fullPage: true });
  assert.equal(attempts, 2, "one failed attempt, one retry");
  assert.equal(storePosts.length, 2);
  assert.match(await page.locator("#status").innerText(), /uploaded after 2 attempts/);
  const stored = await readObject(stack, "csv-upload", key);
  assert.deepEqual(stored.body, csv);
  await page.close();
});

test("bad files each get a specific message and nothing reaches the store", async () => {
  const truncated = png(200, 200).subarray(0, 200);
  const cases = [
    ["email-logo", "truncated.png", truncated, "image/png", /Notify cannot read this file/],
    ["email-logo", "bomb.png", pngBomb(), "image/png", /100000 × 100000 pixels: it must be at most 10000/],
    ["letter-logo", "script.svg", svgWithScript, "image/svg+xml", /This SVG contains .*script/i],
    ["csv", "empty.csv", Buffer.alloc(0), "text/csv", /Your file is empty/],
    ["csv", "junk.csv", Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0xff, 0xfe, 0x00, 0x01]), "text/csv", /Notify cannot read this file - try using a different file type/],
    ["csv", "huge.csv", Buffer.concat([emailCsv(1), Buffer.alloc(11 * 1024 * 1024, "a")]), "text/csv", /The file must be smaller than 10MB/],
    ["csv", "rows.csv", emailCsv(100_001), "text/csv", /too many rows. Notify can process up to 100000 rows/],
    ["csv", "protected.xlsx", spreadsheet("051.xlsx"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", /protected by a password/],
    ["csv", "renamed.xls", spreadsheet("054.xls"), "application/vnd.ms-excel", /named \.xls but is a newer workbook/],
    ["csv", "cut.xlsx", spreadsheet("052.xlsx"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", /not a readable \.xlsx workbook/],
  ];
  const { page, storePosts } = await openPage();
  for (const [kind, name, buffer, type, expected] of cases) {
    await page.setInputFiles("#file", []);
    await choose(page, kind, name, buffer, type, kind === "csv" ? { templateType: "email", template: "" } : {});
    const text = await problems(page);
    // One problem with the whole file is said once.
    const sentences = text.split("\n").map((l) => l.trim()).filter(Boolean);
    assert.equal(new Set(sentences).size, sentences.length, `${name}: said twice: ${text}`);
    await page.screenshot({ path: join(ARTIFACTS, `bad-${name.replace(/\W/g, "-")}.png`), fullPage: true });
    assert.match(text, expected, `${name}: ${text}`);
    assert.equal(await page.locator("#upload").isDisabled(), true, name);
  }
  assert.equal(storePosts.length, 0, "nothing reaches the store");
  await page.close();
});

test("soak: 1,000 valid uploads of random bytes through the page's own upload path all land whole", { timeout: 900_000 }, async () => {
  const count = Number(process.env.UPLOADKIT_SOAK_UPLOADS || 1000);
  const { page, pageErrors } = await openPage();
  // The page's own path: requestUpload and uploadFile from the package the page loads, with the
  // page's grant, for every upload kind, with sizes log-uniform from 1 byte to the kind's limit.
  const uploaded = await page.evaluate(async (count) => {
    const { requestUpload, uploadFile } = await import("./pkg/uploadkit_wasm.js");
    const config = await (await fetch("/local/config.json")).json();
    const kinds = [
      ["csv", "people.csv", "text/csv", 10 << 20], ["contact-list", "list.csv", "text/csv", 10 << 20],
      ["email-logo", "crest.png", "image/png", 2 << 20], ["letter-logo", "crest.svg", "image/svg+xml", 2 << 20],
      ["letter", "letter.pdf", "application/pdf", 2 << 20], ["letter-attachment", "extra.pdf", "application/pdf", 2 << 20],
      ["template-email-file", "notes.txt", "text/plain", 2 << 20],
    ];
    let seed = 0x9e3779b9;
    const random = () => { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return (seed >>> 0) / 2 ** 32; };
    const out = [];
    for (let i = 0; i < count; i++) {
      const [kind, name, type, limit] = kinds[i % kinds.length];
      const size = i % 97 === 0 ? limit : Math.max(1, Math.min(limit, Math.floor(limit ** random())));
      const bytes = new Uint8Array(size);
      for (let at = 0; at < size; at += 65536) crypto.getRandomValues(bytes.subarray(at, Math.min(size, at + 65536)));
      const file = new File([bytes], name, { type });
      const form = await requestUpload(config.apiBase, config.grant, { kind, file_name: name, size, content_type: type });
      const stored = await uploadFile(form, file, {});
      const digest = Buffer => Array.from(new Uint8Array(Buffer)).map((b) => b.toString(16).padStart(2, "0")).join("");
      out.push({ bucket: stored.bucket, key: stored.key, size, sha256: digest(await crypto.subtle.digest("SHA-256", bytes)) });
    }
    return out;
  }, count);
  assert.equal(uploaded.length, count);
  assert.deepEqual(pageErrors, []);
  const { createHash } = await import("node:crypto");
  let bytes = 0;
  for (const u of uploaded) {
    const object = await readObject(stack, u.bucket, u.key);
    assert.equal(object.status, 200, u.key);
    assert.equal(object.body.length, u.size, u.key);
    assert.equal(createHash("sha256").update(object.body).digest("hex"), u.sha256, `${u.key} differs`);
    bytes += u.size;
  }
  console.error(`soak: ${count} uploads through the page's path, ${bytes} bytes, all read back byte for byte`);
  await page.close();
});
