//! Server-side re-validation against SeaweedFS: the object is fetched, checked natively and
//! marked by copying it onto itself with replaced metadata, as the app marks uploads.

use uploadkit_core::credentials::Credentials;
use uploadkit_core::s3::{AddressingStyle, BucketName, CustomEndpoint, ObjectKey, S3Target};
use uploadkit_core::sigv4::Signer;
use uploadkit_server::s3ops::S3Ops;
use uploadkit_tests::s3client::{REGION, header};
use uploadkit_tests::seaweedfs::{ACCESS_KEY, SECRET_KEY, Seaweed};
use uploadkit_validators::csv::{CsvSpec, TemplateType};

const BUCKET: &str = "revalidate-csv";

fn upload(server: &Seaweed, key: &str, body: &[u8]) {
    let put = server.client().send(
        "PUT",
        BUCKET,
        key,
        &[],
        &[
            ("x-amz-meta-original_file_name", "People.csv"),
            ("x-amz-server-side-encryption", "AES256"),
            ("content-type", "text/csv"),
        ],
        body,
    );
    assert_eq!(put.status().as_u16(), 200);
}

#[test]
fn uploads_are_marked_valid_or_invalid_by_the_server() {
    let server = Seaweed::start();
    server.client().create_bucket(BUCKET);
    let target = S3Target {
        region: REGION.into(),
        endpoint: Some(CustomEndpoint::parse(&server.endpoint()).unwrap()),
        addressing: AddressingStyle::Path,
    };
    let ops = S3Ops::new(
        target,
        Signer::new(Credentials::new(ACCESS_KEY, SECRET_KEY, None, None).unwrap()),
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let bucket = BucketName::new(BUCKET).unwrap();
    let spec = || CsvSpec::new(TemplateType::Sms, vec!["name".into()]);
    let extra = vec![(
        "template_id".to_owned(),
        "f9e1c2a4-0000-4000-8000-000000000001".to_owned(),
    )];

    let good = b"phone number,name\n07723456789,Ada\n07723456788,Bo\n";
    upload(&server, "service-s-notify/good.csv", good);
    let key = ObjectKey::new("service-s-notify/good.csv").unwrap();
    let result = rt
        .block_on(ops.revalidate_csv(&bucket, &key, spec(), "notification_count", &extra))
        .unwrap();
    assert!(result.valid && result.rows == 2, "{result:?}");
    let (_, headers) = server.client().head(BUCKET, key.as_str());
    assert_eq!(header(&headers, "x-amz-meta-valid"), Some("True"));
    assert_eq!(header(&headers, "x-amz-meta-notification_count"), Some("2"));
    assert_eq!(
        header(&headers, "x-amz-meta-original_file_name"),
        Some("People.csv")
    );
    assert_eq!(
        header(&headers, "x-amz-meta-template_id"),
        Some("f9e1c2a4-0000-4000-8000-000000000001")
    );
    assert_eq!(
        header(&headers, "x-amz-server-side-encryption"),
        Some("AES256")
    );
    assert_eq!(
        server.client().get(BUCKET, key.as_str()).as_deref(),
        Some(good.as_slice()),
        "the bytes are untouched"
    );

    let bad = b"phone number,name\n+44 123,Ada\n07723456788,\n";
    upload(&server, "service-s-notify/bad.csv", bad);
    let key = ObjectKey::new("service-s-notify/bad.csv").unwrap();
    let result = rt
        .block_on(ops.revalidate_csv(&bucket, &key, spec(), "notification_count", &extra))
        .unwrap();
    assert!(!result.valid);
    let (_, headers) = server.client().head(BUCKET, key.as_str());
    assert_eq!(header(&headers, "x-amz-meta-valid"), Some("False"));
    assert_eq!(header(&headers, "x-amz-meta-notification_count"), None);
    assert_eq!(
        header(&headers, "x-amz-meta-validation_error"),
        Some(
            "There is a problem with your data: 1 row with an invalid recipient and 1 row with missing data"
        )
    );

    let missing = ObjectKey::new("service-s-notify/missing.csv").unwrap();
    let err = rt
        .block_on(ops.revalidate_csv(&bucket, &missing, spec(), "notification_count", &extra))
        .unwrap_err();
    assert!(
        err.to_string().contains("NoSuchKey") || err.to_string().contains("404"),
        "{err}"
    );
}
