//! A header-signed S3 request, ready for any HTTP client: the URL and every header to send.

use crate::clock::SigningTime;
use crate::encode::uri_encode;
use crate::sigv4::{
    Payload, SignableRequest, Signer, SigningContext, SigningError, SigningSettings,
    canonical_query,
};

use super::{BucketName, ObjectKey, S3Target};

/// What to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRequest {
    /// The full URL.
    pub url: String,
    /// Headers to send: the caller's, then `x-amz-date`, `x-amz-content-sha256`, the token and
    /// `authorization` (the `host` header is the URL's).
    pub headers: Vec<(String, String)>,
}

/// One S3 call on a bucket (and key), signed in the `Authorization` header.
#[derive(Debug, Clone, Copy)]
pub struct S3Call<'a> {
    /// `GET`, `PUT`, …
    pub method: &'a str,
    /// The bucket.
    pub bucket: &'a BucketName,
    /// The object, if the call is on one.
    pub key: Option<&'a ObjectKey>,
    /// Query parameters (decoded).
    pub query: &'a [(&'a str, &'a str)],
    /// Headers to sign and send.
    pub headers: &'a [(&'a str, &'a str)],
    /// The body.
    pub body: &'a [u8],
}

/// Signs `call` for `target` at `now`.
///
/// ```
/// use uploadkit_core::clock::SigningTime;
/// use uploadkit_core::credentials::Credentials;
/// use uploadkit_core::s3::{sign_request, AddressingStyle, BucketName, ObjectKey, S3Call, S3Target};
/// use uploadkit_core::sigv4::Signer;
/// let signer = Signer::new(Credentials::new("AKIDEXAMPLE", "secret", None, None).unwrap());
/// let target = S3Target { region: "eu-west-1".into(), endpoint: None, addressing: AddressingStyle::Virtual };
/// let bucket = BucketName::new("logos").unwrap();
/// let key = ObjectKey::new("temp-a b.png").unwrap();
/// let call = S3Call { method: "GET", bucket: &bucket, key: Some(&key), query: &[], headers: &[], body: b"" };
/// let req = sign_request(&signer, &target, &call, SigningTime::from_unix(1_700_000_000).unwrap()).unwrap();
/// assert_eq!(req.url, "https://logos.s3.eu-west-1.amazonaws.com/temp-a%20b.png");
/// assert!(req.headers.iter().any(|(k, _)| k == "authorization"));
/// ```
pub fn sign_request(
    signer: &Signer,
    target: &S3Target,
    call: &S3Call<'_>,
    now: SigningTime,
) -> Result<SignedRequest, SigningError> {
    let location = target.locate(call.bucket);
    let mut path = location.path_prefix.clone();
    path.push('/');
    if let Some(key) = call.key {
        path.push_str(&uri_encode(key.as_str(), true));
    }
    let mut signed_headers = vec![("host", location.host.as_str())];
    signed_headers.extend_from_slice(call.headers);
    let request = SignableRequest {
        method: call.method,
        path: &path,
        query: call.query.to_vec(),
        headers: signed_headers,
        payload: Payload::Bytes(call.body),
    };
    let ctx = SigningContext {
        region: &target.region,
        service: "s3",
        time: now,
        settings: SigningSettings::S3,
    };
    let signed = signer.sign_headers(&request, &ctx)?;
    let mut url = format!("{}{path}", location.origin());
    if !call.query.is_empty() {
        url.push('?');
        url.push_str(&canonical_query(call.query));
    }
    let headers = call
        .headers
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .chain(signed.headers.into_iter().map(|(k, v)| (k.to_owned(), v)))
        .collect();
    Ok(SignedRequest { url, headers })
}
