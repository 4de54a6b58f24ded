//! Credentials with real I/O: the core decides the source, this fetches and refreshes.

mod cache;
mod fetch;

pub use cache::{CacheError, CredentialCache, RefreshWindows};
pub use fetch::{
    FetchConfig, FetchError, assume_role, container, fetch, instance_metadata, web_identity,
};
