//! The local stack started as the README says (`uploadkit local`), driven like a browser and an
//! application: a grant minted with PyJWT, an upload form from the presign API, a multipart POST
//! straight to the embedded store, the logo through the logo route, and every refusal from a
//! real request.

use std::path::PathBuf;

use reqwest::blocking::Client;
use serde_json::{Value, json};
use uploadkit_core::clock::SigningTime;
use uploadkit_core::credentials::Credentials;
use uploadkit_core::local::{LOCAL_ACCESS_KEY_ID, LOCAL_GRANT_KEY, LOCAL_SECRET_ACCESS_KEY};
use uploadkit_core::s3::{
    AddressingStyle, BucketName, CustomEndpoint, Method, ObjectKey, S3Target, presign_url,
};
use uploadkit_core::sigv4::Signer;
use uploadkit_tests::form::{form_fields, post_form};
use uploadkit_tests::run_python_with;

mod common;

use common::LocalStack as Stack;

fn data_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("uploadkit-local-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn mint(key: &str, service: &str, kinds: &str, ttl: i64) -> String {
    run_python_with("mint_grant.py", &[key, service, kinds, &ttl.to_string()])
        .trim()
        .to_owned()
}

fn presign(
    client: &Client,
    app: &str,
    grant: Option<&str>,
    body: &Value,
    origin: Option<&str>,
) -> (u16, Value) {
    let mut req = client.post(format!("{app}/v1/uploads")).json(body);
    if let Some(g) = grant {
        req = req.bearer_auth(g);
    }
    if let Some(o) = origin {
        req = req.header("origin", o);
    }
    let r = req.send().unwrap();
    (r.status().as_u16(), r.json().unwrap_or(Value::Null))
}

fn get_object(store: &str, bucket: &str, key: &str) -> Option<Vec<u8>> {
    let signer = Signer::new(
        Credentials::new(LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY, None, None).unwrap(),
    );
    let target = S3Target {
        region: "eu-west-1".into(),
        endpoint: Some(CustomEndpoint::parse(store).unwrap()),
        addressing: AddressingStyle::Path,
    };
    let now = SigningTime::new(time::OffsetDateTime::now_utc());
    let url = presign_url(
        &signer,
        &target,
        &BucketName::new(bucket).unwrap(),
        &ObjectKey::new(key).unwrap(),
        Method::Get,
        60,
        now,
    )
    .unwrap();
    let r = reqwest::blocking::get(url.url).unwrap();
    (r.status().as_u16() == 200).then(|| r.bytes().unwrap().to_vec())
}

