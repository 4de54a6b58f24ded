//! A real Ceph RADOS Gateway (Debian's `radosgw`, `ceph-mon`, `ceph-osd`) on 127.0.0.1: a
//! one-node cluster with one RAM-only OSD, no cephx, and an S3 user allowed STS
//! `GetSessionToken`. It is the server here that accepts a POST signed with session
//! credentials, stores the form's `tagging`, and enforces lifecycle rules with tag filters (in
//! its debug mode a lifecycle "day" lasts a few seconds). Stopped (every daemon) on drop.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use uploadkit_core::clock::SigningTime;
use uploadkit_core::credentials::Credentials;
use uploadkit_core::encode::uri_encode;
use uploadkit_core::sigv4::{Payload, SignableRequest, Signer, SigningContext, SigningSettings};

use crate::s3client::S3Client;

/// The S3 user's access key.
pub const ACCESS_KEY: &str = "UPLOADKITCEPHTEST";
/// Its secret.
pub const SECRET_KEY: &str = "uploadkit/ceph+secret/0123456789abcdef";

/// The daemons a cluster needs, and the Debian packages that hold them.
const BINARIES: [&str; 6] = [
    "radosgw",
    "radosgw-admin",
    "ceph-mon",
    "ceph-osd",
    "ceph",
    "monmaptool",
];

/// A running gateway.
pub struct Ceph {
    dir: PathBuf,
    port: u16,
}

fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn run(dir: &Path, program: &str, args: &[&str]) {
    let out = Command::new(program)
        .args(["-c", &dir.join("ceph.conf").display().to_string()])
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn wait_for(what: &str, dir: &Path, seconds: u64, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    while !ready() {
        assert!(
            Instant::now() < deadline,
            "{what} did not come up within {seconds} s; logs in {}",
            dir.join("log").display()
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

impl Ceph {
    /// Starts a cluster whose lifecycle "day" lasts `lifecycle_day_seconds`.
    pub fn start(lifecycle_day_seconds: u32) -> Self {
        for binary in BINARIES {
            assert!(
                Command::new("sh")
                    .args(["-c", &format!("command -v {binary}")])
                    .output()
                    .is_ok_and(|o| o.status.success()),
                "{binary} is missing: apt-get install --no-install-recommends radosgw ceph-mon ceph-osd ceph-common (tests/run installs them)"
            );
        }
        let (port, mon_port) = (free_port(), free_port());
        let dir =
            std::env::temp_dir().join(format!("uploadkit-ceph-{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for sub in ["run", "log", "mon.a", "osd.0", "rgw"] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
        }
        let d = dir.display();
        let fsid = uuid::Uuid::new_v4();
        // The key that encrypts session tokens: 16 characters, new for every cluster.
        let sts_key = &uuid::Uuid::new_v4().simple().to_string()[..16];
        let conf = format!(
            "[global]
fsid = {fsid}
mon host = [v1:127.0.0.1:{mon_port}]
mon initial members = a
public addr = 127.0.0.1
cluster addr = 127.0.0.1
public network = 127.0.0.0/8
ms bind msgr2 = false
auth cluster required = none
auth service required = none
auth client required = none
auth supported = none
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon warn on pool no redundancy = false
osd pool default pg autoscale mode = off
osd pool default pg num = 8
osd pool default pgp num = 8
mon max pg per osd = 1000
osd crush chooseleaf type = 0
# The monitor's store is tiny; a busy build disk must not stop it.
mon data avail crit = 1
mon data avail warn = 2
run dir = {d}/run
admin socket = {d}/run/$name.asok
log file = {d}/log/$name.log
pid file = {d}/run/$name.pid
mon data = {d}/$name
osd data = {d}/$name
osd objectstore = memstore
memstore device bytes = 1073741824
osd max object name len = 256
osd max object namespace len = 64

[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:{port}
rgw data = {d}/rgw
rgw dns name = localhost
rgw enable apis = s3, sts, iam
rgw s3 auth use sts = true
rgw sts key = {sts_key}
# SSE headers over plain HTTP are accepted (the kit sends AES256 on every write).
rgw crypt require ssl = false
rgw lc debug interval = {lifecycle_day_seconds}
"
        );
        std::fs::write(dir.join("ceph.conf"), conf).unwrap();
        let ceph = Self { dir, port };
        let dir = ceph.dir.as_path();
        let monmap = dir.join("monmap").display().to_string();
        let mon_addr = format!("[v1:127.0.0.1:{mon_port}]");
        let fsid = fsid.to_string();
        let out = Command::new("monmaptool")
            .args([
                "--create", "--addv", "a", &mon_addr, "--fsid", &fsid, &monmap,
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "monmaptool: {out:?}");
        run(dir, "ceph-mon", &["--mkfs", "-i", "a", "--monmap", &monmap]);
        run(dir, "ceph-mon", &["-i", "a"]);
        run(dir, "ceph", &["--connect-timeout", "30", "osd", "create"]);
        run(dir, "ceph-osd", &["-i", "0", "--mkfs"]);
        // Without --no-mon-config the OSD (with auth none) sends its first command before the
        // monitor map arrives and exits with "wrong fsid".
        run(dir, "ceph-osd", &["-i", "0", "--no-mon-config"]);
        wait_for("osd.0", dir, 60, || {
            Command::new("ceph")
                .args(["-c", &dir.join("ceph.conf").display().to_string()])
                .args(["--connect-timeout", "5", "osd", "stat"])
                .output()
                .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(" 1 up"))
        });
        run(dir, "radosgw", &["-n", "client.rgw.a"]);
        wait_for("radosgw", dir, 90, || {
            reqwest::blocking::get(ceph.endpoint()).is_ok()
        });
        run(
            dir,
            "radosgw-admin",
            &[
                "user",
                "create",
                "--uid=uploadkit",
                "--display-name=uploadkit",
                &format!("--access-key={ACCESS_KEY}"),
                &format!("--secret={SECRET_KEY}"),
            ],
        );
        run(
            dir,
            "radosgw-admin",
            &["caps", "add", "--uid=uploadkit", "--caps=user-policy=*"],
        );
        // STS GetSessionToken needs a user policy that allows it.
        let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:GetSessionToken","s3:*"],"Resource":"*"}]}"#;
        let (status, body) = ceph.call(
            "iam",
            &[
                ("Action", "PutUserPolicy"),
                ("UserName", "uploadkit"),
                ("PolicyName", "uploadkit-tests"),
                ("PolicyDocument", policy),
                ("Version", "2010-05-08"),
            ],
        );
        assert_eq!(status, 200, "PutUserPolicy: {body}");
        ceph
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A client holding the user's long-term keys.
    pub fn client(&self) -> S3Client {
        S3Client::new(&self.endpoint(), ACCESS_KEY, SECRET_KEY)
    }

    /// The user's long-term keys.
    pub fn credentials(&self) -> Credentials {
        Credentials::new(ACCESS_KEY, SECRET_KEY, None, None).unwrap()
    }

    /// A form POST to the gateway's IAM or STS API, signed with the user's keys.
    pub fn call(&self, service: &str, pairs: &[(&str, &str)]) -> (u16, String) {
        let body = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", uri_encode(k, false), uri_encode(v, false)))
            .collect::<Vec<_>>()
            .join("&");
        let host = format!("127.0.0.1:{}", self.port);
        let content_type = "application/x-www-form-urlencoded; charset=utf-8";
        let request = SignableRequest {
            method: "POST",
            path: "/",
            query: vec![],
            headers: vec![("host", host.as_str()), ("content-type", content_type)],
            payload: Payload::Bytes(body.as_bytes()),
        };
        let ctx = SigningContext {
            region: "us-east-1",
            service,
            time: SigningTime::new(time::OffsetDateTime::now_utc()),
            settings: SigningSettings::STANDARD,
        };
        let signed = Signer::new(self.credentials())
            .sign_headers(&request, &ctx)
            .unwrap();
        let mut http = reqwest::blocking::Client::new()
            .post(format!("{}/", self.endpoint()))
            .header("content-type", content_type)
            .body(body);
        for (k, v) in signed.headers {
            http = http.header(k, v);
        }
        let r = http.send().unwrap();
        (r.status().as_u16(), r.text().unwrap_or_default())
    }
}

impl Drop for Ceph {
    fn drop(&mut self) {
        // The gateway first, the monitor last.
        for name in ["client.rgw.a", "osd.0", "mon.a"] {
            let Ok(pid) = std::fs::read_to_string(self.dir.join("run").join(format!("{name}.pid")))
            else {
                continue;
            };
            let pid = pid.trim().to_owned();
            let quiet = |args: &[&str]| {
                Command::new("kill")
                    .args(args)
                    .stderr(std::process::Stdio::null())
                    .status()
            };
            let _ = quiet(&[&pid]);
            let deadline = Instant::now() + Duration::from_secs(10);
            while quiet(&["-0", &pid]).is_ok_and(|s| s.success()) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = quiet(&["-9", &pid]);
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
