//! The attack suite: what an outsider can send to `uploadkit local` (the presign API, the store,
//! the logo route, the page's config) and to `uploadkit serve`'s start-up, each attack asserting
//! the exact refusal and that nothing was written. Tokens are minted with PyJWT, an
//! implementation uploadkit does not share.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::blocking::Client;
use serde_json::{Value, json};
use uploadkit_core::local::LOCAL_GRANT_KEY;
use uploadkit_tests::form::{form_fields, post_form, with_field, with_tampered_signature};
use uploadkit_tests::run_python_with;

mod common;

/// `uploadkit local` in a folder of its own, removed afterwards.
struct Stack {
    local: common::LocalStack,
    data: PathBuf,
}

impl std::ops::Deref for Stack {
    type Target = common::LocalStack;
    fn deref(&self) -> &common::LocalStack {
        &self.local
    }
}

impl Stack {
    fn start() -> Self {
        let data = std::env::temp_dir().join(format!("uploadkit-attacks-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&data).unwrap();
        Self {
            local: common::LocalStack::start(&data),
            data,
        }
    }

    /// Every file the store holds, as paths under its folder.
    fn stored(&self) -> Vec<String> {
        fn walk(dir: &Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else {
                    out.push(path.display().to_string());
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.data, &mut out);
        out.retain(|p| !p.contains(".s3s") && !p.contains(".tmp"));
        out.sort();
        out
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.data);
    }
}

/// Each attack's outcome: held (refused exactly as expected) or not, with what was observed.
/// Printed as a table (`ATTACK held|THROUGH name: observed`) and then asserted, so a run against
/// another build (`UPLOADKIT_BIN`) reports every attack instead of stopping at the first.
#[derive(Default)]
struct Verdicts(Vec<(String, bool, String)>);

impl Verdicts {
    fn check(&mut self, name: &str, held: bool, observed: impl Into<String>) {
        self.0.push((name.to_owned(), held, observed.into()));
    }

    fn finish(self) {
        for (name, held, observed) in &self.0 {
            let observed: String = observed.chars().take(160).collect();
            eprintln!(
                "ATTACK {} {name}: {}",
                if *held { "held" } else { "THROUGH" },
                observed.replace('\n', " ")
            );
        }
        let through: Vec<&String> = self
            .0
            .iter()
            .filter(|(_, h, _)| !h)
            .map(|(n, _, _)| n)
            .collect();
        assert!(
            through.is_empty(),
            "attacks not refused as expected: {through:?}"
        );
    }
}

const SERVICE: &str = "4d1f3b7e-9c2a-4f6e-8b1d-2a3c4e5f6a7b";
const OTHER_REPORT: &str = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a";

fn raw_token(key: &str, alg: &str, header: Value, claims: Value) -> String {
    run_python_with(
        "mint_raw.py",
        &[key, alg, &header.to_string(), &claims.to_string()],
    )
    .trim()
    .to_owned()
}

fn grant(claims: Value) -> String {
    let mut all = json!({"service_id": SERVICE, "kinds": ["csv"], "iat_in": 0, "exp_in": 600});
    all.as_object_mut()
        .unwrap()
        .extend(claims.as_object().unwrap().clone());
    raw_token(LOCAL_GRANT_KEY, "HS256", json!({}), all)
}

fn call(client: &Client, url: &str, token: Option<&str>, body: &Value) -> (u16, Value) {
    let mut request = client.post(url).json(body);
    if let Some(t) = token {
        request = request.bearer_auth(t);
    }
    let r = request.send().unwrap();
    (r.status().as_u16(), r.json().unwrap_or(Value::Null))
}

/// Sends raw bytes and returns the status line and head of the answer.
fn raw(base: &str, request: &str) -> String {
    let addr = base.trim_start_matches("http://");
    let mut socket = TcpStream::connect(addr).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(40)))
        .unwrap();
    socket.write_all(request.as_bytes()).unwrap();
    let mut answer = vec![0u8; 8192];
    let n = socket.read(&mut answer).unwrap_or(0);
    String::from_utf8_lossy(&answer[..n]).into_owned()
}

const CSV: &str = r#"{"kind":"csv","file_name":"people.csv","size":22,"content_type":"text/csv"}"#;

