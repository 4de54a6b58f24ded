//! What a browser upload's answer means: success, or S3's XML error turned into a message a
//! person can act on, and whether trying again could help.

use crate::xml;

/// How an upload attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadOutcome {
    /// Stored: S3's key and ETag from the `201` document.
    Stored {
        /// The object key S3 reports.
        key: Option<String>,
        /// The object's ETag.
        etag: Option<String>,
    },
    /// Refused or failed.
    Failed(UploadFailure),
}

/// A failed upload attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadFailure {
    /// S3's error code, or `NetworkError`.
    pub code: String,
    /// What to tell the person uploading.
    pub message: String,
    /// Whether the same request may succeed if sent again.
    pub retryable: bool,
}

/// Reads an upload's answer: `status` `None` for a network failure (no answer at all).
///
/// ```
/// use uploadkit_core::s3::{upload_outcome, UploadOutcome};
/// let body = "<Error><Code>EntityTooLarge</Code><Message>Your proposed upload exceeds the maximum allowed size</Message><MaxSizeAllowed>2097152</MaxSizeAllowed></Error>";
/// let UploadOutcome::Failed(f) = upload_outcome(Some(400), body) else { panic!() };
/// assert_eq!(f.message, "The file is too big: the limit is 2097152 bytes");
/// assert!(!f.retryable);
/// ```
pub fn upload_outcome(status: Option<u16>, body: &str) -> UploadOutcome {
    let Some(status) = status else {
        return UploadOutcome::Failed(UploadFailure {
            code: "NetworkError".into(),
            message: "The upload was interrupted by a network problem".into(),
            retryable: true,
        });
    };
    if (200..300).contains(&status) {
        return UploadOutcome::Stored {
            key: xml::text(body, "Key"),
            etag: xml::text(body, "ETag").map(|e| e.trim_matches('"').to_owned()),
        };
    }
    let code = xml::text(body, "Code").unwrap_or_else(|| format!("HTTP{status}"));
    let s3_message = xml::text(body, "Message").unwrap_or_default();
    let message = match code.as_str() {
        "EntityTooLarge" => match xml::text(body, "MaxSizeAllowed") {
            Some(max) => format!("The file is too big: the limit is {max} bytes"),
            None => "The file is too big".into(),
        },
        "EntityTooSmall" => "The file is empty".into(),
        "AccessDenied" if s3_message.contains("Policy expired") => {
            "The upload form has expired: start the upload again to get a new one".into()
        }
        "AccessDenied" if s3_message.contains("Invalid according to Policy") => {
            "The file does not match what this upload form allows (name, type or size)".into()
        }
        "AccessDenied" => "The upload was refused: this form does not allow it".into(),
        "SignatureDoesNotMatch" => {
            "The upload form's signature is not valid: start the upload again".into()
        }
        "RequestTimeTooSkewed" => {
            "This computer's clock is wrong by more than 15 minutes: correct it and try again"
                .into()
        }
        "ExpiredToken" => {
            "The upload form has expired: start the upload again to get a new one".into()
        }
        _ if status >= 500 => "The storage service had a problem; trying again".into(),
        _ => format!("The upload was refused ({code}): {s3_message}"),
    };
    // Client errors will fail the same way again; server errors and throttling may not.
    let retryable = status >= 500
        || matches!(
            code.as_str(),
            "SlowDown" | "RequestTimeout" | "InternalError" | "ServiceUnavailable"
        );
    UploadOutcome::Failed(UploadFailure {
        code,
        message,
        retryable,
    })
}

/// Bounded exponential backoff with full jitter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// Ceiling of the first retry's delay, in milliseconds.
    pub base_ms: u32,
    /// Ceiling of any delay, in milliseconds.
    pub max_ms: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_ms: 500,
            max_ms: 8_000,
        }
    }
}

