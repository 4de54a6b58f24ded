//! Bucket provisioning, temporary → permanent logos, and S3's errors as messages with the fix,
//! against SeaweedFS. What SeaweedFS does not support is reported by the step, and checked to
//! be reported rather than silently skipped.

use uploadkit_core::catalogue::{Catalogue, TEMPORARY_TAG};
use uploadkit_core::credentials::Credentials;
use uploadkit_core::s3::{AddressingStyle, BucketName, CustomEndpoint, ObjectKey, S3Target};
use uploadkit_core::sigv4::Signer;
use uploadkit_server::s3ops::{S3Error, S3Ops, StepResult};
use uploadkit_tests::s3client::REGION;
use uploadkit_tests::seaweedfs::{ACCESS_KEY, SECRET_KEY, Seaweed};

const ORIGIN: &str = "https://admin.example.gov.uk";

fn ops(server: &Seaweed, secret: &str) -> S3Ops {
    let target = S3Target {
        region: REGION.into(),
        endpoint: Some(CustomEndpoint::parse(&server.endpoint()).unwrap()),
        addressing: AddressingStyle::Path,
    };
    S3Ops::new(
        target,
        Signer::new(Credentials::new(ACCESS_KEY, secret, None, None).unwrap()),
    )
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn provisioning_is_idempotent_and_reports_every_step() {
    let server = Seaweed::start();
    let ops = ops(&server, SECRET_KEY);
    let rt = runtime();
    let catalogue = Catalogue::from_env(|_| None, None).unwrap();
    for round in 0..2 {
        for (bucket, name) in catalogue.buckets() {
            let steps = rt
                .block_on(ops.provision(name, &[ORIGIN.to_owned()]))
                .unwrap();
            let names: Vec<&str> = steps.iter().map(|(s, _)| *s).collect();
            assert_eq!(names.len(), 4, "{names:?}");
            let expected = if round == 0 {
                StepResult::Applied
            } else {
                StepResult::Unchanged
            };
            assert_eq!(steps[0].1, expected, "{bucket}: bucket step, round {round}");
            for (step, result) in &steps[1..] {
                println!("round {round} {bucket} {step}: {result}");
                let sub = match *step {
                    s if s.starts_with("default encryption") => "encryption",
                    s if s.starts_with("lifecycle") => "lifecycle",
                    _ => "cors",
                };
                let stored = server
                    .client()
                    .send("GET", name.as_str(), "", &[(sub, "")], &[], b"");
                let status = stored.status().as_u16();
                let text = stored.text().unwrap();
                match result {
                    // Applied: the server hands the configuration back.
                    StepResult::Applied => {
                        let marker = match sub {
                            "encryption" => "AES256",
                            "lifecycle" => TEMPORARY_TAG.0,
                            _ => ORIGIN,
                        };
                        assert!(
                            status == 200 && text.contains(marker),
                            "{bucket} {sub}: applied but GET says {status} {text}"
                        );
                    }
                    StepResult::NotSupported(why) => assert!(!why.is_empty()),
                    StepResult::Unchanged => panic!("configuration steps always apply"),
                }
            }
        }
    }
    assert_eq!(
        server
            .client()
            .send("HEAD", "public-logos-local", "", &[], &[], b"")
            .status()
            .as_u16(),
        200
    );
}

#[test]
fn a_temporary_logo_becomes_permanent_without_its_tag_and_never_overwrites() {
    let server = Seaweed::start();
    let client = server.client();
    client.create_bucket("public-logos-local");
    let tag = format!("{}={}", TEMPORARY_TAG.0, TEMPORARY_TAG.1);
    let png = logo_png(200, 120);
    let png = png.as_slice();
    for (key, body) in [
        ("temp-abc.png", png),
        (
            "letters/static/images/letter-template/temp-def.svg",
            LETTER_SVG.as_bytes(),
        ),
    ] {
        let put = client.send(
            "PUT",
            "public-logos-local",
            key,
            &[],
            &[("x-amz-tagging", tag.as_str())],
            body,
        );
        assert_eq!(put.status().as_u16(), 200);
        assert!(
            client
                .tags("public-logos-local", key)
                .contains(TEMPORARY_TAG.0),
            "the temporary logo is tagged"
        );
    }
    let ops = ops(&server, SECRET_KEY);
    let rt = runtime();
    let bucket = BucketName::new("public-logos-local").unwrap();
    let key = |k: &str| ObjectKey::new(k).unwrap();

    let permanent = rt
        .block_on(ops.promote_logo(&bucket, &key("temp-abc.png"), Some("hmrc")))
        .unwrap();
    assert_eq!(permanent.as_str(), "abc-hmrc.png");
    assert_eq!(
        client.get("public-logos-local", "abc-hmrc.png").as_deref(),
        Some(png)
    );
    assert!(
        !client
            .tags("public-logos-local", "abc-hmrc.png")
            .contains(TEMPORARY_TAG.0),
        "the tag is dropped"
    );

    let letter = rt
        .block_on(ops.promote_logo(
            &bucket,
            &key("letters/static/images/letter-template/temp-def.svg"),
            None,
        ))
        .unwrap();
    assert_eq!(
        letter.as_str(),
        "letters/static/images/letter-template/def.svg"
    );

    let again = rt
        .block_on(ops.promote_logo(&bucket, &key("temp-abc.png"), Some("hmrc")))
        .unwrap_err();
    assert_eq!(again, S3Error::WouldOverwrite("abc-hmrc.png".into()));
    assert!(again.to_string().contains("never overwritten"));
    assert_eq!(
        rt.block_on(ops.promote_logo(&bucket, &key("abc.png"), None))
            .unwrap_err(),
        S3Error::NotTemporary("abc.png".into())
    );
}

const LETTER_SVG: &str =
    r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><path d="M0 0h10v10z"/></svg>"#;

fn logo_png(width: u32, height: u32) -> Vec<u8> {
    uploadkit_tests::png(width, height)
}

#[test]
fn promotion_checks_the_bytes_and_makes_nothing_permanent_when_they_fail() {
    let server = Seaweed::start();
    let client = server.client();
    client.create_bucket("public-logos-local");
    let ops = ops(&server, SECRET_KEY);
    let rt = runtime();
    let bucket = BucketName::new("public-logos-local").unwrap();
    let letters = "letters/static/images/letter-template/";
    let mut truncated = logo_png(200, 120);
    truncated.truncate(truncated.len() - 20);
    let cases: Vec<(String, Vec<u8>, &str)> = vec![
        (
            "temp-html.png".into(),
            b"<html><script>alert(document.cookie)</script></html>".to_vec(),
            "Logo must be a PNG file",
        ),
        (
            "temp-svg.png".into(),
            LETTER_SVG.as_bytes().to_vec(),
            "Logo must be a PNG file",
        ),
        (
            "temp-short.png".into(),
            logo_png(200, 50),
            "Logo must be at least 108 pixels high",
        ),
        (
            "temp-truncated.png".into(),
            truncated,
            "Notify cannot read this file",
        ),
        (
            "temp-big.png".into(),
            [logo_png(200, 120), vec![0; 2 * 1024 * 1024]].concat(),
            "smaller than 2MB",
        ),
        (
            format!("{letters}temp-script.svg"),
            br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#.to_vec(),
            "a script",
        ),
        (
            format!("{letters}temp-smil.svg"),
            br#"<svg xmlns="http://www.w3.org/2000/svg"><a><set attributeName="href" to="&#106;avascript:alert(1)"/></a></svg>"#.to_vec(),
            "not allowed in a logo",
        ),
        (
            format!("{letters}temp-png.svg"),
            logo_png(200, 120),
            "Branding must be an SVG file",
        ),
        (
            format!("{letters}temp-text.svg"),
            br#"<svg xmlns="http://www.w3.org/2000/svg"><text>HMRC</text></svg>"#.to_vec(),
            "text which has not been converted to paths",
        ),
    ];
    for (temp, body, why) in &cases {
        let put = client.send("PUT", "public-logos-local", temp, &[], &[], body);
        assert_eq!(put.status().as_u16(), 200);
        let err = rt
            .block_on(ops.promote_logo(&bucket, &ObjectKey::new(temp.as_str()).unwrap(), None))
            .unwrap_err();
        assert!(
            matches!(err, S3Error::LogoRefused { .. }) && err.to_string().contains(why),
            "{temp}: {err}"
        );
        let permanent = temp.replace("temp-", "");
        assert_eq!(
            client.head("public-logos-local", &permanent).0,
            404,
            "{temp}: nothing permanent"
        );
        assert_eq!(
            client.get("public-logos-local", temp).as_deref(),
            Some(body.as_slice()),
            "{temp}: the temporary object is untouched"
        );
    }
}

#[test]
fn s3_errors_say_what_to_do() {
    let server = Seaweed::start();
    let rt = runtime();
    let missing = BucketName::new("no-such-bucket-here").unwrap();
    let err = rt
        .block_on(ops(&server, SECRET_KEY).promote_logo(
            &missing,
            &ObjectKey::new("temp-x.png").unwrap(),
            None,
        ))
        .unwrap_err();
    assert!(matches!(err, S3Error::NoSuchBucket { .. }), "{err}");
    assert!(err.to_string().contains("uploadkit provision"), "{err}");

    let wrong = ops(&server, "not-the-secret");
    let err = rt
        .block_on(wrong.provision(&BucketName::new("any-bucket-name").unwrap(), &[]))
        .unwrap_err();
    assert!(
        matches!(
            err,
            S3Error::BadCredentials { .. } | S3Error::AccessDenied { .. }
        ),
        "{err}"
    );
    assert!(
        err.to_string().contains(ACCESS_KEY) || err.to_string().contains("check the access key"),
        "{err}"
    );
    assert!(!err.to_string().contains("not-the-secret"));
}