#[test]
fn grant_attacks_are_refused_with_401_and_the_reason() {
    let stack = Stack::start();
    let client = Client::new();
    let url = format!("{}/v1/uploads", stack.app);
    let body: Value = serde_json::from_str(CSV).unwrap();
    let valid = grant(json!({}));
    let mut tampered_payload = valid.split('.').map(str::to_owned).collect::<Vec<_>>();
    tampered_payload[1] = base64_json(
        &json!({"service_id": SERVICE, "kinds": ["csv", "email-logo", "letter-logo"], "exp": 4_000_000_000u64}),
    );
    let tampered_payload = tampered_payload.join(".");
    let attacks: Vec<(&str, Option<String>, &str, &str)> = vec![
        ("no grant", None, "grant_missing", "no upload grant"),
        (
            "expired",
            Some(grant(json!({"iat_in": -700, "exp_in": -60}))),
            "grant_expired",
            "expired at",
        ),
        (
            "signed with another key",
            Some(raw_token(
                "another-key-that-is-long-enough-0123456789",
                "HS256",
                json!({}),
                json!({"service_id": SERVICE, "kinds": ["csv"], "exp_in": 600}),
            )),
            "grant_invalid",
            "signature is invalid",
        ),
        (
            "alg: none",
            Some(raw_token(
                "",
                "none",
                json!({}),
                json!({"service_id": SERVICE, "kinds": ["csv"], "exp_in": 600}),
            )),
            "grant_invalid",
            "HS256, not \"none\"",
        ),
        (
            "HS512",
            Some(raw_token(
                LOCAL_GRANT_KEY,
                "HS512",
                json!({}),
                json!({"service_id": SERVICE, "kinds": ["csv"], "exp_in": 600}),
            )),
            "grant_invalid",
            "HS256, not \"HS512\"",
        ),
        (
            "claims changed after signing",
            Some(tampered_payload),
            "grant_invalid",
            "signature is invalid",
        ),
        (
            "unknown key id",
            Some(raw_token(
                LOCAL_GRANT_KEY,
                "HS256",
                json!({"kid": "2020-01"}),
                json!({"service_id": SERVICE, "kinds": ["csv"], "exp_in": 600}),
            )),
            "grant_invalid",
            "key id \"2020-01\"",
        ),
        (
            "lives longer than allowed",
            Some(grant(json!({"exp_in": 13 * 3600}))),
            "grant_invalid",
            "at most 43200",
        ),
        (
            "not valid yet",
            Some(grant(json!({"iat_in": 3600, "exp_in": 4000}))),
            "grant_invalid",
            "not valid yet",
        ),
        (
            "no service",
            Some(raw_token(
                LOCAL_GRANT_KEY,
                "HS256",
                json!({}),
                json!({"kinds": ["csv"], "exp_in": 600}),
            )),
            "grant_invalid",
            "claims are not base64url JSON",
        ),
    ];
    let mut verdicts = Verdicts::default();
    for (name, token, code, says) in attacks {
        let (status, json) = call(&client, &url, token.as_deref(), &body);
        let held = status == 401
            && json["error"] == code
            && json["message"].as_str().is_some_and(|m| m.contains(says));
        verdicts.check(&format!("grant: {name}"), held, format!("{status} {json}"));
    }
    verdicts.finish();
}

fn base64_json(value: &Value) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
}

