// The container image, built from the project's Dockerfile with podman and run as a container
// runtime runs it: published port, non-root user, configuration from the environment or a mounted
// ~/.aws, health probes, and SIGTERM to PID 1 ending in exit 0.
//
// Docker Hub is out of reach where the tests run, so the Dockerfile's two base images are
// replaced as the Dockerfile allows: the binary comes from `cargo build --release --locked -p
// uploadkit-cli` on this Debian bookworm host (the `build` stage's command, `BINARY=prebuilt`),
// and `debian:bookworm-slim` is a Debian bookworm base made by debootstrap from Debian's archive
// and imported under that name. Everything after the `FROM` lines is the Dockerfile's own.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const ROOT = new URL("../..", import.meta.url).pathname;
const BINARY_DIR = process.env.UPLOADKIT_IMAGE_BINARY_DIR ?? join(ROOT, "target/release");
const BASE_TAR = join(ROOT, "target/container/debian-bookworm.tar");
const IMAGE = "localhost/uploadkit:test";
const SERVICE = "4d1f3b7e-9c2a-4f6e-8b1d-2a3c4e5f6a7b";

// A store of its own (removed at the end), vfs because it needs no kernel overlay support, and
// runc because crun cannot set the rlimits it asks for inside this kind of VM.
const store = mkdtempSync(join(tmpdir(), "uploadkit-podman-"));
const podmanArgs = ["--root", join(store, "root"), "--runroot", join(store, "run"),
  "--storage-driver", "vfs", "--runtime", "runc"];

// Limits stated for every container, no higher than any process here holds. Left unset, podman
// asks runc for 1,048,576 open files and as many processes; without CAP_SYS_RESOURCE (dropped on
// this VM) runc may lower a limit but never raise one, and the container never starts ("error
// setting rlimit type 7: operation not permitted").
const limits = ["--ulimit", "nofile=1024:4096", "--ulimit", "nproc=4096:4096"];

async function podman(...args) {
  const { stdout } = await run("podman", [...podmanArgs, ...args], { maxBuffer: 64 << 20 });
  return stdout.trim();
}

/// What the container wrote, standard output and error (podman keeps each on its own stream).
async function logs(name) {
  const { stdout, stderr } = await run("podman", [...podmanArgs, "logs", name], { maxBuffer: 64 << 20 });
  return stdout + stderr;
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitFor(url) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await fetch(url);
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`${url} never answered: ${e.cause?.message ?? e}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

const grantKey = randomBytes(32).toString("base64");
const keys = { AWS_ACCESS_KEY_ID: "AKIAIMAGETESTEXAMPLE", AWS_SECRET_ACCESS_KEY: "image-test-secret" };
let containers = [];

/// Starts the image with these environment variables and extra `podman run` arguments, published
/// on a free loopback port.
async function start(env, extra = []) {
  const port = await freePort();
  const name = `uploadkit-test-${randomBytes(4).toString("hex")}`;
  // Never the instance metadata address: nothing answers there, and tests stay on loopback.
  const envArgs = Object.entries({ AWS_EC2_METADATA_DISABLED: "true", ...env }).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
  await podman("run", "-d", "--name", name, ...limits, "-p", `127.0.0.1:${port}:8080`, ...envArgs, ...extra, IMAGE);
  containers.push(name);
  return { name, url: `http://127.0.0.1:${port}` };
}

async function grant(kind) {
  const { stdout } = await run(join(BINARY_DIR, "uploadkit"),
    ["grant", "--service-id", SERVICE, "--kind", kind, "--ttl", "600"],
    { env: { ...process.env, UPLOADKIT_GRANT_KEY: grantKey } });
  return stdout.trim();
}

async function uploadForm(url, kind) {
  return fetch(`${url}/v1/uploads`, {
    method: "POST",
    headers: { authorization: `Bearer ${await grant(kind)}`, "content-type": "application/json" },
    body: JSON.stringify({ kind, file_name: "people.csv", size: 2048, content_type: "text/csv" }),
  });
}

before(async () => {
  assert.ok(existsSync(join(BINARY_DIR, "uploadkit")),
    `${BINARY_DIR}/uploadkit is missing: cargo build --release --locked -p uploadkit-cli`);
  if (!existsSync(BASE_TAR)) {
    const rootfs = mkdtempSync(join(tmpdir(), "uploadkit-rootfs-"));
    // The folder becomes the image's `/`: mkdtemp's 0700 would shut the unprivileged user out.
    chmodSync(rootfs, 0o755);
    try {
      await run("debootstrap", ["--variant=minbase", "bookworm", rootfs, "http://deb.debian.org/debian"],
        { maxBuffer: 64 << 20 });
      mkdirSync(join(ROOT, "target/container"), { recursive: true });
      await run("tar", ["-C", rootfs, "-cf", `${BASE_TAR}.part`, "."]);
      await run("mv", [`${BASE_TAR}.part`, BASE_TAR]);
    } finally {
      rmSync(rootfs, { recursive: true, force: true });
    }
  }
  await podman("import", BASE_TAR, "docker.io/library/debian:bookworm-slim");
  await podman("build", "--pull=never", "--isolation", "chroot", "--build-arg", "BINARY=prebuilt",
    "--build-context", `uploadkit-bin=${BINARY_DIR}`, "-t", IMAGE, ROOT);
});

after(async () => {
  for (const name of containers) await podman("rm", "-f", "-t", "0", name).catch(() => {});
  // The layers are plain folders (vfs): removing the store removes the image.
  spawnSync("podman", [...podmanArgs, "system", "reset", "--force"], { stdio: "ignore" });
  rmSync(store, { recursive: true, force: true });
});

