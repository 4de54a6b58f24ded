//! Upload grants: short-lived HS256 JWTs the application mints (with any JWT library) to let a
//! browser ask for upload forms for one service and some upload kinds, and download the MOU
//! documents and the reports the grant names.
//!
//! Keys rotate without downtime: a [`GrantKeys`] ring holds several keys at once, each named by
//! a key id that the grant's header carries as `kid`; retiring a key is removing it from the
//! configuration.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;
use uploadkit_core::catalogue::{ReportId, ServiceId, UploadKind};
use uploadkit_core::clock::SigningTime;
use uploadkit_core::local::LOCAL_GRANT_KEY;

/// How far a grant's `nbf`/`iat` may be in the future (clock skew between app and service).
pub const LEEWAY_SECONDS: i64 = 30;

/// The longest grant lifetime accepted unless configured otherwise: one hour.
pub const DEFAULT_MAX_LIFETIME_SECONDS: u32 = 3_600;

/// The most reports one grant may name (a grant travels in a header).
pub const MAX_REPORTS: usize = 100;

/// The shortest grant key accepted, in bytes (HS256's own output size).
pub const MIN_KEY_BYTES: usize = 32;

/// What a grant allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The service it is for.
    pub service_id: ServiceId,
    /// The upload kinds it allows.
    pub kinds: Vec<UploadKind>,
    /// Whether it allows downloading the MOU documents (the same two files for every service).
    pub downloads: bool,
    /// The reports it may download. The app's report keys carry no service
    /// (`notifications_report/{id}.csv`), so the application names the reports of its service
    /// that this grant may fetch; no other report can be reached.
    pub reports: Vec<ReportId>,
    /// When it expires.
    pub expires_at: SigningTime,
}

impl Grant {
    /// Seconds left at `now` (0 once expired): nothing signed under the grant may outlive it.
    pub fn seconds_left(&self, now: SigningTime) -> u32 {
        u32::try_from((self.expires_at.unix() - now.unix()).max(0)).unwrap_or(u32::MAX)
    }
}

/// Why a grant was refused. Every variant is a 401: the caller must get a new grant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GrantError {
    /// No `Authorization: Bearer` header.
    #[error("no upload grant: send it as `Authorization: Bearer <grant>`")]
    Missing,
    /// Not three base64url parts, or not JSON inside.
    #[error("the upload grant is malformed: {0}")]
    Malformed(&'static str),
    /// An algorithm other than HS256 (including `none`).
    #[error("the upload grant must be signed with HS256, not {0:?}")]
    WrongAlgorithm(String),
    /// The header names a key id this service does not have (or no longer has).
    #[error("the upload grant's key id {0:?} is not one this service accepts")]
    UnknownKey(String),
    /// The header names no key id and no key without one is configured.
    #[error("the upload grant has no key id (`kid`), and this service needs one")]
    KeyIdRequired,
    /// The signature does not verify.
    #[error("the upload grant's signature is invalid")]
    BadSignature,
    /// Past `exp`.
    #[error("the upload grant expired at {0}; ask the application for a new one")]
    Expired(String),
    /// Before `nbf`/`iat`.
    #[error("the upload grant is not valid yet")]
    NotYetValid,
    /// Valid for longer than this service allows.
    #[error(
        "the upload grant is valid for {lifetime} seconds; this service accepts at most {max}: mint shorter grants"
    )]
    TooLong {
        /// The grant's lifetime (from `iat`, or from now when it has none).
        lifetime: i64,
        /// The configured maximum.
        max: u32,
    },
    /// Claims missing or of the wrong type.
    #[error("the upload grant's claims are invalid: {0}")]
    BadClaims(String),
}

/// Why a secret cannot be a grant key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WeakKey {
    /// Under [`MIN_KEY_BYTES`].
    #[error("is {0} bytes; it must be at least 32")]
    TooShort(usize),
    /// The local stack's key, which is published.
    #[error("is the local stack's published development key")]
    Published,
    /// One character, or a short pattern, repeated.
    #[error(
        "is a short pattern repeated ({0} bytes long); use a random secret, e.g. `openssl rand -base64 48`"
    )]
    Repetitive(usize),
}

impl WeakKey {
    /// Why `secret` is too weak to sign grants for a deployment, if it is.
    ///
    /// ```
    /// use uploadkit_api::grant::WeakKey;
    /// assert_eq!(WeakKey::check(b"short"), Some(WeakKey::TooShort(5)));
    /// assert_eq!(WeakKey::check(&[b'a'; 40]), Some(WeakKey::Repetitive(1)));
    /// assert_eq!(WeakKey::check(b"0123456789abcdef0123456789abcdef"), Some(WeakKey::Repetitive(16)));
    /// assert_eq!(WeakKey::check(b"q3Jv9nT0xLw2ZcR8bY5eKp1HdM7sFgUa"), None);
    /// ```
    pub fn check(secret: &[u8]) -> Option<Self> {
        if secret.len() < MIN_KEY_BYTES {
            return Some(Self::TooShort(secret.len()));
        }
        if secret == LOCAL_GRANT_KEY.as_bytes() {
            return Some(Self::Published);
        }
        // Periodic with a period of at most half its length: a pattern typed twice or more (the
        // last copy may be cut short).
        (1..=secret.len() / 2)
            .find(|&p| (p..secret.len()).all(|i| secret[i] == secret[i - p]))
            .map(Self::Repetitive)
    }
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    kid: Option<String>,
}

