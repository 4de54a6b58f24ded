//! Against a real, strict S3 server: SeaweedFS on 127.0.0.1 with SigV4 auth enforced.
//! Every suite first proves the server refuses bad credentials, so the negative controls
//! below cannot pass against a server that accepts everything.

use time::OffsetDateTime;
use uploadkit_core::catalogue::{
    Catalogue, FileName, ServiceId, UploadId, UploadKind, UploadPlan, UploadRequest,
};
use uploadkit_core::clock::SigningTime;
use uploadkit_core::credentials::Credentials;
use uploadkit_core::s3::{
    AddressingStyle, BucketName, CustomEndpoint, KeyRule, Method, ObjectKey, PostPolicy, S3Target,
    presign_url,
};
use uploadkit_core::sigv4::Signer;
use uploadkit_tests::form::{post_form, with_field, with_tampered_signature};
use uploadkit_tests::s3client::{REGION, header};
use uploadkit_tests::seaweedfs::{ACCESS_KEY, SECRET_KEY, Seaweed};

const BUCKET: &str = "uploadkit-test";

fn now() -> SigningTime {
    SigningTime::new(OffsetDateTime::now_utc())
}

fn signer(secret: &str) -> Signer {
    Signer::new(Credentials::new(ACCESS_KEY, secret, None, None).unwrap())
}

fn target(server: &Seaweed) -> S3Target {
    S3Target {
        region: REGION.to_owned(),
        endpoint: Some(CustomEndpoint::parse(&server.endpoint()).unwrap()),
        addressing: AddressingStyle::Auto,
    }
}

fn url(
    server: &Seaweed,
    signer: &Signer,
    key: &str,
    method: Method,
    expires: u32,
    at: SigningTime,
) -> String {
    let bucket = BucketName::new(BUCKET).unwrap();
    presign_url(
        signer,
        &target(server),
        &bucket,
        &ObjectKey::new(key).unwrap(),
        method,
        expires,
        at,
    )
    .unwrap()
    .url
}

fn started() -> Seaweed {
    let server = Seaweed::start();
    let client = server.client();
    client.create_bucket(BUCKET);
    // Negative control: the server must refuse a wrong secret and an anonymous request.
    let wrong =
        uploadkit_tests::s3client::S3Client::new(&server.endpoint(), ACCESS_KEY, "not-the-secret");
    assert_eq!(
        wrong
            .send("GET", BUCKET, "", &[], &[], b"")
            .status()
            .as_u16(),
        403,
        "auth is not enforced"
    );
    let anonymous = reqwest::blocking::get(format!("{}/{BUCKET}", server.endpoint())).unwrap();
    assert_eq!(
        anonymous.status().as_u16(),
        403,
        "anonymous access is not refused"
    );
    server
}

#[test]
fn presigned_put_get_head_delete_round_trip_awkward_keys() {
    let server = started();
    let http = reqwest::blocking::Client::new();
    let signer = signer(SECRET_KEY);
    let keys = [
        "plain.txt",
        "with space.txt",
        "plus+sign.txt",
        "tilde~.txt",
        "paren(1)!*'.txt",
        "q=1&r?s.txt",
        "100%.txt",
        "double//slash.txt",
        "ünïcødé/日本語.txt",
    ];
    for (i, key) in keys.iter().enumerate() {
        let body = format!("bytes of {key} #{i}\u{0}\u{ff}").into_bytes();
        let put = http
            .put(url(&server, &signer, key, Method::Put, 300, now()))
            .body(body.clone())
            .send()
            .unwrap();
        assert_eq!(
            put.status().as_u16(),
            200,
            "PUT {key}: {}",
            put.text().unwrap_or_default()
        );
        let get = http
            .get(url(&server, &signer, key, Method::Get, 300, now()))
            .send()
            .unwrap();
        assert_eq!(get.status().as_u16(), 200, "GET {key}");
        assert_eq!(get.bytes().unwrap().to_vec(), body, "GET {key} bytes");
        let head = http
            .head(url(&server, &signer, key, Method::Head, 300, now()))
            .send()
            .unwrap();
        assert_eq!(head.status().as_u16(), 200, "HEAD {key}");
        // The independent client sees the object under the same key.
        assert_eq!(
            server.client().get(BUCKET, key),
            Some(body),
            "{key} stored under another name"
        );
    }
    let del = http
        .delete(url(
            &server,
            &signer,
            "plain.txt",
            Method::Delete,
            300,
            now(),
        ))
        .send()
        .unwrap();
    assert!(del.status().is_success(), "DELETE: {}", del.status());
    assert_eq!(server.client().get(BUCKET, "plain.txt"), None);
}

