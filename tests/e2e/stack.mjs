// Starts the local stack the way the README does (`cargo run -p uploadkit-cli -- local`), on free
// ports and a fresh data folder, and reads where it listens from what it prints.
import { spawn, execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
export const ROOT = new URL("../..", import.meta.url).pathname;

export async function startStack() {
  const dataDir = mkdtempSync(join(tmpdir(), "uploadkit-e2e-"));
  const child = spawn("cargo", ["run", "--quiet", "-p", "uploadkit-cli", "--", "local",
    "--data-dir", dataDir, "--store-port", "0", "--app-port", "0", "--cdn-port", "0"], {
    cwd: ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise((resolve) => child.on("exit", resolve));
  let out = "";
  let err = "";
  child.stderr.on("data", (d) => { err += d; });
  const urls = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the stack did not start: ${err}`)), 120_000);
    child.on("exit", (code) => reject(new Error(`the stack exited (${code}): ${err}`)));
    child.stdout.on("data", (d) => {
      out += d;
      if (!out.includes("dev grant")) return;
      const find = (label) => out.match(new RegExp(`${label}\\s+(http://127\\.0\\.0\\.1:\\d+)`))[1];
      clearTimeout(timer);
      resolve({ page: find("upload page"), store: find("S3 store"), cdn: find("logo CDN") });
    });
  });
  return {
    ...urls,
    dataDir,
    /// Stops the stack and, once it has exited, removes its data (hundreds of MB after a run).
    async stop() {
      try { process.kill(-child.pid, "SIGTERM"); } catch { /* already gone */ }
      if (child.exitCode === null && child.signalCode === null) await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/// Runs the built `uploadkit` command against the stack's store.
export async function uploadkit(stack, ...args) {
  const { stdout } = await run(join(ROOT, "target/debug/uploadkit"), [...args, "--local", "--endpoint", stack.store], { cwd: ROOT });
  return stdout;
}

/// An object's status, headers and bytes, read with a presigned URL.
export async function readObject(stack, bucket, key, method = "GET") {
  const url = (await uploadkit(stack, "presign", "url", "--bucket", bucket, "--key", key, "--method", method)).trim();
  const response = await fetch(url, { method });
  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}
