//! Every refusal the API makes, and the one place they become HTTP statuses and JSON.

use uploadkit_core::catalogue::{InvalidPart, ReportId, UploadError, UploadKind};
use uploadkit_core::s3::PolicyError;
use uploadkit_core::sigv4::SigningError;

use crate::grant::GrantError;

/// A refused request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// The grant is missing, malformed, forged or expired.
    #[error(transparent)]
    Grant(#[from] GrantError),
    /// The grant does not cover this upload kind.
    #[error("this upload grant does not allow {0} uploads")]
    KindNotGranted(UploadKind),
    /// The grant is for another service.
    #[error("this upload grant is for another service")]
    ServiceNotGranted,
    /// The grant does not allow downloading the MOU documents.
    #[error("this upload grant does not allow downloading the MOU documents")]
    DownloadsNotGranted,
    /// The grant does not name this report.
    #[error(
        "this upload grant does not name report {0}: the application lists the reports a grant may fetch in its `reports` claim"
    )]
    ReportNotGranted(ReportId),
    /// The origin is not on the allow-list.
    #[error("origin {0:?} is not allowed")]
    OriginNotAllowed(String),
    /// The request body is over the API's limit (judged from `Content-Length` before it is read).
    #[error("the request body is over {0} bytes")]
    BodyTooLarge(usize),
    /// The body is not the JSON the route expects.
    #[error("invalid request body: {0}")]
    BadBody(String),
    /// A field has a bad value.
    #[error("invalid {field}: {message}")]
    BadField {
        /// The field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The file is over the kind's limit.
    #[error("{0}")]
    TooLarge(String),
    /// The file type is not allowed for the kind.
    #[error("{0}")]
    UnsupportedType(String),
    /// The credentials cannot sign (expired, or none).
    #[error("cannot sign: {0}")]
    Unavailable(String),
    /// The permanent logo exists already.
    #[error("{0}")]
    Conflict(String),
    /// The logo fails the logo check.
    #[error("{0}")]
    LogoRefused(String),
    /// The object asked for does not exist.
    #[error("{0}")]
    Missing(String),
    /// S3 refused or could not be reached.
    #[error("{0}")]
    Upstream(String),
    /// No such route.
    #[error("no such endpoint: {0}")]
    NotFound(String),
    /// The route exists, the method does not.
    #[error("method {0} is not allowed here")]
    MethodNotAllowed(String),
}

impl ApiError {
    /// The HTTP status.
    pub fn status(&self) -> u16 {
        match self {
            Self::Grant(_) => 401,
            Self::KindNotGranted(_)
            | Self::ServiceNotGranted
            | Self::DownloadsNotGranted
            | Self::ReportNotGranted(_)
            | Self::OriginNotAllowed(_) => 403,
            Self::BadBody(_) | Self::BadField { .. } => 400,
            Self::TooLarge(_) | Self::BodyTooLarge(_) => 413,
            Self::UnsupportedType(_) => 415,
            Self::Unavailable(_) => 503,
            Self::Conflict(_) => 409,
            Self::LogoRefused(_) => 422,
            Self::Missing(_) => 404,
            Self::Upstream(_) => 502,
            Self::NotFound(_) => 404,
            Self::MethodNotAllowed(_) => 405,
        }
    }

    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Grant(GrantError::Missing) => "grant_missing",
            Self::Grant(GrantError::Expired(_)) => "grant_expired",
            Self::Grant(_) => "grant_invalid",
            Self::KindNotGranted(_) => "kind_not_granted",
            Self::ServiceNotGranted => "service_not_granted",
            Self::DownloadsNotGranted => "downloads_not_granted",
            Self::ReportNotGranted(_) => "report_not_granted",
            Self::OriginNotAllowed(_) => "origin_not_allowed",
            Self::BadBody(_) => "bad_request",
            Self::BadField { .. } => "invalid_field",
            Self::TooLarge(_) => "file_too_large",
            Self::BodyTooLarge(_) => "body_too_large",
            Self::UnsupportedType(_) => "unsupported_type",
            Self::Unavailable(_) => "signing_unavailable",
            Self::Conflict(_) => "logo_exists",
            Self::LogoRefused(_) => "logo_refused",
            Self::Missing(_) => "not_found",
            Self::Upstream(_) => "s3_error",
            Self::NotFound(_) => "not_found",
            Self::MethodNotAllowed(_) => "method_not_allowed",
        }
    }

    /// `{"error": CODE, "message": TEXT}`.
    pub fn body(&self) -> Vec<u8> {
        serde_json::json!({"error": self.code(), "message": self.to_string()})
            .to_string()
            .into_bytes()
    }
}

impl From<UploadError> for ApiError {
    fn from(e: UploadError) -> Self {
        match e {
            UploadError::TooLarge { .. } => Self::TooLarge(e.to_string()),
            UploadError::WrongType { .. } | UploadError::ContentTypeMismatch { .. } => {
                Self::UnsupportedType(e.to_string())
            }
            UploadError::Empty => Self::BadField {
                field: "size",
                message: e.to_string(),
            },
            UploadError::MissingServiceId(_) => Self::BadField {
                field: "service_id",
                message: e.to_string(),
            },
            UploadError::BadTemplateFileName(_)
            | UploadError::InvalidPart(InvalidPart::FileName { .. }) => Self::BadField {
                field: "file_name",
                message: e.to_string(),
            },
            UploadError::InvalidPart(InvalidPart::NotUuid { .. }) => Self::BadField {
                field: "service_id",
                message: e.to_string(),
            },
            UploadError::Policy(PolicyError::Signing(s)) => s.into(),
            UploadError::InvalidKey(_) | UploadError::Policy(_) => Self::BadBody(e.to_string()),
        }
    }
}

impl From<SigningError> for ApiError {
    fn from(e: SigningError) -> Self {
        Self::Unavailable(e.to_string())
    }
}
