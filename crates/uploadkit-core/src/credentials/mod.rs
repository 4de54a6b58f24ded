//! Credentials, the shared config/credentials file formats, and the provider chain's order as
//! pure logic over the environment and file contents.

mod credentials;

pub use credentials::{Credentials, InvalidCredentials, Secret};