#[test]
fn presigned_urls_with_a_wrong_secret_a_tampered_signature_or_past_expiry_are_refused() {
    let server = started();
    let http = reqwest::blocking::Client::new();
    let good = signer(SECRET_KEY);
    let put = http
        .put(url(&server, &good, "target.txt", Method::Put, 300, now()))
        .body("x")
        .send()
        .unwrap();
    assert_eq!(put.status().as_u16(), 200);

    let wrong = url(
        &server,
        &signer("wrong-secret"),
        "target.txt",
        Method::Get,
        300,
        now(),
    );
    assert_eq!(
        http.get(wrong).send().unwrap().status().as_u16(),
        403,
        "wrong secret accepted"
    );

    let mut tampered = url(&server, &good, "target.txt", Method::Get, 300, now());
    let last = tampered.pop().unwrap();
    tampered.push(if last == '0' { '1' } else { '0' });
    assert_eq!(
        http.get(tampered).send().unwrap().status().as_u16(),
        403,
        "tampered signature accepted"
    );

    let an_hour_ago = SigningTime::from_unix(now().unix() - 3600).unwrap();
    let expired = url(&server, &good, "target.txt", Method::Get, 60, an_hour_ago);
    assert_eq!(
        http.get(expired).send().unwrap().status().as_u16(),
        403,
        "expired URL accepted"
    );

    // A PUT URL cannot be replayed as a GET, nor for another key.
    let put_url = url(&server, &good, "target.txt", Method::Put, 300, now());
    assert_eq!(http.get(&put_url).send().unwrap().status().as_u16(), 403);
    let other = put_url.replace("target.txt", "other.txt");
    assert_eq!(
        http.put(other).body("y").send().unwrap().status().as_u16(),
        403
    );
    assert_eq!(server.client().get(BUCKET, "other.txt"), None);
}

/// A CSV upload plan whose bucket is the test bucket.
fn csv_plan() -> UploadPlan {
    let catalogue = Catalogue::from_env(
        |k| (k == "S3_BUCKET_CSV_UPLOAD").then(|| BUCKET.to_owned()),
        Some(REGION.into()),
    )
    .unwrap();
    UploadPlan::new(
        &catalogue,
        &UploadRequest {
            kind: UploadKind::Csv,
            service_id: Some(ServiceId::parse("4d1f3b7e-9c2a-4f6e-8b1d-2a3c4e5f6a7b").unwrap()),
            upload_id: UploadId::from_uuid(uuid::Uuid::new_v4()),
            file_name: FileName::parse("Recipients.csv").unwrap(),
            size: 30,
            content_type: Some("text/csv".into()),
        },
    )
    .unwrap()
}

#[test]
fn post_form_upload_lands_with_encryption_and_metadata() {
    let server = started();
    let plan = csv_plan();
    let post = plan
        .sign(&signer(SECRET_KEY), &target(&server), now(), 300)
        .unwrap();
    let body = b"phone number\n07700900123\n";
    let r = post_form(&post.url, &post.fields, "Recipients.csv", body);
    assert_eq!(r.status, 201, "{}", r.body);
    assert!(
        r.body.contains(plan.key.as_str()),
        "201 body names the key: {}",
        r.body
    );
    let (status, headers) = server.client().head(BUCKET, plan.key.as_str());
    assert_eq!(status, 200);
    assert_eq!(
        header(&headers, "x-amz-server-side-encryption"),
        Some("AES256")
    );
    assert_eq!(
        header(&headers, "x-amz-meta-original_file_name"),
        Some("Recipients.csv")
    );
    assert_eq!(header(&headers, "content-type"), Some("text/csv"));
    assert_eq!(
        server.client().get(BUCKET, plan.key.as_str()).unwrap(),
        body
    );
}

