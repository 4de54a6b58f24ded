//! Header-signed S3 requests for test set-up and inspection (create bucket, HEAD, GET),
//! signed by the core so the server's checks exercise it too.

use reqwest::blocking::{Client, Response};
use uploadkit_core::clock::SigningTime;
use uploadkit_core::credentials::Credentials;
use uploadkit_core::encode::uri_encode;
use uploadkit_core::sigv4::{Payload, SignableRequest, Signer, SigningContext, SigningSettings};

/// Region the tests sign for.
pub const REGION: &str = "eu-west-1";

/// A path-style client for one endpoint.
pub struct S3Client {
    endpoint: String,
    host: String,
    signer: Signer,
    http: Client,
}

impl S3Client {
    /// A client for `endpoint` (`http://127.0.0.1:PORT`).
    pub fn new(endpoint: &str, access_key: &str, secret: &str) -> Self {
        Self::with_credentials(
            endpoint,
            Credentials::new(access_key, secret, None, None).unwrap(),
        )
    }

    /// A client signing with any credentials (session credentials included).
    pub fn with_credentials(endpoint: &str, credentials: Credentials) -> Self {
        Self {
            endpoint: endpoint.to_owned(),
            host: endpoint.split_once("://").unwrap().1.to_owned(),
            signer: Signer::new(credentials),
            http: Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        }
    }

    /// Sends a header-signed request to `/{bucket}/{key}` (key encoded as S3 expects).
    pub fn send(
        &self,
        method: &str,
        bucket: &str,
        key: &str,
        query: &[(&str, &str)],
        extra: &[(&str, &str)],
        body: &[u8],
    ) -> Response {
        let path = if key.is_empty() {
            format!("/{bucket}")
        } else {
            format!("/{bucket}/{}", uri_encode(key, true))
        };
        let mut headers = vec![("host", self.host.as_str())];
        headers.extend_from_slice(extra);
        let request = SignableRequest {
            method,
            path: &path,
            query: query.to_vec(),
            headers,
            payload: Payload::Bytes(body),
        };
        let ctx = SigningContext {
            region: REGION,
            service: "s3",
            time: SigningTime::new(time::OffsetDateTime::now_utc()),
            settings: SigningSettings::S3,
        };
        let signed = self.signer.sign_headers(&request, &ctx).unwrap();
        let mut url = format!("{}{path}", self.endpoint);
        if !query.is_empty() {
            url.push('?');
            url.push_str(&uploadkit_core::sigv4::canonical_query(query));
        }
        let mut builder = self
            .http
            .request(method.parse().unwrap(), url)
            .body(body.to_vec());
        for (k, v) in extra
            .iter()
            .copied()
            .chain(signed.headers.iter().map(|(k, v)| (*k, v.as_str())))
        {
            builder = builder.header(k, v);
        }
        builder.send().unwrap()
    }

    /// Creates a bucket, panicking on failure.
    pub fn create_bucket(&self, bucket: &str) {
        let r = self.send("PUT", bucket, "", &[], &[], b"");
        assert!(
            r.status().is_success(),
            "create bucket {bucket}: {} {}",
            r.status(),
            r.text().unwrap_or_default()
        );
    }

    /// HEAD of an object: status and lower-cased headers.
    pub fn head(&self, bucket: &str, key: &str) -> (u16, Vec<(String, String)>) {
        let r = self.send("HEAD", bucket, key, &[], &[], b"");
        let headers = r
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        (r.status().as_u16(), headers)
    }

    /// The object's bytes, or `None` when it does not exist.
    pub fn get(&self, bucket: &str, key: &str) -> Option<Vec<u8>> {
        let r = self.send("GET", bucket, key, &[], &[], b"");
        match r.status().as_u16() {
            200 => Some(r.bytes().unwrap().to_vec()),
            404 => None,
            other => panic!(
                "GET {bucket}/{key}: {other} {}",
                r.text().unwrap_or_default()
            ),
        }
    }

    /// Deletes an object (204, or 200 from servers that say so).
    pub fn delete(&self, bucket: &str, key: &str) {
        let r = self.send("DELETE", bucket, key, &[], &[], b"");
        assert!(
            matches!(r.status().as_u16(), 200 | 204),
            "DELETE {bucket}/{key}: {} {}",
            r.status(),
            r.text().unwrap_or_default()
        );
    }

    /// The object's tags as (key, value), via `GET ?tagging`.
    pub fn tags(&self, bucket: &str, key: &str) -> String {
        self.send("GET", bucket, key, &[("tagging", "")], &[], b"")
            .text()
            .unwrap()
    }
}

/// A header's value from a HEAD result.
pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}