/// A small valid PNG (the bytes are not judged here; the browser issue validates them).
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\nIDATx\x9cc\0\x01\0\0\x05\0\x01\r\n-\xb4\0\0\0\0IEND\xaeB`\x82";

#[test]
fn upload_through_the_local_stack_and_keep_it_across_restarts() {
    let data = data_dir();
    let service = uuid::Uuid::new_v4().to_string();
    let grant = mint(LOCAL_GRANT_KEY, &service, "csv,email-logo", 600);
    let client = Client::new();
    let csv = b"phone number,name\n07700900123,Ada\n".to_vec();
    let (bucket, key);
    {
        let stack = Stack::start(&data);
        let (status, form) = presign(
            &client,
            &stack.app,
            Some(&grant),
            &json!({"kind": "csv", "file_name": "People.csv", "size": csv.len(), "content_type": "text/csv"}),
            None,
        );
        assert_eq!(status, 200, "{form}");
        bucket = form["bucket"].as_str().unwrap().to_owned();
        key = form["key"].as_str().unwrap().to_owned();
        assert!(
            key.starts_with(&format!("service-{service}-notify/")) && key.ends_with(".csv"),
            "{key}"
        );
        let r = post_form(
            form["url"].as_str().unwrap(),
            &form_fields(&form),
            "People.csv",
            &csv,
        );
        assert_eq!(r.status, 201, "{}", r.body);
        assert!(r.body.contains(&key));
        assert_eq!(
            get_object(&stack.store, &bucket, &key).as_deref(),
            Some(csv.as_slice())
        );

        let (status, logo) = presign(
            &client,
            &stack.app,
            Some(&grant),
            &json!({"kind": "email-logo", "file_name": "crest.png", "size": PNG.len()}),
            None,
        );
        assert_eq!(status, 200, "{logo}");
        let logo_key = logo["key"].as_str().unwrap();
        assert!(logo_key.starts_with("temp-") && logo_key.ends_with(".png"));
        assert_eq!(
            post_form(
                logo["url"].as_str().unwrap(),
                &form_fields(&logo),
                "crest.png",
                PNG
            )
            .status,
            201
        );
        let served = client
            .get(format!("{}/{logo_key}", stack.cdn))
            .send()
            .unwrap();
        assert_eq!(served.status().as_u16(), 200);
        assert_eq!(served.headers()["content-type"], "image/png");
        assert_eq!(served.headers()["x-content-type-options"], "nosniff");
        assert_eq!(served.bytes().unwrap().as_ref(), PNG);
        assert_eq!(
            client
                .get(format!("{}/..%2F..%2Fetc%2Fpasswd", stack.cdn))
                .send()
                .unwrap()
                .status()
                .as_u16(),
            400,
            "an encoded slash is a malformed logo path"
        );
        assert_eq!(
            client
                .get(format!("{}/page.html", stack.cdn))
                .send()
                .unwrap()
                .status()
                .as_u16(),
            404
        );
    }
    // The store's folder survives a restart.
    let stack = Stack::start(&data);
    assert_eq!(
        get_object(&stack.store, &bucket, &key).as_deref(),
        Some(csv.as_slice())
    );
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn browsers_pass_cors_on_the_api_and_the_store() {
    let data = data_dir();
    let stack = Stack::start(&data);
    let client = Client::new();
    let origin = stack.app.clone();
    let grant = mint(
        LOCAL_GRANT_KEY,
        &uuid::Uuid::new_v4().to_string(),
        "csv",
        600,
    );
    // The API takes the grant in `Authorization`; the store takes presigned forms and URLs,
    // which need no such header.
    let preflight_with = |url: &str, origin: &str, headers: &str| {
        client
            .request(reqwest::Method::OPTIONS, url)
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", headers)
            .send()
            .unwrap()
    };
    let preflight = |url: &str, origin: &str| {
        let headers = if url.starts_with(&stack.app) {
            "authorization, content-type"
        } else {
            "content-type"
        };
        preflight_with(url, origin, headers)
    };
    let api = preflight(&format!("{}/v1/uploads", stack.app), &origin);
    assert_eq!(api.status().as_u16(), 204);
    assert_eq!(
        api.headers()["access-control-allow-origin"],
        origin.as_str()
    );
    let (status, form) = presign(
        &client,
        &stack.app,
        Some(&grant),
        &json!({"kind": "csv", "file_name": "a.csv", "size": 10}),
        Some(&origin),
    );
    assert_eq!(status, 200, "{form}");
    let store = preflight(form["url"].as_str().unwrap(), &origin);
    assert_eq!(store.status().as_u16(), 204);
    assert_eq!(
        store.headers()["access-control-allow-origin"],
        origin.as_str()
    );
    assert_eq!(
        preflight_with(form["url"].as_str().unwrap(), &origin, "authorization")
            .status()
            .as_u16(),
        403,
        "the store answers only the headers it allows"
    );
    assert_eq!(
        preflight(form["url"].as_str().unwrap(), "https://evil.example")
            .status()
            .as_u16(),
        403
    );
    assert_eq!(
        preflight(&format!("{}/v1/uploads", stack.app), "https://evil.example")
            .status()
            .as_u16(),
        403
    );
    // The page is served by the same app.
    assert_eq!(
        client
            .get(format!("{}/README.md", stack.app))
            .send()
            .unwrap()
            .status()
            .as_u16(),
        200
    );
    drop(stack);
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn every_refusal_has_its_status_and_a_json_reason() {
    let data = data_dir();
    let stack = Stack::start(&data);
    let client = Client::new();
    let service = uuid::Uuid::new_v4().to_string();
    let csv_grant = mint(LOCAL_GRANT_KEY, &service, "csv", 600);
    let expired = mint(LOCAL_GRANT_KEY, &service, "csv", -60);
    let forged = mint(
        "some-other-key-that-is-long-enough-0123456789",
        &service,
        "csv",
        600,
    );
    let csv = json!({"kind": "csv", "file_name": "a.csv", "size": 10});
    let cases: Vec<(Option<&str>, Value, u16, &str)> = vec![
        (None, csv.clone(), 401, "grant_missing"),
        (Some(&expired), csv.clone(), 401, "grant_expired"),
        (Some(&forged), csv.clone(), 401, "grant_invalid"),
        (
            Some(&csv_grant),
            json!({"kind": "email-logo", "file_name": "a.png", "size": 10}),
            403,
            "kind_not_granted",
        ),
        (
            Some(&csv_grant),
            json!({"kind": "csv", "service_id": uuid::Uuid::new_v4().to_string(), "file_name": "a.csv", "size": 10}),
            403,
            "service_not_granted",
        ),
        (
            Some(&csv_grant),
            json!({"kind": "csv", "file_name": "a.csv"}),
            400,
            "invalid_field",
        ),
        (
            Some(&csv_grant),
            json!({"kind": "csv", "file_name": "a.csv", "size": 10_485_761}),
            413,
            "file_too_large",
        ),
        (
            Some(&csv_grant),
            json!({"kind": "csv", "file_name": "a.docx", "size": 10}),
            415,
            "unsupported_type",
        ),
    ];
    for (grant, body, status, code) in cases {
        let (got, json) = presign(&client, &stack.app, grant, &body, None);
        assert_eq!(
            (got, json["error"].as_str()),
            (status, Some(code)),
            "{body}: {json}"
        );
        assert!(json["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let r = client
        .post(format!("{}/v1/uploads", stack.app))
        .bearer_auth(&csv_grant)
        .body("{oops")
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(
        client
            .get(format!("{}/v1/uploads", stack.app))
            .send()
            .unwrap()
            .status()
            .as_u16(),
        405
    );
    assert_eq!(
        client
            .get(format!("{}/v1/nothing", stack.app))
            .send()
            .unwrap()
            .status()
            .as_u16(),
        404
    );
    drop(stack);
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn sigterm_lets_an_upload_in_flight_finish_then_exits_0() {
    use std::io::{Read, Write};
    let data = data_dir();
    let mut stack = Stack::start(&data);
    let client = Client::new();
    let service = uuid::Uuid::new_v4().to_string();
    let grant = mint(LOCAL_GRANT_KEY, &service, "csv", 600);
    let file = b"email address\nada@example.gov.uk\n";
    let (status, form) = presign(
        &client,
        &stack.app,
        Some(&grant),
        &json!({"kind": "csv", "file_name": "a.csv", "size": file.len()}),
        None,
    );
    assert_eq!(status, 200, "{form}");
    // The form as a browser sends it, written in two halves with SIGTERM in between.
    let boundary = "uploadkit-sigterm-test";
    let mut body = Vec::new();
    for (k, v) in form_fields(&form) {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let url = form["url"].as_str().unwrap();
    let path = &url[url.find("/local-").unwrap()..];
    let mut socket =
        std::net::TcpStream::connect(stack.store.trim_start_matches("http://")).unwrap();
    socket
        .set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    socket.write_all(head.as_bytes()).unwrap();
    let half = body.len() / 2;
    socket.write_all(&body[..half]).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    stack.running.terminate();
    std::thread::sleep(std::time::Duration::from_millis(500));
    socket.write_all(&body[half..]).unwrap();
    let mut answer = vec![0u8; 2048];
    let n = socket.read(&mut answer).unwrap();
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(
        answer.starts_with("HTTP/1.1 201"),
        "the upload in flight finished: {answer}"
    );
    drop(socket);
    let exit = stack
        .running
        .wait_exit(std::time::Duration::from_secs(15))
        .expect("it exits within the drain bound");
    assert!(exit.success(), "{exit:?}");
    let key = form["key"].as_str().unwrap();
    let text = std::fs::read(data.join("local-notifications-csv-upload").join(key)).unwrap();
    assert_eq!(text, file);
    let _ = std::fs::remove_dir_all(&data);
}
