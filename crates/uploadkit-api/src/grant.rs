//! Upload grants: short-lived HS256 JWTs the application mints (with any JWT library) to let a
//! browser ask for upload forms for one service and some upload kinds.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;
use uploadkit_core::catalogue::{ServiceId, UploadKind};
use uploadkit_core::clock::SigningTime;

/// How far a grant's `nbf`/`iat` may be in the future (clock skew between app and service).
pub const LEEWAY_SECONDS: i64 = 30;

/// What a grant allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The service it is for.
    pub service_id: ServiceId,
    /// The upload kinds it allows.
    pub kinds: Vec<UploadKind>,
    /// Whether it allows downloads (MOU documents, reports).
    pub downloads: bool,
    /// When it expires.
    pub expires_at: SigningTime,
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
    /// The signature does not verify.
    #[error("the upload grant's signature is invalid")]
    BadSignature,
    /// Past `exp`.
    #[error("the upload grant expired at {0}; ask the application for a new one")]
    Expired(String),
    /// Before `nbf`/`iat`.
    #[error("the upload grant is not valid yet")]
    NotYetValid,
    /// Claims missing or of the wrong type.
    #[error("the upload grant's claims are invalid: {0}")]
    BadClaims(String),
}

#[derive(Deserialize)]
struct Header {
    alg: String,
}

#[derive(Deserialize)]
struct Claims {
    service_id: String,
    #[serde(default)]
    kinds: Vec<String>,
    #[serde(default)]
    downloads: bool,
    exp: i64,
    nbf: Option<i64>,
    iat: Option<i64>,
}

/// The key grants are signed with (at least 32 bytes).
#[derive(Clone)]
pub struct GrantKey(Vec<u8>);

impl GrantKey {
    /// Wraps a secret; `None` if shorter than 32 bytes (too weak for HS256).
    pub fn new(secret: impl Into<Vec<u8>>) -> Option<Self> {
        let secret = secret.into();
        (secret.len() >= 32).then_some(Self(secret))
    }

    fn mac(&self) -> Hmac<Sha256> {
        Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length")
    }

    /// Mints a grant (for local development and tests; applications use their JWT library).
    ///
    /// ```
    /// use uploadkit_api::grant::GrantKey;
    /// use uploadkit_core::{catalogue::{ServiceId, UploadKind}, clock::SigningTime};
    /// let key = GrantKey::new(b"0123456789abcdef0123456789abcdef".to_vec()).unwrap();
    /// let service = ServiceId::parse("4d1f3b7e-9c2a-4f6e-8b1d-2a3c4e5f6a7b").unwrap();
    /// let now = SigningTime::from_unix(1_800_000_000).unwrap();
    /// let token = key.mint(service, &[UploadKind::Csv], false, now, 600);
    /// let grant = key.verify(&token, now).unwrap();
    /// assert_eq!(grant.kinds, vec![UploadKind::Csv]);
    /// ```
    pub fn mint(
        &self,
        service_id: ServiceId,
        kinds: &[UploadKind],
        downloads: bool,
        now: SigningTime,
        ttl: u32,
    ) -> String {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let kinds: Vec<&str> = kinds.iter().map(|k| k.id()).collect();
        let claims = serde_json::json!({
            "service_id": service_id.to_string(),
            "kinds": kinds,
            "downloads": downloads,
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

    /// Verifies a grant at `now`: HS256 only, signature checked in constant time, then `exp`
    /// (strict), `nbf`/`iat` (with [`LEEWAY_SECONDS`]), then the claims.
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
            return Err(GrantError::WrongAlgorithm(header.alg));
        }
        let signature = URL_SAFE_NO_PAD
            .decode(s)
            .map_err(|_| GrantError::Malformed("the signature is not base64url"))?;
        let mut mac = self.mac();
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
        let service_id = ServiceId::parse(&claims.service_id)
            .map_err(|e| GrantError::BadClaims(e.to_string()))?;
        let kinds = claims
            .kinds
            .iter()
            .map(|k| k.parse::<UploadKind>().map_err(GrantError::BadClaims))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Grant {
            service_id,
            kinds,
            downloads: claims.downloads,
            expires_at: SigningTime::from_unix(claims.exp)
                .ok_or(GrantError::BadClaims("exp is out of range".into()))?,
        })
    }
}

impl std::fmt::Debug for GrantKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GrantKey(<redacted>)")
    }
}

fn decode_json<T: for<'de> Deserialize<'de>>(part: &str) -> Option<T> {
    let bytes = URL_SAFE_NO_PAD.decode(part).ok()?;
    serde_json::from_slice(&bytes).ok()
}
