//! A validated S3 bucket name.

use std::fmt;

/// Why a bucket name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid bucket name {name:?}: {reason} (bucket names are 3-63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit)"
)]
pub struct InvalidBucketName {
    /// The name given.
    pub name: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// An S3 bucket name, valid under S3's current naming rules.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BucketName(String);

impl BucketName {
    /// Validates a bucket name.
    ///
    /// ```
    /// use uploadkit_core::s3::BucketName;
    /// assert!(BucketName::new("notify.tools-mou").is_ok());
    /// assert!(BucketName::new("My_Bucket").is_err());
    /// ```
    pub fn new(name: impl Into<String>) -> Result<Self, InvalidBucketName> {
        let name = name.into();
        let fail = |reason| {
            Err(InvalidBucketName {
                name: name.clone(),
                reason,
            })
        };
        let bytes = name.as_bytes();
        if !(3..=63).contains(&bytes.len()) {
            return fail("it must be 3 to 63 characters long");
        }
        if !bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-'))
        {
            return fail("it may only hold lower-case letters, digits, '.' and '-'");
        }
        let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
        if !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
            return fail("it must start and end with a letter or digit");
        }
        if name.contains("..") || name.contains(".-") || name.contains("-.") {
            return fail("dots must separate labels of letters and digits");
        }
        if name.split('.').count() == 4 && name.split('.').all(|p| p.parse::<u8>().is_ok()) {
            return fail("it must not look like an IP address");
        }
        Ok(Self(name))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the bucket can be a host name label over HTTPS (no dots, which would break the
    /// `*.s3.amazonaws.com` wildcard certificate). botocore uses path style otherwise.
    pub fn is_virtual_hostable(&self) -> bool {
        !self.0.contains('.')
    }
}

impl fmt::Display for BucketName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for BucketName {
    type Err = InvalidBucketName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_each_rule() {
        for bad in [
            "ab",
            "a".repeat(64).as_str(),
            "Abc",
            "a_b",
            "-ab",
            "ab-",
            "a..b",
            "a.-b",
            "192.168.5.4",
        ] {
            assert!(BucketName::new(bad).is_err(), "{bad}");
        }
        for good in ["abc", "local-mou", "notify.tools-mou", "1.2.3", "a1-2"] {
            assert!(BucketName::new(good).is_ok(), "{good}");
        }
    }
}
