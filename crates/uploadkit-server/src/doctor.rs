//! `uploadkit doctor`: reads each bucket and says what is wrong with it, each finding with the
//! command that fixes it. It changes nothing but a probe object it writes and deletes again,
//! through presigned URLs (the path browsers take).

use std::fmt;

use time::OffsetDateTime;
use uploadkit_core::clock::SigningTime;
use uploadkit_core::s3::actions::{BucketHead, HeadBucket, S3ErrorReply, S3Response};
use uploadkit_core::s3::bucket_config::{
    self, ConfigKind, ConfigPlan, encryption_algorithm, plan_cors, plan_lifecycle,
};
use uploadkit_core::s3::{BucketName, Method, ObjectKey, cors_preflight, presign_url};

use crate::provision::{Current, Wanted};
use crate::s3ops::{ActionFailure, S3Error, S3Ops};

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What was checked.
    pub check: &'static str,
    /// Whether it is as the kit needs it.
    pub ok: bool,
    /// What was found.
    pub detail: String,
    /// The command (or change) that fixes it.
    pub fix: Option<String>,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mark = if self.ok { "ok  " } else { "FAIL" };
        write!(f, "  {mark} {}: {}", self.check, self.detail)?;
        if let Some(fix) = &self.fix {
            write!(f, "\n       fix: {fix}")?;
        }
        Ok(())
    }
}

/// How the probe round trip is done on a bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probe {
    /// Write, read back and delete an object (buckets the kit uploads to).
    ReadWrite,
    /// Read a key that does not exist: a 404 proves the signature and permission (read-only
    /// buckets such as the MOU documents).
    ReadOnly,
}

fn ok(check: &'static str, detail: impl Into<String>) -> Finding {
    Finding {
        check,
        ok: true,
        detail: detail.into(),
        fix: None,
    }
}

