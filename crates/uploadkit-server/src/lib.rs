//! uploadkit's native service: the presign API over HTTP, the logo route, the embedded S3 store
//! and the one-command local stack.

pub mod api;
pub mod cdn;
pub mod credentials;
pub mod doctor;
pub mod http;
pub mod listener;
pub mod local;
pub mod observe;
pub mod promote;
pub mod provision;
pub mod revalidate;
pub mod s3ops;
pub mod serve;
pub mod store;

/// Why the service could not start or run.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// A port, folder or file problem.
    #[error("{0}")]
    Io(String),
    /// Bad configuration.
    #[error("configuration: {0}")]
    Config(String),
}
