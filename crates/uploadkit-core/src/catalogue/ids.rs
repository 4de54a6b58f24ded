//! Identifiers and file names that keys are built from, each validated on construction.

use std::fmt;

use uuid::Uuid;

/// Why an identifier or file name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidPart {
    /// Not a UUID.
    #[error("{what} {given:?} is not a UUID (e.g. 4d1f3b7e-9c2a-4f6e-8b1d-2a3c4e5f6a7b)")]
    NotUuid {
        /// Which identifier.
        what: &'static str,
        /// What was given.
        given: String,
    },
    /// A file name that cannot be used.
    #[error("file name {given:?} {reason}")]
    FileName {
        /// What was given.
        given: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}

fn parse_uuid(what: &'static str, given: &str) -> Result<Uuid, InvalidPart> {
    // Only the canonical hyphenated form: it is what appears in keys.
    if given.len() != 36 {
        return Err(InvalidPart::NotUuid {
            what,
            given: given.to_owned(),
        });
    }
    Uuid::try_parse(given).map_err(|_| InvalidPart::NotUuid {
        what,
        given: given.to_owned(),
    })
}

macro_rules! uuid_id {
    ($name:ident, $what:literal, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Uuid);

        impl $name {
            /// Parses the hyphenated UUID form.
            pub fn parse(given: &str) -> Result<Self, InvalidPart> {
                parse_uuid($what, given).map(Self)
            }

            /// Wraps a UUID.
            pub fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = InvalidPart;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
    };
}

uuid_id!(ServiceId, "service id", "A service's id (a UUID).");
uuid_id!(
    UploadId,
    "upload id",
    "A new upload's id (a UUID the caller generates)."
);
uuid_id!(
    ReportId,
    "report request id",
    "A report request's id (a UUID)."
);

/// The longest file name accepted.
pub const MAX_FILE_NAME_CHARS: usize = 255;

/// The name of the file a user picked: no path, no control characters, with an extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName {
    name: String,
    extension: String,
}

impl FileName {
    /// Validates a file name and reads its extension (lower-cased).
    ///
    /// ```
    /// use uploadkit_core::catalogue::FileName;
    /// let f = FileName::parse("Recipients.CSV").unwrap();
    /// assert_eq!(f.extension(), "csv");
    /// assert!(FileName::parse("../etc/passwd").is_err());
    /// assert!(FileName::parse("noext").is_err());
    /// assert!(FileName::parse("a%5Cb.csv").is_err());
    /// assert!(FileName::parse("a\\b.csv").is_err());
    /// assert!(FileName::parse("report\u{202E}vsc.exe.csv").is_err());
    /// assert!(FileName::parse("50% off.csv").is_ok());
    /// ```
    pub fn parse(given: &str) -> Result<Self, InvalidPart> {
        let fail = |reason| {
            Err(InvalidPart::FileName {
                given: given.to_owned(),
                reason,
            })
        };
        let name = given.trim();
        if name.is_empty() {
            return fail("is empty");
        }
        if name.chars().count() > MAX_FILE_NAME_CHARS {
            return fail("is longer than 255 characters");
        }
        // A bidirectional override (U+202E) makes `evil<U+202E>gpj.exe` read as `evilexe.jpg`.
        let bidi = |c: char| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        if name.chars().any(|c| c.is_control() || bidi(c)) {
            return fail("contains control characters");
        }
        if name.contains(['/', '\\']) || name == "." || name == ".." {
            return fail("must be a bare file name, without a path");
        }
        // Percent-encoded separators and control characters, which a later decoding would
        // turn into the real thing.
        if percent_encoded_forbidden(name) {
            return fail(
                "must not contain percent-encoded slashes, backslashes or control characters",
            );
        }
        let Some((stem, ext)) = name.rsplit_once('.') else {
            return fail("has no extension (e.g. .csv, .png)");
        };
        if stem.is_empty() || ext.is_empty() {
            return fail("has no extension (e.g. .csv, .png)");
        }
        Ok(Self {
            name: name.to_owned(),
            extension: ext.to_ascii_lowercase(),
        })
    }

    /// The name as given (trimmed).
    pub fn as_str(&self) -> &str {
        &self.name
    }

    /// The extension, lower-case, without the dot.
    pub fn extension(&self) -> &str {
        &self.extension
    }

    /// The name as the app stores it in `original_file_name` (its upload form's
    /// `safe_filename`): downgraded to ASCII by the app's `SanitiseASCII` (`é` → `e`, `–` →
    /// `-`, characters with no downgrade → `?`) and cut to 1,600 characters.
    ///
    /// ```
    /// use uploadkit_core::catalogue::FileName;
    /// let name = FileName::parse("Café – août.xlsx").unwrap();
    /// assert_eq!(name.metadata_value(), "Cafe - aout.xlsx");
    /// ```
    pub fn metadata_value(&self) -> String {
        let mut ascii = uploadkit_validators::postal::sanitise_ascii(&self.name);
        ascii.truncate(MAX_METADATA_FILE_NAME);
        ascii
    }
}

/// The app truncates the stored file name to this many bytes (all ASCII by then).
const MAX_METADATA_FILE_NAME: usize = 1600;

fn percent_encoded_forbidden(name: &str) -> bool {
    let bytes = name.as_bytes();
    bytes.windows(3).any(|w| {
        w[0] == b'%'
            && std::str::from_utf8(&w[1..])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .is_some_and(|b| b < 0x20 || b == 0x7f || b == b'/' || b == b'\\')
    })
}

impl fmt::Display for FileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// A value made safe for S3 user metadata, which travels in HTTP headers: printable ASCII kept,
/// anything else becomes `?`.
///
/// ```
/// assert_eq!(uploadkit_core::catalogue::metadata_ascii("Café – list\n"), "Caf? ? list?");
/// ```
pub fn metadata_ascii(value: &str) -> String {
    value
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '?'
            }
        })
        .collect()
}
