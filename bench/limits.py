"""Driven by bench/limits: see there."""
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target/release/uploadkit")
LOCAL_KEYS = {"AWS_ACCESS_KEY_ID": "uploadkit-local", "AWS_SECRET_ACCESS_KEY": "uploadkit-local-secret"}


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


class Peak:
    """Samples a process's RSS every 20 ms until stopped."""

    def __init__(self, pid):
        self.pid, self.base, self.peak, self.running = pid, rss_kib(pid), 0, True
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while self.running:
            self.peak = max(self.peak, rss_kib(self.pid))
            time.sleep(0.02)

    def stop(self):
        self.running = False
        self.thread.join()
        return (self.peak - self.base) / 1024


def start_local(prefix=(), binary=BIN):
    data = tempfile.mkdtemp(prefix="uploadkit-limits-")
    proc = subprocess.Popen(
        [*prefix, binary, "local", "--store-port", "0", "--app-port", "0", "--cdn-port", "0", "--data-dir", data,
         "--www", os.path.join(ROOT, "www")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    urls = {}
    for line in proc.stdout:
        for label in ("upload page", "S3 store", "logo CDN"):
            if line.strip().startswith(label):
                urls[label] = re.search(r"http://[\d.:]+", line).group(0)
        if "dev grant" in line:
            break
    threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
    return proc, data, urls


def hostport(url):
    host, port = url.removeprefix("http://").split(":")
    return host, int(port)


def slowloris(urls, n=200, limit=60):
    """Opens n half-sent requests per port; returns seconds until each was dropped, and how
    many ordinary requests were answered meanwhile."""
    drops = {label: [] for label in urls}
    socks = []
    start = time.monotonic()
    for label, url in urls.items():
        for _ in range(n):
            s = socket.create_connection(hostport(url))
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            s.settimeout(0.01)
            socks.append((label, s))
    answered = failed = 0
    stop = threading.Event()

    def ordinary():
        nonlocal answered, failed
        paths = {"upload page": "/v1/health", "S3 store": "/", "logo CDN": "/absent.png"}
        while not stop.is_set():
            for label, url in urls.items():
                try:
                    urllib.request.urlopen(url + paths[label], timeout=5).read()
                    answered += 1
                except urllib.error.HTTPError:
                    answered += 1  # an answer (403/404) all the same
                except Exception:
                    failed += 1
            time.sleep(0.05)

    t = threading.Thread(target=ordinary, daemon=True)
    t.start()
    open_socks = list(socks)
    while open_socks and time.monotonic() - start < limit:
        still = []
        for label, s in open_socks:
            try:
                data = s.recv(1024)
                if data == b"" or data.startswith(b"HTTP/1.1 408"):
                    drops[label].append(time.monotonic() - start)
                    s.close()
                    continue
            except socket.timeout:
                pass
            except OSError:
                drops[label].append(time.monotonic() - start)
                continue
            still.append((label, s))
        open_socks = still
        time.sleep(0.1)
    stop.set()
    t.join()
    for _, s in open_socks:
        s.close()
    return drops, len(open_socks), answered, failed


def idle_keep_alive(urls):
    """Seconds until a kept-alive connection, idle after one answered request, is closed."""
    paths = {"upload page": "/v1/health", "S3 store": "/", "logo CDN": "/absent.png"}
    closed = {}
    for label, url in urls.items():
        s = socket.create_connection(hostport(url))
        s.sendall(f"GET {paths[label]} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        s.settimeout(60)
        s.recv(4096)
        start = time.monotonic()
        try:
            while s.recv(4096):
                pass
            closed[label] = time.monotonic() - start
        except socket.timeout:
            closed[label] = None
        s.close()
    return closed


def big_post(store, pid, with_length):
    host, port = hostport(store)
    s = socket.create_connection((host, port))
    head = "POST /local-notifications-csv-upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
    head += "Content-Length: 400000000\r\n\r\n" if with_length else "Transfer-Encoding: chunked\r\n\r\n"
    peak = Peak(pid)
    s.sendall(head.encode())
    part = b'--b\r\nContent-Disposition: form-data; name="key"\r\n\r\nbig.csv\r\n--b\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'
    chunk = b"a" * (1024 * 1024)
    sent = 0
    s.settimeout(30)
    try:
        if with_length:
            s.sendall(part)
        else:
            s.sendall(b"%x\r\n" % len(part) + part + b"\r\n")
        while sent < 400_000_000:
            s.sendall((b"%x\r\n" % len(chunk) + chunk + b"\r\n") if not with_length else chunk)
            sent += len(chunk)
    except OSError:
        pass
    try:
        answer = s.recv(200).split(b"\r\n")[0].decode()
    except OSError:
        answer = "(closed)"
    s.close()
    return sent, answer, peak.stop()


def downloads(cdn, store, pid, n=200):
    env = dict(os.environ, **LOCAL_KEYS)
    url = subprocess.check_output(
        [BIN, "presign", "url", "--bucket", "logo", "--key", "bench-2mib.png", "--method", "PUT",
         "--endpoint", store, "--addressing", "path"], env=env, text=True).strip()
    body = os.urandom(2 * 1024 * 1024)
    req = urllib.request.Request(url, data=body, method="PUT")
    urllib.request.urlopen(req).read()
    barrier = threading.Barrier(n)
    ok = []

    def get():
        barrier.wait()
        with urllib.request.urlopen(cdn + "/bench-2mib.png", timeout=60) as r:
            got = 0
            while chunk := r.read(4096):
                got += len(chunk)
                time.sleep(0.0005)  # a slow reader keeps the download open
            ok.append(got == len(body))

    peak = Peak(pid)
    threads = [threading.Thread(target=get) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(ok), peak.stop()


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def out_of_descriptors(binary=BIN):
    """A stack limited to 64 open files, sent 100 connections: the CPU its accept loops burn
    while they cannot accept, and whether it answers once the connections close."""
    proc, data, urls = start_local(("prlimit", "--nofile=64:64"), binary)
    try:
        host, port = hostport(urls["S3 store"])
        socks = []
        for _ in range(100):
            try:
                socks.append(socket.create_connection((host, port), timeout=2))
            except OSError:
                break
        before = cpu_seconds(proc.pid)
        time.sleep(5)
        burnt = cpu_seconds(proc.pid) - before
        for s in socks:
            s.close()
        time.sleep(1)
        try:
            urllib.request.urlopen(urls["upload page"] + "/v1/health", timeout=5).read()
            answered = True
        except Exception:
            answered = False
        return len(socks), burnt, answered
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(data, ignore_errors=True)


def throughput(baseline):
    worktree = os.path.join(ROOT, "target", "baseline-src")
    if not os.path.isdir(worktree):
        subprocess.check_call(["git", "worktree", "add", "-f", "--detach", worktree, baseline], cwd=ROOT)
    else:
        subprocess.check_call(["git", "checkout", "-q", "--detach", baseline], cwd=worktree)
    subprocess.check_call(["cargo", "build", "--release", "-q", "-p", "uploadkit-cli",
                           "--target-dir", os.path.join(ROOT, "target", "baseline")], cwd=worktree)
    binaries = {"before": os.path.join(ROOT, "target/baseline/release/uploadkit"), "after": BIN}
    key = "load-benchmark-grant-key-q3Jv9nT0xLw2ZcR8bY5eKp1H"
    grant = subprocess.check_output(
        [sys.executable, os.path.join(ROOT, "tests/scripts/mint_grant.py"), key,
         "4d1f3b7e-9c2a-4f6e-8b1d-2a3c4e5f6a7b", "csv", "3600"], text=True).strip()
    env = dict(os.environ, UPLOADKIT_GRANT_KEY=key, AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE",
               AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", AWS_REGION="eu-west-1",
               AWS_EC2_METADATA_DISABLED="true", GRANT=grant)
    results = {name: [] for name in binaries}
    for _ in range(int(os.environ.get("ROUNDS", "3"))):
        for name, binary in binaries.items():
            proc = subprocess.Popen([binary, "serve", "--listen", "127.0.0.1:18090"], env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(0.5)
            out = subprocess.check_output(
                ["wrk", "-t2", "-c64", f"-d{os.environ.get('DURATION', '10')}s", "--latency", "-s",
                 os.path.join(ROOT, "bench/wrk_presign.lua"), "http://127.0.0.1:18090/v1/uploads"],
                env=env, text=True)
            proc.terminate()
            proc.wait()
            rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
            p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)
            non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
            results[name].append((rps, p99, int(non2xx.group(1)) if non2xx else 0))
    return results


def main():
    proc, data, urls = start_local()
    try:
        print(f"uploadkit local (release), pid {proc.pid}, RSS {rss_kib(proc.pid) / 1024:.1f} MiB at start")
        drops, still_open, answered, failed = slowloris(urls)
        print("\n| port | slow connections | dropped after (median / max) | still open at 60 s |")
        print("|---|---|---|---|")
        for label, times in drops.items():
            med = statistics.median(times) if times else float("nan")
            mx = max(times) if times else float("nan")
            print(f"| {label} | 200 | {med:.1f} s / {mx:.1f} s | {200 - len(times)} |")
        print(f"ordinary requests meanwhile: {answered} answered, {failed} failed")
        for label, after in idle_keep_alive(urls).items():
            print(f"{label}: an idle kept-alive connection closed after " + (f"{after:.1f} s" if after else "over 60 s"))
        for with_length in (True, False):
            sent, answer, grew = big_post(urls["S3 store"], proc.pid, with_length)
            how = "Content-Length: 400000000" if with_length else "chunked, no length"
            print(f"400 MB anonymous POST ({how}): {sent / 1e6:.0f} MB sent before the answer {answer!r}; RSS +{grew:.1f} MiB")
        ok, grew = downloads(urls["logo CDN"], urls["S3 store"], proc.pid)
        print(f"200 concurrent downloads of a 2 MiB logo: {ok} whole; RSS +{grew:.1f} MiB")
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(data, ignore_errors=True)
    opened, burnt, answered = out_of_descriptors()
    print(f"out of file descriptors (limit 64, {opened} connections held): {burnt:.2f} s of CPU in 5 s; "
          f"{'answers' if answered else 'does NOT answer'} once they close")
    baseline = os.environ.get("BASELINE")
    if baseline:
        results = throughput(baseline)
        opened, burnt, answered = out_of_descriptors(os.path.join(ROOT, "target/baseline/release/uploadkit"))
        print(f"the same at {baseline}: {burnt:.2f} s of CPU in 5 s; {'answers' if answered else 'does NOT answer'} once they close")
        print(f"\npresign throughput, `uploadkit serve`, wrk -t2 -c64, alternating rounds (before = {baseline}):")
        print("| build | req/s per round | p99 per round | non-2xx |")
        print("|---|---|---|---|")
        for name, rounds in results.items():
            print(f"| {name} | {', '.join(f'{r:,.0f}' for r, _, _ in rounds)} | {', '.join(p for _, p, _ in rounds)} | {sum(n for _, _, n in rounds)} |")


if __name__ == "__main__":
    main()