#[test]
fn scope_and_field_attacks_are_refused_and_sign_nothing() {
    let stack = Stack::start();
    let client = Client::new();
    let uploads = format!("{}/v1/uploads", stack.app);
    let downloads = format!("{}/v1/downloads", stack.app);
    let everything =
        grant(json!({"kinds": ["csv", "email-logo"], "downloads": false, "reports": []}));
    let attacks: Vec<(&str, &str, Value, u16, &str)> = vec![
        (
            "upload for another service",
            &uploads,
            json!({"kind": "csv", "service_id": "11111111-2222-4333-8444-555555555555", "file_name": "a.csv", "size": 10}),
            403,
            "service_not_granted",
        ),
        (
            "a kind outside the grant",
            &uploads,
            json!({"kind": "letter", "file_name": "a.pdf", "size": 10}),
            403,
            "kind_not_granted",
        ),
        (
            "another service's report",
            &downloads,
            json!({"download": "report", "report_id": OTHER_REPORT}),
            403,
            "report_not_granted",
        ),
        (
            "an MOU without the downloads claim",
            &downloads,
            json!({"download": "crown-mou"}),
            403,
            "downloads_not_granted",
        ),
        (
            "a backslash in the name",
            &uploads,
            json!({"kind": "csv", "file_name": "..\\people.csv", "size": 10}),
            400,
            "invalid_field",
        ),
        (
            "an encoded backslash",
            &uploads,
            json!({"kind": "csv", "file_name": "a%5Cpeople.csv", "size": 10}),
            400,
            "invalid_field",
        ),
        (
            "an encoded slash",
            &uploads,
            json!({"kind": "csv", "file_name": "a%2F..%2Fpeople.csv", "size": 10}),
            400,
            "invalid_field",
        ),
        (
            "a control character",
            &uploads,
            json!({"kind": "csv", "file_name": "a\u{0007}.csv", "size": 10}),
            400,
            "invalid_field",
        ),
        (
            "a CR LF (header splitting)",
            &uploads,
            json!({"kind": "csv", "file_name": "a\r\nx-amz-acl: public-read.csv", "size": 10}),
            400,
            "invalid_field",
        ),
        (
            "HTML declared as a CSV",
            &uploads,
            json!({"kind": "csv", "file_name": "a.csv", "size": 10, "content_type": "text/html"}),
            415,
            "unsupported_type",
        ),
        (
            "SVG declared as a PNG logo",
            &uploads,
            json!({"kind": "email-logo", "file_name": "a.png", "size": 10, "content_type": "image/svg+xml"}),
            415,
            "unsupported_type",
        ),
        (
            "an HTML page named .png",
            &uploads,
            json!({"kind": "email-logo", "file_name": "a.html", "size": 10}),
            415,
            "unsupported_type",
        ),
        (
            "over the kind's limit",
            &uploads,
            json!({"kind": "email-logo", "file_name": "a.png", "size": 2_097_153}),
            413,
            "file_too_large",
        ),
        (
            "a negative size",
            &uploads,
            json!({"kind": "csv", "file_name": "a.csv", "size": -1}),
            400,
            "invalid_field",
        ),
    ];
    let mut verdicts = Verdicts::default();
    for (name, url, body, status, code) in attacks {
        let (got, json) = call(&client, url, Some(&everything), &body);
        let held = got == status
            && json["error"] == code
            && json.get("url").is_none()
            && json.get("fields").is_none();
        verdicts.check(name, held, format!("{got} {json}"));
    }
    // A body over 16 KiB, refused from its length.
    let big = format!(
        r#"{{"kind":"csv","file_name":"a.csv","size":10,"pad":"{}"}}"#,
        "x".repeat(20_000)
    );
    let r = client
        .post(&uploads)
        .bearer_auth(&everything)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .unwrap();
    let status = r.status().as_u16();
    let json = r.json::<Value>().unwrap_or(Value::Null);
    verdicts.check(
        "a 20 kB API body",
        status == 413 && json["error"] == "body_too_large",
        format!("{status} {json}"),
    );
    // A 400 MB body announced and never sent: answered at once.
    let answer = raw(
        &stack.app,
        "POST /v1/uploads HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 400000000\r\n\r\n{",
    );
    verdicts.check(
        "a 400 MB API body announced and not sent",
        answer.starts_with("HTTP/1.1 413") && answer.contains("body_too_large"),
        first_line(&answer),
    );
    // A foreign origin.
    let r = client
        .post(&uploads)
        .bearer_auth(&everything)
        .header("origin", "https://evil.example")
        .json(&json!({"kind": "csv", "file_name": "a.csv", "size": 10}))
        .send()
        .unwrap();
    let status = r.status().as_u16();
    let json = r.json::<Value>().unwrap_or(Value::Null);
    verdicts.check(
        "a foreign origin",
        status == 403 && json["error"] == "origin_not_allowed",
        format!("{status} {json}"),
    );
    verdicts.finish();
}

fn first_line(answer: &str) -> String {
    answer.lines().next().unwrap_or("(closed)").to_owned()
}

/// A name, the form's fields, the file, and the store's status and error code.
type FormAttack = (
    &'static str,
    Vec<(String, String)>,
    Vec<u8>,
    u16,
    &'static str,
);