#[derive(Deserialize)]
struct Claims {
    service_id: String,
    #[serde(default)]
    kinds: Vec<String>,
    #[serde(default)]
    downloads: bool,
    #[serde(default)]
    reports: Vec<String>,
    exp: i64,
    nbf: Option<i64>,
    iat: Option<i64>,
}

/// One key grants are signed with (at least 32 bytes).
#[derive(Clone)]
pub struct GrantKey(Vec<u8>);

impl GrantKey {
    /// Wraps a secret; `None` if shorter than 32 bytes (too weak for HS256). Whether a longer
    /// secret is still too weak for a deployment is [`WeakKey::check`]'s call.
    pub fn new(secret: impl Into<Vec<u8>>) -> Option<Self> {
        let secret = secret.into();
        (secret.len() >= MIN_KEY_BYTES).then_some(Self(secret))
    }

    fn mac(&self) -> Hmac<Sha256> {
        Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length")
    }

    /// Mints a grant (for local development and tests; applications use their JWT library).
    ///
    /// ```
    /// use uploadkit_api::grant::{GrantKey, GrantKeys, MintOptions};
    /// use uploadkit_core::{catalogue::{ServiceId, UploadKind}, clock::SigningTime};
    /// let key = GrantKey::new(b"q3Jv9nT0xLw2ZcR8bY5eKp1HdM7sFgUa".to_vec()).unwrap();
    /// let service = ServiceId::parse("4d1f3b7e-9c2a-4f6e-8b1d-2a3c4e5f6a7b").unwrap();
    /// let now = SigningTime::from_unix(1_800_000_000).unwrap();
    /// let token = key.mint(&MintOptions::new(service, &[UploadKind::Csv]), now, 600);
    /// let grant = GrantKeys::single(key).verify(&token, now).unwrap();
    /// assert_eq!(grant.kinds, vec![UploadKind::Csv]);
    /// ```
    pub fn mint(&self, options: &MintOptions<'_>, now: SigningTime, ttl: u32) -> String {
        let header = match options.kid {
            Some(kid) => serde_json::json!({"alg": "HS256", "typ": "JWT", "kid": kid}),
            None => serde_json::json!({"alg": "HS256", "typ": "JWT"}),
        };
        let header = URL_SAFE_NO_PAD.encode(header.to_string());
        let kinds: Vec<&str> = options.kinds.iter().map(|k| k.id()).collect();
        let reports: Vec<String> = options.reports.iter().map(ToString::to_string).collect();
        let claims = serde_json::json!({
            "service_id": options.service_id.to_string(),
            "kinds": kinds,
            "downloads": options.downloads,
            "reports": reports,
            "iat": now.unix(),
            "exp": now.unix() + i64::from(ttl),
        });
        let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
        let signing_input = format!("{header}.{payload}");
        let mut mac = self.mac();
        mac.update(signing_input.as_bytes());
        let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{signing_input}.{signature}")
    }
}

impl std::fmt::Debug for GrantKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GrantKey(<redacted>)")
    }
}

/// What [`GrantKey::mint`] puts in a grant.
#[derive(Debug, Clone)]
pub struct MintOptions<'a> {
    /// The service.
    pub service_id: ServiceId,
    /// The upload kinds.
    pub kinds: &'a [UploadKind],
    /// Whether the MOU documents may be downloaded.
    pub downloads: bool,
    /// The reports that may be downloaded.
    pub reports: &'a [ReportId],
    /// The key id for the header, when the verifier has several keys.
    pub kid: Option<&'a str>,
}

impl<'a> MintOptions<'a> {
    /// A grant for `kinds` of one service, nothing to download, no key id.
    pub fn new(service_id: ServiceId, kinds: &'a [UploadKind]) -> Self {
        Self {
            service_id,
            kinds,
            downloads: false,
            reports: &[],
            kid: None,
        }
    }
}

/// The keys a service verifies grants with, and the longest lifetime it accepts.
#[derive(Clone, Debug)]
pub struct GrantKeys {
    /// The key for grants without a `kid`.
    unnamed: Option<GrantKey>,
    /// Keys by id.
    named: Vec<(String, GrantKey)>,
    /// The longest `exp - iat` (and `exp - now`) accepted.
    max_lifetime: u32,
}

impl GrantKeys {
    /// One key for grants without a `kid`, with the default maximum lifetime.
    pub fn single(key: GrantKey) -> Self {
        Self {
            unnamed: Some(key),
            named: Vec::new(),
            max_lifetime: DEFAULT_MAX_LIFETIME_SECONDS,
        }
    }

