//! The API's configuration from environment variables (or Workers vars and secrets): buckets,
//! region, S3 endpoint, grant key, allowed origins, lifetimes.

use uploadkit_core::catalogue::Catalogue;
use uploadkit_core::s3::{AddressingStyle, CustomEndpoint, S3Target};

use crate::grant::{DEFAULT_MAX_LIFETIME_SECONDS, WeakKey};
use crate::{ApiConfig, CorsPolicy, GrantKey, GrantKeys};

/// How long upload forms and download URLs are valid unless configured.
pub const DEFAULT_TTL_SECONDS: u32 = 600;

/// A configuration problem, naming the setting and never its secret value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

impl ApiConfig {
    /// Reads `S3_BUCKET_*`, `UPLOADKIT_ENVIRONMENT`, `AWS_ENDPOINT_URL_S3`/`AWS_ENDPOINT_URL`,
    /// the grant keys (see [`grant_keys`]), `UPLOADKIT_ALLOWED_ORIGINS`, `UPLOADKIT_UPLOAD_TTL`
    /// and `UPLOADKIT_DOWNLOAD_TTL`.
    ///
    /// ```
    /// use uploadkit_api::ApiConfig;
    /// let env = |name: &str| match name {
    ///     "UPLOADKIT_GRANT_KEY" => Some("q3Jv9nT0xLw2ZcR8bY5eKp1HdM7sFgUa".into()),
    ///     "UPLOADKIT_ALLOWED_ORIGINS" => Some("https://admin.example".into()),
    ///     _ => None,
    /// };
    /// let config = ApiConfig::from_env(env, None).unwrap();
    /// assert_eq!(config.upload_ttl, 600);
    /// assert!(ApiConfig::from_env(|_| None, None).unwrap_err().to_string().contains("UPLOADKIT_GRANT_KEY"));
    /// ```
    pub fn from_env(
        env: impl Fn(&str) -> Option<String>,
        region: Option<String>,
    ) -> Result<Self, ConfigError> {
        let catalogue =
            Catalogue::from_env(&env, region).map_err(|e| ConfigError(e.to_string()))?;
        let endpoint = env("AWS_ENDPOINT_URL_S3").or_else(|| env("AWS_ENDPOINT_URL"));
        let endpoint = endpoint
            .as_deref()
            .map(CustomEndpoint::parse)
            .transpose()
            .map_err(|e| ConfigError(e.to_string()))?;
        let grant_keys = grant_keys(&env)?;
        let ttl = |name: &str| -> Result<u32, ConfigError> {
            match env(name) {
                None => Ok(DEFAULT_TTL_SECONDS),
                Some(v) => v
                    .parse()
                    .ok()
                    .filter(|t| (1..=604_800).contains(t))
                    .ok_or_else(|| {
                        ConfigError(format!("{name} must be 1 to 604800 seconds, not {v:?}"))
                    }),
            }
        };
        Ok(Self {
            target: S3Target {
                region: catalogue.region().to_owned(),
                endpoint,
                addressing: AddressingStyle::Auto,
            },
            catalogue,
            grant_keys,
            cors: CorsPolicy::from_list(&env("UPLOADKIT_ALLOWED_ORIGINS").unwrap_or_default()),
            upload_ttl: ttl("UPLOADKIT_UPLOAD_TTL")?,
            download_ttl: ttl("UPLOADKIT_DOWNLOAD_TTL")?,
        })
    }
}

/// The grant keys and the longest grant lifetime, from:
/// - `UPLOADKIT_GRANT_KEY`: the key for grants without a `kid`;
/// - `UPLOADKIT_GRANT_KEYS`: a JSON object of key id → key, for grants with a `kid` (rotation:
///   add the new key, have the application sign with it, then remove the old one);
/// - `UPLOADKIT_MAX_GRANT_SECONDS`: the longest grant lifetime accepted (default 3600);
/// - `UPLOADKIT_INSECURE_GRANT_KEY=1`: accept keys that are short, published or repetitive
///   (never for a deployment).
///
/// ```
/// use uploadkit_api::config::grant_keys;
/// let env = |name: &str| match name {
///     "UPLOADKIT_GRANT_KEYS" => Some(r#"{"2026-12": "q3Jv9nT0xLw2ZcR8bY5eKp1HdM7sFgUa"}"#.into()),
///     _ => None,
/// };
/// assert_eq!(grant_keys(&env).unwrap().max_lifetime(), 3600);
/// let weak = |name: &str| (name == "UPLOADKIT_GRANT_KEY").then(|| "x".repeat(40));
/// assert!(grant_keys(&weak).unwrap_err().to_string().contains("repeated"));
/// ```
pub fn grant_keys(env: &impl Fn(&str) -> Option<String>) -> Result<GrantKeys, ConfigError> {
    let insecure = env("UPLOADKIT_INSECURE_GRANT_KEY").is_some_and(|v| v == "1" || v == "true");
    let key = |setting: &str, secret: String| -> Result<GrantKey, ConfigError> {
        if let Some(weak) = WeakKey::check(secret.as_bytes())
            && (!insecure || matches!(weak, WeakKey::TooShort(_)))
        {
            return Err(ConfigError(format!(
                "{setting} {weak}{}",
                if insecure {
                    ""
                } else {
                    " (UPLOADKIT_INSECURE_GRANT_KEY=1 accepts it, for local testing only)"
                }
            )));
        }
        GrantKey::new(secret.into_bytes())
            .ok_or_else(|| ConfigError(format!("{setting} must be at least 32 bytes")))
    };
    let unnamed = env("UPLOADKIT_GRANT_KEY")
        .filter(|k| !k.is_empty())
        .map(|k| key("UPLOADKIT_GRANT_KEY", k))
        .transpose()?;
    let mut named = Vec::new();
    if let Some(json) = env("UPLOADKIT_GRANT_KEYS").filter(|k| !k.is_empty()) {
        let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&json)
            .map_err(|_| {
                ConfigError(
                    "UPLOADKIT_GRANT_KEYS must be a JSON object of key id to key, e.g. {\"2026-12\": \"…\"}".into(),
                )
            })?;
        for (kid, secret) in map {
            let serde_json::Value::String(secret) = secret else {
                return Err(ConfigError(format!(
                    "UPLOADKIT_GRANT_KEYS: the key of {kid:?} must be a string"
                )));
            };
            named.push((
                kid.clone(),
                key(&format!("UPLOADKIT_GRANT_KEYS key {kid:?}"), secret)?,
            ));
        }
    }
    let max = match env("UPLOADKIT_MAX_GRANT_SECONDS") {
        None => DEFAULT_MAX_LIFETIME_SECONDS,
        Some(v) => v
            .parse()
            .ok()
            .filter(|t| (60..=86_400).contains(t))
            .ok_or_else(|| {
                ConfigError(format!(
                    "UPLOADKIT_MAX_GRANT_SECONDS must be 60 to 86400 seconds, not {v:?}"
                ))
            })?,
    };
    GrantKeys::new(unnamed, named)
        .map(|keys| keys.with_max_lifetime(max))
        .ok_or_else(|| {
            ConfigError("set UPLOADKIT_GRANT_KEY (or UPLOADKIT_GRANT_KEYS) to the secret (at least 32 bytes) the application signs upload grants with".into())
        })
}
