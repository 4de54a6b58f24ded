//! S3 operations the service performs itself: the core's actions signed and sent, logo promotion
//! driven, and S3's refusals turned into errors that say what to do.

use time::OffsetDateTime;
use uploadkit_api::promote::{PromoteError, Promotion};
use uploadkit_core::clock::SigningTime;
use uploadkit_core::s3::actions::{S3Action, S3ErrorReply, S3Response};
use uploadkit_core::s3::{BucketName, ObjectKey, S3Target};
use uploadkit_core::sigv4::{Signer, SigningError};

/// An S3 refusal, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum S3Error {
    /// The credentials may not do this.
    #[error(
        "access denied on bucket {bucket}: the credentials (access key {access_key}) are not allowed this action; check the IAM policy and the bucket policy"
    )]
    AccessDenied {
        /// The bucket.
        bucket: String,
        /// Whose credentials.
        access_key: String,
    },
    /// The bucket does not exist.
    #[error(
        "bucket {bucket} does not exist: create it with `uploadkit provision`, or set its S3_BUCKET_* variable to the right name"
    )]
    NoSuchBucket {
        /// The bucket.
        bucket: String,
    },
    /// The bucket is in another region.
    #[error("bucket {bucket} is in region {actual}, not {configured}: set AWS_REGION={actual}")]
    WrongRegion {
        /// The bucket.
        bucket: String,
        /// Its region.
        actual: String,
        /// The region configured.
        configured: String,
    },
    /// The session token expired.
    #[error(
        "the session token has expired: get new credentials (re-assume the role, or `aws sso login`) and retry"
    )]
    ExpiredToken,
    /// The clock is too far off.
    #[error(
        "this machine's clock differs from S3's by more than 15 minutes: synchronise it (NTP) and retry"
    )]
    ClockSkew,
    /// Keys S3 does not recognise.
    #[error(
        "S3 does not accept these credentials ({code}): check the access key and secret for this account and endpoint"
    )]
    BadCredentials {
        /// S3's code.
        code: String,
    },
    /// The permanent logo exists already.
    #[error(
        "{0} exists already; permanent logos are never overwritten (old emails and letters still point at them)"
    )]
    WouldOverwrite(String),
    /// The temporary logo fails the logo check: nothing was made permanent.
    #[error("{key} was not made permanent: {reason}")]
    LogoRefused {
        /// The temporary key.
        key: String,
        /// Why, in the app's words where it has them.
        reason: uploadkit_validators::logo::LogoError,
    },
    /// Not a temporary logo key.
    #[error(
        "{0} is not a temporary logo key (temp-… at the bucket root or under letters/static/images/letter-template/)"
    )]
    NotTemporary(String),
    /// Anything else S3 said.
    #[error("S3 answered {status} {code}: {message}")]
    Other {
        /// HTTP status.
        status: u16,
        /// S3's code.
        code: String,
        /// S3's message.
        message: String,
    },
    /// No answer.
    #[error("cannot reach S3: {0}")]
    Network(String),
    /// The request could not be signed (the credentials expired).
    #[error("cannot sign the request: {0}")]
    Signing(SigningError),
}

/// Why an action gave no output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionFailure {
    /// S3 answered with a refusal.
    Refused(S3ErrorReply),
    /// No answer.
    Network(String),
    /// Not sent: it could not be signed.
    Signing(SigningError),
}

impl ActionFailure {
    /// The server does not implement the operation.
    pub fn not_implemented(&self) -> bool {
        matches!(self, Self::Refused(reply) if reply.not_implemented())
    }
}

/// A header-signed S3 client for one target and set of credentials.
pub struct S3Ops {
    pub(crate) http: reqwest::Client,
    pub(crate) target: S3Target,
    pub(crate) signer: Signer,
}

impl S3Ops {
    /// A client.
    pub fn new(target: S3Target, signer: Signer) -> Self {
        Self {
            http: crate::http::s3_client(),
            target,
            signer,
        }
    }

    /// Where requests go.
    pub fn target(&self) -> &S3Target {
        &self.target
    }

