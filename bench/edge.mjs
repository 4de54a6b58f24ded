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
const origin = createServer((req, res) => {
  res.writeHead(200, { "content-type": "image/png", etag: '"bench"', "content-length": logo.length });
  res.end(logo);
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
async function perRequest(fn) {
  for (let i = 0; i < 200; i++) await fn(); // warm
  const c0 = cpuMs();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await fn();
  return { cpuMs: (cpuMs() - c0) / N, wallMs: (performance.now() - t0) / N };
}
if ((await hit()) !== "miss" || (await hit()) !== "hit") throw new Error("the logo was not cached");
const result = {
  requests: N,
  startMs: ready - started,
  firstAnswerMs: firstAnswer - ready,
  health: await perRequest(health),
  presign: await perRequest(presign),
  logoHit: await perRequest(hit),
  wasmBytes: readFileSync(join(BUILD, "index_bg.wasm")).length,
  jsBytes: readFileSync(join(BUILD, "index.js")).length,
  gzBytes: gzipSync(readFileSync(join(BUILD, "index_bg.wasm")), { level: 9 }).length
    + gzipSync(readFileSync(join(BUILD, "index.js")), { level: 9 }).length,
};
await mf.dispose();
origin.close();
console.log(JSON.stringify(result));