    /// A ring of keys: an optional one for grants without a `kid`, and named ones. `None` if
    /// there are no keys at all or a key id is given twice.
    pub fn new(unnamed: Option<GrantKey>, named: Vec<(String, GrantKey)>) -> Option<Self> {
        let duplicate = named
            .iter()
            .enumerate()
            .any(|(i, (id, _))| named[..i].iter().any(|(other, _)| other == id));
        (!duplicate && (unnamed.is_some() || !named.is_empty())).then_some(Self {
            unnamed,
            named,
            max_lifetime: DEFAULT_MAX_LIFETIME_SECONDS,
        })
    }

    /// The same keys with another maximum lifetime, in seconds.
    #[must_use]
    pub fn with_max_lifetime(mut self, seconds: u32) -> Self {
        self.max_lifetime = seconds;
        self
    }

    /// The longest lifetime accepted, in seconds.
    pub fn max_lifetime(&self) -> u32 {
        self.max_lifetime
    }

    fn key(&self, kid: Option<&str>) -> Result<&GrantKey, GrantError> {
        match kid {
            None => self.unnamed.as_ref().ok_or(GrantError::KeyIdRequired),
            Some(kid) => self
                .named
                .iter()
                .find(|(id, _)| id == kid)
                .map(|(_, key)| key)
                .ok_or_else(|| GrantError::UnknownKey(kid.chars().take(64).collect())),
        }
    }

    /// Verifies a grant at `now`: HS256 only, the key chosen by `kid`, the signature checked in
    /// constant time, then `exp` (strict), `nbf`/`iat` (with [`LEEWAY_SECONDS`]), the lifetime,
    /// then the claims.
    pub fn verify(&self, token: &str, now: SigningTime) -> Result<Grant, GrantError> {
        let mut parts = token.trim().split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(GrantError::Malformed("a JWT has three dot-separated parts"));
        };
        let header: Header =
            decode_json(h).ok_or(GrantError::Malformed("the header is not base64url JSON"))?;
        if header.alg != "HS256" {
            return Err(GrantError::WrongAlgorithm(
                header.alg.chars().take(32).collect(),
            ));
        }
        let key = self.key(header.kid.as_deref())?;
        let signature = URL_SAFE_NO_PAD
            .decode(s)
            .map_err(|_| GrantError::Malformed("the signature is not base64url"))?;
        let mut mac = key.mac();
        mac.update(h.as_bytes());
        mac.update(b".");
        mac.update(p.as_bytes());
        mac.verify_slice(&signature)
            .map_err(|_| GrantError::BadSignature)?;

        let claims: Claims = decode_json(p).ok_or(GrantError::Malformed(
            "the claims are not base64url JSON with service_id and exp",
        ))?;
        if now.unix() >= claims.exp {
            let at = SigningTime::from_unix(claims.exp)
                .map_or_else(|| claims.exp.to_string(), |t| t.iso8601());
            return Err(GrantError::Expired(at));
        }
        if claims
            .nbf
            .into_iter()
            .chain(claims.iat)
            .any(|t| t > now.unix() + LEEWAY_SECONDS)
        {
            return Err(GrantError::NotYetValid);
        }
        // Measured from `iat` when the grant has one, and always from now: a grant with a far
        // `exp` and no `iat` is refused too, not merely refused until it comes within range.
        let max = i64::from(self.max_lifetime);
        let lifetime = claims
            .iat
            .map_or(i64::MIN, |iat| claims.exp.saturating_sub(iat))
            .max(claims.exp.saturating_sub(now.unix()));
        if lifetime > max {
            return Err(GrantError::TooLong {
                lifetime,
                max: self.max_lifetime,
            });
        }
        let service_id = ServiceId::parse(&claims.service_id)
            .map_err(|e| GrantError::BadClaims(e.to_string()))?;
        let kinds = claims
            .kinds
            .iter()
            .map(|k| k.parse::<UploadKind>().map_err(GrantError::BadClaims))
            .collect::<Result<Vec<_>, _>>()?;
        if claims.reports.len() > MAX_REPORTS {
            return Err(GrantError::BadClaims(format!(
                "reports names {} reports; at most {MAX_REPORTS}",
                claims.reports.len()
            )));
        }
        let reports = claims
            .reports
            .iter()
            .map(|r| ReportId::parse(r).map_err(|e| GrantError::BadClaims(e.to_string())))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Grant {
            service_id,
            kinds,
            downloads: claims.downloads,
            reports,
            expires_at: SigningTime::from_unix(claims.exp)
                .ok_or(GrantError::BadClaims("exp is out of range".into()))?,
        })
    }
}

fn decode_json<T: for<'de> Deserialize<'de>>(part: &str) -> Option<T> {
    let bytes = URL_SAFE_NO_PAD.decode(part).ok()?;
    serde_json::from_slice(&bytes).ok()
}
