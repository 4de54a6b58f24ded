// The edge worker in workerd (Miniflare): cold start, and workerd's CPU time per presign and per
// cached logo hit (from /proc, so the runtime's own HTTP handling is included: an upper bound),
// with a health check as the baseline. Prints one JSON object.
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { png } from "../tests/e2e/files.mjs";

const ROOT = new URL("..", import.meta.url).pathname;
const BUILD = join(ROOT, "crates/uploadkit-edge/build");
const KEY = "edge-bench-grant-key-0123456789abcdef";
const N = Number(process.env.REQUESTS || 3000);

const logo = png(300, 120);
// A logo near the 2 MiB limit (its bytes are served as they are; the CDN does not decode them).
const large = Buffer.concat([logo, Buffer.alloc(2 * 1024 * 1024 - 4096 - logo.length, 7)]);
const origin = createServer((req, res) => {
  const body = req.url.includes("large") ? large : logo;
  res.writeHead(200, { "content-type": "image/png", etag: '"bench"', "content-length": body.length });
  res.end(body);
});
await new Promise((r) => origin.listen(0, "127.0.0.1", r));

const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
const now = Math.floor(Date.now() / 1000);
const body = `${b64({ alg: "HS256", typ: "JWT" })}.${b64({ service_id: "00000000-0000-4000-8000-00000000beef", kinds: ["csv"], downloads: false, iat: now, exp: now + 3600 })}`;
const grant = `${body}.${createHmac("sha256", KEY).update(body).digest("base64url")}`;

const started = performance.now();
const mf = new Miniflare({
  modules: true, scriptPath: join(BUILD, "index.js"), modulesRoot: BUILD,
  modulesRules: [{ type: "ESModule", include: ["**/*.js"] }, { type: "CompiledWasm", include: ["**/*.wasm"] }],
  compatibilityDate: "2026-04-26",
  bindings: { UPLOADKIT_ENVIRONMENT: "development", LOGO_CDN_DOMAIN: "logos.test", UPLOADKIT_GRANT_KEY: KEY,
    AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${origin.address().port}`,
    AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" },
});
await mf.ready;
const ready = performance.now();
const health = () => mf.dispatchFetch("https://presign.test/v1/health").then((r) => r.arrayBuffer());
await health();
const firstAnswer = performance.now();

const presign = () => mf.dispatchFetch("https://presign.test/v1/uploads", {
  method: "POST", headers: { authorization: `Bearer ${grant}`, "content-type": "application/json" },
  body: '{"kind":"csv","file_name":"recipients.csv","size":2048,"content_type":"text/csv"}',
}).then(async (r) => { if (r.status !== 200) throw new Error(`presign ${r.status}`); await r.arrayBuffer(); });
const hit = () => mf.dispatchFetch("https://logos.test/crest.png").then(async (r) => {
  if (r.status !== 200) throw new Error(`logo ${r.status}`);
  await r.arrayBuffer();
  return r.headers.get("x-uploadkit-cache");
});

// The workerd process Miniflare started (a child of this process).
const pids = execFileSync("ps", ["-o", "pid=,comm=", "--ppid", String(process.pid)]).toString()
  .split("\n").filter((l) => l.includes("workerd")).map((l) => Number(l.trim().split(/\s+/)[0]));
const ticks = Number(execFileSync("getconf", ["CLK_TCK"]).toString());
const cpuMs = () => pids.reduce((sum, pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return sum + ((Number(fields[11]) + Number(fields[12])) / ticks) * 1000; // utime + stime
}, 0);
// Interleaved rounds of each kind, so drift in the machine's speed falls on all three alike; the
// figures are medians over rounds, and "over the baseline" is the median of each round's
// difference from its own health checks.
const ROUNDS = Number(process.env.ROUNDS || 10);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
async function block(fn, n) {
  const c0 = cpuMs();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return { cpu: (cpuMs() - c0) / n, wall: (performance.now() - t0) / n };
}
const hitLarge = () => mf.dispatchFetch("https://logos.test/large.png").then(async (r) => {
  if (r.status !== 200) throw new Error(`logo ${r.status}`);
  if ((await r.arrayBuffer()).byteLength !== large.length) throw new Error("the large logo was cut short");
  return r.headers.get("x-uploadkit-cache");
});
for (const fn of [hit, hitLarge]) {
  if ((await fn()) !== "miss" || (await fn()) !== "hit") throw new Error("the logo was not cached");
}
const kinds = { health, presign, logoHit: hit, logoHitLarge: hitLarge };
for (const fn of Object.values(kinds)) await block(fn, 200); // warm
const rounds = [];
for (let r = 0; r < ROUNDS; r++) {
  const round = {};
  for (const [name, fn] of Object.entries(kinds)) round[name] = await block(fn, Math.ceil(N / ROUNDS));
  rounds.push(round);
}
const summary = (name) => ({
  cpuMs: median(rounds.map((r) => r[name].cpu)),
  wallMs: median(rounds.map((r) => r[name].wall)),
  overBaselineMs: median(rounds.map((r) => r[name].cpu - r.health.cpu)),
});
const result = {
  requests: N,
  rounds: ROUNDS,
  startMs: ready - started,
  firstAnswerMs: firstAnswer - ready,
  health: summary("health"),
  presign: summary("presign"),
  logoHit: summary("logoHit"),
  logoHitLarge: summary("logoHitLarge"),
  largeBytes: large.length,
  wasmBytes: readFileSync(join(BUILD, "index_bg.wasm")).length,
  jsBytes: readFileSync(join(BUILD, "index.js")).length,
  gzBytes: gzipSync(readFileSync(join(BUILD, "index_bg.wasm")), { level: 9 }).length
    + gzipSync(readFileSync(join(BUILD, "index.js")), { level: 9 }).length,
};
await mf.dispose();
origin.close();
console.log(JSON.stringify(result));
