//! Credentials with real I/O: the core decides the source, this fetches and refreshes.

mod cache;
mod fetch;

pub use cache::{CacheError, CredentialCache};
pub use fetch::{
    AskCode, FetchConfig, FetchError, MfaPrompt, assume_role, caller_identity, container, fetch,
    instance_metadata, run_process, sso_credentials, web_identity,
};
