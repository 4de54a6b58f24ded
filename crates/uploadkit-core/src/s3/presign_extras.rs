//! What a presigned URL may carry besides the object, as botocore signs it: response overrides
//! and a version for reads (query parameters), a SHA-256 checksum and SSE-KMS for writes
//! (signed headers the uploader must send with exactly these values).

use super::Method;
use crate::encode::uri_encode;

/// Server-side encryption to require on a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encryption<'a> {
    /// SSE-S3.
    Aes256,
    /// SSE-KMS with this key (id, ARN or alias).
    Kms(&'a str),
}

/// Extras for [`super::presign_url_with`]. Query parameters go in the URL in this field order,
/// the order botocore writes the same `Params` in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PresignExtras<'a> {
    /// `response-content-disposition` (GET): e.g. a report's download file name.
    pub response_content_disposition: Option<&'a str>,
    /// `response-content-type` (GET).
    pub response_content_type: Option<&'a str>,
    /// `response-cache-control` (GET).
    pub response_cache_control: Option<&'a str>,
    /// `versionId` (GET, HEAD, DELETE).
    pub version_id: Option<&'a str>,
    /// `x-amz-checksum-sha256` (PUT): the body's SHA-256, base64; S3 refuses other bytes.
    pub checksum_sha256: Option<&'a str>,
    /// Server-side encryption (PUT).
    pub encryption: Option<Encryption<'a>>,
}

/// An extra that the method does not take.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} applies to {applies_to}, not to a presigned {method}")]
pub struct ExtraNotForMethod {
    /// The extra.
    pub what: &'static str,
    /// Where it applies.
    pub applies_to: &'static str,
    /// The method asked for.
    pub method: &'static str,
}

/// A `content-disposition` value that downloads as `file_name`: an ASCII fallback in
/// `filename`, the exact name in `filename*` (RFC 6266), quotes and controls removed.
///
/// ```
/// use uploadkit_core::s3::attachment;
/// assert_eq!(attachment("report – 1.csv"), "attachment; filename=\"report - 1.csv\"; filename*=UTF-8''report%20%E2%80%93%201.csv");
/// ```
pub fn attachment(file_name: &str) -> String {
    let clean: String = file_name
        .chars()
        .filter(|c| !c.is_control() && *c != '"' && *c != '\\')
        .collect();
    let ascii = uploadkit_validators::postal::sanitise_ascii(&clean);
    format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        uri_encode(&clean, false)
    )
}

impl<'a> PresignExtras<'a> {
    /// The query parameters, in order, after checking each suits `method`.
    pub fn query(&self, method: Method) -> Result<Vec<(&'static str, &'a str)>, ExtraNotForMethod> {
        let mut out = Vec::new();
        let reads = [
            (
                "response-content-disposition",
                self.response_content_disposition,
            ),
            ("response-content-type", self.response_content_type),
            ("response-cache-control", self.response_cache_control),
        ];
        for (name, value) in reads {
            if let Some(value) = value {
                check(name, "GET", method == Method::Get, method)?;
                out.push((name, value));
            }
        }
        if let Some(version) = self.version_id {
            check(
                "versionId",
                "GET, HEAD and DELETE",
                method != Method::Put,
                method,
            )?;
            out.push(("versionId", version));
        }
        Ok(out)
    }

    /// The headers to sign (and send), after checking each suits `method`.
    pub fn headers(
        &self,
        method: Method,
    ) -> Result<Vec<(&'static str, &'a str)>, ExtraNotForMethod> {
        let mut out = Vec::new();
        if let Some(sum) = self.checksum_sha256 {
            check(
                "x-amz-checksum-sha256",
                "PUT",
                method == Method::Put,
                method,
            )?;
            out.push(("x-amz-checksum-sha256", sum));
        }
        match self.encryption {
            None => {}
            Some(e) => {
                check(
                    "server-side encryption",
                    "PUT",
                    method == Method::Put,
                    method,
                )?;
                match e {
                    Encryption::Aes256 => out.push(("x-amz-server-side-encryption", "AES256")),
                    Encryption::Kms(key) => {
                        out.push(("x-amz-server-side-encryption", "aws:kms"));
                        out.push(("x-amz-server-side-encryption-aws-kms-key-id", key));
                    }
                }
            }
        }
        Ok(out)
    }
}

fn check(
    what: &'static str,
    applies_to: &'static str,
    ok: bool,
    method: Method,
) -> Result<(), ExtraNotForMethod> {
    if ok {
        Ok(())
    } else {
        Err(ExtraNotForMethod {
            what,
            applies_to,
            method: method.as_str(),
        })
    }
}
