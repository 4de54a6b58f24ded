use super::*;
use crate::s3::ObjectKey;

const SERVICE: &str = "4d1f3b7e-9c2a-4f6e-8b1d-2a3c4e5f6a7b";
const UPLOAD: &str = "0b8c0f5e-1d2e-4c3b-9a8f-7e6d5c4b3a29";

fn request(kind: UploadKind, name: &str, size: u64) -> UploadRequest {
    UploadRequest {
        kind,
        service_id: Some(ServiceId::parse(SERVICE).unwrap()),
        upload_id: UploadId::parse(UPLOAD).unwrap(),
        file_name: FileName::parse(name).unwrap(),
        size,
        content_type: None,
    }
}

fn plan(req: &UploadRequest) -> Result<UploadPlan, UploadError> {
    UploadPlan::new(&Catalogue::from_env(|_| None, None).unwrap(), req)
}

fn field<'a>(plan: &'a UploadPlan, name: &str) -> Option<&'a str> {
    plan.policy
        .fields()
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn nine_buckets_with_both_default_sets() {
    let local = Catalogue::from_env(|_| None, None).unwrap();
    let dev = Catalogue::from_env(
        |k| (k == "UPLOADKIT_ENVIRONMENT").then(|| "development".into()),
        None,
    )
    .unwrap();
    assert_eq!(local.buckets().count(), 9);
    let mut vars: Vec<_> = Bucket::ALL.iter().map(|b| b.env_var()).collect();
    vars.dedup();
    assert_eq!(vars.len(), 9);
    assert_eq!(
        local.name(Bucket::CsvUpload).as_str(),
        "local-notifications-csv-upload"
    );
    assert_eq!(
        dev.name(Bucket::PrecompiledOriginalsBackupLetters).as_str(),
        "development-letters-precompiled-originals-backup"
    );
    assert_eq!(dev.name(Bucket::Logo).as_str(), "public-logos-tools");
    assert_eq!(local.logo_cdn_domain(), "static-logos.notify.tools");
}

#[test]
fn bad_configuration_names_the_variable() {
    let err = Catalogue::from_env(
        |k| (k == "S3_BUCKET_LOGO_UPLOAD").then(|| "Bad_Name".into()),
        None,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("S3_BUCKET_LOGO_UPLOAD: invalid bucket name"),
        "{err}"
    );
    let cat = Catalogue::from_env(|_| None, Some("eu-west-2".into())).unwrap();
    assert_eq!(cat.region(), "eu-west-2");
    let err = cat.find("nope").unwrap_err().to_string();
    assert!(
        err.contains("unknown bucket \"nope\"")
            && err.contains("csv-upload (local-notifications-csv-upload)"),
        "{err}"
    );
    assert_eq!(cat.find("local-mou").unwrap().0, Bucket::Mou);
    assert_eq!(cat.find("mou").unwrap().0, Bucket::Mou);
}

#[test]
fn csv_key_layout_encryption_and_metadata() {
    let p = plan(&request(UploadKind::Csv, "Recipients – final.csv", 100)).unwrap();
    assert_eq!(
        p.key.as_str(),
        format!("service-{SERVICE}-notify/{UPLOAD}.csv")
    );
    assert_eq!(field(&p, "x-amz-server-side-encryption"), Some("AES256"));
    assert_eq!(
        field(&p, "x-amz-meta-original_file_name"),
        Some("Recipients - final.csv")
    );
    assert_eq!(field(&p, "Content-Type"), Some("text/csv"));
    // A workbook is uploaded as the CSV text the app makes of it: the same key and type, its own
    // name in the metadata, downgraded as the app downgrades it (no downgrade: `?`).
    let workbook = plan(&request(UploadKind::Csv, "Bénéficiaires 北.xlsx", 100)).unwrap();
    assert_eq!(
        workbook.key.as_str(),
        format!("service-{SERVICE}-notify/{UPLOAD}.csv")
    );
    assert_eq!(field(&workbook, "Content-Type"), Some("text/csv"));
    assert_eq!(
        field(&workbook, "x-amz-meta-original_file_name"),
        Some("Beneficiaires ?.xlsx")
    );
    assert!(plan(&request(UploadKind::Csv, "notes.txt", 100)).is_err());
    assert_eq!(field(&p, "tagging"), None);
    let contact = plan(&request(UploadKind::ContactList, "list.csv", 100)).unwrap();
    assert_eq!(contact.bucket.as_str(), "local-contact-list");
}

#[test]
fn temporary_logos_are_tagged() {
    let email = plan(&request(UploadKind::EmailLogo, "logo.PNG", 100)).unwrap();
    assert_eq!(email.key.as_str(), format!("temp-{UPLOAD}.png"));
    assert_eq!(email.bucket.as_str(), "public-logos-local");
    assert_eq!(
        field(&email, "tagging"),
        Some(tagging_xml(&[("delete-after-7-days", "True")]).as_str())
    );
    let letter = plan(&request(UploadKind::LetterLogo, "crest.svg", 100)).unwrap();
    assert_eq!(
        letter.key.as_str(),
        format!("letters/static/images/letter-template/temp-{UPLOAD}.svg")
    );
    assert_eq!(field(&letter, "Content-Type"), Some("image/svg+xml"));
}