#[test]
fn tampered_forms_and_unsigned_posts_write_nothing_to_the_store() {
    let stack = Stack::start();
    let client = Client::new();
    let token = grant(json!({}));
    let (status, form) = call(
        &client,
        &format!("{}/v1/uploads", stack.app),
        Some(&token),
        &serde_json::from_str(CSV).unwrap(),
    );
    assert_eq!(status, 200, "{form}");
    let url = form["url"].as_str().unwrap();
    let fields = form_fields(&form);
    let key = form["key"].as_str().unwrap();
    let file = b"email address\na@b.com\n";
    assert_eq!(file.len(), 22);
    let before = stack.stored();
    let attacks: Vec<FormAttack> = vec![
        (
            "a tampered signature",
            with_tampered_signature(&fields),
            file.to_vec(),
            403,
            "SignatureDoesNotMatch",
        ),
        // s3s names a failed condition InvalidPolicyDocument (400); S3 says AccessDenied (403).
        (
            "another key",
            with_field(
                &fields,
                "key",
                &format!(
                    "service-11111111-2222-4333-8444-555555555555-notify/{}",
                    uuid::Uuid::new_v4()
                ),
            ),
            file.to_vec(),
            400,
            "InvalidPolicyDocument",
        ),
        (
            "another content type",
            with_field(&fields, "Content-Type", "text/html"),
            file.to_vec(),
            400,
            "InvalidPolicyDocument",
        ),
        (
            "no encryption",
            with_field(&fields, "x-amz-server-side-encryption", "aws:kms"),
            file.to_vec(),
            400,
            "InvalidPolicyDocument",
        ),
        (
            "an extra field",
            with_field(&fields, "acl", "public-read"),
            file.to_vec(),
            403,
            "AccessDenied",
        ),
        (
            "more bytes than declared",
            fields.clone(),
            [file.as_slice(), b"x"].concat(),
            400,
            "EntityTooLarge",
        ),
        (
            "no policy at all (anonymous)",
            vec![("key".into(), key.into())],
            file.to_vec(),
            403,
            "AccessDenied",
        ),
    ];
    let mut verdicts = Verdicts::default();
    for (name, fields, body, status, code) in attacks {
        let r = post_form(url, &fields, "people.csv", &body);
        let held = r.status == status && r.body.contains(&format!("<Code>{code}</Code>"));
        verdicts.check(
            &format!("store: {name}"),
            held,
            format!("{} {}", r.status, r.body),
        );
    }
    let answer = raw(
        &stack.store,
        "POST /local-notifications-csv-upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 400000000\r\n\r\n--b\r\n",
    );
    verdicts.check(
        "store: a 400 MB anonymous POST announced and not sent",
        answer.starts_with("HTTP/1.1 413") && answer.contains("EntityTooLarge"),
        first_line(&answer),
    );
    let after = stack.stored();
    verdicts.check(
        "store: nothing written by any of them",
        after == before,
        format!("{} files", after.len()),
    );
    // The untouched form still works: the refusals were the attacks', not the form's.
    assert_eq!(post_form(url, &fields, "people.csv", file).status, 201);
    verdicts.finish();
}

