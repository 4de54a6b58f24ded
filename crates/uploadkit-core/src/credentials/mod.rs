//! Credentials, the shared config/credentials file formats, and the provider chain's order as
//! pure logic over the environment and file contents.

mod chain;
mod ini;
mod keys;
pub mod process;
mod profiles;
pub mod refresh;
pub mod service_config;
pub mod sso;
pub mod sts;

pub use chain::{
    AssumeRole, ChainError, ChainInput, Container, CredentialSource, DEFAULT_IMDS_ENDPOINT,
    ECS_CONTAINER_HOST, Origin, ProcessSource, RemoteSource, Resolution, RoleSource, WebIdentity,
    container_host_allowed, resolve_chain,
};
pub use ini::{IniError, Section, parse_ini};
pub use keys::{Credentials, InvalidCredentials, Secret};
pub use profiles::{FileContents, Profile, ProfileFile, ProfileFileError, ProfileSet};

#[cfg(test)]
mod tests;
