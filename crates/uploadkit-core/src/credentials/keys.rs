//! AWS credentials: the key pair, an optional session token and when they stop working.

use std::fmt;

use crate::clock::SigningTime;

/// A secret string whose `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for signing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Why a key pair was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidCredentials {
    /// The access key id is empty.
    #[error("the access key id is empty")]
    EmptyAccessKey,
    /// The secret access key is empty.
    #[error("the secret access key is empty")]
    EmptySecret,
    /// The session token is present but empty.
    #[error("the session token is empty; unset it or set the whole token")]
    EmptyToken,
    /// A value holds whitespace or control characters (often a pasted line break).
    #[error("the {0} contains whitespace or control characters; check for a stray line break")]
    BadCharacters(&'static str),
}

/// Credentials to sign with. Temporary credentials carry a session token and an expiry; the
/// kit never signs anything that would outlive them.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    access_key_id: String,
    secret_access_key: Secret,
    session_token: Option<Secret>,
    expires_at: Option<SigningTime>,
}

impl Credentials {
    /// Long-term or temporary credentials; values are trimmed of surrounding whitespace.
    ///
    /// ```
    /// use uploadkit_core::credentials::Credentials;
    /// let c = Credentials::new("AKIDEXAMPLE", "secret", None, None).unwrap();
    /// assert_eq!(c.access_key_id(), "AKIDEXAMPLE");
    /// assert!(format!("{c:?}").contains("<redacted>"));
    /// assert!(Credentials::new("", "secret", None, None).is_err());
    /// ```
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        session_token: Option<String>,
        expires_at: Option<SigningTime>,
    ) -> Result<Self, InvalidCredentials> {
        let access_key_id = trimmed(access_key_id.into());
        let secret = trimmed(secret_access_key.into());
        if access_key_id.is_empty() {
            return Err(InvalidCredentials::EmptyAccessKey);
        }
        if secret.is_empty() {
            return Err(InvalidCredentials::EmptySecret);
        }
        check_chars(&access_key_id, "access key id")?;
        check_chars(&secret, "secret access key")?;
        let session_token = match session_token.map(trimmed) {
            Some(t) if t.is_empty() => return Err(InvalidCredentials::EmptyToken),
            Some(t) => {
                check_chars(&t, "session token")?;
                Some(Secret(t))
            }
            None => None,
        };
        Ok(Self {
            access_key_id,
            secret_access_key: Secret(secret),
            session_token,
            expires_at,
        })
    }

    /// The access key id (not secret; it appears in every signature).
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The secret access key.
    pub fn secret_access_key(&self) -> &Secret {
        &self.secret_access_key
    }

    /// The session token of temporary credentials.
    pub fn session_token(&self) -> Option<&Secret> {
        self.session_token.as_ref()
    }

    /// When the credentials stop working, if they do.
    pub fn expires_at(&self) -> Option<SigningTime> {
        self.expires_at
    }

    /// Whether the credentials have expired at `now`.
    pub fn is_expired(&self, now: SigningTime) -> bool {
        self.expires_at.is_some_and(|e| e <= now)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &self.secret_access_key)
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

fn trimmed(s: String) -> String {
    let t = s.trim();
    if t.len() == s.len() { s } else { t.to_owned() }
}

fn check_chars(value: &str, what: &'static str) -> Result<(), InvalidCredentials> {
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Err(InvalidCredentials::BadCharacters(what))
    } else {
        Ok(())
    }
}
