use serde_json::Value;
use uploadkit_core::catalogue::{Catalogue, ServiceId, UploadId, UploadKind};
use uploadkit_core::clock::SigningTime;
use uploadkit_core::credentials::Credentials;
use uploadkit_core::s3::S3Target;
use uploadkit_core::sigv4::Signer;

use super::*;
use crate::handler::needs_signer;

mod grants;
mod inputs;
mod promotion;
mod scope;

pub(crate) const SERVICE: &str = "4d1f3b7e-9c2a-4f6e-8b1d-2a3c4e5f6a7b";
const ORIGIN: &str = "https://admin.example.gov.uk";

pub(crate) const KEY_SECRET: &[u8] = b"test-grant-key-0123456789abcdef-0123";

pub(crate) fn key() -> GrantKey {
    GrantKey::new(KEY_SECRET.to_vec()).unwrap()
}

pub(crate) fn config() -> ApiConfig {
    ApiConfig {
        catalogue: Catalogue::from_env(|_| None, None).unwrap(),
        target: S3Target::aws("eu-west-1"),
        grant_keys: GrantKeys::single(key()),
        cors: CorsPolicy::new([ORIGIN]),
        upload_ttl: 300,
        download_ttl: 60,
    }
}

pub(crate) fn now() -> SigningTime {
    SigningTime::from_unix(1_800_000_000).unwrap()
}

pub(crate) fn service() -> ServiceId {
    ServiceId::parse(SERVICE).unwrap()
}

pub(crate) fn call(
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &str,
    origin: Option<&str>,
) -> (u16, Value, ApiResponse) {
    let signer = Signer::new(Credentials::new("AKID", "SECRET", None, None).unwrap());
    let mut headers = Vec::new();
    if let Some(t) = token {
        headers.push(("Authorization".to_owned(), format!("Bearer {t}")));
    }
    if let Some(o) = origin {
        headers.push(("Origin".to_owned(), o.to_owned()));
    }
    let req = ApiRequest {
        method: method.into(),
        path: path.into(),
        headers,
        body: body.as_bytes().to_vec(),
    };
    let ctx = Context {
        now: now(),
        signer: Some(&signer),
        upload_id: UploadId::parse("0b8c0f5e-1d2e-4c3b-9a8f-7e6d5c4b3a29").unwrap(),
    };
    let response = handle(&config(), &req, &ctx);
    let json = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
    (response.status, json, response)
}

pub(crate) fn mint(
    key: &GrantKey,
    kinds: &[UploadKind],
    downloads: bool,
    at: SigningTime,
    ttl: u32,
) -> String {
    let options = MintOptions {
        downloads,
        ..MintOptions::new(service(), kinds)
    };
    key.mint(&options, at, ttl)
}

pub(crate) fn grant(kinds: &[UploadKind]) -> String {
    mint(&key(), kinds, true, now(), 600)
}

pub(crate) const CSV: &str =
    r#"{"kind":"csv","file_name":"people.csv","size":2048,"content_type":"text/csv"}"#;

#[test]
fn an_upload_form_for_a_granted_kind() {
    let (status, json, response) = call(
        "POST",
        "/v1/uploads",
        Some(&grant(&[UploadKind::Csv])),
        CSV,
        Some(ORIGIN),
    );
    assert_eq!(status, 200, "{json}");
    assert_eq!(json["method"], "POST");
    assert_eq!(
        json["key"],
        format!("service-{SERVICE}-notify/0b8c0f5e-1d2e-4c3b-9a8f-7e6d5c4b3a29.csv")
    );
    assert_eq!(
        json["max_size"], 2048,
        "the declared size is the signed limit"
    );
    let names: Vec<&String> = json["fields"].as_object().unwrap().keys().collect();
    assert_eq!(names.first().map(|s| s.as_str()), Some("key"));
    assert_eq!(names.last().map(|s| s.as_str()), Some("x-amz-signature"));
    assert_eq!(response.header("access-control-allow-origin"), Some(ORIGIN));
    assert_eq!(response.header("cache-control"), Some("no-store"));
}

