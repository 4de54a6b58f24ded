//! The promotion state machine, fed S3's answers by hand: every path through it.

use uploadkit_core::s3::{BucketName, ObjectKey, S3Target};

use crate::promote::{PromoteError, Promotion, S3Reply, Step, begin, is_promotion};

use super::*;

fn png(width: u32, height: u32) -> Vec<u8> {
    // A minimal grey PNG, encoded by hand: IHDR, one zlib-stored IDAT, IEND.
    let crc = |data: &[u8]| {
        let mut c = 0xFFFF_FFFFu32;
        for &b in data {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 == 1 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    };
    let chunk = |kind: &[u8], data: &[u8]| {
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        let body = [kind, data].concat();
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc(&body).to_be_bytes());
        out
    };
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    let raw: Vec<u8> = (0..height)
        .flat_map(|_| std::iter::once(0).chain(std::iter::repeat_n(128u8, width as usize)))
        .collect();
    // zlib, stored blocks of at most 65535 bytes, Adler-32 at the end.
    let mut z = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        z.push(u8::from(i == blocks.len() - 1));
        let len = block.len() as u16;
        z.extend_from_slice(&len.to_le_bytes());
        z.extend_from_slice(&(!len).to_le_bytes());
        z.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in &raw {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    z.extend_from_slice(&((b << 16) | a).to_be_bytes());
    [
        b"\x89PNG\r\n\x1a\n".to_vec(),
        chunk(b"IHDR", &ihdr),
        chunk(b"IDAT", &z),
        chunk(b"IEND", b""),
    ]
    .concat()
}

fn reply(status: u16, body: &[u8]) -> S3Reply {
    S3Reply {
        status,
        headers: vec![],
        body: body.to_vec(),
    }
}

fn run(temp: &str, replies: &[S3Reply]) -> (Result<ObjectKey, PromoteError>, Vec<String>) {
    let signer = Signer::new(Credentials::new("AKID", "SECRET", None, None).unwrap());
    let target = S3Target::aws("eu-west-1");
    let mut promotion = Promotion::new(
        BucketName::new("public-logos-local").unwrap(),
        &ObjectKey::new(temp).unwrap(),
        Some("HM Revenue"),
    )
    .unwrap();
    let mut sent = Vec::new();
    let mut step = promotion.start(&signer, &target, now());
    let mut replies = replies.iter();
    loop {
        match step {
            Step::Done(result) => return (result, sent),
            Step::Send {
                method, request, ..
            } => {
                let copy = request
                    .headers
                    .iter()
                    .find(|(k, _)| k == "x-amz-copy-source")
                    .map(|(_, v)| format!(" from {v}"))
                    .unwrap_or_default();
                sent.push(format!("{method} {}{copy}", request.url));
                let reply = replies.next().expect("a reply for every request");
                step = promotion.next(reply, &signer, &target, now());
            }
        }
    }
}

const BASE: &str = "https://public-logos-local.s3.amazonaws.com";

#[test]
fn a_good_logo_is_checked_then_copied() {
    let (result, sent) = run(
        "temp-abc.png",
        &[
            reply(404, b""),
            reply(200, &png(200, 120)),
            reply(200, b"<CopyObjectResult/>"),
            reply(200, NO_TAGS),
        ],
    );
    assert_eq!(result.unwrap().as_str(), "abc-hm-revenue.png");
    assert_eq!(
        sent,
        [
            format!("HEAD {BASE}/abc-hm-revenue.png"),
            format!("GET {BASE}/temp-abc.png"),
            format!("PUT {BASE}/abc-hm-revenue.png from /public-logos-local/temp-abc.png"),
            format!("GET {BASE}/abc-hm-revenue.png?tagging="),
        ]
    );
}

const NO_TAGS: &[u8] = b"<Tagging><TagSet/></Tagging>";
const STILL_TAGGED: &[u8] =
    b"<Tagging><TagSet><Tag><Key>delete-after-7-days</Key><Value>True</Value></Tag></TagSet></Tagging>";

fn copied_then(tag_replies: &[S3Reply]) -> (Result<ObjectKey, PromoteError>, Vec<String>) {
    let mut replies = vec![
        reply(404, b""),
        reply(200, &png(200, 120)),
        reply(200, b"<CopyObjectResult/>"),
    ];
    replies.extend_from_slice(tag_replies);
    run("temp-abc.png", &replies)
}

#[test]
fn a_deletion_tag_the_copy_kept_is_removed_and_checked_gone() {
    // A server that ignores x-amz-tagging-directive: the copy keeps the temporary tag.
    let (result, sent) = copied_then(&[
        reply(200, STILL_TAGGED),
        reply(204, b""),
        reply(200, NO_TAGS),
    ]);
    assert_eq!(result.unwrap().as_str(), "abc-hm-revenue.png");
    assert_eq!(
        sent[3..],
        [
            format!("GET {BASE}/abc-hm-revenue.png?tagging="),
            format!("DELETE {BASE}/abc-hm-revenue.png?tagging="),
            format!("GET {BASE}/abc-hm-revenue.png?tagging="),
        ]
    );
    // Other tags stay: only the deletion tag is taken off.
    let both = b"<Tagging><TagSet><Tag><Key>team</Key><Value>a&amp;b</Value></Tag><Tag><Key>delete-after-7-days</Key><Value>True</Value></Tag></TagSet></Tagging>";
    let (result, sent) = copied_then(&[reply(200, both), reply(200, b""), reply(200, NO_TAGS)]);
    assert!(result.is_ok());
    assert_eq!(sent[4], format!("PUT {BASE}/abc-hm-revenue.png?tagging="));
    // The tag is still there after the removal: never reported as done.
    let (result, _) = copied_then(&[
        reply(200, STILL_TAGGED),
        reply(204, b""),
        reply(200, STILL_TAGGED),
    ]);
    let err = result.unwrap_err();
    assert!(matches!(err, PromoteError::StillTagged(_)), "{err}");
    assert!(err.to_string().contains("delete-object-tagging"), "{err}");
    // Refused removal or unreadable tags are errors; a server without tagging has none.
    let denied = reply(403, b"<Error><Code>AccessDenied</Code></Error>");
    assert!(
        copied_then(&[reply(200, STILL_TAGGED), denied.clone()])
            .0
            .is_err()
    );
    assert!(copied_then(&[denied]).0.is_err());
    assert!(
        copied_then(&[reply(501, b"<Error><Code>NotImplemented</Code></Error>")])
            .0
            .is_ok()
    );
}

#[test]
fn every_refusal_stops_before_the_copy() {
    let html = b"<html><script>alert(1)</script></html>";
    let cases: Vec<(&str, Vec<S3Reply>, &str)> = vec![
        ("temp-abc.png", vec![reply(200, b"")], "exists already"),
        (
            "temp-abc.png",
            vec![reply(404, b""), reply(404, b"")],
            "no temporary logo",
        ),
        (
            "temp-abc.png",
            vec![reply(404, b""), reply(200, html)],
            "Logo must be a PNG file",
        ),
        (
            "temp-abc.png",
            vec![reply(404, b""), reply(200, &png(200, 50))],
            "at least 108 pixels high",
        ),
        (
            "letters/static/images/letter-template/temp-abc.svg",
            vec![
                reply(404, b""),
                reply(
                    200,
                    b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
                ),
            ],
            "a script",
        ),
        (
            "letters/static/images/letter-template/temp-abc.svg",
            vec![reply(404, b""), reply(200, &png(200, 120))],
            "Branding must be an SVG file",
        ),
        (
            "temp-abc.png",
            vec![reply(
                403,
                b"<Error><Code>AccessDenied</Code><Message>no</Message></Error>",
            )],
            "AccessDenied",
        ),
    ];
    for (temp, replies, says) in cases {
        let (result, sent) = run(temp, &replies);
        let error = result.unwrap_err();
        assert!(error.to_string().contains(says), "{temp}: {error}");
        assert!(
            !sent.iter().any(|s| s.starts_with("PUT")),
            "{temp}: {sent:?}"
        );
    }
    // A copy that fails inside a 200.
    let (result, _) = run(
        "temp-abc.png",
        &[
            reply(404, b""),
            reply(200, &png(200, 120)),
            reply(
                200,
                b"<Error><Code>InternalError</Code><Message>try again</Message></Error>",
            ),
        ],
    );
    assert!(matches!(result, Err(PromoteError::S3 { ref code, .. }) if code == "InternalError"));
    // Over 2 MiB, by S3's Content-Range.
    let mut big = reply(206, &png(200, 120));
    big.headers
        .push(("content-range".into(), "bytes 0-2097152/5000000".into()));
    let (result, _) = run("temp-abc.png", &[reply(404, b""), big]);
    assert!(result.unwrap_err().to_string().contains("5000000 bytes"));
}

fn promote_request(token: Option<&str>, body: &str) -> ApiRequest {
    let mut headers = vec![];
    if let Some(t) = token {
        headers.push(("authorization".to_owned(), format!("Bearer {t}")));
    }
    ApiRequest {
        method: "POST".into(),
        path: "/v1/logos/promote".into(),
        headers,
        body: body.as_bytes().to_vec(),
    }
}

#[test]
fn the_route_needs_a_grant_for_the_logos_kind() {
    let email = grant(&[UploadKind::EmailLogo]);
    let req = promote_request(Some(&email), r#"{"key":"temp-abc.png","slug":"hmrc"}"#);
    assert!(is_promotion(&req));
    let promotion = begin(&config(), &req, now()).unwrap();
    assert_eq!(promotion.permanent().as_str(), "abc-hmrc.png");
    for (token, body, status, code) in [
        (None, r#"{"key":"temp-abc.png"}"#, 401, "grant_missing"),
        (
            Some(email.as_str()),
            r#"{"key":"letters/static/images/letter-template/temp-a.svg"}"#,
            403,
            "kind_not_granted",
        ),
        (
            Some(email.as_str()),
            r#"{"key":"abc.png"}"#,
            400,
            "invalid_field",
        ),
        (
            Some(email.as_str()),
            r#"{"key":"../temp-abc.png"}"#,
            400,
            "invalid_field",
        ),
        (Some(email.as_str()), r#"{}"#, 400, "invalid_field"),
    ] {
        let response = begin(&config(), &promote_request(token, body), now()).unwrap_err();
        let json: Value = serde_json::from_slice(&response.body).unwrap();
        assert_eq!(
            (response.status, json["error"].as_str()),
            (status, Some(code)),
            "{body}"
        );
    }
}

#[test]
fn a_logo_bucket_with_a_kms_key_copies_under_that_key() {
    let signer = Signer::new(Credentials::new("AKID", "SECRET", None, None).unwrap());
    let target = S3Target::aws("eu-west-1");
    let mut promotion = Promotion::new(
        BucketName::new("public-logos-local").unwrap(),
        &ObjectKey::new("temp-abc.png").unwrap(),
        None,
    )
    .unwrap()
    .encrypted_with(Some("alias/notify-logos"));
    promotion.start(&signer, &target, now());
    promotion.next(&reply(404, b""), &signer, &target, now());
    let Step::Send { request, .. } =
        promotion.next(&reply(200, &png(200, 120)), &signer, &target, now())
    else {
        panic!("expected the copy")
    };
    let header = |name: &str| {
        request
            .headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    assert!(header("x-amz-copy-source").is_some());
    assert_eq!(header("x-amz-server-side-encryption"), Some("aws:kms"));
    assert_eq!(
        header("x-amz-server-side-encryption-aws-kms-key-id"),
        Some("alias/notify-logos")
    );
}
