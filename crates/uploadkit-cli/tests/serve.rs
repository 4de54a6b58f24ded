//! `uploadkit serve` pointed at SeaweedFS by configuration alone (endpoint, bucket names, keys
//! in the environment): a PyJWT grant, an upload form, a multipart POST of a real file, and the
//! object with its encryption and metadata; and a start-up with no credentials that says where
//! it looked.

mod common;

use serde_json::{Value, json};
use uploadkit_tests::form::{form_fields, post_form};
use uploadkit_tests::run_python_with;
use uploadkit_tests::s3client::header;
use uploadkit_tests::seaweedfs::{ACCESS_KEY, SECRET_KEY, Seaweed};

const GRANT_KEY: &str = "serve-test-grant-key-0123456789abcdefghij";
const ORIGIN: &str = "https://admin.example.gov.uk";

#[test]
fn serve_against_seaweedfs_signs_forms_that_land_with_sse_and_metadata() {
    let server = Seaweed::start();
    server.client().create_bucket("serve-csv-uploads");
    let home = std::env::temp_dir().join(format!("uploadkit-serve-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&home).unwrap();
    let env = [
        ("HOME", home.display().to_string()),
        ("AWS_ACCESS_KEY_ID", ACCESS_KEY.to_owned()),
        ("AWS_SECRET_ACCESS_KEY", SECRET_KEY.to_owned()),
        ("AWS_REGION", "eu-west-1".to_owned()),
        ("AWS_ENDPOINT_URL_S3", server.endpoint()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
        ("S3_BUCKET_CSV_UPLOAD", "serve-csv-uploads".to_owned()),
        ("UPLOADKIT_GRANT_KEY", GRANT_KEY.to_owned()),
        ("UPLOADKIT_ALLOWED_ORIGINS", ORIGIN.to_owned()),
    ];
    let running = common::Running::start(
        &["serve", "--listen", "127.0.0.1:0"],
        &env,
        true,
        "presign API on",
    );
    let api = running.url("uploadkit presign API on");

    let service = uuid::Uuid::new_v4().to_string();
    let grant = run_python_with("mint_grant.py", &[GRANT_KEY, &service, "csv", "600"])
        .trim()
        .to_owned();
    let body = b"email address,name\nada@example.gov.uk,Ada\n".to_vec();
    let response = reqwest::blocking::Client::new()
        .post(format!("{api}/v1/uploads"))
        .bearer_auth(&grant)
        .header("origin", ORIGIN)
        .json(&json!({"kind": "csv", "file_name": "Team list.csv", "size": body.len(), "content_type": "text/csv"}))
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["access-control-allow-origin"], ORIGIN);
    let form: Value = response.json().unwrap();
    assert_eq!(
        form["url"],
        format!("{}/serve-csv-uploads", server.endpoint())
    );
    let fields = form_fields(&form);
    let posted = post_form(
        form["url"].as_str().unwrap(),
        &fields,
        "Team list.csv",
        &body,
    );
    assert_eq!(posted.status, 201, "{}", posted.body);

    let key = form["key"].as_str().unwrap();
    assert!(key.starts_with(&format!("service-{service}-notify/")));
    let (status, headers) = server.client().head("serve-csv-uploads", key);
    assert_eq!(status, 200);
    assert_eq!(
        header(&headers, "x-amz-server-side-encryption"),
        Some("AES256")
    );
    assert_eq!(
        header(&headers, "x-amz-meta-original_file_name"),
        Some("Team list.csv")
    );
    assert_eq!(server.client().get("serve-csv-uploads", key), Some(body));
    drop(running);
    let _ = std::fs::remove_dir_all(home);
}

#[test]
fn serve_without_credentials_names_every_place_it_searched() {
    let home = std::env::temp_dir().join(format!("uploadkit-serve-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&home).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_uploadkit"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env_clear()
        .env("HOME", &home)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("UPLOADKIT_GRANT_KEY", GRANT_KEY)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    for place in [
        "AWS_ACCESS_KEY_ID",
        "shared credentials file",
        "config file",
        "container credentials",
        "instance metadata",
    ] {
        assert!(err.contains(place), "{err}");
    }
    // The way without an AWS account, in words that fit `serve` (which has no --local).
    assert!(
        err.contains("`uploadkit local` runs the whole stack"),
        "{err}"
    );
    assert!(!err.contains("or use --local"), "{err}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_uploadkit"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env_clear()
        .env("HOME", &home)
        .env("AWS_ACCESS_KEY_ID", "AKID")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("set UPLOADKIT_GRANT_KEY"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(home);
}

/// `uploadkit serve` with its output in a file, for reading the logs afterwards.
struct Logged {
    child: std::process::Child,
    log: std::path::PathBuf,
}

impl Logged {
    fn start(args: &[&str], env: &[(&str, String)]) -> Self {
        let log =
            std::env::temp_dir().join(format!("uploadkit-serve-log-{}", uuid::Uuid::new_v4()));
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_uploadkit"))
            .args(args)
            .env_clear()
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(std::process::Stdio::inherit())
            .spawn()
            .unwrap();
        let logged = Self { child, log };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while !logged.text().contains("presign API on") {
            assert!(
                std::time::Instant::now() < deadline,
                "no start line: {}",
                logged.text()
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        logged
    }
    fn text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
    fn url(&self, label: &str) -> String {
        let text = self.text();
        let line = text.lines().find(|l| l.contains(label)).unwrap().to_owned();
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap();
        url.trim_end_matches("/{key}")
            .trim_end_matches("/v1/uploads")
            .to_owned()
    }
    /// SIGTERM, then the exit status (within 15 s).
    fn stop(&mut self) -> std::process::ExitStatus {
        std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "still running 15 s after SIGTERM"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

impl Drop for Logged {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = std::fs::remove_file(&self.log);
    }
}

#[test]
fn serve_logs_each_request_without_secrets_counts_it_and_serves_logos() {
    let server = Seaweed::start();
    let client = server.client();
    client.create_bucket("serve-csv-uploads");
    client.create_bucket("serve-logos");
    let png = uploadkit_tests::png(200, 120);
    assert_eq!(
        client
            .send(
                "PUT",
                "serve-logos",
                "abc-hmrc.png",
                &[],
                &[("content-type", "image/png")],
                &png
            )
            .status()
            .as_u16(),
        200
    );
    let env = vec![
        ("HOME", std::env::temp_dir().display().to_string()),
        ("AWS_ACCESS_KEY_ID", ACCESS_KEY.to_owned()),
        ("AWS_SECRET_ACCESS_KEY", SECRET_KEY.to_owned()),
        ("AWS_REGION", "eu-west-1".to_owned()),
        ("AWS_ENDPOINT_URL_S3", server.endpoint()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
        ("S3_BUCKET_CSV_UPLOAD", "serve-csv-uploads".to_owned()),
        ("S3_BUCKET_LOGO_UPLOAD", "serve-logos".to_owned()),
        ("UPLOADKIT_GRANT_KEY", GRANT_KEY.to_owned()),
        ("UPLOADKIT_ALLOWED_ORIGINS", ORIGIN.to_owned()),
        ("UPLOADKIT_LOG_FORMAT", "json".to_owned()),
    ];
    let mut serve = Logged::start(
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--cdn-listen",
            "127.0.0.1:0",
        ],
        &env,
    );
    let (api, cdn) = (serve.url("presign API on"), serve.url("logo route on"));
    let http = reqwest::blocking::Client::new();
    let service = uuid::Uuid::new_v4().to_string();
    let grant = run_python_with("mint_grant.py", &[GRANT_KEY, &service, "csv", "600"])
        .trim()
        .to_owned();
    // A query string that looks like a signature must never reach the log.
    let response = http
        .post(format!("{api}/v1/uploads?X-Amz-Signature=topsecretsignature"))
        .bearer_auth(&grant)
        .header("origin", ORIGIN)
        .header("x-request-id", "test-request-1")
        .json(&json!({"kind": "csv", "file_name": "list.csv", "size": 10, "content_type": "text/csv"}))
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["x-request-id"], "test-request-1");
    let signed_form = response.text().unwrap();
    let refused = http
        .post(format!("{api}/v1/uploads"))
        .json(&json!({}))
        .send()
        .unwrap();
    assert_eq!(refused.status().as_u16(), 401);
    let generated = refused.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        generated.len(),
        21,
        "a new id when the client sends none: {generated}"
    );

    // A client's id that is not a plain token (too long, or with characters a log line could
    // be forged with) is replaced, not echoed.
    for hostile in ["a b", "x\"}{\"status\":200", &"i".repeat(65)] {
        let r = http
            .get(format!("{api}/healthz"))
            .header("x-request-id", hostile)
            .send()
            .unwrap();
        let id = r.headers()["x-request-id"].to_str().unwrap().to_owned();
        assert_ne!(id, hostile);
        assert_eq!(id.len(), 21, "{id}");
    }
    assert_eq!(
        http.get(format!("{api}/healthz"))
            .send()
            .unwrap()
            .text()
            .unwrap(),
        "ok\n"
    );
    assert_eq!(
        http.get(format!("{api}/readyz"))
            .send()
            .unwrap()
            .status()
            .as_u16(),
        200
    );
    let logo = http.get(format!("{cdn}/abc-hmrc.png")).send().unwrap();
    assert_eq!(logo.status().as_u16(), 200);
    assert_eq!(logo.bytes().unwrap().as_ref(), png.as_slice());
    assert_eq!(
        http.get(format!("{cdn}/missing.png"))
            .send()
            .unwrap()
            .status()
            .as_u16(),
        404
    );

    let metrics = http
        .get(format!("{api}/metrics"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    for line in [
        "uploadkit_http_requests_total{route=\"/v1/uploads\",status=\"200\"} 1",
        "uploadkit_http_requests_total{route=\"/v1/uploads\",status=\"401\"} 1",
        "uploadkit_http_requests_total{route=\"logo\",status=\"200\"} 1",
        "uploadkit_http_requests_total{route=\"logo\",status=\"404\"} 1",
        "uploadkit_http_request_duration_seconds_count{route=\"/v1/uploads\"} 2",
        "uploadkit_credentials_refresh_failures_total 0",
    ] {
        assert!(metrics.contains(line), "{line} in\n{metrics}");
    }
    assert!(
        metrics.contains("uploadkit_credentials_age_seconds "),
        "{metrics}"
    );

    let status = serve.stop();
    assert!(status.success(), "SIGTERM: exit {status:?}");
    let text = serve.text();
    let requests: Vec<Value> = text
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .filter(|v: &Value| v["message"] == "request")
        .collect();
    let upload = requests
        .iter()
        .find(|r| r["request_id"] == "test-request-1")
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(upload["route"], "/v1/uploads");
    assert_eq!(upload["status"], 200);
    assert_eq!(upload["method"], "POST");
    assert!(upload["latency_ms"].as_f64().unwrap() > 0.0);
    assert!(
        requests
            .iter()
            .any(|r| r["request_id"] == generated.as_str() && r["status"] == 401)
    );
    assert!(
        requests
            .iter()
            .any(|r| r["route"] == "logo" && r["status"] == 404)
    );
    for secret in [
        grant.as_str(),
        "topsecretsignature",
        SECRET_KEY,
        "X-Amz-Signature",
    ] {
        assert!(!text.contains(secret), "{secret} in the log:\n{text}");
    }
    let form: Value = serde_json::from_str(&signed_form).unwrap();
    let signature = form["fields"]["x-amz-signature"].as_str().unwrap();
    assert!(
        !text.contains(signature),
        "the form's signature is not logged"
    );
}

#[test]
fn readyz_says_why_it_cannot_sign_while_healthz_answers() {
    let env = vec![
        ("HOME", std::env::temp_dir().display().to_string()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
        // A container endpoint that refuses connections: the chain resolves, fetching fails.
        (
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "http://127.0.0.1:9/creds".to_owned(),
        ),
        ("UPLOADKIT_GRANT_KEY", GRANT_KEY.to_owned()),
        ("UPLOADKIT_LOG", "off".to_owned()),
    ];
    let mut serve = Logged::start(&["serve", "--listen", "127.0.0.1:0"], &env);
    let api = serve.url("presign API on");
    let http = reqwest::blocking::Client::new();
    assert_eq!(
        http.get(format!("{api}/healthz"))
            .send()
            .unwrap()
            .status()
            .as_u16(),
        200
    );
    let ready = http.get(format!("{api}/readyz")).send().unwrap();
    assert_eq!(ready.status().as_u16(), 503);
    let why = ready.text().unwrap();
    assert!(
        why.contains("not ready") && why.contains("container credentials"),
        "{why}"
    );
    let metrics = http
        .get(format!("{api}/metrics"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        metrics.contains("uploadkit_credentials_refresh_failures_total 1"),
        "{metrics}"
    );
    assert!(serve.stop().success());
    assert!(
        !serve.text().contains("\"request\""),
        "UPLOADKIT_LOG=off writes no request lines"
    );
}

#[test]
fn an_output_nobody_reads_neither_stops_serve_nor_makes_it_panic() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_uploadkit"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env_clear()
        .env("HOME", std::env::temp_dir())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ACCESS_KEY_ID", "AKID")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env("UPLOADKIT_GRANT_KEY", GRANT_KEY)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // As `uploadkit serve | head -1`: the first line is read, then the pipe is closed.
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let api = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .trim_end_matches("/v1/uploads")
        .to_owned();
    // Each request's log line now goes nowhere; the requests are still answered.
    let http = reqwest::blocking::Client::new();
    for _ in 0..3 {
        let status = http.get(format!("{api}/healthz")).send().unwrap().status();
        assert_eq!(status.as_u16(), 200);
    }
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
}