/// Each negative control must be refused, and must leave nothing behind.
fn assert_refused(
    server: &Seaweed,
    case: &str,
    url: &str,
    fields: &[(String, String)],
    key: &str,
    file: &[u8],
) {
    let r = post_form(url, fields, "file.csv", file);
    assert!(
        (400..500).contains(&r.status),
        "{case}: expected a refusal, got {} {}",
        r.status,
        r.body
    );
    assert_eq!(
        server.client().get(BUCKET, key),
        None,
        "{case}: an object was written"
    );
}

#[test]
fn post_negative_controls_fail_as_s3_would() {
    let server = started();
    let plan = csv_plan();
    let key = plan.key.as_str().to_owned();
    let good = signer(SECRET_KEY);
    let post = plan.sign(&good, &target(&server), now(), 300).unwrap();
    let file = b"phone number\n07700900123\n";

    let wrong = plan
        .sign(&signer("wrong-secret"), &target(&server), now(), 300)
        .unwrap();
    assert_refused(
        &server,
        "wrong secret",
        &wrong.url,
        &wrong.fields,
        &key,
        file,
    );

    assert_refused(
        &server,
        "tampered signature",
        &post.url,
        &with_tampered_signature(&post.fields),
        &key,
        file,
    );

    let an_hour_ago = SigningTime::from_unix(now().unix() - 3600).unwrap();
    let expired = plan.sign(&good, &target(&server), an_hour_ago, 60).unwrap();
    assert_refused(
        &server,
        "expired policy",
        &expired.url,
        &expired.fields,
        &key,
        file,
    );

    let small = plan
        .policy
        .clone()
        .content_length_range(1, 10)
        .expires_in(300)
        .sign(&good, &target(&server), now())
        .unwrap();
    assert_refused(
        &server,
        "file over content-length-range",
        &small.url,
        &small.fields,
        &key,
        file,
    );

    assert_refused(
        &server,
        "wrong Content-Type",
        &post.url,
        &with_field(&post.fields, "Content-Type", "text/html"),
        &key,
        file,
    );

    let elsewhere = "service-4d1f3b7e-9c2a-4f6e-8b1d-2a3c4e5f6a7b-notify/other.csv";
    assert_refused(
        &server,
        "key changed",
        &post.url,
        &with_field(&post.fields, "key", elsewhere),
        elsewhere,
        file,
    );

    let prefixed = PostPolicy::new(
        BucketName::new(BUCKET).unwrap(),
        KeyRule::Prefix("uploads/".into()),
    )
    .sign(&good, &target(&server), now())
    .unwrap();
    assert_refused(
        &server,
        "key outside the prefix",
        &prefixed.url,
        &with_field(&prefixed.fields, "key", "elsewhere/x.csv"),
        "elsewhere/x.csv",
        file,
    );
    // The same form inside the prefix is accepted (the control above is not vacuous).
    let inside = post_form(
        &prefixed.url,
        &with_field(&prefixed.fields, "key", "uploads/x.csv"),
        "x.csv",
        file,
    );
    assert!(
        (200..300).contains(&inside.status),
        "inside the prefix: {} {}",
        inside.status,
        inside.body
    );

    let extra = with_field(&post.fields, "x-amz-meta-extra", "not in the policy");
    assert_refused(&server, "extra form field", &post.url, &extra, &key, file);

    // And the untouched form works, so each refusal above is down to its one change.
    let ok = post_form(&post.url, &post.fields, "file.csv", file);
    assert_eq!(ok.status, 201, "{}", ok.body);
}
