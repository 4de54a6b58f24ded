// The built edge worker (crates/uploadkit-edge/build) in workerd, through Miniflare, against a
// real SeaweedFS with auth enforced: presign → POST upload → the logo through the CDN, cache
// hits, 304/206/HEAD, refusals that never reach the origin, stale-on-error, STS sessions.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Miniflare } from "miniflare";
import { startSeaweed, startProxy, ACCESS_KEY, SECRET_KEY, ROLE_ARN } from "./seaweed.mjs";
import { png } from "../e2e/files.mjs";
import { startStack } from "../e2e/stack.mjs";

const ROOT = new URL("../..", import.meta.url).pathname;
const BUILD = join(ROOT, "crates/uploadkit-edge/build");
const GRANT_KEY = "edge-test-grant-key-0123456789abcdef";
const SERVICE = "00000000-0000-4000-8000-00000000beef";
const CDN = "logos.test";
const API = "https://presign.test";
let weed, proxy;

function grant(claims = {}) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const body = `${b64({ alg: "HS256", typ: "JWT" })}.${b64({
    service_id: SERVICE, kinds: ["email-logo", "letter-logo", "csv"], downloads: false, iat: now, exp: now + 600, ...claims })}`;
  return `${body}.${createHmac("sha256", GRANT_KEY).update(body).digest("base64url")}`;
}

