//! A grant reaches only its own service's objects: every bucket × {own service, another
//! service, no service} × {upload, download}.

use serde_json::Value;
use uploadkit_core::catalogue::{Bucket, Catalogue, ReportId, UploadKind};

use super::*;

const OTHER: &str = "11111111-2222-4333-8444-555555555555";
const OWN_REPORT: &str = "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d";
const OTHER_REPORT: &str = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a";

fn bucket_name(bucket: Bucket) -> String {
    Catalogue::from_env(|_| None, None)
        .unwrap()
        .name(bucket)
        .as_str()
        .to_owned()
}

fn upload_body(kind: UploadKind, service: Option<&str>) -> String {
    let file_type = kind.file_types()[0];
    let mut body = serde_json::json!({
        "kind": kind.id(),
        "file_name": format!("file.{}", file_type.extension),
        "size": 100,
        "content_type": file_type.content_type,
    });
    if let Some(service) = service {
        body["service_id"] = service.into();
    }
    body.to_string()
}

/// Every download the API can be asked for, by body.
fn download_bodies() -> Vec<(String, Option<&'static str>)> {
    vec![
        (r#"{"download":"crown-mou"}"#.into(), None),
        (r#"{"download":"non-crown-mou"}"#.into(), None),
        (
            format!(r#"{{"download":"report","report_id":"{OWN_REPORT}"}}"#),
            Some(OWN_REPORT),
        ),
        (
            format!(r#"{{"download":"report","report_id":"{OTHER_REPORT}"}}"#),
            Some(OTHER_REPORT),
        ),
    ]
}

fn own_grant() -> String {
    let reports = [ReportId::parse(OWN_REPORT).unwrap()];
    let options = MintOptions {
        downloads: true,
        reports: &reports,
        ..MintOptions::new(service(), &UploadKind::ALL)
    };
    key().mint(&options, now(), 600)
}

fn serviceless_grant() -> String {
    sign_raw(
        r#"{"alg":"HS256","typ":"JWT"}"#,
        &format!(
            r#"{{"kinds":["csv","email-logo"],"downloads":true,"reports":["{OWN_REPORT}"],"exp":{}}}"#,
            now().unix() + 600
        ),
    )
}

#[test]
fn every_bucket_every_service_upload_and_download() {
    let own = own_grant();
    let serviceless = serviceless_grant();
    let mut checked = 0;
    for bucket in Bucket::ALL {
        let name = bucket_name(bucket);
        // Uploads.
        let kinds: Vec<UploadKind> = UploadKind::ALL
            .into_iter()
            .filter(|k| k.bucket() == bucket)
            .collect();
        for &kind in &kinds {
            for service_field in [None, Some(SERVICE)] {
                let (status, json, _) = call(
                    "POST",
                    "/v1/uploads",
                    Some(&own),
                    &upload_body(kind, service_field),
                    None,
                );
                assert_eq!(status, 200, "{kind}: {json}");
                assert_eq!(json["bucket"], name.as_str());
                let key = json["key"].as_str().unwrap();
                assert!(!key.contains(OTHER), "{key}");
                if kind.needs_service() {
                    assert!(key.contains(SERVICE), "{kind}: {key}");
                } else {
                    // No service in the app's layout: the key is a fresh id the server chose,
                    // so no existing object can be named.
                    assert!(key.contains("temp-0b8c0f5e-"), "{kind}: {key}");
                }
                checked += 1;
            }
            let (status, json, _) = call(
                "POST",
                "/v1/uploads",
                Some(&own),
                &upload_body(kind, Some(OTHER)),
                None,
            );
            assert_eq!(
                (status, json["error"].as_str()),
                (403, Some("service_not_granted")),
                "{kind} for another service"
            );
            let (status, json, _) = call(
                "POST",
                "/v1/uploads",
                Some(&serviceless),
                &upload_body(kind, None),
                None,
            );
            assert_eq!(
                (status, json["error"].as_str()),
                (401, Some("grant_invalid")),
                "{kind} without a service: {json}"
            );
            checked += 2;
        }
        // Downloads.
        for (body, report) in download_bodies() {
            let (status, json, _) = call("POST", "/v1/downloads", Some(&own), &body, None);
            let url = json["url"].as_str().unwrap_or_default();
            match report {
                Some(OTHER_REPORT) => assert_eq!(
                    (status, json["error"].as_str()),
                    (403, Some("report_not_granted")),
                    "another service's report: {json}"
                ),
                Some(id) => {
                    assert_eq!(status, 200, "{json}");
                    assert!(url.contains(&format!("notifications_report/{id}.csv?")));
                }
                // The MOU documents are the same two files for every service.
                None => assert_eq!(status, 200, "{json}"),
            }
            let in_bucket =
                url.contains(&format!("//{name}.")) || url.contains(&format!("/{name}/"));
            if status == 200 && in_bucket {
                assert!(
                    matches!(bucket, Bucket::Mou | Bucket::ReportRequestsDownload),
                    "a download reached {name}"
                );
            }
            let (status, _, _) = call("POST", "/v1/downloads", Some(&serviceless), &body, None);
            assert_eq!(status, 401, "a download without a service");
            checked += 2;
        }
        // A bucket no kind uploads to is reached by no upload.
        if kinds.is_empty() {
            for kind in UploadKind::ALL {
                let (_, json, _) = call(
                    "POST",
                    "/v1/uploads",
                    Some(&own),
                    &upload_body(kind, None),
                    None,
                );
                assert_ne!(json["bucket"], Value::from(name.as_str()));
            }
        }
    }
    assert!(checked > 60, "{checked}");
}

#[test]
fn a_report_id_outside_the_grant_is_refused_even_with_downloads() {
    let (status, json, _) = call(
        "POST",
        "/v1/downloads",
        Some(&grant(&[])),
        &format!(r#"{{"download":"report","report_id":"{OWN_REPORT}"}}"#),
        None,
    );
    assert_eq!(
        (status, json["error"].as_str()),
        (403, Some("report_not_granted"))
    );
    assert!(json["message"].as_str().unwrap().contains("reports"));
}

#[test]
fn a_mou_needs_the_downloads_claim() {
    let reports = [ReportId::parse(OWN_REPORT).unwrap()];
    let options = MintOptions {
        reports: &reports,
        ..MintOptions::new(service(), &[])
    };
    let token = key().mint(&options, now(), 600);
    let (status, json, _) = call(
        "POST",
        "/v1/downloads",
        Some(&token),
        r#"{"download":"crown-mou"}"#,
        None,
    );
    assert_eq!(
        (status, json["error"].as_str()),
        (403, Some("downloads_not_granted"))
    );
    let (status, _, _) = call(
        "POST",
        "/v1/downloads",
        Some(&token),
        &format!(r#"{{"download":"report","report_id":"{OWN_REPORT}"}}"#),
        None,
    );
    assert_eq!(status, 200);
}

#[test]
fn a_report_downloads_under_the_name_the_application_gives() {
    let reports = [ReportId::parse(OWN_REPORT).unwrap()];
    let options = MintOptions {
        reports: &reports,
        ..MintOptions::new(service(), &[])
    };
    let token = key().mint(&options, now(), 600);
    let body = |name: &str| {
        serde_json::json!({"download": "report", "report_id": OWN_REPORT, "file_name": name})
            .to_string()
    };
    let (status, json, _) = call(
        "POST",
        "/v1/downloads",
        Some(&token),
        &body("Sent messages – 4 December.csv"),
        None,
    );
    assert_eq!(status, 200, "{json}");
    let url = json["url"].as_str().unwrap();
    let query = url.split_once('?').unwrap().1;
    assert!(
        query.starts_with("response-content-disposition=attachment%3B%20filename%3D%22Sent%20messages%20-%204%20December.csv%22%3B%20filename%2A%3DUTF-8%27%27Sent%2520messages%2520%25E2%2580%2593%25204%2520December.csv&X-Amz-Algorithm="),
        "{url}"
    );
    for bad in [
        "",
        "../../etc/passwd",
        "a\r\nSet-Cookie: x=1",
        &"x".repeat(256),
    ] {
        let (status, json, _) = call("POST", "/v1/downloads", Some(&token), &body(bad), None);
        assert_eq!(
            (status, json["error"].as_str()),
            (400, Some("invalid_field")),
            "{bad:?}"
        );
        assert!(json["message"].as_str().unwrap().contains("file_name"));
    }
}
