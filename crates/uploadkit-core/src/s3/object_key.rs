//! A validated S3 object key.

use std::fmt;

/// The longest key S3 accepts, in UTF-8 bytes.
pub const MAX_KEY_BYTES: usize = 1024;

/// Why an object key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid object key {key:?}: {reason}")]
pub struct InvalidObjectKey {
    /// The key given (control characters shown escaped by `Debug`).
    pub key: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// An object key that is safe to sign and to hand to a browser: 1–1024 UTF-8 bytes, no
/// control characters or backslashes, no leading `/`, and no `.` or `..` segment (which some clients and
/// proxies resolve, silently writing elsewhere). Any other character, `//` included, is kept
/// and encoded exactly as S3 expects.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectKey(String);

impl ObjectKey {
    /// Validates a key.
    ///
    /// ```
    /// use uploadkit_core::s3::ObjectKey;
    /// assert!(ObjectKey::new("a b+c~(1)!*'=&?%//ü.csv").is_ok());
    /// assert!(ObjectKey::new("a/../b").is_err());
    /// assert!(ObjectKey::new("a\nb").is_err());
    /// assert!(ObjectKey::new("a\\b").is_err());
    /// ```
    pub fn new(key: impl Into<String>) -> Result<Self, InvalidObjectKey> {
        let key = key.into();
        let reason = if key.is_empty() {
            Some("it is empty")
        } else if key.len() > MAX_KEY_BYTES {
            Some("it is longer than 1024 bytes")
        } else if key.starts_with('/') {
            Some("it starts with '/'; keys are relative to the bucket")
        } else if key.chars().any(char::is_control) {
            Some("it contains control characters")
        } else if key.contains('\\') {
            // Some tools and servers take it for a path separator, so a key could land or be
            // served somewhere other than where it was signed for.
            Some("it contains a backslash")
        } else if key.split('/').any(|s| s == ".." || s == ".") {
            Some("it contains a '.' or '..' segment")
        } else {
            None
        };
        match reason {
            Some(reason) => Err(InvalidObjectKey { key, reason }),
            None => Ok(Self(key)),
        }
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for ObjectKey {
    type Err = InvalidObjectKey;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}