function worker(vars) {
  return new Miniflare({
    modules: true,
    scriptPath: join(BUILD, "index.js"),
    modulesRoot: BUILD,
    modulesRules: [{ type: "ESModule", include: ["**/*.js"] }, { type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2026-04-26",
    bindings: {
      UPLOADKIT_ENVIRONMENT: "development",
      AWS_REGION: "eu-west-1",
      LOGO_CDN_DOMAIN: CDN,
      UPLOADKIT_GRANT_KEY: GRANT_KEY,
      UPLOADKIT_ALLOWED_ORIGINS: "https://admin.test",
      AWS_ENDPOINT_URL_S3: proxy.endpoint,
      AWS_ACCESS_KEY_ID: ACCESS_KEY,
      AWS_SECRET_ACCESS_KEY: SECRET_KEY,
      ...vars,
    },
  });
}

async function presign(mf, body, token = grant()) {
  const response = await mf.dispatchFetch(`${API}/v1/uploads`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", origin: "https://admin.test" },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json(), headers: response.headers };
}

async function upload(form, bytes, type) {
  const data = new FormData();
  for (const [k, v] of Object.entries(form.fields)) data.append(k, v);
  data.append("file", new Blob([bytes], { type }), "logo");
  return fetch(form.url, { method: "POST", body: data });
}

/// Puts an object in the logo bucket with a presigned PUT from the kit's CLI. Logo forms carry
/// a `tagging` condition, which SeaweedFS 4.48 refuses ("unknown condition key") where S3
/// accepts it, so logos are put directly; CSV forms show the worker's POST path end to end.
async function putLogo(key, bytes, type) {
  const url = execFileSync(join(ROOT, "target/debug/uploadkit"), ["presign", "url", "--bucket", "logo", "--key", key,
    "--method", "PUT", "--endpoint", proxy.endpoint], {
    env: { ...process.env, AWS_ACCESS_KEY_ID: ACCESS_KEY, AWS_SECRET_ACCESS_KEY: SECRET_KEY, UPLOADKIT_ENVIRONMENT: "development" },
  }).toString().trim();
  const response = await fetch(url, { method: "PUT", body: bytes, headers: { "content-type": type } });
  assert.equal(response.status, 200, await response.text());
}

/// The access key a form is signed with (a session's, or the long-term key's).
const accessKeyOf = (form) => form.fields["x-amz-credential"].split("/")[0];

const cdn = (mf, path, init) => mf.dispatchFetch(`https://${CDN}${path}`, init);

before(async () => {
  weed = await startSeaweed();
  proxy = await startProxy(weed.endpoint);
  // The development buckets, made with the kit's own provisioning.
  execFileSync(join(ROOT, "target/debug/uploadkit"), ["provision", "--endpoint", weed.endpoint], {
    env: { ...process.env, AWS_ACCESS_KEY_ID: ACCESS_KEY, AWS_SECRET_ACCESS_KEY: SECRET_KEY, UPLOADKIT_ENVIRONMENT: "development" },
  });
});

after(async () => {
  await proxy?.stop();
  await weed?.stop();
});

test("grant → presign in the worker → POST straight to S3", async () => {
  const mf = worker({});
  try {
    const csv = Buffer.from("email address,name\nada@example.gov.uk,Ada\n");
    const { status, json: form, headers } = await presign(mf, { kind: "csv", file_name: "people.csv", size: csv.length, content_type: "text/csv" });
    assert.equal(status, 200, JSON.stringify(form));
    assert.equal(headers.get("access-control-allow-origin"), "https://admin.test");
    assert.match(form.key, new RegExp(`^service-${SERVICE}-notify/[0-9a-f-]{36}\\.csv$`));
    assert.equal(accessKeyOf(form), ACCESS_KEY);
    assert.equal(form.fields["x-amz-server-side-encryption"], "AES256");
    const stored = await upload(form, csv, "text/csv");
    assert.equal(stored.status, 201, await stored.text());
    const tampered = await upload({ ...form, fields: { ...form.fields, key: `${form.key}.other` } }, csv, "text/csv");
    assert.equal(tampered.status, 403, "the store enforces the worker's policy");
    await tampered.arrayBuffer();
  } finally {
    await mf.dispose();
  }
});

test("logos POSTed with the worker's forms are served by the worker (the local store, which takes the tagging field)", async () => {
  // SeaweedFS 4.48 refuses a policy with a `tagging` condition, which every temporary logo's form
  // carries; the local stack's store (s3s) checks it and takes the upload, as S3 does.
  const stack = await startStack();
  const mf = worker({ UPLOADKIT_ENVIRONMENT: "local", AWS_ENDPOINT_URL_S3: stack.store,
    AWS_ACCESS_KEY_ID: "uploadkit-local", AWS_SECRET_ACCESS_KEY: "uploadkit-local-secret" });
  try {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><path d="M0 0h40v20z"/></svg>');
    const logos = [
      ["email-logo", "crest.png", png(320, 120), "image/png", /^temp-[0-9a-f-]{36}\.png$/],
      ["letter-logo", "crest.svg", svg, "image/svg+xml", /^letters\/static\/images\/letter-template\/temp-[0-9a-f-]{36}\.svg$/],
    ];
    for (const [kind, name, bytes, type, layout] of logos) {
      const { status, json: form } = await presign(mf, { kind, file_name: name, size: bytes.length, content_type: type });
      assert.equal(status, 200, JSON.stringify(form));
      assert.match(form.key, layout);
      assert.match(form.fields.tagging, /<Key>delete-after-7-days<\/Key><Value>True<\/Value>/);
      const posted = await upload(form, bytes, type);
      assert.equal(posted.status, 201, await posted.text());
      const tampered = await upload({ ...form, fields: { ...form.fields, tagging: "<Tagging><TagSet></TagSet></Tagging>" } }, bytes, type);
      // The class of refusal, not one server's code (S3 says 403, s3s 400 InvalidPolicyDocument).
      const refusal = await tampered.text();
      assert.ok([400, 403].includes(tampered.status) && /polic/i.test(refusal), `${kind}: the tag is part of the policy: ${refusal}`);

      const first = await cdn(mf, `/${form.key}`);
      assert.equal(first.status, 200, form.key);
      assert.equal(first.headers.get("x-uploadkit-cache"), "miss");
      assert.equal(first.headers.get("content-type"), type);
      assert.deepEqual(Buffer.from(await first.arrayBuffer()), bytes, "the logo is served byte for byte");
      const second = await cdn(mf, `/${form.key}`);
      assert.equal(second.headers.get("x-uploadkit-cache"), "hit");
      assert.deepEqual(Buffer.from(await second.arrayBuffer()), bytes);
    }
  } finally {
    await mf.dispose();
    await stack.stop();
  }
});

test("a logo through the CDN: miss, then hits; 304, 206, 416 and HEAD from the cache", async () => {
  const mf = worker({});
  try {
    const logo = png(300, 120);
    const { status, json: form } = await presign(mf, { kind: "email-logo", file_name: "crest.png", size: logo.length, content_type: "image/png" });
    assert.equal(status, 200, JSON.stringify(form));
    assert.match(form.key, /^temp-[0-9a-f-]+\.png$/);
    assert.match(form.fields.tagging, /delete-after-7-days/);
    await putLogo(form.key, logo, "image/png");

    const before = proxy.requests.length;
    const first = await cdn(mf, `/${form.key}`);
    assert.equal(first.status, 200);
    assert.equal(first.headers.get("x-uploadkit-cache"), "miss");
    assert.equal(first.headers.get("content-type"), "image/png");
    assert.equal(first.headers.get("x-content-type-options"), "nosniff");
    assert.equal(first.headers.get("cross-origin-resource-policy"), "cross-origin");
    assert.equal(first.headers.get("cache-control"), "public, max-age=300");
    assert.deepEqual(Buffer.from(await first.arrayBuffer()), logo);
    assert.equal(proxy.requests.length, before + 1, "one origin request on a miss");

    const second = await cdn(mf, `/${form.key}`);
    assert.equal(second.headers.get("x-uploadkit-cache"), "hit");
    assert.deepEqual(Buffer.from(await second.arrayBuffer()), logo);
    const etag = second.headers.get("etag");
    assert.ok(etag, "an ETag");

    const notModified = await cdn(mf, `/${form.key}`, { headers: { "if-none-match": etag } });
    assert.equal(notModified.status, 304);
    assert.equal((await notModified.arrayBuffer()).byteLength, 0);

    const partial = await cdn(mf, `/${form.key}`, { headers: { range: "bytes=0-15" } });
    assert.equal(partial.status, 206);
    assert.equal(partial.headers.get("content-range"), `bytes 0-15/${logo.length}`);
    assert.deepEqual(Buffer.from(await partial.arrayBuffer()), logo.subarray(0, 16));
    const unsatisfiable = await cdn(mf, `/${form.key}`, { headers: { range: `bytes=${logo.length}-` } });
    assert.equal(unsatisfiable.status, 416);
    await unsatisfiable.arrayBuffer();

    const head = await cdn(mf, `/${form.key}`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-length"), String(logo.length));
    assert.equal((await head.arrayBuffer()).byteLength, 0);
    assert.equal(proxy.requests.length, before + 1, "hits, 304, 206, 416 and HEAD never reach the origin");
  } finally {
    await mf.dispose();
  }
});

test("an SVG logo is served inert, a permanent name is immutable, a missing logo is a cached 404", async () => {
  const mf = worker({});
  try {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><path d="M0 0h10v10z"/></svg>');
    const key = "letters/static/images/letter-template/hmrc.svg";
    await putLogo(key, svg, "image/svg+xml");
    const served = await cdn(mf, `/${key}`);
    assert.equal(served.status, 200);
    assert.equal(served.headers.get("content-type"), "image/svg+xml");
    assert.equal(served.headers.get("content-security-policy"), "default-src 'none'; style-src 'unsafe-inline'; sandbox");
    assert.equal(served.headers.get("cache-control"), "public, max-age=31536000, immutable");
    await served.arrayBuffer();

    const before = proxy.requests.length;
    const missing = await cdn(mf, "/crest-never-uploaded.png");
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get("x-uploadkit-cache"), "miss");
    assert.equal((await missing.text()), "", "nothing of the origin's error body is echoed");
    const again = await cdn(mf, "/crest-never-uploaded.png");
    assert.equal(again.status, 404);
    assert.equal(again.headers.get("x-uploadkit-cache"), "hit");
    await again.arrayBuffer();
    assert.equal(proxy.requests.length, before + 1, "the 404 is cached");
  } finally {
    await mf.dispose();
  }
});

test("the logo reply table, as the native logo route answers it (tests/vectors/logo_replies.json)", async () => {
  const table = JSON.parse(readFileSync(join(ROOT, "tests/vectors/logo_replies.json"), "utf8"));
  const png = Buffer.from(Array.from({ length: table.logos.png.len }, (_, i) => (i * 7) % 251));
  const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0h1"/></svg>');
  const bodies = { png, svg };
  await putLogo(table.logos.png.key, png, table.logos.png.type);
  await putLogo(table.logos.svg.key, svg, table.logos.svg.type);
  const mf = worker({});
  try {
    const etag = (await cdn(mf, table.logos.png.path)).headers.get("etag");
    assert.ok(etag, "the origin gives an ETag");
    for (const c of table.cases) {
      const body = bodies[c.logo];
      const fill = (v) => v.replaceAll("$etag", etag).replaceAll("$len", String(body.length));
      const headers = Object.fromEntries(Object.entries(c.headers).map(([k, v]) => [k, fill(v)]));
      const response = await cdn(mf, table.logos[c.logo].path, { method: c.method, headers });
      assert.equal(response.status, c.status, c.name);
      for (const [k, v] of Object.entries(c.expect)) assert.equal(response.headers.get(k), fill(v), `${c.name}: ${k}`);
      for (const k of c.absent ?? []) assert.equal(response.headers.get(k), null, `${c.name}: ${k}`);
      const got = Buffer.from(await response.arrayBuffer());
      if (c.body === "whole") assert.deepEqual(got, body, c.name);
      else if (c.body === "empty") assert.equal(got.length, 0, c.name);
      else assert.deepEqual(got, body.subarray(c.body[0], c.body[1] + 1), c.name);
    }
  } finally {
    await mf.dispose();
  }
});

test("a temporary logo is promoted through the worker only when its bytes pass the gate", async () => {
  const mf = worker({});
  const promote = async (key, token = grant()) => {
    const response = await mf.dispatchFetch(`${API}/v1/logos/promote`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", origin: "https://admin.test" },
      body: JSON.stringify({ key, slug: "Cabinet Office" }),
    });
    return { status: response.status, json: await response.json() };
  };
  try {
    await putLogo("temp-edge-gate-good.png", png(150, 110), "image/png");
    const good = await promote("temp-edge-gate-good.png");
    assert.equal(good.status, 200, JSON.stringify(good.json));
    assert.equal(good.json.key, "edge-gate-good-cabinet-office.png");
    assert.equal(good.json.url, "https://logos.test/edge-gate-good-cabinet-office.png");
    assert.equal((await cdn(mf, "/edge-gate-good-cabinet-office.png")).status, 200);
    const again = await promote("temp-edge-gate-good.png");
    assert.equal(again.status, 409);
    assert.equal(again.json.error, "logo_exists");

    await putLogo("temp-edge-gate-html.png", Buffer.from("<html><script>alert(1)</script></html>"), "image/png");
    const html = await promote("temp-edge-gate-html.png");
    assert.equal(html.status, 422);
    assert.equal(html.json.error, "logo_refused");
    assert.match(html.json.message, /Logo must be a PNG file/);
    assert.equal((await cdn(mf, "/edge-gate-html-cabinet-office.png")).status, 404, "nothing permanent");

    const csvOnly = await promote("temp-edge-gate-good.png", grant({ kinds: ["csv"] }));
    assert.equal(csvOnly.status, 403);
    assert.equal(csvOnly.json.error, "kind_not_granted");
  } finally {
    await mf.dispose();
  }
});

test("refused paths and methods never reach the origin", async () => {
  const mf = worker({});
  try {
    const before = proxy.requests.length;
    const cases = [
      ["/a%2Fb.png", 400], ["/letters%2fstatic/x.svg", 400], ["/bad%0aname.png", 400], ["/nul%00.png", 400],
      ["/bad%zz.png", 400], [`/${"a".repeat(1100)}.png`, 400],
      ["/report.csv", 404], ["/logo.gif", 404], ["/logo.png.html", 404], ["/service-1-notify/x.png", 404],
      ["/letters/static/images/letter-template/deeper/x.svg", 404], ["/", 404],
    ];
    for (const [path, status] of cases) {
      const response = await cdn(mf, path);
      assert.equal(response.status, status, path);
      await response.arrayBuffer();
    }
    const post = await cdn(mf, "/crest.png", { method: "POST", body: "x" });
    assert.equal(post.status, 405);
    await post.arrayBuffer();
    assert.equal(proxy.requests.length, before, "no refused request reached the origin");
  } finally {
    await mf.dispose();
  }
});

test("the API refuses as the native endpoint does, with the same statuses and JSON", async () => {
  const mf = worker({});
  try {
    const body = { kind: "email-logo", file_name: "crest.png", size: 10, content_type: "image/png" };
    const missing = await mf.dispatchFetch(`${API}/v1/uploads`, { method: "POST", body: JSON.stringify(body) });
    assert.equal(missing.status, 401);
    assert.equal((await missing.json()).error, "grant_missing");
    const forged = await presign(mf, body, grant().replace(/.$/, (c) => (c === "A" ? "B" : "A")));
    assert.equal(forged.status, 401);
    const expired = await presign(mf, body, grant({ exp: Math.floor(Date.now() / 1000) - 120 }));
    assert.equal(expired.status, 401);
    const kind = await presign(mf, { ...body, kind: "letter" }, grant({ kinds: ["email-logo"] }));
    assert.equal(kind.status, 403);
    const big = await presign(mf, { ...body, size: 3 * 1024 * 1024 });
    assert.equal(big.status, 413);
    assert.match(big.json.message, /2097152/);
    const type = await presign(mf, { ...body, file_name: "crest.gif", content_type: "image/gif" });
    assert.equal(type.status, 415);
    const field = await presign(mf, { kind: "email-logo", file_name: "crest.png" });
    assert.equal(field.status, 400);
    assert.match(field.json.message, /size/);
    const health = await mf.dispatchFetch(`${API}/v1/health`);
    assert.deepEqual(await health.json(), { status: "ok" });
    const unconfigured = worker({ UPLOADKIT_GRANT_KEY: "" });
    try {
      const answer = await unconfigured.dispatchFetch(`${API}/v1/health`);
      assert.equal(answer.status, 503);
      assert.match((await answer.json()).message, /UPLOADKIT_GRANT_KEY/);
    } finally {
      await unconfigured.dispose();
    }
  } finally {
    await mf.dispose();
  }
});

test("with the origin down, a cached copy is served stale; without one, 502", async () => {
  const mf = worker({ LOGO_TEMP_MAX_AGE: "1", LOGO_ORIGIN_TIMEOUT_MS: "2000" });
  try {
    const logo = png(200, 110);
    const { json: form } = await presign(mf, { kind: "email-logo", file_name: "crest.png", size: logo.length, content_type: "image/png" });
    await putLogo(form.key, logo, "image/png");
    const first = await cdn(mf, `/${form.key}`);
    assert.equal(first.headers.get("x-uploadkit-cache"), "miss");
    await first.arrayBuffer();
    await sleep(2500); // past the 1 s max-age
    proxy.down = true;
    const stale = await cdn(mf, `/${form.key}`);
    assert.equal(stale.status, 200);
    assert.equal(stale.headers.get("x-uploadkit-cache"), "stale");
    assert.deepEqual(Buffer.from(await stale.arrayBuffer()), logo);
    const never = await cdn(mf, "/never-cached.png");
    assert.equal(never.status, 502);
    assert.equal(await never.text(), "");
    // An origin answering 503 is a failure too, and its error body is not passed on.
    proxy.down = 503;
    await sleep(1100);
    const stale503 = await cdn(mf, `/${form.key}`);
    assert.equal(stale503.headers.get("x-uploadkit-cache"), "stale");
    assert.deepEqual(Buffer.from(await stale503.arrayBuffer()), logo);
    const never503 = await cdn(mf, "/never-cached-either.png");
    assert.equal(never503.status, 502);
    assert.equal(await never503.text(), "", "nothing of the origin's error body is echoed");
    // An origin that does not answer within LOGO_ORIGIN_TIMEOUT_MS (2 s here).
    proxy.down = "hang";
    const started = Date.now();
    const staleTimeout = await cdn(mf, `/${form.key}`);
    assert.equal(staleTimeout.headers.get("x-uploadkit-cache"), "stale");
    await staleTimeout.arrayBuffer();
    const waited = Date.now() - started;
    assert.ok(waited >= 1900 && waited < 5000, `served stale after the timeout (${waited} ms)`);
  } finally {
    proxy.down = false;
    await mf.dispose();
  }
});

test("STS: the keys are exchanged for a session, reused, replaced before it ends; forms never outlive it", async () => {
  // Sessions of 900 s (STS's minimum), replaced when under 897 s remain: a new one after ~3 s.
  const mf = worker({ UPLOADKIT_ROLE_ARN: ROLE_ARN, AWS_ENDPOINT_URL_STS: weed.endpoint,
    UPLOADKIT_ROLE_SESSION_SECONDS: "900", UPLOADKIT_REFRESH_BEFORE_SECONDS: "897", UPLOADKIT_UPLOAD_TTL: "3600" });
  try {
    const body = { kind: "email-logo", file_name: "crest.png", size: 1000, content_type: "image/png" };
    // An hour-long grant, so that the session, not the grant, is what ends the form.
    const hour = grant({ exp: Math.floor(Date.now() / 1000) + 3600 });
    const a = (await presign(mf, body, hour)).json;
    const b = (await presign(mf, body, hour)).json;
    assert.notEqual(accessKeyOf(a), ACCESS_KEY, "signed with a session, not the long-term key");
    assert.ok(a.fields["x-amz-security-token"], "the session token is in the form");
    assert.equal(accessKeyOf(a), accessKeyOf(b), "the session is reused");
    const secondsLeft = (Date.parse(a.expires_at) - Date.now()) / 1000;
    assert.ok(secondsLeft <= 900 && secondsLeft > 880, `the form ends with the session (${secondsLeft} s), not after 3600 s`);
    await sleep(4000);
    const c = (await presign(mf, body)).json;
    assert.notEqual(accessKeyOf(c), accessKeyOf(a), "a new session before the old one runs out");

    // The CDN signs its origin GETs with the session too (SeaweedFS takes session credentials
    // on header-signed requests).
    const logo = png(150, 110);
    await putLogo("temp-sts-session.png", logo, "image/png");
    const served = await cdn(mf, "/temp-sts-session.png");
    assert.equal(served.status, 200);
    assert.deepEqual(Buffer.from(await served.arrayBuffer()), logo);
  } finally {
    await mf.dispose();
  }
});

test("STS: while one request replaces a session the others sign with it; a failed refresh keeps it", async () => {
  const sts = await startProxy(weed.endpoint);
  // Sessions of 900 s, due for replacement when under 898 s remain: 2 s after each is issued.
  const mf = worker({ UPLOADKIT_ROLE_ARN: ROLE_ARN, AWS_ENDPOINT_URL_STS: sts.endpoint,
    UPLOADKIT_ROLE_SESSION_SECONDS: "900", UPLOADKIT_REFRESH_BEFORE_SECONDS: "898" });
  const body = { kind: "csv", file_name: "people.csv", size: 100, content_type: "text/csv" };
  try {
    const first = (await presign(mf, body)).json;
    assert.equal(sts.requests.length, 1);
    await sleep(3000);
    const answers = await Promise.all(Array.from({ length: 8 }, () => presign(mf, body)));
    assert.deepEqual(answers.map((a) => a.status), Array(8).fill(200));
    assert.equal(sts.requests.length, 2, "one of the eight asked STS; the others signed meanwhile");
    const replaced = (await presign(mf, body)).json;
    assert.notEqual(accessKeyOf(replaced), accessKeyOf(first), "the session was replaced");
    assert.equal(sts.requests.length, 2);

    await sleep(3000);
    sts.down = true;
    const kept = await presign(mf, body);
    assert.equal(kept.status, 200, JSON.stringify(kept.json));
    assert.equal(accessKeyOf(kept.json), accessKeyOf(replaced), "STS failing, the current session still signs");
    assert.equal(sts.requests.length, 3, "the replacement was tried");
    // Not at every request while STS is down: again only after the backoff (2 s after one
    // failure, counted in whole seconds: more than 1 s, at most 2).
    const soon = await Promise.all(Array.from({ length: 4 }, () => presign(mf, body)));
    assert.deepEqual(soon.map((a) => a.status), Array(4).fill(200));
    assert.equal(sts.requests.length, 3, "no call to STS within the backoff");
    await sleep(2500);
    const later = await presign(mf, body);
    assert.equal(later.status, 200);
    assert.equal(accessKeyOf(later.json), accessKeyOf(replaced));
    assert.equal(sts.requests.length, 4, "asked again once the backoff had passed");
  } finally {
    await mf.dispose();
    await sts.stop();
  }
});

test("session credentials alone (key, secret and token secrets) presign and fetch", async () => {
  const out = execFileSync("python3", ["-c", `
import boto3, json
sts = boto3.client("sts", endpoint_url="${weed.endpoint}", region_name="eu-west-1",
    aws_access_key_id="${ACCESS_KEY}", aws_secret_access_key="${SECRET_KEY}")
c = sts.assume_role(RoleArn="${ROLE_ARN}", RoleSessionName="edge-test", DurationSeconds=900)["Credentials"]
print(json.dumps({"id": c["AccessKeyId"], "secret": c["SecretAccessKey"], "token": c["SessionToken"]}))
`]).toString();
  const session = JSON.parse(out);
  const mf = worker({ AWS_ACCESS_KEY_ID: session.id, AWS_SECRET_ACCESS_KEY: session.secret, AWS_SESSION_TOKEN: session.token });
  try {
    const { status, json } = await presign(mf, { kind: "email-logo", file_name: "crest.png", size: 100, content_type: "image/png" });
    assert.equal(status, 200);
    assert.equal(accessKeyOf(json), session.id);
    assert.equal(json.fields["x-amz-security-token"], session.token);
    await putLogo("session-only.png", png(120, 110), "image/png");
    const served = await cdn(mf, "/session-only.png");
    assert.equal(served.status, 200);
    await served.arrayBuffer();
  } finally {
    await mf.dispose();
  }
});

test("with STS unreachable, preflight and health still answer; a form is a 503 that says why", async () => {
  const mf = worker({ UPLOADKIT_ROLE_ARN: ROLE_ARN, AWS_ENDPOINT_URL_STS: "http://127.0.0.1:9" });
  try {
    const preflight = await mf.dispatchFetch(`${API}/v1/uploads`, {
      method: "OPTIONS",
      headers: { origin: "https://admin.test", "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type" },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get("access-control-allow-origin"), "https://admin.test");
    await preflight.arrayBuffer();
    const health = await mf.dispatchFetch(`${API}/v1/health`);
    assert.equal(health.status, 200);
    await health.arrayBuffer();
    const form = await presign(mf, { kind: "csv", file_name: "people.csv", size: 10, content_type: "text/csv" });
    assert.equal(form.status, 503);
    assert.equal(form.json.error, "signing_unavailable");
    assert.match(form.json.message, /STS could not be reached/);
    assert.doesNotMatch(form.json.message, new RegExp(SECRET_KEY.replace(/[+/]/g, "\\$&")), "no secret in the message");
  } finally {
    await mf.dispose();
  }
});