#[test]
fn grants_are_checked_before_anything_else() {
    let good = grant(&[UploadKind::Csv]);
    let mut tampered = good.clone();
    tampered.pop();
    tampered.push(if good.ends_with('A') { 'B' } else { 'A' });
    let expired = mint(
        &key(),
        &[UploadKind::Csv],
        false,
        SigningTime::from_unix(now().unix() - 601).unwrap(),
        600,
    );
    let other_key = GrantKey::new(b"another-key-0123456789abcdef-01234".to_vec()).unwrap();
    let other_key = mint(&other_key, &[UploadKind::Csv], false, now(), 600);
    let none_alg = {
        use base64::Engine as _;
        let e = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!(
            "{}.{}.",
            e(r#"{"alg":"none"}"#),
            e(&format!(
                r#"{{"service_id":"{SERVICE}","kinds":["csv"],"exp":1900000000}}"#
            ))
        )
    };
    for (token, code) in [
        (None, "grant_missing"),
        (Some(tampered.as_str()), "grant_invalid"),
        (Some(expired.as_str()), "grant_expired"),
        (Some(other_key.as_str()), "grant_invalid"),
        (Some(none_alg.as_str()), "grant_invalid"),
        (Some("not.a.jwt"), "grant_invalid"),
    ] {
        let (status, json, response) = call("POST", "/v1/uploads", token, CSV, None);
        assert_eq!(
            (status, json["error"].as_str()),
            (401, Some(code)),
            "{token:?}: {json}"
        );
        assert_eq!(response.header("www-authenticate"), Some("Bearer"));
    }
}

#[test]
fn kinds_services_and_downloads_outside_the_grant_are_forbidden() {
    let logo_only = grant(&[UploadKind::EmailLogo]);
    let (status, json, _) = call("POST", "/v1/uploads", Some(&logo_only), CSV, None);
    assert_eq!(
        (status, json["error"].as_str()),
        (403, Some("kind_not_granted"))
    );
    let other = r#"{"kind":"csv","service_id":"11111111-2222-4333-8444-555555555555","file_name":"a.csv","size":1}"#;
    let (status, json, _) = call(
        "POST",
        "/v1/uploads",
        Some(&grant(&[UploadKind::Csv])),
        other,
        None,
    );
    assert_eq!(
        (status, json["error"].as_str()),
        (403, Some("service_not_granted"))
    );
    let no_downloads = mint(&key(), &[UploadKind::Csv], false, now(), 600);
    let (status, _, _) = call(
        "POST",
        "/v1/downloads",
        Some(&no_downloads),
        r#"{"download":"crown-mou"}"#,
        None,
    );
    assert_eq!(status, 403);
}

#[test]
fn malformed_bodies_name_the_field() {
    let g = grant(&[UploadKind::Csv]);
    for (body, field) in [
        (r#"{"kind":"csv","file_name":"a.csv"}"#, "size"),
        (r#"{"kind":"csv","file_name":"a.csv","size":"big"}"#, "size"),
        (r#"{"kind":"csv","file_name":"a.csv","size":-1}"#, "size"),
        (r#"{"file_name":"a.csv","size":1}"#, "kind"),
        (
            r#"{"kind":"spreadsheet","file_name":"a.csv","size":1}"#,
            "kind",
        ),
        (
            r#"{"kind":"csv","file_name":"../a.csv","size":1}"#,
            "file_name",
        ),
        (r#"{"kind":"csv","file_name":"a.csv","size":0}"#, "size"),
    ] {
        let (status, json, _) = call("POST", "/v1/uploads", Some(&g), body, None);
        assert_eq!(status, 400, "{body}: {json}");
        assert!(
            json["message"].as_str().unwrap().contains(field),
            "{body}: {json}"
        );
    }
    let (status, json, _) = call("POST", "/v1/uploads", Some(&g), "{not json", None);
    assert_eq!((status, json["error"].as_str()), (400, Some("bad_request")));
}

#[test]
fn size_and_type_refusals() {
    let g = grant(&[UploadKind::Csv, UploadKind::EmailLogo]);
    let big = r#"{"kind":"csv","file_name":"a.csv","size":10485761}"#;
    let (status, json, _) = call("POST", "/v1/uploads", Some(&g), big, None);
    assert_eq!(status, 413);
    assert!(
        json["message"].as_str().unwrap().contains("10485760 bytes"),
        "{json}"
    );
    let (status, json, _) = call(
        "POST",
        "/v1/uploads",
        Some(&g),
        r#"{"kind":"email-logo","file_name":"a.gif","size":10}"#,
        None,
    );
    assert_eq!(
        (status, json["message"].as_str()),
        (
            415,
            Some("Logo must be a PNG file (.gif files are not accepted for email-logo)")
        )
    );
}

#[test]
fn downloads_routes_and_methods() {
    let (status, json, _) = call(
        "POST",
        "/v1/downloads",
        Some(&grant(&[])),
        r#"{"download":"crown-mou"}"#,
        None,
    );
    assert_eq!(status, 200, "{json}");
    assert!(
        json["url"].as_str().unwrap().contains("/crown.pdf?"),
        "{json}"
    );
    assert!(json["url"].as_str().unwrap().contains("X-Amz-Expires=60&"));
    assert_eq!(call("GET", "/v1/uploads", None, "", None).0, 405);
    assert_eq!(call("GET", "/nope", None, "", None).0, 404);
    assert_eq!(call("GET", "/v1/health", None, "", None).0, 200);
}

#[test]
fn cors_preflight_and_foreign_origins() {
    let (status, _, response) = call("OPTIONS", "/v1/uploads", None, "", Some(ORIGIN));
    assert_eq!(status, 204);
    assert_eq!(response.header("access-control-allow-origin"), Some(ORIGIN));
    assert!(
        response
            .header("access-control-allow-headers")
            .unwrap()
            .contains("authorization")
    );
    let (status, json, response) = call(
        "OPTIONS",
        "/v1/uploads",
        None,
        "",
        Some("https://evil.example"),
    );
    assert_eq!(
        (status, json["error"].as_str()),
        (403, Some("origin_not_allowed"))
    );
    assert_eq!(response.header("access-control-allow-origin"), None);
    let (status, _, _) = call(
        "POST",
        "/v1/uploads",
        Some(&grant(&[UploadKind::Csv])),
        CSV,
        Some("https://evil.example"),
    );
    assert_eq!(status, 403);
}

#[test]
fn expired_credentials_are_a_503_not_a_bad_form() {
    let creds = Credentials::new(
        "AK",
        "SK",
        Some("T".into()),
        Some(SigningTime::from_unix(now().unix() - 1).unwrap()),
    )
    .unwrap();
    let signer = Signer::new(creds);
    let req = ApiRequest {
        method: "POST".into(),
        path: "/v1/uploads".into(),
        headers: vec![(
            "authorization".into(),
            format!("Bearer {}", grant(&[UploadKind::Csv])),
        )],
        body: CSV.as_bytes().to_vec(),
    };
    let ctx = Context {
        now: now(),
        signer: Some(&signer),
        upload_id: UploadId::parse("0b8c0f5e-1d2e-4c3b-9a8f-7e6d5c4b3a29").unwrap(),
    };
    let response = handle(&config(), &req, &ctx);
    assert_eq!(response.status, 503);
}

#[test]
fn preflight_and_health_need_no_credentials_and_signing_routes_do() {
    let ctx = Context {
        now: now(),
        signer: None,
        upload_id: UploadId::parse("0b8c0f5e-1d2e-4c3b-9a8f-7e6d5c4b3a29").unwrap(),
    };
    let req = |method: &str, path: &str, headers: Vec<(String, String)>, body: &str| ApiRequest {
        method: method.into(),
        path: path.into(),
        headers,
        body: body.as_bytes().to_vec(),
    };
    let preflight = req(
        "OPTIONS",
        "/v1/uploads",
        vec![("origin".into(), ORIGIN.into())],
        "",
    );
    assert!(!needs_signer(&preflight));
    assert_eq!(handle(&config(), &preflight, &ctx).status, 204);
    let health = req("GET", "/v1/health", vec![], "");
    assert_eq!(handle(&config(), &health, &ctx).status, 200);
    let upload = req(
        "POST",
        "/v1/uploads",
        vec![(
            "authorization".into(),
            format!("Bearer {}", grant(&[UploadKind::Csv])),
        )],
        CSV,
    );
    assert!(needs_signer(&upload));
    let response = handle(&config(), &upload, &ctx);
    assert_eq!(response.status, 503);
    let unauthenticated = req("POST", "/v1/uploads", vec![], CSV);
    assert_eq!(
        handle(&config(), &unauthenticated, &ctx).status,
        401,
        "the grant is checked before credentials are needed"
    );
}

#[test]
fn weak_grant_keys_are_refused() {
    assert!(GrantKey::new(b"short".to_vec()).is_none());
    assert!(!format!("{:?}", key()).contains("test-grant-key"));
}

/// A grant with any header and claims, signed with `key()`'s secret: for grants the minting
/// helper would never make.
pub(crate) fn sign_raw(header: &str, claims: &str) -> String {
    use base64::Engine as _;
    use hmac::Mac as _;
    let e = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let input = format!("{}.{}", e(header), e(claims));
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(KEY_SECRET).unwrap();
    mac.update(input.as_bytes());
    let signature =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{input}.{signature}")
}
