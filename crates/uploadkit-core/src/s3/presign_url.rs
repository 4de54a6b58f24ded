//! Presigned URLs for GET, PUT, HEAD and DELETE.

use super::presign_extras::{ExtraNotForMethod, PresignExtras};
use super::{AddressingStyle, BucketLocation, BucketName, CustomEndpoint, ObjectKey};
use crate::clock::SigningTime;
use crate::encode::uri_encode_into;
use crate::sigv4::{
    MAX_PRESIGN_SECONDS, Payload, SignableRequest, Signer, SigningContext, SigningError,
    SigningSettings,
};

/// The HTTP methods a presigned object URL can be for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Download.
    Get,
    /// Upload with a single PUT.
    Put,
    /// Metadata only.
    Head,
    /// Delete.
    Delete,
}

impl Method {
    /// The method's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Put => "PUT",
            Self::Head => "HEAD",
            Self::Delete => "DELETE",
        }
    }
}

impl std::str::FromStr for Method {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_uppercase().as_str() {
            "GET" => Ok(Self::Get),
            "PUT" => Ok(Self::Put),
            "HEAD" => Ok(Self::Head),
            "DELETE" => Ok(Self::Delete),
            _ => Err(format!(
                "unsupported method {s:?}: use GET, PUT, HEAD or DELETE"
            )),
        }
    }
}

/// Where and how to presign: region, endpoint and addressing.
#[derive(Debug, Clone)]
pub struct S3Target {
    /// The bucket's region.
    pub region: String,
    /// A custom endpoint instead of AWS's.
    pub endpoint: Option<CustomEndpoint>,
    /// Virtual-hosted, path-style or automatic.
    pub addressing: AddressingStyle,
}

impl S3Target {
    /// AWS in `region`, automatic addressing.
    pub fn aws(region: impl Into<String>) -> Self {
        Self {
            region: region.into(),
            endpoint: None,
            addressing: AddressingStyle::Auto,
        }
    }

    /// Where a bucket lives under this target.
    pub fn locate(&self, bucket: &BucketName) -> BucketLocation {
        BucketLocation::resolve(
            bucket,
            &self.region,
            self.endpoint.as_ref(),
            self.addressing,
        )
    }

    pub(crate) fn context(&self, time: SigningTime) -> SigningContext<'_> {
        SigningContext {
            region: &self.region,
            service: "s3",
            time,
            settings: SigningSettings::S3,
        }
    }
}

/// A presigned URL and when it really stops working.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresignedUrl {
    /// The URL.
    pub url: String,
    /// The method it is for.
    pub method: Method,
    /// The validity signed into it, in seconds (capped by the credentials' expiry).
    pub expires_in: u32,
    /// When it stops working.
    pub expires_at: SigningTime,
    /// Headers the request must carry with these values (they are signed): a checksum or
    /// encryption asked for in [`PresignExtras`].
    pub headers: Vec<(String, String)>,
}

/// Why a URL could not be presigned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PresignError {
    /// Expiry or credentials.
    #[error(transparent)]
    Signing(#[from] SigningError),
    /// An extra the method does not take.
    #[error(transparent)]
    Extra(#[from] ExtraNotForMethod),
}

/// The validity to sign: `requested`, shortened so nothing outlives the credentials.
pub(crate) fn effective_expiry(
    signer: &Signer,
    now: SigningTime,
    requested: u32,
) -> Result<u32, SigningError> {
    if !(1..=MAX_PRESIGN_SECONDS).contains(&requested) {
        return Err(SigningError::ExpiryOutOfRange(u64::from(requested)));
    }
    match signer.credentials().expires_at() {
        None => Ok(requested),
        Some(at) => {
            let left = at.unix() - now.unix();
            if left <= 0 {
                Err(SigningError::CredentialsExpired {
                    expired_at: at.iso8601(),
                })
            } else {
                Ok(requested.min(u32::try_from(left).unwrap_or(u32::MAX)))
            }
        }
    }
}

/// Presigns `method` on `bucket`/`key`, valid for `expires_in` seconds from `now` or until the
/// credentials expire, whichever is first.
///
/// ```
/// use uploadkit_core::{clock::parse_rfc3339, credentials::Credentials, sigv4::Signer};
/// use uploadkit_core::s3::{presign_url, BucketName, Method, ObjectKey, S3Target};
///
/// let signer = Signer::new(Credentials::new(
///     "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", None, None)?);
/// let url = presign_url(
///     &signer, &S3Target::aws("us-east-1"), &BucketName::new("examplebucket")?,
///     &ObjectKey::new("test.txt")?, Method::Get, 86_400,
///     parse_rfc3339("2013-05-24T00:00:00Z").unwrap(),
/// )?;
/// assert!(url.url.ends_with(
///     "X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn presign_url(
    signer: &Signer,
    target: &S3Target,
    bucket: &BucketName,
    key: &ObjectKey,
    method: Method,
    expires_in: u32,
    now: SigningTime,
) -> Result<PresignedUrl, SigningError> {
    presign_url_with(
        signer,
        target,
        bucket,
        key,
        method,
        &PresignExtras::default(),
        expires_in,
        now,
    )
    .map_err(|e| match e {
        PresignError::Signing(e) => e,
        PresignError::Extra(_) => unreachable!("no extras were given"),
    })
}

