//! S3 operations as values, in the manner of rusty-s3's actions: each type builds its request
//! (method, key, query, headers, body — signed by [`S3Action::sign`]) and reads its answer
//! into a typed output or a typed [`S3ErrorReply`]. No I/O: the native service, the CLI and the
//! edge worker send the same requests and read the answers with the same code.

use base64::Engine as _;
use md5::{Digest as _, Md5};

use super::bucket_config::ConfigKind;
use super::{BucketName, ObjectKey, S3Call, S3Target, SignedRequest, sign_request};
use crate::clock::SigningTime;
use crate::sigv4::{Signer, SigningError};
use crate::xml;

/// An answer as the adapter received it.
#[derive(Debug, Clone, Copy)]
pub struct S3Response<'a> {
    /// The status.
    pub status: u16,
    /// The headers, names in any case.
    pub headers: &'a [(String, String)],
    /// The body.
    pub body: &'a [u8],
}

impl S3Response<'_> {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(self.body)
    }
}

/// S3's refusal: its status, code, message and (when it says) the bucket's region.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("S3 answered {status} {code}: {message}")]
pub struct S3ErrorReply {
    /// The status.
    pub status: u16,
    /// S3's code, or one implied by a bodiless status (`NoSuchBucket` for a 404 HEAD).
    pub code: String,
    /// S3's message.
    pub message: String,
    /// `x-amz-bucket-region`, or the error's `<Region>`.
    pub region: Option<String>,
}

impl S3ErrorReply {
    /// Reads an error answer.
    pub fn read(response: &S3Response<'_>) -> Self {
        let body = response.text();
        let code = xml::text(&body, "Code").unwrap_or_else(|| match response.status {
            403 => "AccessDenied".into(),
            404 => "NotFound".into(),
            301 => "PermanentRedirect".into(),
            501 => "NotImplemented".into(),
            other => other.to_string(),
        });
        Self {
            status: response.status,
            code,
            message: xml::text(&body, "Message").unwrap_or_default(),
            region: xml::text(&body, "Region")
                .or_else(|| response.header("x-amz-bucket-region").map(str::to_owned)),
        }
    }

    /// The server does not implement the operation.
    pub fn not_implemented(&self) -> bool {
        self.status == 501
            || matches!(
                self.code.as_str(),
                "NotImplemented" | "MethodNotAllowed" | "UnsupportedOperation"
            )
    }
}

/// One S3 operation on a bucket.
pub trait S3Action {
    /// What a successful answer means.
    type Output;
    /// The method.
    fn method(&self) -> &'static str;
    /// The object, if the operation is on one.
    fn key(&self) -> Option<&ObjectKey> {
        None
    }
    /// Query parameters.
    fn query(&self) -> Vec<(&'static str, &str)> {
        Vec::new()
    }
    /// Headers to sign and send.
    fn headers(&self) -> Vec<(String, String)> {
        Vec::new()
    }
    /// The body.
    fn body(&self) -> Vec<u8> {
        Vec::new()
    }
    /// Reads the answer.
    fn parse(&self, response: &S3Response<'_>) -> Result<Self::Output, S3ErrorReply>;

    /// The signed request for `bucket`, and its body.
    fn sign(
        &self,
        signer: &Signer,
        target: &S3Target,
        bucket: &BucketName,
        now: SigningTime,
    ) -> Result<(SignedRequest, Vec<u8>), SigningError> {
        let body = self.body();
        let headers = self.headers();
        let header_refs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let query = self.query();
        let call = S3Call {
            method: self.method(),
            bucket,
            key: self.key(),
            query: &query,
            headers: &header_refs,
            body: &body,
        };
        Ok((sign_request(signer, target, &call, now)?, body))
    }
}

fn success(response: &S3Response<'_>) -> Result<(), S3ErrorReply> {
    if (200..300).contains(&response.status) {
        Ok(())
    } else {
        Err(S3ErrorReply::read(response))
    }
}

/// What `HeadBucket` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BucketHead {
    /// It exists (in this region, when the server says).
    Exists(Option<String>),
    /// There is no such bucket.
    Missing,
}

/// `HeadBucket`.
#[derive(Debug, Clone, Copy, Default)]
pub struct HeadBucket;

