//! Key templating and POST policies from anything a browser may send: the key never leaves its
//! kind's prefix, and every field the form carries has its condition in the signed policy.
#![no_main]

use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use uploadkit_core::catalogue::{
    Catalogue, FileName, ServiceId, UploadId, UploadKind, UploadPlan, UploadRequest,
};
use uploadkit_core::clock::SigningTime;
use uploadkit_core::credentials::Credentials;
use uploadkit_core::s3::S3Target;
use uploadkit_core::sigv4::Signer;

const SERVICE: &str = "4d1f3b7e-9c2a-4f6e-8b1d-2a3c4e5f6a7b";

fuzz_target!(|data: &[u8]| {
    let Some((&control, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let (name, content_type) = text.split_once('\n').unwrap_or((&text, ""));
    let Ok(file_name) = FileName::parse(name) else {
        return;
    };
    let kind = UploadKind::ALL[usize::from(control) % UploadKind::ALL.len()];
    let size = u64::from(control) * 40_000 + 1;
    let catalogue = Catalogue::from_env(|_| None, None).unwrap();
    let request = UploadRequest {
        kind,
        service_id: Some(ServiceId::parse(SERVICE).unwrap()),
        upload_id: UploadId::parse("0b8c0f5e-1d2e-4c3b-9a8f-7e6d5c4b3a29").unwrap(),
        file_name,
        size,
        content_type: (!content_type.is_empty()).then(|| content_type.to_owned()),
    };
    let Ok(plan) = UploadPlan::new(&catalogue, &request) else {
        return;
    };
    let key = plan.key.as_str();
    let prefix = match kind {
        UploadKind::Csv | UploadKind::ContactList => format!("service-{SERVICE}-notify/"),
        UploadKind::Letter | UploadKind::LetterAttachment => format!("service-{SERVICE}/"),
        UploadKind::TemplateEmailFile => format!("{SERVICE}/"),
        UploadKind::EmailLogo => "temp-".to_owned(),
        UploadKind::LetterLogo => "letters/static/images/letter-template/temp-".to_owned(),
    };
    assert!(key.starts_with(&prefix), "{key} left {prefix}");
    assert!(!key.contains("..") && !key.contains('\\'), "{key}");
    assert!(plan.max_size <= kind.max_size());
    let signer = Signer::new(Credentials::new("AKID", "SECRET", None, None).unwrap());
    let now = SigningTime::from_unix(1_800_000_000).unwrap();
    let post = plan
        .sign(&signer, &S3Target::aws("eu-west-1"), now, 600)
        .unwrap();
    let policy = post
        .fields
        .iter()
        .find(|(k, _)| k == "policy")
        .map(|(_, v)| v.clone())
        .unwrap();
    let policy = base64::engine::general_purpose::STANDARD.decode(policy).unwrap();
    let policy: serde_json::Value = serde_json::from_slice(&policy).unwrap();
    let conditions = policy["conditions"].as_array().unwrap();
    for (field, value) in &post.fields {
        if matches!(field.as_str(), "policy" | "x-amz-signature") {
            continue;
        }
        let covered = conditions.iter().any(|c| {
            c.as_object().is_some_and(|o| {
                o.iter().any(|(k, v)| k.eq_ignore_ascii_case(field) && v == value)
            }) || c.as_array().is_some_and(|a| {
                a.len() == 3 && a[1].as_str().is_some_and(|f| f.trim_start_matches('$').eq_ignore_ascii_case(field))
            })
        });
        assert!(covered, "field {field} has no condition");
    }
});