fn fail(check: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Finding {
    Finding {
        check,
        ok: false,
        detail: detail.into(),
        fix: Some(fix.into()),
    }
}

/// A probe step S3 did not accept: a 403 is a permission to grant; any other status is the
/// server's own failure, told in its words, never blamed on permissions.
fn probe_refused(bucket: &BucketName, step: &str, status: u16, answer: &[u8]) -> Finding {
    let reply = S3ErrorReply::read(&S3Response {
        status,
        headers: &[],
        body: answer,
    });
    let mut detail = format!("{step} through a presigned URL answered {status}");
    if reply.code != status.to_string() {
        detail = format!("{detail} {}", reply.code);
    }
    if !reply.message.is_empty() {
        detail = format!("{detail}: {}", reply.message);
    }
    let fix = if status == 403 {
        format!(
            "allow s3:PutObject, s3:GetObject and s3:DeleteObject on arn:aws:s3:::{bucket}/* for these credentials (and no bucket policy that denies them)"
        )
    } else {
        "the server failed the request: run doctor again, and check the service's health or its logs".to_owned()
    };
    fail("presigned round trip", detail, fix)
}

impl S3Ops {
    /// Every check on one bucket. `provision` is the command that fixes configuration (with
    /// the caller's origins and profile).
    pub async fn doctor(
        &self,
        bucket: &BucketName,
        wanted: &Wanted,
        probe: Probe,
        provision: &str,
    ) -> Vec<Finding> {
        let mut findings = Vec::new();
        let configured = self.target().region.clone();
        let region = match self.run(bucket, &HeadBucket).await {
            Ok(BucketHead::Exists(region)) => {
                findings.push(ok("exists", "yes"));
                region
            }
            Ok(BucketHead::Missing) => {
                findings.push(fail("exists", "no such bucket", provision));
                return findings;
            }
            Err(ActionFailure::Network(e)) => {
                findings.push(fail("exists", e, "check the endpoint and network"));
                return findings;
            }
            Err(e) => {
                let e = self.failure(bucket, e);
                let fix = match &e {
                    S3Error::WrongRegion { actual, .. } => format!("export AWS_REGION={actual}"),
                    _ => "grant s3:ListBucket on the bucket to these credentials (see the README's IAM policy)".into(),
                };
                findings.push(fail("exists", e.to_string(), fix));
                return findings;
            }
        };
        findings.push(match region {
            Some(r) if r == configured => ok("region", r),
            Some(r) => fail(
                "region",
                format!("the bucket is in {r}, the kit is configured for {configured}"),
                format!("export AWS_REGION={r}"),
            ),
            None => ok(
                "region",
                format!("{configured} (the server does not report one)"),
            ),
        });

        let encryption = self.read_config(bucket, ConfigKind::Encryption).await;
        findings.push(match encryption {
            Current::Present(text) => {
                let algorithm = encryption_algorithm(&text).unwrap_or_else(|| "set".into());
                match &wanted.kms_key {
                    Some(key) if !algorithm.contains(key.as_str()) => fail(
                        "default encryption",
                        format!("{algorithm}, not the configured KMS key {key}"),
                        format!(
                            "aws s3api put-bucket-encryption --bucket {bucket} --server-side-encryption-configuration '{{\"Rules\":[{{\"ApplyServerSideEncryptionByDefault\":{{\"SSEAlgorithm\":\"aws:kms\",\"KMSMasterKeyID\":\"{key}\"}}}}]}}'"
                        ),
                    ),
                    _ => ok("default encryption", algorithm),
                }
            }
            Current::Absent => fail("default encryption", "none", provision),
            Current::Unreadable(why) => fail(
                "default encryption",
                format!("cannot read it: {why}"),
                "grant s3:GetEncryptionConfiguration, or check it in the console",
            ),
        });

        match self.read_config(bucket, ConfigKind::Lifecycle).await {
            Current::Unreadable(why) => findings.push(fail(
                "lifecycle",
                format!("cannot read it: {why}"),
                "grant s3:GetLifecycleConfiguration",
            )),
            current => {
                let text = match &current {
                    Current::Present(text) => Some(text.as_str()),
                    _ => None,
                };
                findings.push(
                    match (plan_lifecycle(text, wanted.holds_temporary), wanted.holds_temporary) {
                        (ConfigPlan::Unchanged, true) => ok(
                            "temporary-upload lifecycle",
                            format!(
                                "rule {} expires objects tagged delete-after-7-days=True after 7 days",
                                bucket_config::LIFECYCLE_RULE_ID
                            ),
                        ),
                        (ConfigPlan::Unchanged, false) => {
                            ok("temporary-upload lifecycle", "none (none needed here)")
                        }
                        (_, true) => fail(
                            "temporary-upload lifecycle",
                            "no rule expires temporary logos: they are never deleted",
                            provision,
                        ),
                        (_, false) => fail(
                            "temporary-upload lifecycle",
                            "the kit's expiry rule is on a bucket without temporary uploads",
                            provision,
                        ),
                    },
                );
                for finding in text
                    .map(bucket_config::lifecycle_findings)
                    .unwrap_or_default()
                {
                    findings.push(fail(
                        "lifecycle tag filter",
                        finding,
                        "aws s3api get-bucket-lifecycle-configuration, change the rule's Value to True (or delete it), then put-bucket-lifecycle-configuration",
                    ));
                }
            }
        }

        if !wanted.origins.is_empty() {
            findings.push(match self.read_config(bucket, ConfigKind::Cors).await {
                Current::Unreadable(why) => fail(
                    "CORS",
                    format!("cannot read it: {why}"),
                    "grant s3:GetBucketCORS",
                ),
                current => {
                    let text = match &current {
                        Current::Present(text) => Some(text.as_str()),
                        _ => None,
                    };
                    match plan_cors(text, &wanted.origins) {
                        ConfigPlan::Unchanged => ok(
                            "CORS",
                            format!("browser uploads allowed from {}", wanted.origins.join(", ")),
                        ),
                        _ => fail(
                            "CORS",
                            format!(
                                "browsers at {} cannot upload directly",
                                wanted.origins.join(", ")
                            ),
                            provision,
                        ),
                    }
                }
            });
            findings.push(self.preflight(bucket, &wanted.origins, provision).await);
        }
        findings.push(self.round_trip(bucket, probe).await);
        findings
    }

    /// The preflight a browser at each origin sends before posting a form: what the bucket
    /// answers, whatever its configuration says.
    pub async fn preflight(
        &self,
        bucket: &BucketName,
        origins: &[String],
        provision: &str,
    ) -> Finding {
        let check = "CORS preflight";
        for origin in origins {
            let request = cors_preflight::preflight(&self.target, bucket, origin);
            let mut builder = self.http.request(reqwest::Method::OPTIONS, &request.url);
            for (k, v) in &request.headers {
                builder = builder.header(k, v);
            }
            let answer = match builder.send().await {
                Ok(answer) => answer,
                Err(e) => {
                    return fail(
                        check,
                        format!(
                            "the preflight from {origin} got no answer: {}",
                            crate::http::describe(e)
                        ),
                        "check the endpoint and network (and anything between browsers and the bucket)",
                    );
                }
            };
            let headers = crate::http::header_pairs(answer.headers());
            if let Err(why) = cors_preflight::verdict(answer.status().as_u16(), &headers, origin) {
                return fail(check, why, provision);
            }
        }
        ok(
            check,
            format!(
                "the bucket lets browsers at {} post forms",
                origins.join(", ")
            ),
        )
    }

    /// PUT, GET and DELETE of a probe object through presigned URLs (or a GET of a missing one).
    async fn round_trip(&self, bucket: &BucketName, probe: Probe) -> Finding {
        let check = "presigned round trip";
        let now = SigningTime::new(OffsetDateTime::now_utc());
        let key = ObjectKey::new(format!(
            "uploadkit-doctor/probe-{}.txt",
            uuid::Uuid::new_v4()
        ))
        .expect("a valid key");
        let url = |method| presign_url(&self.signer, &self.target, bucket, &key, method, 300, now);
        let http = &self.http;
        let body = b"uploadkit doctor probe".to_vec();
        let refused =
            |step: &str, status: u16, answer: &[u8]| probe_refused(bucket, step, status, answer);
        let send = |method: Method, body: Vec<u8>| {
            let url = url(method);
            async move {
                let url = url.map_err(|e| e.to_string())?;
                let request = match method {
                    Method::Put => http.put(&url.url).body(body),
                    Method::Delete => http.delete(&url.url),
                    _ => http.get(&url.url),
                };
                let r = request.send().await.map_err(crate::http::describe)?;
                let status = r.status().as_u16();
                let bytes = r.bytes().await.map_err(crate::http::describe)?;
                Ok::<_, String>((status, bytes.to_vec()))
            }
        };
        let network = |e: String| fail(check, e, "check the endpoint and network");
        if probe == Probe::ReadOnly {
            return match send(Method::Get, Vec::new()).await {
                Ok((404, _)) => ok(check, "a signed GET is accepted (404 for a missing key)"),
                Ok((status, answer)) => refused("GET of a missing key", status, &answer),
                Err(e) => network(e),
            };
        }
        match send(Method::Put, body.clone()).await {
            Ok((200, _)) => {}
            Ok((status, answer)) => return refused("PUT", status, &answer),
            Err(e) => return network(e),
        }
        let read = send(Method::Get, Vec::new()).await;
        let deleted = send(Method::Delete, Vec::new()).await;
        match (read, deleted) {
            (Ok((200, got)), Ok((204 | 200, _))) if got == body => ok(
                check,
                format!("PUT, GET and DELETE of {key} through presigned URLs"),
            ),
            (Ok((200, _)), Ok((204 | 200, _))) => fail(
                check,
                "the object read back differs from the one written",
                "check for a proxy or bucket setting that rewrites objects",
            ),
            (Ok((status, answer)), _) if status != 200 => refused("GET", status, &answer),
            (_, Ok((status, answer))) => refused("DELETE", status, &answer),
            (Err(e), _) | (_, Err(e)) => network(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_probe_refusal_blames_permissions_only_for_a_403() {
        let bucket = BucketName::new("b".repeat(3)).unwrap();
        let denied = probe_refused(
            &bucket,
            "PUT",
            403,
            b"<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>",
        );
        assert_eq!(
            denied.detail,
            "PUT through a presigned URL answered 403 AccessDenied: Access Denied"
        );
        assert!(denied.fix.unwrap().contains("s3:PutObject"));
        let failed = probe_refused(
            &bucket,
            "PUT",
            500,
            b"<Error><Code>InternalError</Code><Message>We encountered an internal error, please try again.</Message></Error>",
        );
        assert_eq!(
            failed.detail,
            "PUT through a presigned URL answered 500 InternalError: We encountered an internal error, please try again."
        );
        assert!(!failed.fix.unwrap().contains("s3:PutObject"));
        // A bodiless answer still names its status.
        let bare = probe_refused(&bucket, "GET of a missing key", 503, b"");
        assert_eq!(
            bare.detail,
            "GET of a missing key through a presigned URL answered 503"
        );
    }
}