impl S3Action for HeadBucket {
    type Output = BucketHead;
    fn method(&self) -> &'static str {
        "HEAD"
    }
    fn parse(&self, response: &S3Response<'_>) -> Result<BucketHead, S3ErrorReply> {
        match response.status {
            200 => Ok(BucketHead::Exists(
                response.header("x-amz-bucket-region").map(str::to_owned),
            )),
            404 => Ok(BucketHead::Missing),
            _ => Err(S3ErrorReply::read(response)),
        }
    }
}

/// `CreateBucket` in a region (no location constraint for `us-east-1`, as S3 requires).
#[derive(Debug, Clone)]
pub struct CreateBucket<'a> {
    /// The region.
    pub region: &'a str,
}

impl S3Action for CreateBucket<'_> {
    type Output = ();
    fn method(&self) -> &'static str {
        "PUT"
    }
    fn body(&self) -> Vec<u8> {
        if self.region == "us-east-1" {
            return Vec::new();
        }
        format!(
            "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>{}</LocationConstraint></CreateBucketConfiguration>",
            xml::escape(self.region)
        )
        .into_bytes()
    }
    fn parse(&self, response: &S3Response<'_>) -> Result<(), S3ErrorReply> {
        success(response)
    }
}

/// `GetBucketEncryption` / `GetBucketLifecycleConfiguration` / `GetBucketCors`: the document,
/// or `None` when the bucket has none.
#[derive(Debug, Clone, Copy)]
pub struct GetBucketConfig(pub ConfigKind);

impl S3Action for GetBucketConfig {
    type Output = Option<String>;
    fn method(&self) -> &'static str {
        "GET"
    }
    fn query(&self) -> Vec<(&'static str, &str)> {
        vec![(self.0.subresource(), "")]
    }
    fn parse(&self, response: &S3Response<'_>) -> Result<Option<String>, S3ErrorReply> {
        if response.status == 200 {
            return Ok(Some(response.text().into_owned()));
        }
        let error = S3ErrorReply::read(response);
        if error.code == self.0.absent_code() {
            Ok(None)
        } else {
            Err(error)
        }
    }
}

/// `PutBucketEncryption` / `PutBucketLifecycleConfiguration` / `PutBucketCors`, with the
/// `Content-MD5` S3 requires.
#[derive(Debug, Clone)]
pub struct PutBucketConfig<'a> {
    /// Which configuration.
    pub kind: ConfigKind,
    /// The whole document.
    pub document: &'a str,
}

impl S3Action for PutBucketConfig<'_> {
    type Output = ();
    fn method(&self) -> &'static str {
        "PUT"
    }
    fn query(&self) -> Vec<(&'static str, &str)> {
        vec![(self.kind.subresource(), "")]
    }
    fn headers(&self) -> Vec<(String, String)> {
        vec![
            ("content-md5".into(), content_md5(self.document.as_bytes())),
            ("content-type".into(), "application/xml".to_owned()),
        ]
    }
    fn body(&self) -> Vec<u8> {
        self.document.as_bytes().to_vec()
    }
    fn parse(&self, response: &S3Response<'_>) -> Result<(), S3ErrorReply> {
        success(response)
    }
}

/// `DeleteBucketLifecycle` / `DeleteBucketCors` / `DeleteBucketEncryption`.
#[derive(Debug, Clone, Copy)]
pub struct DeleteBucketConfig(pub ConfigKind);

impl S3Action for DeleteBucketConfig {
    type Output = ();
    fn method(&self) -> &'static str {
        "DELETE"
    }
    fn query(&self) -> Vec<(&'static str, &str)> {
        vec![(self.0.subresource(), "")]
    }
    fn parse(&self, response: &S3Response<'_>) -> Result<(), S3ErrorReply> {
        success(response)
    }
}

/// `GetObjectTagging`: the object's tags, in order.
#[derive(Debug, Clone)]
pub struct GetObjectTagging<'a>(pub &'a ObjectKey);