#[test]
fn limits_and_types_use_the_apps_messages() {
    let too_big = plan(&request(UploadKind::Csv, "a.csv", 10 * 1024 * 1024 + 1)).unwrap_err();
    assert!(
        too_big
            .to_string()
            .starts_with("The file must be smaller than 10MB (the limit is 10485760 bytes"),
        "{too_big}"
    );
    assert!(plan(&request(UploadKind::Csv, "a.csv", 10 * 1024 * 1024)).is_ok());
    let logo = plan(&request(
        UploadKind::EmailLogo,
        "a.png",
        2 * 1024 * 1024 + 1,
    ))
    .unwrap_err();
    assert!(
        logo.to_string()
            .starts_with("The file must be smaller than 2MB")
    );
    assert_eq!(
        plan(&request(UploadKind::Letter, "a.pdf", 0)).unwrap_err(),
        UploadError::Empty
    );
    let wrong = plan(&request(UploadKind::EmailLogo, "a.jpg", 10)).unwrap_err();
    assert!(wrong.to_string().starts_with("Logo must be a PNG file"));
    let svg = plan(&request(UploadKind::LetterLogo, "a.png", 10)).unwrap_err();
    assert!(svg.to_string().starts_with("Branding must be an SVG file"));
    let mut declared = request(UploadKind::EmailLogo, "a.png", 10);
    declared.content_type = Some("text/html".into());
    assert!(matches!(
        plan(&declared),
        Err(UploadError::ContentTypeMismatch { .. })
    ));
}

#[test]
fn template_email_files_follow_the_apps_name_rules() {
    let ok = plan(&request(UploadKind::TemplateEmailFile, "terms.docx", 10)).unwrap();
    assert_eq!(ok.key.as_str(), format!("{SERVICE}/{UPLOAD}"));
    assert!(
        plan(&request(
            UploadKind::TemplateEmailFile,
            "terms (v2).pdf",
            10
        ))
        .is_err()
    );
    let long = format!("{}.txt", "a".repeat(97));
    assert!(plan(&request(UploadKind::TemplateEmailFile, &long, 10)).is_err());
    assert!(plan(&request(UploadKind::TemplateEmailFile, "x.exe", 10)).is_err());
}

#[test]
fn a_service_id_is_required_where_the_key_holds_one() {
    let mut req = request(UploadKind::LetterAttachment, "a.pdf", 10);
    req.service_id = None;
    assert_eq!(
        plan(&req).unwrap_err(),
        UploadError::MissingServiceId(UploadKind::LetterAttachment)
    );
    req.kind = UploadKind::EmailLogo;
    req.file_name = FileName::parse("a.png").unwrap();
    assert!(plan(&req).is_ok());
}

#[test]
fn ids_and_names_are_validated() {
    assert!(ServiceId::parse("not-a-uuid").is_err());
    assert!(ServiceId::parse("4d1f3b7e9c2a4f6e8b1d2a3c4e5f6a7b").is_err());
    for bad in ["", "a/b.csv", "..", "a\u{0}.csv", "x.", ".csv"] {
        assert!(FileName::parse(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn permanent_logo_names() {
    let k = |s: &str| ObjectKey::new(s).unwrap();
    assert_eq!(
        permanent_logo_key(&k("temp-abc.png"), None)
            .unwrap()
            .as_str(),
        "abc.png"
    );
    assert_eq!(
        permanent_logo_key(&k("temp-abc.png"), Some("dfe"))
            .unwrap()
            .as_str(),
        "abc-dfe.png"
    );
    assert!(permanent_logo_key(&k("abc.png"), None).is_none());
    assert!(permanent_logo_key(&k("other/temp-abc.png"), None).is_none());
}

#[test]
fn downloads() {
    assert_eq!(Download::CrownMou.key().as_str(), "crown.pdf");
    assert_eq!(Download::NonCrownMou.bucket(), Bucket::Mou);
}

#[test]
fn a_bucket_with_a_kms_key_gets_sse_kms_forms_and_the_others_aes256() {
    let env = |k: &str| {
        (k == "S3_BUCKET_CSV_UPLOAD_KMS_KEY_ID")
            .then(|| "arn:aws:kms:eu-west-1:123456789012:key/abc".to_owned())
    };
    let catalogue = Catalogue::from_env(env, None).unwrap();
    let csv = UploadPlan::new(&catalogue, &request(UploadKind::Csv, "a.csv", 10)).unwrap();
    assert_eq!(field(&csv, "x-amz-server-side-encryption"), Some("aws:kms"));
    assert_eq!(
        field(&csv, "x-amz-server-side-encryption-aws-kms-key-id"),
        Some("arn:aws:kms:eu-west-1:123456789012:key/abc")
    );
    let logo = UploadPlan::new(&catalogue, &request(UploadKind::EmailLogo, "a.png", 10)).unwrap();
    assert_eq!(field(&logo, "x-amz-server-side-encryption"), Some("AES256"));
    assert_eq!(
        field(&logo, "x-amz-server-side-encryption-aws-kms-key-id"),
        None
    );
}