    /// The one mapping from S3's answer (status, `x-amz-bucket-region`, error XML) to an error.
    pub(crate) fn classify(
        &self,
        bucket: &BucketName,
        status: u16,
        header_region: Option<String>,
        body: &str,
    ) -> S3Error {
        let headers: Vec<(String, String)> = header_region
            .map(|r| ("x-amz-bucket-region".to_owned(), r))
            .into_iter()
            .collect();
        self.explain(
            bucket,
            S3ErrorReply::read(&S3Response {
                status,
                headers: &headers,
                body: body.as_bytes(),
            }),
        )
    }

    /// S3's refusal as an error that says what to do.
    pub fn explain(&self, bucket: &BucketName, reply: S3ErrorReply) -> S3Error {
        let S3ErrorReply {
            status,
            code,
            message,
            region,
        } = reply;
        let bucket = bucket.as_str().to_owned();
        match code.as_str() {
            "AccessDenied" | "AllAccessDisabled" => S3Error::AccessDenied {
                bucket,
                access_key: self.signer.credentials().access_key_id().to_owned(),
            },
            "NoSuchBucket" | "NotFound" => S3Error::NoSuchBucket { bucket },
            "PermanentRedirect"
            | "AuthorizationHeaderMalformed"
            | "IllegalLocationConstraintException" => match region {
                Some(actual) => S3Error::WrongRegion {
                    bucket,
                    actual,
                    configured: self.target.region.clone(),
                },
                None => S3Error::Other {
                    status,
                    code,
                    message,
                },
            },
            "ExpiredToken" | "TokenRefreshRequired" => S3Error::ExpiredToken,
            "RequestTimeTooSkewed" => S3Error::ClockSkew,
            "InvalidAccessKeyId" | "SignatureDoesNotMatch" | "InvalidToken" => {
                S3Error::BadCredentials { code }
            }
            _ => S3Error::Other {
                status,
                code,
                message,
            },
        }
    }

    /// Signs and sends one action, and reads its answer: the output, or S3's refusal as it
    /// was, or why no answer came.
    pub async fn run<A: S3Action>(
        &self,
        bucket: &BucketName,
        action: &A,
    ) -> Result<A::Output, ActionFailure> {
        let now = SigningTime::new(OffsetDateTime::now_utc());
        let (signed, body) = action
            .sign(&self.signer, &self.target, bucket, now)
            .map_err(ActionFailure::Signing)?;
        let mut builder = self
            .http
            .request(
                action
                    .method()
                    .parse()
                    .expect("the actions' methods are valid"),
                signed.url,
            )
            .body(body);
        for (k, v) in &signed.headers {
            builder = builder.header(k, v);
        }
        let response = builder
            .send()
            .await
            .map_err(|e| ActionFailure::Network(crate::http::describe(e)))?;
        let status = response.status().as_u16();
        let headers = crate::http::header_pairs(response.headers());
        let body = response
            .bytes()
            .await
            .map_err(|e| ActionFailure::Network(crate::http::describe(e)))?;
        action
            .parse(&S3Response {
                status,
                headers: &headers,
                body: &body,
            })
            .map_err(ActionFailure::Refused)
    }

    /// A failed action as an error that says what to do.
    pub fn failure(&self, bucket: &BucketName, failure: ActionFailure) -> S3Error {
        match failure {
            ActionFailure::Refused(reply) => self.explain(bucket, reply),
            ActionFailure::Network(why) => S3Error::Network(why),
            ActionFailure::Signing(e) => S3Error::Signing(e),
        }
    }

    /// Makes a temporary logo permanent (with `-{slug}` before the extension when given), by
    /// `uploadkit_api::promote`'s steps, the ones the presign API runs: never overwrites, checks
    /// the bytes (PNG fully decoded, SVG by the allow-list) and drops the deletion tag; a
    /// refusal leaves nothing permanent.
    pub async fn promote_logo(
        &self,
        bucket: &BucketName,
        temp: &ObjectKey,
        slug: Option<&str>,
    ) -> Result<ObjectKey, S3Error> {
        let promotion = Promotion::new(bucket.clone(), temp, slug)
            .map_err(|e| self.promote_error(bucket, e))?;
        self.promote(bucket, promotion).await
    }

