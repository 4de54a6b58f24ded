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
