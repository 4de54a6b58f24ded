//! Byte-for-byte agreement with botocore: the generator (`tests/scripts/botocore_vectors.py`)
//! runs botocore with a frozen clock over a matrix of buckets, keys, methods, addressing
//! styles, regions, endpoints and session tokens; every case is recomputed here.

use std::collections::BTreeSet;

use base64::Engine as _;
use serde_json::Value;
use uploadkit_core::clock::parse_rfc3339;
use uploadkit_core::credentials::Credentials;
use uploadkit_core::s3::{
    BucketName, Condition, CustomEndpoint, Encryption, KeyRule, ObjectKey, PostPolicy,
    PresignExtras, S3Target, presign_url, presign_url_with, sign_policy,
};
use uploadkit_core::sigv4::Signer;
use uploadkit_tests::run_python;

struct Doc {
    json: Value,
}

impl Doc {
    fn load() -> Self {
        let json: Value = serde_json::from_str(&run_python("botocore_vectors.py")).unwrap();
        println!("botocore {}", json["botocore_version"]);
        Self { json }
    }

    fn signer(&self, token: &Value) -> Signer {
        let creds = Credentials::new(
            self.json["access_key"].as_str().unwrap(),
            self.json["secret_key"].as_str().unwrap(),
            token.as_str().map(str::to_owned),
            None,
        )
        .unwrap();
        Signer::new(creds)
    }
}

fn target(case: &Value) -> S3Target {
    S3Target {
        region: case["region"].as_str().unwrap().to_owned(),
        endpoint: case["endpoint"]
            .as_str()
            .map(|e| CustomEndpoint::parse(e).unwrap()),
        addressing: case["addressing"]
            .as_str()
            .unwrap_or("auto")
            .parse()
            .unwrap(),
    }
}

