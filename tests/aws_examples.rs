//! The worked examples of the Amazon S3 documentation (`tests/vectors/aws-examples`).

use std::fs;

use uploadkit_core::clock::{SigningTime, parse_rfc3339};
use uploadkit_core::credentials::Credentials;
use uploadkit_core::encode::hex;
use uploadkit_core::s3::{BucketName, Method, ObjectKey, S3Target, presign_url, sign_policy};
use uploadkit_core::sigv4::{
    Payload, SignableRequest, Signer, SigningContext, SigningSettings, derive_signing_key,
};
use uploadkit_tests::vectors_dir;

const AK: &str = "AKIAIOSFODNN7EXAMPLE";
const SK: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

fn signer() -> Signer {
    Signer::new(Credentials::new(AK, SK, None, None).unwrap())
}

fn at(text: &str) -> SigningTime {
    parse_rfc3339(text).unwrap()
}

#[test]
fn browser_post_policy_signature() {
    let policy = fs::read_to_string(vectors_dir().join("aws-examples/post-policy.base64")).unwrap();
    let policy = policy.trim();
    assert_eq!(
        hex(&derive_signing_key(SK, b"20151229", "us-east-1", "s3")),
        "cbcef1ebeaefc82cce6530b9f0a9ae598846065f5c5bae0674bd5ebc4ba52d28"
    );
    assert_eq!(
        sign_policy(&signer(), "us-east-1", at("2015-12-29T00:00:00Z"), policy),
        "8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e"
    );
}

#[test]
fn presigned_get_on_both_hosts() {
    let bucket = BucketName::new("examplebucket").unwrap();
    let key = ObjectKey::new("test.txt").unwrap();
    let now = at("2013-05-24T00:00:00Z");
    let signer = signer();

    // The documentation signs for the global host; botocore's `auto` style yields it.
    let global = S3Target::aws("us-east-1");
    let url = presign_url(&signer, &global, &bucket, &key, Method::Get, 86_400, now).unwrap();
    assert!(
        url.url
            .starts_with("https://examplebucket.s3.amazonaws.com/test.txt?"),
        "{}",
        url.url
    );
    assert!(url.url.ends_with(
        "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
    ));

    let ctx = SigningContext {
        region: "us-east-1",
        service: "s3",
        time: now,
        settings: SigningSettings::S3,
    };
    let request = SignableRequest {
        method: "GET",
        path: "/test.txt",
        query: vec![],
        headers: vec![("host", "examplebucket.s3.amazonaws.com")],
        payload: Payload::Unsigned,
    };
    let canonical = signer
        .query_canonical_request(&request, &ctx, 86_400)
        .unwrap();
    assert_eq!(
        canonical,
        "GET\n/test.txt\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\nhost:examplebucket.s3.amazonaws.com\n\nhost\nUNSIGNED-PAYLOAD"
    );

    // The host is signed: the regional host gives the documented second signature.
    let request = SignableRequest {
        headers: vec![("host", "examplebucket.s3.us-east-1.amazonaws.com")],
        ..request
    };
    let signed = signer.presign(&request, &ctx, 86_400).unwrap();
    assert_eq!(
        signed.signature,
        "762f4fcbacec730d460b0e337f554e569e4fe98643baefad7af1276fe3084e7f"
    );
}

#[test]
fn header_signed_requests() {
    let now = at("2013-05-24T00:00:00Z");
    let ctx = SigningContext {
        region: "us-east-1",
        service: "s3",
        time: now,
        settings: SigningSettings::S3,
    };
    let host = "examplebucket.s3.amazonaws.com";
    let signer = signer();
    let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    let req = |method, path, query, headers, payload| SignableRequest {
        method,
        path,
        query,
        headers,
        payload,
    };
    let cases = [
        (
            req(
                "GET",
                "/test.txt",
                vec![],
                vec![("host", host), ("range", "bytes=0-9")],
                Payload::Precomputed(empty),
            ),
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
        ),
        (
            req(
                "PUT",
                "/test%24file.text",
                vec![],
                vec![
                    ("host", host),
                    ("date", "Fri, 24 May 2013 00:00:00 GMT"),
                    ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
                ],
                Payload::Bytes(b"Welcome to Amazon S3."),
            ),
            "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
        ),
        (
            req(
                "GET",
                "/",
                vec![("lifecycle", "")],
                vec![("host", host)],
                Payload::Precomputed(empty),
            ),
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
        ),
        (
            req(
                "GET",
                "/",
                vec![("max-keys", "2"), ("prefix", "J")],
                vec![("host", host)],
                Payload::Precomputed(empty),
            ),
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
        ),
    ];
    for (request, want) in cases {
        let signed = signer.sign_headers(&request, &ctx).unwrap();
        assert_eq!(
            signed.signature, want,
            "{} {}",
            request.method, request.path
        );
    }
}
