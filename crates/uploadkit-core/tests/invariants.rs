//! Invariants over anything a browser may ask for (proptest): a key never leaves its kind's
//! prefix, every field a form carries has its condition in the signed policy, the declared size
//! is the signed limit, and a promoted logo stays in its namespace.

use base64::Engine as _;
use proptest::prelude::*;
use uploadkit_core::catalogue::{
    Catalogue, FileName, ServiceId, UploadId, UploadKind, UploadPlan, UploadRequest,
    permanent_logo_key,
};
use uploadkit_core::clock::SigningTime;
use uploadkit_core::credentials::Credentials;
use uploadkit_core::s3::{ObjectKey, S3Target};
use uploadkit_core::sigv4::Signer;

const SERVICE: &str = "4d1f3b7e-9c2a-4f6e-8b1d-2a3c4e5f6a7b";

fn prefix(kind: UploadKind) -> String {
    match kind {
        UploadKind::Csv | UploadKind::ContactList => format!("service-{SERVICE}-notify/"),
        UploadKind::Letter | UploadKind::LetterAttachment => format!("service-{SERVICE}/"),
        UploadKind::TemplateEmailFile => format!("{SERVICE}/"),
        UploadKind::EmailLogo => "temp-".into(),
        UploadKind::LetterLogo => "letters/static/images/letter-template/temp-".into(),
    }
}

/// File names with the characters attackers reach for.
fn file_names() -> impl Strategy<Value = String> {
    let part =
        prop::string::string_regex(r"[a-zA-Z0-9 ._%/\\()<>~'\x00-\x1f\u{202e}ü-]{0,40}").unwrap();
    let ext = prop::sample::select(vec![
        "csv", "png", "svg", "pdf", "txt", "docx", "CSV", "exe", "",
    ]);
    (part, ext).prop_map(|(stem, ext)| format!("{stem}.{ext}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn keys_stay_in_their_prefix_and_every_field_has_its_condition(
        kind in prop::sample::select(UploadKind::ALL.to_vec()),
        name in file_names(),
        size in 0u64..12_000_000,
        declared in prop::option::of(prop::sample::select(vec![
            "text/csv", "image/png", "image/svg+xml", "application/pdf", "text/html", "", "text/csv; charset=utf-8",
        ])),
        id in any::<u128>(),
    ) {
        let Ok(file_name) = FileName::parse(&name) else { return Ok(()) };
        let catalogue = Catalogue::from_env(|_| None, None).unwrap();
        let request = UploadRequest {
            kind,
            service_id: Some(ServiceId::parse(SERVICE).unwrap()),
            upload_id: UploadId::from_uuid(uuid::Builder::from_random_bytes(id.to_le_bytes()).into_uuid()),
            file_name,
            size,
            content_type: declared.map(str::to_owned),
        };
        let Ok(plan) = UploadPlan::new(&catalogue, &request) else { return Ok(()) };
        let key = plan.key.as_str();
        prop_assert!(key.starts_with(&prefix(kind)), "{} left {}", key, prefix(kind));
        prop_assert!(!key[prefix(kind).len()..].contains('/'), "{}", key);
        prop_assert!(!key.contains('\\') && !key.split('/').any(|s| s == ".." || s == "."));
        prop_assert!(plan.max_size == size && size <= kind.max_size());

        let signer = Signer::new(Credentials::new("AKID", "SECRET", None, None).unwrap());
        let now = SigningTime::from_unix(1_800_000_000).unwrap();
        let post = plan.sign(&signer, &S3Target::aws("eu-west-1"), now, 600).unwrap();
        let policy = &post.fields.iter().find(|(k, _)| k == "policy").unwrap().1;
        let policy: serde_json::Value = serde_json::from_slice(
            &base64::engine::general_purpose::STANDARD.decode(policy).unwrap(),
        ).unwrap();
        let conditions = policy["conditions"].as_array().unwrap();
        for (field, value) in &post.fields {
            if matches!(field.as_str(), "policy" | "x-amz-signature") { continue; }
            let covered = conditions.iter().any(|c| {
                c.as_object().is_some_and(|o| o.iter().any(|(k, v)| k.eq_ignore_ascii_case(field) && v == value))
                    || c.as_array().is_some_and(|a| a.len() == 3 && a[1].as_str()
                        .is_some_and(|f| f.trim_start_matches('$').eq_ignore_ascii_case(field)))
            });
            prop_assert!(covered, "field {} has no condition", field);
        }
        let range = conditions.iter().find(|c| c[0] == "content-length-range").unwrap();
        prop_assert_eq!(range[2].as_u64(), Some(size));
    }

    #[test]
    fn a_promoted_logo_stays_in_its_namespace(
        letter in any::<bool>(),
        id in "[a-f0-9-]{1,36}",
        ext in prop::sample::select(vec!["png", "svg"]),
        slug in ".{0,30}",
    ) {
        let dir = if letter { "letters/static/images/letter-template/" } else { "" };
        let temp = ObjectKey::new(format!("{dir}temp-{id}.{ext}")).unwrap();
        if let Some(permanent) = permanent_logo_key(&temp, Some(&slug)) {
            let rest = permanent.as_str().strip_prefix(dir).unwrap();
            prop_assert!(!rest.contains('/'), "{}", permanent);
            prop_assert!(!rest.starts_with("temp-") || id.starts_with("temp-"));
        }
    }
}
