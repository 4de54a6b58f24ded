//! S3, STS, SSO and credential-process answers: any body with any status, as an upload outcome,
//! an STS or SSO response, a credential process's output and a bucket configuration to merge
//! into. A merge must be stable: what it writes, read back, needs no further change.
#![no_main]

use libfuzzer_sys::fuzz_target;
use uploadkit_core::clock::SigningTime;
use uploadkit_core::credentials::process;
use uploadkit_core::credentials::sso::{self, SsoProfile, SsoToken};
use uploadkit_core::credentials::sts::{parse_caller_identity, parse_response};
use uploadkit_core::s3::actions::{
    GetBucketConfig, GetObjectTagging, HeadBucket, S3Action, S3Response,
};
use uploadkit_core::s3::bucket_config::{self, ConfigKind, ConfigPlan};
use uploadkit_core::s3::upload_outcome;

fn stable(first: ConfigPlan, again: impl Fn(&str) -> ConfigPlan) {
    if let ConfigPlan::Put { body, .. } = first {
        assert_eq!(again(&body), ConfigPlan::Unchanged, "{body}");
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&status, body)) = data.split_first() else {
        return;
    };
    let body = String::from_utf8_lossy(body);
    let status = 100 + u16::from(status) * 2;
    let _ = upload_outcome(Some(status), &body);
    let _ = upload_outcome(None, &body);
    let _ = uploadkit_core::xml::text(&body, "Code");
    let _ = uploadkit_core::xml::texts(&body, "Tag");
    let _ = parse_response("AssumeRole", status, &body);
    let _ = parse_caller_identity(status, &body);
    let _ = process::parse_output("fuzz", &body);
    let _ = process::split_command("fuzz", &body);

    let profile = SsoProfile {
        profile: "fuzz".into(),
        session: Some("s".into()),
        start_url: "https://d.awsapps.com/start".into(),
        region: "eu-west-1".into(),
        account_id: "1".into(),
        role_name: "r".into(),
    };
    let now = SigningTime::from_unix(1_800_000_000).unwrap();
    let _ = sso::parse_role_credentials(&profile, status, &body);
    if let Ok(token) = SsoToken::parse(&profile, &body) {
        let _ = token.decide(&profile, now);
        let _ = sso::parse_create_token(&profile, &token, status, &body, now);
        let _ = SsoToken::parse(&profile, &token.to_json()).unwrap();
    }

    let response = S3Response {
        status,
        headers: &[],
        body: body.as_bytes(),
    };
    let key = uploadkit_core::s3::ObjectKey::new("k").unwrap();
    let _ = GetObjectTagging(&key).parse(&response);
    let _ = HeadBucket.parse(&response);
    let _ = GetBucketConfig(ConfigKind::Lifecycle).parse(&response);

    let _ = bucket_config::lifecycle_findings(&body);
    let _ = bucket_config::encryption_algorithm(&body);
    let _ = bucket_config::plan_encryption(Some(&body), None);
    for holds in [true, false] {
        stable(bucket_config::plan_lifecycle(Some(&body), holds), |b| {
            bucket_config::plan_lifecycle(Some(b), holds)
        });
    }
    let origins = ["https://admin.example.gov.uk".to_owned()];
    stable(bucket_config::plan_cors(Some(&body), &origins), |b| {
        bucket_config::plan_cors(Some(b), &origins)
    });
});
