//! Shared helpers for uploadkit's integration tests: vector loading, a raw HTTP request parser
//! for the SigV4 suite, and real S3 servers (SeaweedFS, s3s) started on 127.0.0.1.

pub mod raw_request;

use std::path::PathBuf;

/// The folder holding the test vectors.
pub fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("vectors")
}
