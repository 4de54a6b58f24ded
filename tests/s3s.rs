//! The kit's POST forms against s3s (in-process, auth enforced), which refuses any form field
//! its policy does not cover.

use time::OffsetDateTime;
use uploadkit_core::catalogue::{
    Catalogue, FileName, ServiceId, UploadId, UploadKind, UploadPlan, UploadRequest,
};
use uploadkit_core::clock::SigningTime;
use uploadkit_core::credentials::Credentials;
use uploadkit_core::s3::{AddressingStyle, CustomEndpoint, S3Target};
use uploadkit_core::sigv4::Signer;
use uploadkit_tests::form::{post_form, with_field, with_tampered_signature};
use uploadkit_tests::s3client::{REGION, S3Client};
use uploadkit_tests::s3s_server::{ACCESS_KEY, S3sServer, SECRET_KEY};

fn now() -> SigningTime {
    SigningTime::new(OffsetDateTime::now_utc())
}

fn target(server: &S3sServer) -> S3Target {
    S3Target {
        region: REGION.to_owned(),
        endpoint: Some(CustomEndpoint::parse(&server.endpoint()).unwrap()),
        addressing: AddressingStyle::Path,
    }
}

fn plan(kind: UploadKind, name: &str, size: u64) -> UploadPlan {
    let catalogue = Catalogue::from_env(|_| None, Some(REGION.into())).unwrap();
    UploadPlan::new(
        &catalogue,
        &UploadRequest {
            kind,
            service_id: Some(ServiceId::parse("4d1f3b7e-9c2a-4f6e-8b1d-2a3c4e5f6a7b").unwrap()),
            upload_id: UploadId::from_uuid(uuid::Uuid::new_v4()),
            file_name: FileName::parse(name).unwrap(),
            size,
            content_type: None,
        },
    )
    .unwrap()
}

fn started() -> S3sServer {
    let server = S3sServer::start();
    // Negative control: a wrong secret is refused.
    let wrong = S3Client::new(&server.endpoint(), ACCESS_KEY, "not-the-secret");
    assert_eq!(
        wrong
            .send("PUT", "local-notifications-csv-upload", "", &[], &[], b"")
            .status()
            .as_u16(),
        403
    );
    for bucket in ["local-notifications-csv-upload", "local-letter-attachments"] {
        server.client().create_bucket(bucket);
    }
    server
}

#[test]
fn kit_forms_upload_and_every_field_is_covered() {
    let server = started();
    let signer = Signer::new(Credentials::new(ACCESS_KEY, SECRET_KEY, None, None).unwrap());
    for (kind, name, body) in [
        (
            UploadKind::Csv,
            "people.csv",
            b"email address\na@b.com\n".as_slice(),
        ),
        (
            UploadKind::LetterAttachment,
            "attachment.pdf",
            b"%PDF-1.7\n%%EOF\n".as_slice(),
        ),
    ] {
        let plan = plan(kind, name, body.len() as u64);
        let post = plan.sign(&signer, &target(&server), now(), 300).unwrap();
        let r = post_form(&post.url, &post.fields, name, body);
        assert!(
            (200..300).contains(&r.status),
            "{kind}: {} {}",
            r.status,
            r.body
        );
        assert_eq!(
            server
                .client()
                .get(plan.bucket.as_str(), plan.key.as_str())
                .as_deref(),
            Some(body),
            "{kind}"
        );
    }
}

#[test]
fn extra_fields_size_type_and_signature_are_refused() {
    let server = started();
    let signer = Signer::new(Credentials::new(ACCESS_KEY, SECRET_KEY, None, None).unwrap());
    let body = b"email address\na@b.com\n";
    let plan = plan(UploadKind::Csv, "people.csv", body.len() as u64);
    let post = plan.sign(&signer, &target(&server), now(), 300).unwrap();
    let bucket = plan.bucket.as_str();
    let key = plan.key.as_str();

    let refused = |case: &str, fields: &[(String, String)], file: &[u8]| {
        let r = post_form(&post.url, fields, "people.csv", file);
        assert!(
            (400..500).contains(&r.status),
            "{case}: {} {}",
            r.status,
            r.body
        );
        assert_eq!(
            server.client().get(bucket, key),
            None,
            "{case}: object written"
        );
    };
    refused(
        "extra plain field",
        &with_field(&post.fields, "acl", "public-read"),
        body,
    );
    refused(
        "extra meta field",
        &with_field(&post.fields, "x-amz-meta-extra", "1"),
        body,
    );
    refused(
        "wrong Content-Type",
        &with_field(&post.fields, "Content-Type", "text/html"),
        body,
    );
    refused(
        "wrong encryption",
        &with_field(&post.fields, "x-amz-server-side-encryption", "aws:kms"),
        body,
    );
    refused(
        "tampered signature",
        &with_tampered_signature(&post.fields),
        body,
    );
    refused("empty file", &post.fields, b"");
    let one_over = [body.as_slice(), b"x"].concat();
    refused("one byte over the declared size", &post.fields, &one_over);

    let ok = post_form(&post.url, &post.fields, "people.csv", body);
    assert!(
        (200..300).contains(&ok.status),
        "untouched form: {} {}",
        ok.status,
        ok.body
    );

    // A form declared at the kind's limit takes no more than the limit.
    let limit = UploadKind::Csv.max_size();
    let big = self::plan(UploadKind::Csv, "people.csv", limit);
    let post = big.sign(&signer, &target(&server), now(), 300).unwrap();
    let too_big = vec![b'a'; limit as usize + 1];
    let r = post_form(&post.url, &post.fields, "people.csv", &too_big);
    assert!((400..500).contains(&r.status), "{} {}", r.status, r.body);
    assert_eq!(server.client().get(bucket, big.key.as_str()), None);
}
