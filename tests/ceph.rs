//! The temporary-logo life cycle on a server that enforces it (Ceph's RADOS Gateway): a logo
//! form signed with STS session credentials is accepted and its `delete-after-7-days` tag
//! stored; a form with its tag or token changed or removed is refused and writes nothing;
//! `provision` merges the kit's lifecycle rule into the bucket's own; the rule (with a lifecycle
//! "day" of a few seconds) deletes a temporary logo nobody promoted; a promoted logo carries no
//! deletion tag — this server keeps the source's tags on a copy whatever the tagging directive
//! says, so promotion must take the tag off — and survives.

use std::time::{Duration, Instant};

use uploadkit_core::catalogue::{
    Bucket, Catalogue, FileName, TEMPORARY_TAG, UploadId, UploadKind, UploadPlan, UploadRequest,
};
use uploadkit_core::clock::SigningTime;
use uploadkit_core::credentials::{Credentials, sts};
use uploadkit_core::s3::bucket_config::{ConfigKind, LIFECYCLE_RULE_ID};
use uploadkit_core::s3::{AddressingStyle, CustomEndpoint, S3Target};
use uploadkit_core::sigv4::Signer;
use uploadkit_server::provision::{StepResult, Wanted};
use uploadkit_server::s3ops::S3Ops;
use uploadkit_tests::ceph::Ceph;
use uploadkit_tests::form::{post_form, with_field};
use uploadkit_tests::s3client::S3Client;

/// A lifecycle "day" on the test server: 7 days pass in 21 s.
const DAY_SECONDS: u32 = 3;

fn now() -> SigningTime {
    SigningTime::new(time::OffsetDateTime::now_utc())
}

/// Session credentials from the gateway's STS, requested and read by the core.
fn session_credentials(ceph: &Ceph) -> Credentials {
    let request = sts::get_session_token(
        &ceph.endpoint(),
        "us-east-1",
        &Signer::new(ceph.credentials()),
        900,
        None,
        now(),
    )
    .unwrap();
    let mut http = reqwest::blocking::Client::new()
        .post(&request.url)
        .body(request.body.clone());
    for (k, v) in &request.headers {
        http = http.header(k, v);
    }
    let r = http.send().unwrap();
    let status = r.status().as_u16();
    sts::parse_response("GetSessionToken", status, &r.text().unwrap()).unwrap()
}

fn target(ceph: &Ceph) -> S3Target {
    S3Target {
        // The gateway refuses an eu-west-1 location constraint; it does not check the
        // signing region.
        region: "us-east-1".into(),
        endpoint: Some(CustomEndpoint::parse(&ceph.endpoint()).unwrap()),
        addressing: AddressingStyle::Path,
    }
}

fn logo_plan(catalogue: &Catalogue) -> UploadPlan {
    UploadPlan::new(
        catalogue,
        &UploadRequest {
            kind: UploadKind::EmailLogo,
            service_id: None,
            upload_id: UploadId::from_uuid(uuid::Uuid::new_v4()),
            file_name: FileName::parse("crest.png").unwrap(),
            size: 100_000,
            content_type: Some("image/png".into()),
        },
    )
    .unwrap()
}

type Fields = Vec<(String, String)>;
type FormChange = fn(&[(String, String)]) -> Fields;

fn exists(client: &S3Client, bucket: &str, key: &str) -> bool {
    client.head(bucket, key).0 == 200
}

