//! Every way a command fails, with the message it prints.

use uploadkit_core::catalogue::{CatalogueError, InvalidPart, UploadError, UploadKind};
use uploadkit_core::credentials::InvalidCredentials;
use uploadkit_core::s3::{InvalidBucketName, InvalidEndpoint, InvalidObjectKey, PolicyError};
use uploadkit_core::sigv4::SigningError;

use crate::credentials::CredentialsError;

#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    #[error(transparent)]
    Credentials(#[from] CredentialsError),
    #[error(transparent)]
    Catalogue(#[from] CatalogueError),
    #[error(transparent)]
    Bucket(#[from] InvalidBucketName),
    #[error(transparent)]
    Key(#[from] InvalidObjectKey),
    #[error(transparent)]
    Endpoint(#[from] InvalidEndpoint),
    #[error(transparent)]
    Signing(#[from] SigningError),
    #[error(transparent)]
    Presign(#[from] uploadkit_core::s3::PresignError),
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error(transparent)]
    Upload(#[from] UploadError),
    #[error(transparent)]
    Part(#[from] InvalidPart),
    #[error(transparent)]
    InvalidCredentials(#[from] InvalidCredentials),
    #[error(transparent)]
    Server(#[from] uploadkit_server::ServerError),
    #[error(transparent)]
    S3(#[from] uploadkit_server::s3ops::S3Error),
    #[error(transparent)]
    Fetch(#[from] uploadkit_server::credentials::FetchError),
    #[error("unknown template type {0:?}: use email, sms or letter")]
    BadTemplateType(String),
    #[error("{0} uploads are not spreadsheets; revalidate takes csv or contact-list")]
    NotASpreadsheet(UploadKind),
    #[error("UPLOADKIT_GRANT_KEY must be at least 32 bytes")]
    WeakGrantKey,
    #[error("{0}")]
    Refused(String),
    #[error(
        "{0} is a permanent logo, which is never deleted (old emails and letters still point at it)"
    )]
    NeverDeleted(String),
    #[error(
        "a grant needs at least one --kind, --downloads or --report: this one would allow nothing"
    )]
    EmptyGrant,
    #[error("{0}: {1}")]
    Unreadable(std::path::PathBuf, std::io::Error),
    #[error("validate checks logos and spreadsheets, not {0} uploads")]
    NotALogo(UploadKind),
    /// A file that cannot be used at all: the verdict on standard output, exit 2.
    #[error("{0}")]
    Unusable(String),
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    #[error("--at {0:?} is not an RFC 3339 time such as 2026-11-22T09:30:00Z")]
    BadTime(String),
    #[error("--field {0:?} must be NAME=VALUE")]
    BadField(String),
    #[error("--condition {given:?} is not JSON: {source}")]
    BadConditionJson {
        given: String,
        source: serde_json::Error,
    },
}
