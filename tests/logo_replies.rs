//! The logo reply table (`tests/vectors/logo_replies.json`) through the native logo route,
//! against uploadkit's own store; the edge worker runs the same table in
//! `tests/edge/worker.test.mjs`.

use std::sync::Arc;

use serde_json::Value;
use uploadkit_core::credentials::refresh::RefreshPolicy;
use uploadkit_core::credentials::{CredentialSource, Credentials, Origin};
use uploadkit_core::local::{LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY};
use uploadkit_core::s3::{AddressingStyle, BucketName, CustomEndpoint, S3Target};
use uploadkit_server::cdn::{CdnState, logo, origin_client};
use uploadkit_server::credentials::{CredentialCache, FetchConfig};
use uploadkit_server::listener::{Limits, serve_router};
use uploadkit_tests::in_process::InProcess;
use uploadkit_tests::local_store::LocalStore;
use uploadkit_tests::vectors_dir;

const BUCKET: &str = "public-logos-local";

/// Starts the logo route over `store`'s logo bucket.
fn start_cdn(store: &LocalStore) -> InProcess {
    let endpoint = store.endpoint();
    InProcess::start(move |listener| async move {
        let keys =
            Credentials::new(LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY, None, None).unwrap();
        let state = Arc::new(CdnState {
            bucket: BucketName::new(BUCKET).unwrap(),
            target: S3Target {
                region: "eu-west-1".into(),
                endpoint: Some(CustomEndpoint::parse(&endpoint).unwrap()),
                addressing: AddressingStyle::Path,
            },
            credentials: Arc::new(CredentialCache::new(
                CredentialSource::Static(keys, Origin::Environment),
                FetchConfig::new("eu-west-1", |_: &str| None),
                RefreshPolicy::BOTOCORE,
            )),
            http: origin_client(),
        });
        let router = axum::Router::new()
            .route("/{*key}", axum::routing::any(logo))
            .with_state(state);
        serve_router(listener, router, Limits::CDN, std::future::pending()).await;
    })
}

fn logo_bytes(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8).collect()
}

#[test]
fn the_logo_reply_table_through_the_native_route() {
    let table: Value = serde_json::from_str(
        &std::fs::read_to_string(vectors_dir().join("logo_replies.json")).unwrap(),
    )
    .unwrap();
    let store = LocalStore::start(&[BUCKET]);
    let png = logo_bytes(table["logos"]["png"]["len"].as_u64().unwrap() as usize);
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0h1"/></svg>"#.to_vec();
    for (logo, bytes) in [("png", &png), ("svg", &svg)] {
        let key = table["logos"][logo]["key"].as_str().unwrap();
        let put = store.client().send("PUT", BUCKET, key, &[], &[], bytes);
        assert_eq!(put.status().as_u16(), 200);
    }
    let cdn = start_cdn(&store);
    let base = format!("http://127.0.0.1:{}", cdn.port());
    let http = reqwest::blocking::Client::new();
    let first = http.get(format!("{base}/crest-table.png")).send().unwrap();
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let fill = |s: &str, len: usize| s.replace("$etag", &etag).replace("$len", &len.to_string());

    let cases = table["cases"].as_array().unwrap();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let logo = case["logo"].as_str().unwrap();
        let body = if logo == "png" { &png } else { &svg };
        let path = table["logos"][logo]["path"].as_str().unwrap();
        let method: reqwest::Method = case["method"].as_str().unwrap().parse().unwrap();
        let mut request = http.request(method, format!("{base}{path}"));
        for (k, v) in case["headers"].as_object().unwrap() {
            request = request.header(k, fill(v.as_str().unwrap(), body.len()));
        }
        let response = request.send().unwrap();
        assert_eq!(
            response.status().as_u16() as u64,
            case["status"].as_u64().unwrap(),
            "{name}"
        );
        let headers = response.headers().clone();
        for (k, v) in case["expect"].as_object().unwrap() {
            assert_eq!(
                headers.get(k).and_then(|h| h.to_str().ok()),
                Some(fill(v.as_str().unwrap(), body.len()).as_str()),
                "{name}: {k}"
            );
        }
        for k in case["absent"].as_array().into_iter().flatten() {
            assert!(headers.get(k.as_str().unwrap()).is_none(), "{name}: {k}");
        }
        let got = response.bytes().unwrap();
        match &case["body"] {
            Value::String(s) if s == "whole" => assert_eq!(&got[..], &body[..], "{name}"),
            Value::String(s) if s == "empty" => assert!(got.is_empty(), "{name}"),
            Value::Array(range) => {
                let (start, end) = (
                    range[0].as_u64().unwrap() as usize,
                    range[1].as_u64().unwrap() as usize,
                );
                assert_eq!(&got[..], &body[start..=end], "{name}");
            }
            other => panic!("{name}: body {other}"),
        }
    }
    assert!(cases.len() >= 15);
}