impl S3Action for GetObjectTagging<'_> {
    type Output = Vec<(String, String)>;
    fn method(&self) -> &'static str {
        "GET"
    }
    fn key(&self) -> Option<&ObjectKey> {
        Some(self.0)
    }
    fn query(&self) -> Vec<(&'static str, &str)> {
        vec![("tagging", "")]
    }
    fn parse(&self, response: &S3Response<'_>) -> Result<Self::Output, S3ErrorReply> {
        if response.status != 200 {
            return Err(S3ErrorReply::read(response));
        }
        let body = response.text();
        Ok(xml::elements(&body, "Tag")
            .into_iter()
            .map(|tag| {
                (
                    xml::text(tag, "Key").unwrap_or_default(),
                    xml::text(tag, "Value").unwrap_or_default(),
                )
            })
            .collect())
    }
}

/// `PutObjectTagging` with exactly these tags.
#[derive(Debug, Clone)]
pub struct PutObjectTagging<'a> {
    /// The object.
    pub key: &'a ObjectKey,
    /// Its tags.
    pub tags: &'a [(&'a str, &'a str)],
}

impl S3Action for PutObjectTagging<'_> {
    type Output = ();
    fn method(&self) -> &'static str {
        "PUT"
    }
    fn key(&self) -> Option<&ObjectKey> {
        Some(self.key)
    }
    fn query(&self) -> Vec<(&'static str, &str)> {
        vec![("tagging", "")]
    }
    fn headers(&self) -> Vec<(String, String)> {
        vec![("content-md5".into(), content_md5(&self.body()))]
    }
    fn body(&self) -> Vec<u8> {
        crate::catalogue::tagging_xml(self.tags).into_bytes()
    }
    fn parse(&self, response: &S3Response<'_>) -> Result<(), S3ErrorReply> {
        success(response)
    }
}

/// `DeleteObjectTagging`.
#[derive(Debug, Clone)]
pub struct DeleteObjectTagging<'a>(pub &'a ObjectKey);

impl S3Action for DeleteObjectTagging<'_> {
    type Output = ();
    fn method(&self) -> &'static str {
        "DELETE"
    }
    fn key(&self) -> Option<&ObjectKey> {
        Some(self.0)
    }
    fn query(&self) -> Vec<(&'static str, &str)> {
        vec![("tagging", "")]
    }
    fn parse(&self, response: &S3Response<'_>) -> Result<(), S3ErrorReply> {
        success(response)
    }
}

/// Whether an object is there (`HeadObject`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectHead {
    /// It is.
    Exists,
    /// There is no such key.
    Missing,
}

/// `HeadObject`.
#[derive(Debug, Clone)]
pub struct HeadObject<'a>(pub &'a ObjectKey);

impl S3Action for HeadObject<'_> {
    type Output = ObjectHead;
    fn method(&self) -> &'static str {
        "HEAD"
    }
    fn key(&self) -> Option<&ObjectKey> {
        Some(self.0)
    }
    fn parse(&self, response: &S3Response<'_>) -> Result<ObjectHead, S3ErrorReply> {
        match response.status {
            200 => Ok(ObjectHead::Exists),
            404 => Ok(ObjectHead::Missing),
            _ => Err(S3ErrorReply::read(response)),
        }
    }
}

/// An object's bytes and the headers they came with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRead {
    /// The bytes (the range asked for, when one was).
    pub body: Vec<u8>,
    /// The response headers, names lower-case.
    pub headers: Vec<(String, String)>,
}

impl ObjectRead {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The object's whole size: from `Content-Range: bytes 0-N/TOTAL` when the answer is a
    /// range, else the body's length.
    pub fn total_size(&self) -> usize {
        self.header("content-range")
            .and_then(|v| v.rsplit_once('/'))
            .and_then(|(_, total)| total.parse::<usize>().ok())
            .unwrap_or(self.body.len())
            .max(self.body.len())
    }
}

/// `GetObject`, whole or its first bytes.
#[derive(Debug, Clone)]
pub struct GetObject<'a> {
    /// The object.
    pub key: &'a ObjectKey,
    /// Read at most this many bytes from the start (a `Range` request).
    pub first_bytes: Option<u64>,
}

impl S3Action for GetObject<'_> {
    type Output = ObjectRead;
    fn method(&self) -> &'static str {
        "GET"
    }
    fn key(&self) -> Option<&ObjectKey> {
        Some(self.key)
    }
    fn headers(&self) -> Vec<(String, String)> {
        self.first_bytes
            .map(|n| ("range".into(), format!("bytes=0-{}", n.saturating_sub(1))))
            .into_iter()
            .collect()
    }
    fn parse(&self, response: &S3Response<'_>) -> Result<ObjectRead, S3ErrorReply> {
        match response.status {
            200 | 206 => Ok(ObjectRead {
                body: response.body.to_vec(),
                headers: response
                    .headers
                    .iter()
                    .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
                    .collect(),
            }),
            _ => Err(S3ErrorReply::read(response)),
        }
    }
}

