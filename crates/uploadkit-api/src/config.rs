//! The API's configuration from environment variables (or Workers vars and secrets): buckets,
//! region, S3 endpoint, grant key, allowed origins, lifetimes.

use uploadkit_core::catalogue::Catalogue;
use uploadkit_core::s3::{AddressingStyle, CustomEndpoint, S3Target};

use crate::{ApiConfig, CorsPolicy, GrantKey};

/// How long upload forms and download URLs are valid unless configured.
pub const DEFAULT_TTL_SECONDS: u32 = 600;

/// A configuration problem, naming the setting and never its secret value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

impl ApiConfig {
    /// Reads `S3_BUCKET_*`, `UPLOADKIT_ENVIRONMENT`, `AWS_ENDPOINT_URL_S3`/`AWS_ENDPOINT_URL`,
    /// `UPLOADKIT_GRANT_KEY`, `UPLOADKIT_ALLOWED_ORIGINS`, `UPLOADKIT_UPLOAD_TTL` and
    /// `UPLOADKIT_DOWNLOAD_TTL`.
    ///
    /// ```
    /// use uploadkit_api::ApiConfig;
    /// let env = |name: &str| match name {
    ///     "UPLOADKIT_GRANT_KEY" => Some("k".repeat(32)),
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
        let key = env("UPLOADKIT_GRANT_KEY").ok_or_else(|| {
            ConfigError("set UPLOADKIT_GRANT_KEY to the secret (at least 32 bytes) the application signs upload grants with".into())
        })?;
        let grant_key = GrantKey::new(key.into_bytes())
            .ok_or_else(|| ConfigError("UPLOADKIT_GRANT_KEY must be at least 32 bytes".into()))?;
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
            grant_key,
            cors: CorsPolicy::from_list(&env("UPLOADKIT_ALLOWED_ORIGINS").unwrap_or_default()),
            upload_ttl: ttl("UPLOADKIT_UPLOAD_TTL")?,
            download_ttl: ttl("UPLOADKIT_DOWNLOAD_TTL")?,
        })
    }
}