/// [`presign_url`] with response overrides, a version, a checksum or encryption, byte for byte
/// as botocore's `generate_presigned_url` signs the same `Params`.
///
/// ```
/// use uploadkit_core::{clock::parse_rfc3339, credentials::Credentials, sigv4::Signer};
/// use uploadkit_core::s3::{attachment, presign_url_with, BucketName, Method, ObjectKey, PresignExtras, S3Target};
/// let signer = Signer::new(Credentials::new("AKIDEXAMPLE", "secret", None, None).unwrap());
/// let disposition = attachment("report.csv");
/// let extras = PresignExtras { response_content_disposition: Some(&disposition), ..Default::default() };
/// let url = presign_url_with(&signer, &S3Target::aws("eu-west-1"), &BucketName::new("reports").unwrap(),
///     &ObjectKey::new("r.csv").unwrap(), Method::Get, &extras, 600, parse_rfc3339("2026-11-22T09:30:15Z").unwrap()).unwrap();
/// assert!(url.url.contains("?response-content-disposition=attachment%3B%20filename%3D%22report.csv%22"));
/// let wrong = PresignExtras { checksum_sha256: Some("n4bQ"), ..Default::default() };
/// assert!(presign_url_with(&signer, &S3Target::aws("eu-west-1"), &BucketName::new("reports").unwrap(),
///     &ObjectKey::new("r.csv").unwrap(), Method::Get, &wrong, 600, parse_rfc3339("2026-11-22T09:30:15Z").unwrap()).is_err());
/// ```
#[allow(clippy::too_many_arguments)]
pub fn presign_url_with(
    signer: &Signer,
    target: &S3Target,
    bucket: &BucketName,
    key: &ObjectKey,
    method: Method,
    extras: &PresignExtras<'_>,
    expires_in: u32,
    now: SigningTime,
) -> Result<PresignedUrl, PresignError> {
    let query = extras.query(method)?;
    let extra_headers = extras.headers(method)?;
    let expires_in = effective_expiry(signer, now, expires_in)?;
    let location = target.locate(bucket);
    let mut path =
        String::with_capacity(location.path_prefix.len() + key.as_str().len() * 3 / 2 + 1);
    path.push_str(&location.path_prefix);
    path.push('/');
    uri_encode_into(&mut path, key.as_str(), true);
    let mut headers = vec![("host", location.host.as_str())];
    headers.extend_from_slice(&extra_headers);
    let request = SignableRequest {
        method: method.as_str(),
        path: &path,
        query,
        headers,
        payload: Payload::Unsigned,
    };
    let signed = signer.presign(&request, &target.context(now), expires_in)?;
    let mut url = String::with_capacity(
        location.scheme.len() + 3 + location.host.len() + path.len() + 1 + signed.query.len(),
    );
    url.push_str(&location.scheme);
    url.push_str("://");
    url.push_str(&location.host);
    url.push_str(&path);
    url.push('?');
    url.push_str(&signed.query);
    Ok(PresignedUrl {
        url,
        method,
        expires_in,
        expires_at: now.plus_seconds(expires_in).unwrap_or(now),
        headers: extra_headers
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
    })
}