impl RetryPolicy {
    /// The delay before attempt `attempt + 1` after attempt `attempt` (1-based) failed, or `None`
    /// when no retry should follow. `random` in `[0, 1)` spreads retries out.
    ///
    /// ```
    /// use uploadkit_core::s3::{RetryPolicy, upload_outcome, UploadOutcome};
    /// let UploadOutcome::Failed(f) = upload_outcome(Some(503), "") else { panic!() };
    /// let policy = RetryPolicy::default();
    /// assert!(policy.delay_ms(1, &f, 0.5).is_some());
    /// assert!(policy.delay_ms(4, &f, 0.5).is_none());
    /// ```
    pub fn delay_ms(&self, attempt: u32, failure: &UploadFailure, random: f64) -> Option<u32> {
        if !failure.retryable || attempt >= self.max_attempts {
            return None;
        }
        let ceiling = self
            .base_ms
            .saturating_mul(1u32 << (attempt - 1).min(16))
            .min(self.max_ms);
        Some((f64::from(ceiling) * random.clamp(0.0, 1.0)) as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(status: Option<u16>, body: &str) -> UploadFailure {
        match upload_outcome(status, body) {
            UploadOutcome::Failed(f) => f,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn success_reads_key_and_etag() {
        let body = "<PostResponse><Location>/b/k</Location><Bucket>b</Bucket><Key>service-x-notify/u.csv</Key><ETag>\"abc\"</ETag></PostResponse>";
        assert_eq!(
            upload_outcome(Some(201), body),
            UploadOutcome::Stored {
                key: Some("service-x-notify/u.csv".into()),
                etag: Some("abc".into())
            }
        );
    }

    #[test]
    fn s3_errors_become_clear_messages() {
        let policy = failed(
            Some(403),
            "<Error><Code>AccessDenied</Code><Message>Invalid according to Policy: Policy Condition failed: [\"eq\", \"$Content-Type\", \"text/csv\"]</Message></Error>",
        );
        assert_eq!(
            policy.message,
            "The file does not match what this upload form allows (name, type or size)"
        );
        let expired = failed(
            Some(403),
            "<Error><Code>AccessDenied</Code><Message>Invalid according to Policy: Policy expired.</Message></Error>",
        );
        assert_eq!(
            expired.message,
            "The upload form has expired: start the upload again to get a new one"
        );
        let only_expired = failed(
            Some(403),
            "<Error><Code>AccessDenied</Code><Message>Policy expired.</Message></Error>",
        );
        assert_eq!(
            only_expired.message,
            "The upload form has expired: start the upload again to get a new one"
        );
        assert!(
            failed(
                Some(403),
                "<Error><Code>SignatureDoesNotMatch</Code></Error>"
            )
            .message
            .contains("signature")
        );
        assert!(
            failed(
                Some(403),
                "<Error><Code>RequestTimeTooSkewed</Code></Error>"
            )
            .message
            .contains("clock")
        );
        assert!(!failed(Some(400), "<Error><Code>EntityTooLarge</Code></Error>").retryable);
    }

    #[test]
    fn retries_only_what_can_succeed() {
        let policy = RetryPolicy::default();
        let network = failed(None, "");
        let server = failed(Some(500), "<Error><Code>InternalError</Code></Error>");
        let client = failed(Some(403), "<Error><Code>AccessDenied</Code></Error>");
        assert!(network.retryable && server.retryable && !client.retryable);
        assert_eq!(
            policy.delay_ms(1, &client, 0.9),
            None,
            "a 4xx is never retried"
        );
        let delays: Vec<Option<u32>> = (1..=4)
            .map(|a| policy.delay_ms(a, &network, 0.999))
            .collect();
        assert_eq!(delays, vec![Some(499), Some(999), Some(1998), None]);
        assert_eq!(policy.delay_ms(1, &server, 0.0), Some(0));
        let capped = RetryPolicy {
            max_attempts: 20,
            ..policy
        };
        assert!(capped.delay_ms(19, &server, 0.999).unwrap() <= 8_000);
    }
}
