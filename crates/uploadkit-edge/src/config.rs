//! The worker's configuration from its vars and secrets (the environment is the only place
//! configuration lives in a worker), read once per isolate.

use uploadkit_api::{ApiConfig, ConfigError};
use uploadkit_core::catalogue::Bucket;
use uploadkit_core::credentials::Credentials;
use uploadkit_core::credentials::sts::regional_endpoint;
use uploadkit_core::s3::BucketName;
use worker::Env;

/// Seconds a `temp-` logo stays cached unless `LOGO_TEMP_MAX_AGE` says otherwise.
const DEFAULT_TEMP_MAX_AGE: u32 = uploadkit_api::logo::TEMPORARY_MAX_AGE;
/// How long the origin may take before the CDN serves a stale copy or a 502.
const DEFAULT_ORIGIN_TIMEOUT_MS: u32 = 5_000;
/// The session length asked of STS unless `UPLOADKIT_ROLE_SESSION_SECONDS` says otherwise.
const DEFAULT_SESSION_SECONDS: u32 = 3_600;

/// Everything the worker needs.
pub struct EdgeConfig {
    /// The presign API's configuration, as the native server has it.
    pub api: ApiConfig,
    /// `LOGO_CDN_DOMAIN`: requests to this host are the logo CDN.
    pub cdn_domain: Option<String>,
    /// The logo bucket.
    pub logo_bucket: BucketName,
    /// `Cache-Control` max-age of `temp-` logos.
    pub temp_max_age: u32,
    /// Origin timeout.
    pub origin_timeout_ms: u32,
    /// Where signing credentials come from.
    pub credentials: CredentialConfig,
}

/// Long-term keys (or session credentials) from secrets, and the role to assume with them.
pub struct CredentialConfig {
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, optional `AWS_SESSION_TOKEN`.
    pub keys: Credentials,
    /// `UPLOADKIT_ROLE_ARN`: exchange the keys for short-lived sessions of this role.
    pub role: Option<RoleConfig>,
}

/// The role to assume.
pub struct RoleConfig {
    /// Its ARN.
    pub arn: String,
    /// `UPLOADKIT_ROLE_EXTERNAL_ID`.
    pub external_id: Option<String>,
    /// `UPLOADKIT_ROLE_SESSION_SECONDS` (900 or more).
    pub session_seconds: u32,
    /// Refresh when a session has less than this left (`UPLOADKIT_REFRESH_BEFORE_SECONDS`;
    /// default a third of the session, at most 15 minutes).
    pub refresh_before_seconds: u32,
    /// `AWS_ENDPOINT_URL_STS`, else the region's STS.
    pub sts_endpoint: String,
    /// The region STS requests are signed for.
    pub sts_region: String,
}

fn text(env: &Env, name: &str) -> Option<String> {
    env.var(name)
        .ok()
        .map(|v| v.to_string())
        .filter(|v| !v.is_empty())
}

fn number(env: &Env, name: &str, default: u32) -> Result<u32, ConfigError> {
    match text(env, name) {
        None => Ok(default),
        Some(v) => v
            .parse()
            .map_err(|_| ConfigError(format!("{name} must be a whole number, not {v:?}"))),
    }
}

impl EdgeConfig {
    /// Reads the configuration; a missing or bad setting is named (secret values never are).
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let lookup = |name: &str| text(env, name);
        let api = ApiConfig::from_env(lookup, text(env, "AWS_REGION"))?;
        let logo_bucket = api.catalogue.name(Bucket::Logo).clone();
        let access_key = text(env, "AWS_ACCESS_KEY_ID");
        let secret = text(env, "AWS_SECRET_ACCESS_KEY");
        let (Some(access_key), Some(secret)) = (access_key, secret) else {
            return Err(ConfigError(
                "set the secrets AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (wrangler secret put)"
                    .into(),
            ));
        };
        let keys = Credentials::new(access_key, secret, text(env, "AWS_SESSION_TOKEN"), None)
            .map_err(|e| ConfigError(format!("the AWS credential secrets: {e}")))?;
        let role = match text(env, "UPLOADKIT_ROLE_ARN") {
            None => None,
            Some(arn) => {
                let session_seconds = number(
                    env,
                    "UPLOADKIT_ROLE_SESSION_SECONDS",
                    DEFAULT_SESSION_SECONDS,
                )?;
                if !(900..=43_200).contains(&session_seconds) {
                    return Err(ConfigError(format!(
                        "UPLOADKIT_ROLE_SESSION_SECONDS must be 900 to 43200, not {session_seconds}"
                    )));
                }
                let refresh_before_seconds = number(
                    env,
                    "UPLOADKIT_REFRESH_BEFORE_SECONDS",
                    (session_seconds / 3).min(900),
                )?;
                let region = api.catalogue.region().to_owned();
                Some(RoleConfig {
                    arn,
                    external_id: text(env, "UPLOADKIT_ROLE_EXTERNAL_ID"),
                    session_seconds,
                    refresh_before_seconds: refresh_before_seconds.min(session_seconds - 1),
                    sts_endpoint: text(env, "AWS_ENDPOINT_URL_STS")
                        .unwrap_or_else(|| regional_endpoint(&region)),
                    sts_region: region,
                })
            }
        };
        Ok(Self {
            cdn_domain: text(env, "LOGO_CDN_DOMAIN").map(|d| d.to_ascii_lowercase()),
            logo_bucket,
            temp_max_age: number(env, "LOGO_TEMP_MAX_AGE", DEFAULT_TEMP_MAX_AGE)?,
            origin_timeout_ms: number(env, "LOGO_ORIGIN_TIMEOUT_MS", DEFAULT_ORIGIN_TIMEOUT_MS)?,
            credentials: CredentialConfig { keys, role },
            api,
        })
    }
}
