//! uploadkit's sans-IO core: SigV4 signing, S3 presigned URLs, browser POST policies, the
//! bucket catalogue and credential resolution, as pure functions over bytes and a clock.
//!
//! Nothing here opens a socket, reads a file or a clock, so it builds for native targets and
//! `wasm32-unknown-unknown` alike; the adapters around it do the I/O.

pub mod catalogue;
pub mod clock;
pub mod credentials;
pub mod encode;
pub mod local;
pub mod s3;
pub mod sigv4;
pub mod xml;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