#[test]
fn temporary_logos_expire_and_promoted_logos_never_do() {
    let ceph = Ceph::start(DAY_SECONDS);
    let client = ceph.client();
    let catalogue = Catalogue::from_env(|_| None, Some("us-east-1".into())).unwrap();
    let bucket = catalogue.name(Bucket::Logo).clone();
    let b = bucket.as_str();

    // The bucket exists with a rule of the team's own, which provisioning must keep.
    client.create_bucket(b);
    let theirs = "<LifecycleConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Rule><ID>their-reports</ID><Filter><Prefix>reports/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>30</Days></Expiration></Rule></LifecycleConfiguration>";
    let md5 = {
        use base64::Engine as _;
        use md5::Digest as _;
        base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(theirs.as_bytes()))
    };
    let put = client.send(
        "PUT",
        b,
        "",
        &[("lifecycle", "")],
        &[("content-md5", md5.as_str())],
        theirs.as_bytes(),
    );
    assert_eq!(put.status().as_u16(), 200);

    let session = session_credentials(&ceph);
    assert!(session.session_token().is_some());
    let ops = S3Ops::new(target(&ceph), Signer::new(session.clone()));
    let wanted = Wanted {
        holds_temporary: true,
        origins: vec![],
        kms_key: None,
    };
    let report = ceph_provision(&ops, &bucket, &wanted);
    let lifecycle = report
        .steps
        .iter()
        .find(|(k, _)| *k == ConfigKind::Lifecycle)
        .unwrap();
    assert!(
        matches!(lifecycle.1, StepResult::Changed(_)),
        "{}",
        report.render()
    );
    // This server refuses PutBucketEncryption: reported as refused, never as applied.
    let encryption = &report.steps[0];
    assert!(
        matches!(&encryption.1, StepResult::Refused(why) if why.contains("InvalidArgument")),
        "{}",
        report.render()
    );
    let stored = client.send("GET", b, "", &[("lifecycle", "")], &[], b"");
    let stored = stored.text().unwrap();
    assert!(
        stored.contains("their-reports") && stored.contains(LIFECYCLE_RULE_ID),
        "{stored}"
    );

    // Forms signed with the session credentials.
    let png = uploadkit_tests::png(200, 120);
    let signer = Signer::new(session);
    let form = |plan: &UploadPlan| plan.sign(&signer, &target(&ceph), now(), 600).unwrap();
    let upload = |plan: &UploadPlan, fields: &[(String, String)]| {
        post_form(&form(plan).url, fields, "crest.png", &png)
    };

    let kept = logo_plan(&catalogue);
    let r = upload(&kept, &form(&kept).fields);
    assert_eq!(r.status, 201, "{}", r.body);
    let tags = client.tags(b, kept.key.as_str());
    assert!(
        tags.contains(&format!(
            "<Key>{}</Key><Value>{}</Value>",
            TEMPORARY_TAG.0, TEMPORARY_TAG.1
        )),
        "the POST's tagging is stored: {tags}"
    );

    // Changed or missing tag or token: refused, nothing written.
    let refusals: [(&str, FormChange); 4] = [
        ("tag changed", |f| {
            with_field(
                f,
                "tagging",
                "<Tagging><TagSet><Tag><Key>delete-after-7-days</Key><Value>False</Value></Tag></TagSet></Tagging>",
            )
        }),
        ("tag missing", |f| {
            f.iter().filter(|(k, _)| k != "tagging").cloned().collect()
        }),
        ("token missing", |f| {
            f.iter()
                .filter(|(k, _)| k != "x-amz-security-token")
                .cloned()
                .collect()
        }),
        ("token changed", |f| {
            let token = &f
                .iter()
                .find(|(k, _)| k == "x-amz-security-token")
                .unwrap()
                .1;
            let mut bytes = token.clone().into_bytes();
            bytes[10] = if bytes[10] == b'A' { b'B' } else { b'A' };
            with_field(
                f,
                "x-amz-security-token",
                &String::from_utf8(bytes).unwrap(),
            )
        }),
    ];
    for (case, change) in refusals {
        let plan = logo_plan(&catalogue);
        let r = upload(&plan, &change(&form(&plan).fields));
        assert_eq!(r.status, 403, "{case}: {}", r.body);
        assert!(
            !exists(&client, b, plan.key.as_str()),
            "{case}: nothing written"
        );
    }

    // Promote a second logo; the copy keeps the tag on this server, promotion takes it off.
    let promoted = logo_plan(&catalogue);
    let r = upload(&promoted, &form(&promoted).fields);
    assert_eq!(r.status, 201, "{}", r.body);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let permanent = runtime
        .block_on(ops.promote_logo(&bucket, &promoted.key, Some("crest")))
        .unwrap();
    let permanent_tags = client.tags(b, permanent.as_str());
    assert!(
        !permanent_tags.contains(TEMPORARY_TAG.0),
        "a permanent logo has no deletion tag: {permanent_tags}"
    );

    // Seven lifecycle days later the temporary logos are gone and the permanent one is not.
    let deadline = Instant::now() + Duration::from_secs(180);
    while exists(&client, b, kept.key.as_str()) || exists(&client, b, promoted.key.as_str()) {
        assert!(
            Instant::now() < deadline,
            "the lifecycle rule did not delete the temporary logos within 180 s"
        );
        std::thread::sleep(Duration::from_secs(2));
    }
    // A few more lifecycle runs cannot touch it either.
    std::thread::sleep(Duration::from_secs(u64::from(DAY_SECONDS) * 8));
    assert_eq!(
        client.get(b, permanent.as_str()).as_deref(),
        Some(png.as_slice()),
        "the permanent logo survives"
    );

    // A browser's CORS preflight as this server answers it: allowed once provisioning has put
    // the kit's CORS rule, refused once the rule is gone.
    let origin = "https://admin.example.gov.uk".to_owned();
    let with_cors = Wanted {
        origins: vec![origin.clone()],
        ..wanted
    };
    ceph_provision(&ops, &bucket, &with_cors);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let preflight = || runtime.block_on(ops.preflight(&bucket, &with_cors.origins, "provision"));
    let allowed = preflight();
    assert!(allowed.ok, "{allowed}");
    let r = client.send("DELETE", b, "", &[("cors", "")], &[], b"");
    assert!(r.status().is_success(), "{}", r.status());
    let refused = preflight();
    assert!(
        !refused.ok && refused.detail.contains(&origin) && refused.detail.contains("403"),
        "{refused}"
    );
    assert_eq!(refused.fix.as_deref(), Some("provision"));
}

fn ceph_provision(
    ops: &S3Ops,
    bucket: &uploadkit_core::s3::BucketName,
    wanted: &Wanted,
) -> uploadkit_server::provision::BucketReport {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let report = runtime.block_on(ops.provision(bucket, wanted, false));
    println!("{}", report.render());
    report
}