test("the image runs uploadkit serve as an unprivileged user on port 8080", async () => {
  const config = JSON.parse(await podman("image", "inspect", "--format", "{{json .Config}}", IMAGE));
  assert.equal(config.User, "uploadkit");
  assert.deepEqual(config.Entrypoint, ["uploadkit", "serve"]);
  assert.ok("8080/tcp" in config.ExposedPorts, JSON.stringify(config.ExposedPorts));
  const { name, url } = await start({ UPLOADKIT_GRANT_KEY: grantKey, ...keys });
  assert.equal((await waitFor(`${url}/healthz`)).status, 200);
  assert.equal(await podman("exec", name, "id", "-u"), "10001");
  assert.equal(await podman("exec", name, "cat", "/proc/1/comm"), "uploadkit");
});

test("with keys in the environment it is ready, signs forms, and SIGTERM to PID 1 drains and exits 0", async () => {
  const { name, url } = await start({
    UPLOADKIT_GRANT_KEY: grantKey,
    ...keys,
    UPLOADKIT_LOG_FORMAT: "json",
  });
  assert.equal((await waitFor(`${url}/healthz`)).status, 200);
  const ready = await fetch(`${url}/readyz`);
  assert.equal(ready.status, 200, await ready.text());
  const form = await uploadForm(url, "csv");
  assert.equal(form.status, 200);
  const body = await form.json();
  assert.match(body.fields["x-amz-credential"], /^AKIAIMAGETESTEXAMPLE\/\d{8}\/eu-west-1\/s3\/aws4_request$/);
  assert.equal(body.bucket, "local-notifications-csv-upload");
  assert.ok(body.key.startsWith(`service-${SERVICE}-notify/`), body.key);

  // A stop timeout far above the drain's 10 s bound: exit 137 would mean the signal was ignored
  // and the runtime had to kill it.
  const started = Date.now();
  await podman("stop", "-t", "30", name);
  const seconds = (Date.now() - started) / 1000;
  assert.equal(await podman("inspect", "--format", "{{.State.ExitCode}}", name), "0");
  assert.ok(seconds < 15, `stopping took ${seconds} s`);
  const written = await logs(name);
  const lines = written.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
  assert.ok(lines.some((l) => l.route === "/v1/uploads" && l.status === 200), written);
  assert.ok(!written.includes("image-test-secret"), "the secret key is in the log");
  assert.match(written, /uploadkit presign API stopped/);
});

test("a read-only ~/.aws mounted as the Dockerfile says, with AWS_PROFILE, is where its credentials come from", async () => {
  const aws = mkdtempSync(join(tmpdir(), "uploadkit-image-aws-"));
  try {
    writeFileSync(join(aws, "credentials"),
      "[uploads]\naws_access_key_id = AKIAPROFILEEXAMPLE00\naws_secret_access_key = profile-secret\n");
    writeFileSync(join(aws, "config"), "[profile uploads]\nregion = eu-west-1\n");
    // The container's user (10001) reads the files through the read-only mount.
    spawnSync("chmod", ["-R", "a+rX", aws]);
    const { url } = await start({ UPLOADKIT_GRANT_KEY: grantKey, AWS_PROFILE: "uploads" },
      ["-v", `${aws}:/home/uploadkit/.aws:ro`]);
    await waitFor(`${url}/healthz`);
    const ready = await fetch(`${url}/readyz`);
    assert.equal(ready.status, 200, await ready.text());
    const body = await (await uploadForm(url, "csv")).json();
    assert.match(body.fields["x-amz-credential"], /^AKIAPROFILEEXAMPLE00\//);
  } finally {
    rmSync(aws, { recursive: true, force: true });
  }
});

test("when its credential source fails it answers healthz and says in readyz why it is not ready", async () => {
  // A container credentials endpoint on a closed loopback port: found, but failing.
  const { url } = await start({
    UPLOADKIT_GRANT_KEY: grantKey,
    AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://127.0.0.1:9/creds",
  });
  assert.equal((await waitFor(`${url}/healthz`)).status, 200);
  const ready = await fetch(`${url}/readyz`);
  assert.equal(ready.status, 503);
  assert.match(await ready.text(), /container credentials/i);
});

/// Runs the image in the foreground and returns its exit code and what it wrote.
async function runToExit(env) {
  const name = `uploadkit-test-${randomBytes(4).toString("hex")}`;
  containers.push(name);
  const envArgs = Object.entries({ AWS_EC2_METADATA_DISABLED: "true", ...env }).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
  // podman exits with the container's code; 125 and up are its own (the container never ran).
  await podman("run", "--name", name, ...limits, ...envArgs, IMAGE).catch((e) => {
    if (typeof e.code !== "number" || e.code >= 125) throw e;
  });
  return { code: await podman("inspect", "--format", "{{.State.ExitCode}}", name), written: await logs(name) };
}

test("with no credential source anywhere it stops at start-up naming what it searched", async () => {
  const { code, written } = await runToExit({ UPLOADKIT_GRANT_KEY: grantKey });
  assert.equal(code, "1");
  assert.match(written, /no AWS credentials found\. Searched, in order: environment variables/);
  assert.match(written, /instance metadata \(disabled by AWS_EC2_METADATA_DISABLED\)/);
});

test("a weak grant key stops it at start-up with the reason", async () => {
  const { code, written } = await runToExit({ UPLOADKIT_GRANT_KEY: "short", ...keys });
  assert.equal(code, "1");
  assert.match(written, /UPLOADKIT_GRANT_KEY is 5 bytes; it must be at least 32/);
});
