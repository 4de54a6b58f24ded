//! uploadkit's presign API as plain functions from request to response, shared unchanged by the
//! native server and the edge worker: upload grants (HS256 JWTs), upload forms for the
//! catalogue's upload kinds, presigned downloads, CORS, and one mapping of errors to statuses.

pub mod config;
pub mod cors;
pub mod error;
pub mod grant;
pub mod handler;
pub mod http;
pub mod logo;
pub mod promote;

pub use config::ConfigError;
pub use cors::CorsPolicy;
pub use error::ApiError;
pub use grant::{Grant, GrantError, GrantKey, GrantKeys, MintOptions, WeakKey};
pub use handler::{ApiConfig, Context, handle};
pub use http::{ApiRequest, ApiResponse};

#[cfg(test)]
mod tests;