#[test]
fn presigned_urls_match_botocore() {
    let doc = Doc::load();
    let now = parse_rfc3339(doc.json["now"].as_str().unwrap()).unwrap();
    let cases = doc.json["url_cases"].as_array().unwrap();
    let mut failures = Vec::new();
    for case in cases {
        let signer = doc.signer(&case["token"]);
        let got = presign_url(
            &signer,
            &target(case),
            &BucketName::new(case["bucket"].as_str().unwrap()).unwrap(),
            &ObjectKey::new(case["key"].as_str().unwrap()).unwrap(),
            case["method"].as_str().unwrap().parse().unwrap(),
            u32::try_from(case["expires"].as_u64().unwrap()).unwrap(),
            now,
        )
        .unwrap();
        // Byte for byte, query order included.
        if got.url != case["url"].as_str().unwrap() {
            failures.push(format!(
                "{case}\n  got  {}\n  want {}",
                got.url, case["url"]
            ));
        }
    }
    println!(
        "presigned URLs: {} cases, {} disagree with botocore",
        cases.len(),
        failures.len()
    );
    assert!(cases.len() > 500);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn presigned_url_extras_match_botocore_byte_for_byte() {
    let doc = Doc::load();
    let now = parse_rfc3339(doc.json["now"].as_str().unwrap()).unwrap();
    let cases = doc.json["extra_cases"].as_array().unwrap();
    let mut failures = Vec::new();
    for case in cases {
        let params = &case["params"];
        let text = |name: &str| params[name].as_str();
        let encryption = match (text("ServerSideEncryption"), text("SSEKMSKeyId")) {
            (Some("aws:kms"), Some(key)) => Some(Encryption::Kms(key)),
            (Some("AES256"), None) => Some(Encryption::Aes256),
            (None, None) => None,
            other => panic!("unexpected {other:?}"),
        };
        let extras = PresignExtras {
            response_content_disposition: text("ResponseContentDisposition"),
            response_content_type: text("ResponseContentType"),
            response_cache_control: text("ResponseCacheControl"),
            version_id: text("VersionId"),
            checksum_sha256: text("ChecksumSHA256"),
            encryption,
        };
        let got = presign_url_with(
            &doc.signer(&case["token"]),
            &target(case),
            &BucketName::new(case["bucket"].as_str().unwrap()).unwrap(),
            &ObjectKey::new(case["key"].as_str().unwrap()).unwrap(),
            case["method"].as_str().unwrap().parse().unwrap(),
            &extras,
            u32::try_from(case["expires"].as_u64().unwrap()).unwrap(),
            now,
        )
        .unwrap();
        // Byte for byte, query order included.
        if got.url != case["url"].as_str().unwrap() {
            failures.push(format!("{case}\n  got  {}", got.url));
        }
        // Whatever is signed as a header is handed back to send.
        let signed = got.url.split("X-Amz-SignedHeaders=").nth(1).unwrap();
        let signed = signed.split('&').next().unwrap().replace("%3B", ";");
        let mut names: Vec<&str> = got.headers.iter().map(|(k, _)| k.as_str()).collect();
        names.push("host");
        names.sort_unstable();
        assert_eq!(names.join(";"), signed, "{case}");
    }
    println!(
        "presigned URL extras: {} cases, {} disagree with botocore",
        cases.len(),
        failures.len()
    );
    assert!(cases.len() > 100);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn condition_set(policy_json: &Value) -> BTreeSet<String> {
    policy_json["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(Value::to_string)
        .collect()
}

fn decode_policy(b64: &str) -> Value {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[test]
fn post_policies_match_botocore() {
    let doc = Doc::load();
    let now = parse_rfc3339(doc.json["now"].as_str().unwrap()).unwrap();
    let cases = doc.json["post_cases"].as_array().unwrap();
    for case in cases {
        let signer = doc.signer(&case["token"]);
        let theirs = &case["botocore_fields"];
        let their_policy = theirs["policy"].as_str().unwrap();

        // 1. The kit signs botocore's own policy bytes to botocore's signature.
        let region = case["region"].as_str().unwrap();
        assert_eq!(
            sign_policy(&signer, region, now, their_policy),
            theirs["x-amz-signature"].as_str().unwrap(),
            "{case}"
        );

        // 2. The kit's own form: same URL, same fields, same set of conditions.
        let key = case["key"].as_str().unwrap();
        let rule = match key.strip_suffix("${filename}") {
            Some(prefix) => KeyRule::Prefix(prefix.to_owned()),
            None => KeyRule::Exact(ObjectKey::new(key).unwrap()),
        };
        let mut policy = PostPolicy::new(
            BucketName::new(case["bucket"].as_str().unwrap()).unwrap(),
            rule,
        )
        .expires_in(u32::try_from(case["expires"].as_u64().unwrap()).unwrap());
        for field in case["fields"].as_array().unwrap() {
            policy = policy
                .field(field[0].as_str().unwrap(), field[1].as_str().unwrap())
                .unwrap();
        }
        let range = &case["content_length"];
        policy = policy.condition(Condition::ContentLengthRange {
            min: range[0].as_u64().unwrap(),
            max: range[1].as_u64().unwrap(),
        });
        let ours = policy.sign(&signer, &target(case), now).unwrap();
        assert_eq!(ours.url, case["url"].as_str().unwrap(), "{case}");

        let strip = |pairs: Vec<(String, String)>| -> BTreeSet<(String, String)> {
            pairs
                .into_iter()
                .filter(|(k, _)| k != "policy" && k != "x-amz-signature")
                .collect()
        };
        let their_fields: Vec<(String, String)> = theirs
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect();
        assert_eq!(strip(ours.fields.clone()), strip(their_fields), "{case}");

        let our_policy: Value = serde_json::from_str(&ours.policy).unwrap();
        let their_policy = decode_policy(their_policy);
        assert_eq!(
            our_policy["expiration"], their_policy["expiration"],
            "{case}"
        );
        assert_eq!(
            condition_set(&our_policy),
            condition_set(&their_policy),
            "{case}"
        );
        let our_b64 = &ours.fields.iter().find(|(k, _)| k == "policy").unwrap().1;
        assert_eq!(decode_policy(our_b64), our_policy);
    }
    println!("POST policies: {} cases agree with botocore", cases.len());
    assert!(cases.len() >= 100);
}
