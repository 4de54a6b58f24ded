//! Fields an uploader controls: names, declared types and sizes.

use base64::Engine as _;

use super::*;

fn upload(body: &str) -> (u16, Value) {
    let g = grant(&[
        UploadKind::Csv,
        UploadKind::EmailLogo,
        UploadKind::LetterLogo,
    ]);
    let (status, json, _) = call("POST", "/v1/uploads", Some(&g), body, None);
    (status, json)
}

#[test]
fn names_with_paths_or_control_characters_are_refused() {
    for name in [
        r"a\\b.csv",
        "a%5Cb.csv",
        "a%5cb.csv",
        "a%2Fb.csv",
        "a%00.csv",
        "a%0d%0aSet-Cookie.csv",
        "a\\u0000b.csv",
        "a\\u001bb.csv",
        "people\\u202Evsc.exe.csv",
        "../people.csv",
    ] {
        let (status, json) = upload(&format!(
            r#"{{"kind":"csv","file_name":"{name}","size":10,"content_type":"text/csv"}}"#
        ));
        assert_eq!(
            (status, json["error"].as_str()),
            (400, Some("invalid_field")),
            "{name}: {json}"
        );
        assert!(
            json["message"]
                .as_str()
                .unwrap()
                .starts_with("invalid file_name")
        );
    }
    let (status, json) =
        upload(r#"{"kind":"csv","file_name":"50% off.csv","size":10,"content_type":"text/csv"}"#);
    assert_eq!(status, 200, "a percent sign alone is a name: {json}");
}

#[test]
fn declared_types_must_be_exactly_the_kinds() {
    for (kind, name, declared, ok) in [
        ("csv", "a.csv", "text/csv", true),
        ("csv", "a.csv", "text/csv; charset=utf-8", true),
        ("csv", "a.csv", "application/vnd.ms-excel", true),
        ("csv", "a.csv", "", true),
        ("csv", "a.csv", "text/html", false),
        ("csv", "a.csv", "text/plain", false),
        ("csv", "a.csv", "application/octet-stream", false),
        ("email-logo", "a.png", "image/png", true),
        ("email-logo", "a.png", "image/svg+xml", false),
        ("email-logo", "a.png", "image/pngx", false),
        ("letter-logo", "a.svg", "image/svg+xml", true),
        ("letter-logo", "a.svg", "text/xml", false),
        ("letter-logo", "a.svg", "image/png", false),
    ] {
        let (status, json) = upload(&format!(
            r#"{{"kind":"{kind}","file_name":"{name}","size":10,"content_type":"{declared}"}}"#
        ));
        if ok {
            assert_eq!(status, 200, "{kind} {declared}: {json}");
            // Whatever was declared, the stored type is the kind's own.
            let stored = json["fields"]["Content-Type"].as_str().unwrap();
            assert!(!stored.contains(';') && stored != "application/vnd.ms-excel");
        } else {
            assert_eq!(
                (status, json["error"].as_str()),
                (415, Some("unsupported_type")),
                "{kind} {declared}: {json}"
            );
        }
    }
}

#[test]
fn the_declared_size_is_the_signed_upper_bound() {
    for size in [1u64, 777, 10 * 1024 * 1024] {
        let (status, json) = upload(&format!(
            r#"{{"kind":"csv","file_name":"a.csv","size":{size},"content_type":"text/csv"}}"#
        ));
        assert_eq!(status, 200, "{json}");
        assert_eq!(json["max_size"], size);
        let policy = base64::engine::general_purpose::STANDARD
            .decode(json["fields"]["policy"].as_str().unwrap())
            .unwrap();
        let policy: Value = serde_json::from_slice(&policy).unwrap();
        let ranges: Vec<&Value> = policy["conditions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c[0] == "content-length-range")
            .collect();
        assert_eq!(ranges.len(), 1);
        assert_eq!(
            (ranges[0][1].as_u64(), ranges[0][2].as_u64()),
            (Some(1), Some(size))
        );
    }
}