#[test]
fn cors_cdn_and_config_attacks() {
    let stack = Stack::start();
    let preflight = |base: &str, origin: &str, headers: &str| {
        raw(
            base,
            &format!(
                "OPTIONS /local-notifications-csv-upload HTTP/1.1\r\nHost: x\r\nOrigin: {origin}\r\nAccess-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: {headers}\r\nConnection: close\r\n\r\n"
            ),
        )
    };
    let page = stack.app.clone();
    let mut verdicts = Verdicts::default();
    let a = preflight(&stack.store, &page, "x-evil");
    verdicts.check(
        "store preflight asking for a stray header",
        a.starts_with("HTTP/1.1 403")
            && a.contains("x-evil")
            && !a
                .to_ascii_lowercase()
                .contains("access-control-allow-headers"),
        first_line(&a),
    );
    let a = preflight(&stack.store, "https://evil.example", "content-type");
    verdicts.check(
        "store preflight from a foreign origin",
        a.starts_with("HTTP/1.1 403"),
        first_line(&a),
    );
    let a = raw(
        &stack.app,
        "OPTIONS /v1/uploads HTTP/1.1\r\nHost: x\r\nOrigin: https://evil.example\r\nAccess-Control-Request-Method: POST\r\nConnection: close\r\n\r\n",
    );
    verdicts.check(
        "API preflight from a foreign origin",
        a.starts_with("HTTP/1.1 403") && a.contains("origin_not_allowed"),
        first_line(&a),
    );

    let client = Client::new();
    for (path, status) in [
        ("/../local-notifications-csv-upload/x.png", 400),
        ("/%2e%2e/secret.png", 400),
        ("/a%2Fb.png", 400),
        ("/a%5Cb.png", 400),
        ("/a%00.png", 400),
        (
            "/service-4d1f3b7e-9c2a-4f6e-8b1d-2a3c4e5f6a7b-notify/people.csv",
            404,
        ),
        ("/crest.html", 404),
        ("/letters/static/images/letter-template/../x.svg", 400),
    ] {
        let r = raw(
            &stack.cdn,
            &format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
        );
        verdicts.check(
            &format!("CDN path {path}"),
            r.starts_with(&format!("HTTP/1.1 {status}")),
            first_line(&r),
        );
    }
    let r = client
        .post(format!("{}/crest.png", stack.cdn))
        .send()
        .unwrap();
    let allow = r
        .headers()
        .get("allow")
        .map(|v| v.to_str().unwrap_or("").to_owned());
    verdicts.check(
        "CDN POST",
        r.status().as_u16() == 405 && allow.as_deref() == Some("GET, HEAD"),
        format!("{} allow={allow:?}", r.status()),
    );

    // DNS rebinding: the page's config (which holds a grant) only for loopback host names.
    let port = stack.app.rsplit(':').next().unwrap();
    let config = |host: &str| {
        raw(
            &stack.app,
            &format!(
                "GET /local/config.json HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
            ),
        )
    };
    let evil = config(&format!("evil.example:{port}"));
    verdicts.check(
        "config route for another Host (DNS rebinding)",
        evil.starts_with("HTTP/1.1 403") && !evil.contains("grant\""),
        first_line(&evil),
    );
    assert!(config(&format!("localhost:{port}")).starts_with("HTTP/1.1 200"));
    verdicts.finish();
}

#[test]
fn slow_clients_are_dropped_on_every_port() {
    let stack = Stack::start();
    let handles: Vec<_> = [&stack.app, &stack.store, &stack.cdn]
        .into_iter()
        .map(|base| {
            let addr = base.trim_start_matches("http://").to_owned();
            std::thread::spawn(move || {
                let mut socket = TcpStream::connect(&addr).unwrap();
                socket
                    .set_read_timeout(Some(Duration::from_secs(45)))
                    .unwrap();
                socket
                    .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                    .unwrap();
                let mut buf = [0u8; 256];
                let n = socket.read(&mut buf);
                (
                    addr,
                    n.map(|n| String::from_utf8_lossy(&buf[..n]).into_owned()),
                )
            })
        })
        .collect();
    let mut verdicts = Verdicts::default();
    for (label, handle) in ["page and API", "store", "logo route"]
        .into_iter()
        .zip(handles)
    {
        let (addr, answer) = handle.join().unwrap();
        // Closed by the server (an empty read, or a 408 first), never left waiting.
        let held = answer
            .as_ref()
            .is_ok_and(|a| a.is_empty() || a.starts_with("HTTP/1.1 408"));
        let observed = match answer {
            Ok(a) => first_line(&a),
            Err(e) => format!("still open after 45 s: {e}"),
        };
        verdicts.check(
            &format!("slowloris on the {label}"),
            held,
            format!("{addr}: {observed}"),
        );
    }
    verdicts.finish();
}