/// What a copy does with the source's user metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetadataDirective<'a> {
    /// Keep it.
    Copy,
    /// Replace it with this (`x-amz-meta-` names without the prefix), and this content type.
    Replace {
        /// The new metadata.
        metadata: &'a [(String, String)],
        /// The new `Content-Type`.
        content_type: &'a str,
    },
}

/// `CopyObject` within a bucket (an object onto itself included). S3 can answer 200 with an
/// error document; that is read as the error it is.
#[derive(Debug, Clone)]
pub struct CopyObject<'a> {
    /// Copied from.
    pub source: &'a ObjectKey,
    /// Copied to.
    pub dest: &'a ObjectKey,
    /// Metadata kept or replaced.
    pub metadata: MetadataDirective<'a>,
    /// Encryption of the copy.
    pub encryption: super::Encryption<'a>,
    /// Drop the source's tags (`x-amz-tagging-directive: REPLACE` with none given).
    pub drop_tags: bool,
    /// The source's bucket, for `x-amz-copy-source`.
    pub bucket: &'a BucketName,
}

impl S3Action for CopyObject<'_> {
    type Output = ();
    fn method(&self) -> &'static str {
        "PUT"
    }
    fn key(&self) -> Option<&ObjectKey> {
        Some(self.dest)
    }
    fn headers(&self) -> Vec<(String, String)> {
        let mut headers: Vec<(String, String)> = vec![(
            "x-amz-copy-source".into(),
            format!(
                "/{}/{}",
                self.bucket.as_str(),
                crate::encode::uri_encode(self.source.as_str(), true)
            ),
        )];
        match &self.metadata {
            MetadataDirective::Copy => {
                headers.push(("x-amz-metadata-directive".into(), "COPY".to_owned()));
            }
            MetadataDirective::Replace {
                metadata,
                content_type,
            } => {
                headers.push(("x-amz-metadata-directive".into(), "REPLACE".to_owned()));
                headers.push(("content-type".into(), (*content_type).to_owned()));
                for (name, value) in metadata.iter() {
                    headers.push((format!("x-amz-meta-{name}"), value.clone()));
                }
            }
        }
        match self.encryption {
            super::Encryption::Aes256 => {
                headers.push(("x-amz-server-side-encryption".into(), "AES256".to_owned()));
            }
            super::Encryption::Kms(key) => {
                headers.push(("x-amz-server-side-encryption".into(), "aws:kms".to_owned()));
                headers.push((
                    "x-amz-server-side-encryption-aws-kms-key-id".into(),
                    key.to_owned(),
                ));
            }
        }
        if self.drop_tags {
            headers.push(("x-amz-tagging-directive".into(), "REPLACE".to_owned()));
        }
        headers
    }
    fn parse(&self, response: &S3Response<'_>) -> Result<(), S3ErrorReply> {
        copy_outcome(response)
    }
}

/// How a `CopyObject` answer reads, whatever was copied: S3 can answer 200 with an error body.
pub fn copy_outcome(response: &S3Response<'_>) -> Result<(), S3ErrorReply> {
    if (200..300).contains(&response.status) && !response.text().contains("<Error>") {
        Ok(())
    } else {
        Err(S3ErrorReply::read(response))
    }
}

