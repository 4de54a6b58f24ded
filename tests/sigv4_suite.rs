//! The AWS SigV4 test suite (`tests/vectors/sigv4-suite`), header and query variants: canonical
//! request, string to sign and signature must match byte for byte.

use std::fs;
use std::path::Path;

use serde_json::Value;
use uploadkit_core::clock::parse_rfc3339;
use uploadkit_core::credentials::Credentials;
use uploadkit_core::encode::percent_decode;
use uploadkit_core::sigv4::{
    Payload, SessionTokenMode, SignableRequest, Signer, SigningContext, SigningSettings,
    UriEncoding, canonical_uri, credential_scope, string_to_sign,
};
use uploadkit_tests::{raw_request, vectors_dir};

fn read(dir: &Path, name: &str) -> Option<String> {
    fs::read_to_string(dir.join(name)).ok()
}

struct Outcome {
    checked: usize,
    failures: Vec<String>,
}

fn check(outcome: &mut Outcome, case: &str, what: &str, got: &str, want: &str) {
    outcome.checked += 1;
    if got.trim_end() != want.trim_end() {
        outcome
            .failures
            .push(format!("{case} {what}:\n--- got\n{got}\n--- want\n{want}"));
    }
}

#[test]
fn whole_suite_header_and_query_variants() {
    let root = vectors_dir().join("sigv4-suite");
    let mut cases: Vec<_> = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert_eq!(cases.len(), 40, "the suite has 40 cases");
    let mut outcome = Outcome {
        checked: 0,
        failures: Vec::new(),
    };
    let mut signed_cases = 0;
    for dir in &cases {
        let case = dir.file_name().unwrap().to_string_lossy().into_owned();
        let raw = raw_request::parse(&read(dir, "request.txt").unwrap());
        let Some(context) = read(dir, "context.json") else {
            // Skipped as the suite's README allows: these two cases have no context.json
            // (no credentials, region or timestamp) and their request's X-Amz-Date disagrees
            // with the expected canonical request, so only the double-encoded canonical URI,
            // which is what they exist to test, is checked.
            let want = read(dir, "header-canonical-request.txt").unwrap();
            let want_uri = want.lines().nth(1).unwrap();
            let settings = SigningSettings {
                normalize_path: false,
                ..SigningSettings::STANDARD
            };
            check(
                &mut outcome,
                &case,
                "canonical uri",
                &canonical_uri(&raw.path, &settings),
                want_uri,
            );
            continue;
        };
        signed_cases += 1;
        let ctx: Value = serde_json::from_str(&context).unwrap();
        let c = &ctx["credentials"];
        let creds = Credentials::new(
            c["access_key_id"].as_str().unwrap(),
            c["secret_access_key"].as_str().unwrap(),
            c["token"].as_str().map(str::to_owned),
            None,
        )
        .unwrap();
        let settings = SigningSettings {
            uri_encoding: UriEncoding::Double,
            normalize_path: ctx["normalize"].as_bool().unwrap(),
            content_sha256_header: ctx["sign_body"].as_bool().unwrap(),
            session_token: if ctx["omit_session_token"].as_bool() == Some(true) {
                SessionTokenMode::AddedAfterSigning
            } else {
                SessionTokenMode::Signed
            },
        };
        let time = parse_rfc3339(ctx["timestamp"].as_str().unwrap()).unwrap();
        let region = ctx["region"].as_str().unwrap();
        let service = ctx["service"].as_str().unwrap();
        let sctx = SigningContext {
            region,
            service,
            time,
            settings,
        };
        // The suite's normalised cases were generated from the decoded path (its
        // `get-space-normalized` sends `/example%20space/` and expects `/example%20space/`);
        // botocore, given the same wire path, double-encodes it to `%2520`, as this signer does
        // (pinned in the core's unit tests). So normalised cases get their path decoded here.
        let path = if settings.normalize_path {
            percent_decode(&raw.path).unwrap()
        } else {
            raw.path.clone()
        };
        let request = SignableRequest {
            method: &raw.method,
            path: &path,
            query: raw
                .query
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect(),
            headers: raw
                .headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect(),
            payload: Payload::Bytes(&raw.body),
        };
        let signer = Signer::new(creds);
        let scope = credential_scope(&time.scope_date(), region, service);

        // Header variant.
        let canonical = signer.header_canonical_request(&request, &sctx);
        check(
            &mut outcome,
            &case,
            "header canonical request",
            &canonical,
            &read(dir, "header-canonical-request.txt").unwrap(),
        );
        let sts = string_to_sign(&time.amz_date(), &scope, &sha256(&canonical));
        check(
            &mut outcome,
            &case,
            "header string to sign",
            &sts,
            &read(dir, "header-string-to-sign.txt").unwrap(),
        );
        let signed = signer.sign_headers(&request, &sctx).unwrap();
        check(
            &mut outcome,
            &case,
            "header signature",
            &signed.signature,
            &read(dir, "header-signature.txt").unwrap(),
        );
        let want_auth = read(dir, "header-signed-request.txt")
            .unwrap()
            .lines()
            .find_map(|l| l.strip_prefix("Authorization:").map(str::to_owned))
            .unwrap();
        let got_auth = &signed
            .headers
            .iter()
            .find(|(k, _)| *k == "authorization")
            .unwrap()
            .1;
        check(
            &mut outcome,
            &case,
            "authorization header",
            got_auth,
            &want_auth,
        );

        // Query (presigned) variant.
        let expires = u32::try_from(ctx["expiration_in_seconds"].as_u64().unwrap()).unwrap();
        let canonical = signer
            .query_canonical_request(&request, &sctx, expires)
            .unwrap();
        check(
            &mut outcome,
            &case,
            "query canonical request",
            &canonical,
            &read(dir, "query-canonical-request.txt").unwrap(),
        );
        let sts = string_to_sign(&time.amz_date(), &scope, &sha256(&canonical));
        check(
            &mut outcome,
            &case,
            "query string to sign",
            &sts,
            &read(dir, "query-string-to-sign.txt").unwrap(),
        );
        let presigned = signer.presign(&request, &sctx, expires).unwrap();
        check(
            &mut outcome,
            &case,
            "query signature",
            &presigned.signature,
            &read(dir, "query-signature.txt").unwrap(),
        );
        let want_line = read(dir, "query-signed-request.txt").unwrap();
        let want_query = want_line.lines().next().unwrap().split_once('?').unwrap().1;
        let want_query = want_query.rsplit_once(" HTTP/").unwrap().0;
        check(
            &mut outcome,
            &case,
            "signed query parameters",
            &sorted_params(&presigned.query),
            &sorted_params(want_query),
        );
    }
    println!(
        "sigv4 suite: {signed_cases} signed cases, {} checks, {} failures",
        outcome.checked,
        outcome.failures.len()
    );
    assert!(
        outcome.failures.is_empty(),
        "{}",
        outcome.failures.join("\n\n")
    );
    assert_eq!(signed_cases, 38);
}

/// The query's parameters, decoded and sorted, one per line (the expected request lines mix
/// encoded and raw UTF-8).
fn sorted_params(query: &str) -> String {
    let mut v: Vec<String> = query
        .split('&')
        .map(|p| percent_decode(p).unwrap())
        .collect();
    v.sort_unstable();
    v.join("\n")
}

fn sha256(text: &str) -> [u8; 32] {
    // Hashed here, apart from the signer's streaming path, so the string-to-sign check does not
    // lean on the code under test.
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes()).into()
}