#[test]
fn serve_refuses_weak_grant_keys_unless_told_it_is_insecure() {
    let home = std::env::temp_dir().join(format!("uploadkit-weak-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&home).unwrap();
    let serve = |key: &str, insecure: bool| {
        let mut cmd = std::process::Command::new(common::binary());
        cmd.args(["serve", "--listen", "127.0.0.1:0"])
            .env_clear()
            .env("HOME", &home)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("UPLOADKIT_GRANT_KEY", key);
        if insecure {
            cmd.env("UPLOADKIT_INSECURE_GRANT_KEY", "1");
        }
        let out = cmd.output().unwrap();
        assert!(!out.status.success());
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let mut verdicts = Verdicts::default();
    for (key, says) in [
        (LOCAL_GRANT_KEY, "published development key"),
        ("short-key", "at least 32"),
        (
            "abcdabcdabcdabcdabcdabcdabcdabcdabcdabcd",
            "short pattern repeated",
        ),
        ("################################", "short pattern repeated"),
    ] {
        let err = serve(key, false);
        verdicts.check(
            &format!("serve with a weak grant key ({says})"),
            err.contains(says) && !err.contains(key),
            err.lines().next().unwrap_or("").to_owned(),
        );
    }
    verdicts.finish();
    // Named insecure, a repetitive key passes the key check (and start-up stops later, at
    // credentials, since none are given here).
    let err = serve("abcdabcdabcdabcdabcdabcdabcdabcdabcdabcd", true);
    assert!(
        !err.contains("repeated") && err.contains("AWS_ACCESS_KEY_ID"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(home);
}

#[test]
fn logos_become_permanent_only_through_the_gate() {
    let stack = Stack::start();
    let client = Client::new();
    let logo_grant = grant(json!({"kinds": ["email-logo", "letter-logo"]}));
    let csv_grant = grant(json!({}));
    // Uploads a file as an email logo with the API's own form, as a browser (or a script
    // skipping the browser's check) would.
    let upload = |bytes: &[u8]| {
        let (status, form) = call(
            &client,
            &format!("{}/v1/uploads", stack.app),
            Some(&logo_grant),
            &json!({"kind": "email-logo", "file_name": "crest.png", "size": bytes.len(), "content_type": "image/png"}),
        );
        assert_eq!(status, 200, "{form}");
        let r = post_form(
            form["url"].as_str().unwrap(),
            &form_fields(&form),
            "crest.png",
            bytes,
        );
        assert_eq!(r.status, 201, "{}", r.body);
        form["key"].as_str().unwrap().to_owned()
    };
    let promote = |token: &str, key: &str| {
        call(
            &client,
            &format!("{}/v1/logos/promote", stack.app),
            Some(token),
            &json!({"key": key, "slug": "HM Revenue & Customs"}),
        )
    };
    let cdn_status = |key: &str| {
        client
            .get(format!("{}/{key}", stack.cdn))
            .send()
            .unwrap()
            .status()
            .as_u16()
    };

    let good = upload(&uploadkit_tests::png(200, 120));
    let (status, json) = promote(&logo_grant, &good);
    assert_eq!(status, 200, "{json}");
    let permanent = json["key"].as_str().unwrap();
    assert_eq!(
        permanent,
        good.trim_start_matches("temp-")
            .replace(".png", "-hm-revenue-customs.png")
    );
    assert!(json["url"].as_str().unwrap().ends_with(permanent));
    assert_eq!(cdn_status(permanent), 200);
    let (status, json) = promote(&logo_grant, &good);
    assert_eq!(
        (status, json["error"].as_str()),
        (409, Some("logo_exists")),
        "never overwritten"
    );

    // An HTML page posted straight to the form as a "PNG": refused, nothing permanent.
    let html = upload(b"<html><script>alert(document.cookie)</script></html>");
    let (status, json) = promote(&logo_grant, &html);
    assert_eq!(
        (status, json["error"].as_str()),
        (422, Some("logo_refused")),
        "{json}"
    );
    assert!(
        json["message"]
            .as_str()
            .unwrap()
            .contains("Logo must be a PNG file")
    );
    let would_be = html
        .trim_start_matches("temp-")
        .replace(".png", "-hm-revenue-customs.png");
    assert_eq!(cdn_status(&would_be), 404);

    for (token, key, status, code) in [
        (csv_grant.as_str(), good.as_str(), 403, "kind_not_granted"),
        (
            logo_grant.as_str(),
            "temp-00000000-0000-4000-8000-000000000000.png",
            404,
            "not_found",
        ),
        (logo_grant.as_str(), "crest.png", 400, "invalid_field"),
        (
            logo_grant.as_str(),
            "service-x/temp-a.png",
            400,
            "invalid_field",
        ),
    ] {
        let (got, json) = promote(token, key);
        assert_eq!(
            (got, json["error"].as_str()),
            (status, Some(code)),
            "{key}: {json}"
        );
    }
}