/// The base64 MD5 of a body, for `Content-MD5`.
pub fn content_md5(body: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Md5::digest(body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Credentials;

    fn response(status: u16, body: &str) -> (u16, Vec<(String, String)>, Vec<u8>) {
        (status, Vec::new(), body.as_bytes().to_vec())
    }

    fn parse<A: S3Action>(
        action: &A,
        (status, headers, body): &(u16, Vec<(String, String)>, Vec<u8>),
    ) -> Result<A::Output, S3ErrorReply> {
        action.parse(&S3Response {
            status: *status,
            headers,
            body,
        })
    }

    #[test]
    fn answers_read_into_types() {
        let absent = response(
            404,
            "<Error><Code>NoSuchLifecycleConfiguration</Code></Error>",
        );
        assert_eq!(
            parse(&GetBucketConfig(ConfigKind::Lifecycle), &absent),
            Ok(None)
        );
        let denied = response(403, "");
        let e = parse(&GetBucketConfig(ConfigKind::Cors), &denied).unwrap_err();
        assert_eq!(e.code, "AccessDenied");
        let not_impl = response(501, "");
        assert!(
            parse(&GetBucketConfig(ConfigKind::Cors), &not_impl)
                .unwrap_err()
                .not_implemented()
        );
        let moved = (
            301,
            vec![("X-Amz-Bucket-Region".to_owned(), "eu-west-2".to_owned())],
            Vec::new(),
        );
        assert_eq!(
            parse(&HeadBucket, &moved).unwrap_err().region.as_deref(),
            Some("eu-west-2")
        );
        let tags = response(
            200,
            "<Tagging><TagSet><Tag><Key>a&amp;b</Key><Value>1</Value></Tag></TagSet></Tagging>",
        );
        let key = ObjectKey::new("k").unwrap();
        assert_eq!(
            parse(&GetObjectTagging(&key), &tags).unwrap(),
            [("a&b".to_owned(), "1".to_owned())]
        );
    }

    #[test]
    fn object_actions_say_what_s3_needs() {
        let bucket = BucketName::new("uploads").unwrap();
        let (from, to) = (
            ObjectKey::new("a b.csv").unwrap(),
            ObjectKey::new("c.csv").unwrap(),
        );
        let meta = [("valid".to_owned(), "True".to_owned())];
        let copy = CopyObject {
            source: &from,
            dest: &to,
            metadata: MetadataDirective::Replace {
                metadata: &meta,
                content_type: "text/csv",
            },
            encryption: super::super::Encryption::Kms("alias/k"),
            drop_tags: false,
            bucket: &bucket,
        };
        let headers = copy.headers();
        let get = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("x-amz-copy-source"), Some("/uploads/a%20b.csv"));
        assert_eq!(get("x-amz-metadata-directive"), Some("REPLACE"));
        assert_eq!(get("x-amz-meta-valid"), Some("True"));
        assert_eq!(
            get("x-amz-server-side-encryption-aws-kms-key-id"),
            Some("alias/k")
        );
        assert_eq!(get("x-amz-tagging-directive"), None);
        // A copy can fail with a 200 whose body is an error.
        let failed = response(200, "<Error><Code>InternalError</Code></Error>");
        assert_eq!(parse(&copy, &failed).unwrap_err().code, "InternalError");
        let ranged = GetObject {
            key: &to,
            first_bytes: Some(100),
        };
        assert_eq!(
            ranged.headers(),
            [("range".to_owned(), "bytes=0-99".to_owned())]
        );
        let cut = (
            206,
            vec![("Content-Range".to_owned(), "bytes 0-99/5000".to_owned())],
            vec![0; 100],
        );
        assert_eq!(parse(&ranged, &cut).unwrap().total_size(), 5000);
        assert_eq!(
            parse(&HeadObject(&to), &response(404, "")),
            Ok(ObjectHead::Missing)
        );
    }

    #[test]
    fn requests_carry_md5_and_escaped_xml() {
        let signer = Signer::new(Credentials::new("AKID", "secret", None, None).unwrap());
        let target = S3Target::aws("eu-west-1");
        let bucket = BucketName::new("logos").unwrap();
        let now = SigningTime::from_unix(1_800_000_000).unwrap();
        let put = PutBucketConfig {
            kind: ConfigKind::Lifecycle,
            document: "<LifecycleConfiguration/>",
        };
        let (request, body) = put.sign(&signer, &target, &bucket, now).unwrap();
        assert!(request.url.ends_with("/?lifecycle="), "{}", request.url);
        assert!(
            request
                .headers
                .iter()
                .any(|(k, v)| k == "content-md5" && *v == content_md5(&body))
        );
        let create = CreateBucket { region: "x<y" };
        assert!(String::from_utf8(create.body()).unwrap().contains("x&lt;y"));
        assert!(
            CreateBucket {
                region: "us-east-1"
            }
            .body()
            .is_empty()
        );
    }
}