    /// Runs a promotion set up by the caller (e.g. with the logo bucket's KMS key).
    pub async fn promote(
        &self,
        bucket: &BucketName,
        promotion: Promotion,
    ) -> Result<ObjectKey, S3Error> {
        crate::promote::run(&self.http, &self.signer, &self.target, promotion)
            .await
            .map_err(|e| self.promote_error(bucket, e))
    }

    /// A promotion's failure as an error that says what to do.
    pub fn promote_error(&self, bucket: &BucketName, e: PromoteError) -> S3Error {
        match e {
            PromoteError::NotTemporary(key) => S3Error::NotTemporary(key),
            PromoteError::WouldOverwrite(key) => S3Error::WouldOverwrite(key),
            PromoteError::NoSuchLogo(key) => S3Error::Other {
                status: 404,
                code: "NoSuchKey".into(),
                message: format!("there is no temporary logo {key}"),
            },
            PromoteError::Refused { key, reason } => S3Error::LogoRefused { key, reason },
            PromoteError::S3 {
                status,
                region,
                body,
                ..
            } => self.classify(bucket, status, region, &body),
            PromoteError::Network(why) => S3Error::Network(why),
            e @ PromoteError::StillTagged(_) => S3Error::Other {
                status: 500,
                code: "StillTagged".into(),
                message: e.to_string(),
            },
            PromoteError::Signing(e) => S3Error::Signing(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uploadkit_core::credentials::Credentials;

    fn ops() -> S3Ops {
        S3Ops::new(
            S3Target::aws("eu-west-1"),
            Signer::new(Credentials::new("AKIAEXAMPLE", "secret", None, None).unwrap()),
        )
    }

    fn classify(status: u16, region: Option<&str>, body: &str) -> S3Error {
        ops().classify(
            &BucketName::new("notify-bucket").unwrap(),
            status,
            region.map(str::to_owned),
            body,
        )
    }

    #[test]
    fn wrong_region_names_the_buckets_region() {
        let body = "<Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint.</Message><Endpoint>notify-bucket.s3.eu-west-2.amazonaws.com</Endpoint></Error>";
        let e = classify(301, Some("eu-west-2"), body);
        assert_eq!(
            e.to_string(),
            "bucket notify-bucket is in region eu-west-2, not eu-west-1: set AWS_REGION=eu-west-2"
        );
        let body = "<Error><Code>AuthorizationHeaderMalformed</Code><Message>the region 'eu-west-1' is wrong; expecting 'us-east-2'</Message><Region>us-east-2</Region></Error>";
        assert!(
            classify(400, None, body)
                .to_string()
                .contains("set AWS_REGION=us-east-2")
        );
        // A HEAD has no body: the header alone says where the bucket is.
        assert!(matches!(
            classify(301, Some("ap-south-1"), ""),
            S3Error::WrongRegion { .. }
        ));
    }

    #[test]
    fn expiry_skew_and_credentials() {
        assert_eq!(
            classify(
                400,
                None,
                "<Error><Code>ExpiredToken</Code><Message>The provided token has expired.</Message></Error>"
            ),
            S3Error::ExpiredToken
        );
        assert_eq!(
            classify(
                403,
                None,
                "<Error><Code>RequestTimeTooSkewed</Code></Error>"
            ),
            S3Error::ClockSkew
        );
        assert!(
            classify(
                403,
                None,
                "<Error><Code>SignatureDoesNotMatch</Code></Error>"
            )
            .to_string()
            .contains("check the access key and secret")
        );
        let denied = classify(403, None, "").to_string();
        assert!(
            denied.contains("AKIAEXAMPLE") && denied.contains("IAM policy"),
            "{denied}"
        );
        assert!(matches!(
            classify(404, None, ""),
            S3Error::NoSuchBucket { .. }
        ));
        assert!(matches!(
            classify(
                500,
                None,
                "<Error><Code>InternalError</Code><Message>x</Message></Error>"
            ),
            S3Error::Other { status: 500, .. }
        ));
    }
}
