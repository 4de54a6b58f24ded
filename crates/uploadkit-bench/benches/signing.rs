//! Presigned URL and POST policy per operation: uploadkit, aws-sigv4 doing the same presign,
//! and the floor — the SHA-256 and HMAC-SHA256 work over the same bytes with a cached key.
//! `bench/run` prints these with botocore's figures as one table.

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials as AwsCredentials;
use aws_sigv4::http_request::{
    PercentEncodingMode, SessionTokenMode, SignableBody, SignableRequest, SignatureLocation,
    SigningSettings as AwsSettings, UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use criterion::{Criterion, criterion_group, criterion_main};
use sha2::{Digest, Sha256};
use uploadkit_core::catalogue::{
    Catalogue, FileName, ServiceId, UploadId, UploadKind, UploadPlan, UploadRequest,
};
use uploadkit_core::clock::SigningTime;
use uploadkit_core::credentials::Credentials;
use uploadkit_core::s3::{BucketName, Method, ObjectKey, S3Target, presign_url};
use uploadkit_core::sigv4::{Payload, Signer, SigningContext, SigningSettings, string_to_sign};

const AK: &str = "AKIAIOSFODNN7EXAMPLE";
const SK: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLEtokenEXAMPLEtokenEXAMPLEtokenEXAMPLEtoken==";
const BUCKET: &str = "local-notifications-csv-upload";
const KEY: &str =
    "service-4d1f3b7e-9c2a-4f6e-8b1d-2a3c4e5f6a7b-notify/0b8c0f5e-1d2e-4c3b-9a8f-7e6d5c4b3a29.csv";
const NOW: i64 = 1_795_340_000;

fn presign(c: &mut Criterion) {
    let now = SigningTime::from_unix(NOW).unwrap();
    let signer = Signer::new(Credentials::new(AK, SK, Some(TOKEN.into()), None).unwrap());
    let target = S3Target::aws("eu-west-1");
    let bucket = BucketName::new(BUCKET).unwrap();
    let key = ObjectKey::new(KEY).unwrap();
    let ours = presign_url(&signer, &target, &bucket, &key, Method::Get, 3600, now).unwrap();

    // aws-sigv4 configured as the S3 client configures it for presigning.
    let identity: Identity = AwsCredentials::new(AK, SK, Some(TOKEN.into()), None, "bench").into();
    let mut settings = AwsSettings::default();
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(Duration::from_secs(3600));
    settings.session_token_mode = SessionTokenMode::Include;
    let time = SystemTime::UNIX_EPOCH + Duration::from_secs(NOW as u64);
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("eu-west-1")
        .name("s3")
        .time(time)
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let host = format!("{BUCKET}.s3.amazonaws.com");
    let base = format!("https://{host}/{KEY}");
    let aws_presign = || {
        let request = SignableRequest::new(
            "GET",
            base.as_str(),
            std::iter::once(("host", host.as_str())),
            SignableBody::UnsignedPayload,
        )
        .unwrap();
        let (instructions, _signature) = sign(request, &params).unwrap().into_parts();
        let mut req = http::Request::builder()
            .uri(base.as_str())
            .body(())
            .unwrap();
        instructions.apply_to_request_http1x(&mut req);
        req.uri().to_string()
    };
    // Both produce a URL with the same signature.
    let theirs = aws_presign();
    let sig = |u: &str| {
        u.split(&['?', '&'][..])
            .find_map(|p| p.strip_prefix("X-Amz-Signature="))
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        sig(&theirs),
        sig(&ours.url),
        "aws-sigv4 and uploadkit disagree"
    );

    // The floor: hash the same canonical request, HMAC the same string to sign.
    let ctx = SigningContext {
        region: "eu-west-1",
        service: "s3",
        time: now,
        settings: SigningSettings::S3,
    };
    let path = format!("/{KEY}");
    let request = uploadkit_core::sigv4::SignableRequest {
        method: "GET",
        path: &path,
        query: vec![],
        headers: vec![("host", host.as_str())],
        payload: Payload::Unsigned,
    };
    let canonical = signer
        .query_canonical_request(&request, &ctx, 3600)
        .unwrap();
    let scope = uploadkit_core::sigv4::credential_scope(&now.scope_date(), "eu-west-1", "s3");
    let sts = string_to_sign(
        &now.amz_date(),
        &scope,
        &Sha256::digest(canonical.as_bytes()).into(),
    );
    let signing_key = signer.signing_key(&ctx);

    let mut group = c.benchmark_group("presign_url");
    group.bench_function("uploadkit", |b| {
        b.iter(|| {
            presign_url(
                &signer,
                &target,
                &bucket,
                black_box(&key),
                Method::Get,
                3600,
                now,
            )
            .unwrap()
        })
    });
    group.bench_function("aws-sigv4", |b| b.iter(|| black_box(aws_presign())));
    group.bench_function("floor", |b| {
        b.iter(|| {
            let h: [u8; 32] = Sha256::digest(black_box(canonical.as_bytes())).into();
            black_box(h);
            black_box(signing_key.sign(black_box(sts.as_bytes())))
        })
    });
    group.finish();
}

fn post(c: &mut Criterion) {
    let now = SigningTime::from_unix(NOW).unwrap();
    let signer = Signer::new(Credentials::new(AK, SK, Some(TOKEN.into()), None).unwrap());
    let target = S3Target::aws("eu-west-1");
    let catalogue = Catalogue::from_env(|_| None, None).unwrap();
    let plan = UploadPlan::new(
        &catalogue,
        &UploadRequest {
            kind: UploadKind::Csv,
            service_id: Some(ServiceId::parse("4d1f3b7e-9c2a-4f6e-8b1d-2a3c4e5f6a7b").unwrap()),
            upload_id: UploadId::parse("0b8c0f5e-1d2e-4c3b-9a8f-7e6d5c4b3a29").unwrap(),
            file_name: FileName::parse("recipients.csv").unwrap(),
            size: 1000,
            content_type: Some("text/csv".into()),
        },
    )
    .unwrap();
    let signed = plan.sign(&signer, &target, now, 3600).unwrap();
    let policy_b64 = signed
        .fields
        .iter()
        .find(|(k, _)| k == "policy")
        .unwrap()
        .1
        .clone();
    let ctx = SigningContext {
        region: "eu-west-1",
        service: "s3",
        time: now,
        settings: SigningSettings::S3,
    };
    let key = signer.signing_key(&ctx);

    let mut group = c.benchmark_group("post_policy");
    group.bench_function("uploadkit", |b| {
        b.iter(|| plan.sign(&signer, &target, black_box(now), 3600).unwrap())
    });
    group.bench_function("floor", |b| {
        b.iter(|| black_box(key.sign(black_box(policy_b64.as_bytes()))))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = presign, post
}
criterion_main!(benches);
