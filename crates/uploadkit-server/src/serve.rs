//! `uploadkit serve`: the presign API for a real deployment, configured from the environment
//! (bucket names, region, endpoint, grant key, allowed origins) with credentials from the
//! standard chain, refreshed before they expire.

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::routing::any;
use tokio::net::TcpListener;
use tower_http::services::ServeDir;
use uploadkit_api::{ApiConfig, CorsPolicy, GrantKey};
use uploadkit_core::catalogue::Catalogue;
use uploadkit_core::credentials::Resolution;
use uploadkit_core::s3::{AddressingStyle, CustomEndpoint, S3Target};

use crate::ServerError;
use crate::api::{ApiState, api};
use crate::credentials::{CredentialCache, FetchConfig, RefreshWindows};

/// How long upload forms and download URLs are valid unless configured.
pub const DEFAULT_TTL_SECONDS: u32 = 600;

/// The API's configuration from environment variables.
pub fn config_from_env(
    env: impl Fn(&str) -> Option<String>,
    region: Option<String>,
) -> Result<ApiConfig, ServerError> {
    let catalogue =
        Catalogue::from_env(&env, region).map_err(|e| ServerError::Config(e.to_string()))?;
    let endpoint = env("AWS_ENDPOINT_URL_S3").or_else(|| env("AWS_ENDPOINT_URL"));
    let endpoint = endpoint
        .as_deref()
        .map(CustomEndpoint::parse)
        .transpose()
        .map_err(|e| ServerError::Config(e.to_string()))?;
    let key = env("UPLOADKIT_GRANT_KEY").ok_or_else(|| {
        ServerError::Config("set UPLOADKIT_GRANT_KEY to the secret (at least 32 bytes) the application signs upload grants with".into())
    })?;
    let grant_key = GrantKey::new(key.into_bytes()).ok_or_else(|| {
        ServerError::Config("UPLOADKIT_GRANT_KEY must be at least 32 bytes".into())
    })?;
    let ttl = |name: &str| -> Result<u32, ServerError> {
        match env(name) {
            None => Ok(DEFAULT_TTL_SECONDS),
            Some(v) => v
                .parse()
                .ok()
                .filter(|t| (1..=604_800).contains(t))
                .ok_or_else(|| {
                    ServerError::Config(format!("{name} must be 1 to 604800 seconds, not {v:?}"))
                }),
        }
    };
    Ok(ApiConfig {
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

/// Serves the API (and, if given, a page folder) on `listener` until Ctrl-C.
pub async fn serve(
    listener: TcpListener,
    config: ApiConfig,
    resolution: Resolution,
    env: impl Fn(&str) -> Option<String>,
    www: Option<PathBuf>,
) -> Result<(), ServerError> {
    let fetch = FetchConfig::new(
        resolution
            .region
            .as_deref()
            .unwrap_or(config.catalogue.region()),
        env,
    );
    let credentials = Arc::new(CredentialCache::new(
        resolution.source,
        fetch,
        RefreshWindows::default(),
    ));
    let state = Arc::new(ApiState {
        config,
        credentials,
    });
    let mut router = Router::new()
        .route("/v1/{*rest}", any(api))
        .with_state(state);
    if let Some(www) = www {
        router = router.fallback_service(ServeDir::new(www));
    }
    let addr = listener
        .local_addr()
        .map_err(|e| ServerError::Io(e.to_string()))?;
    println!("uploadkit presign API on http://{addr}/v1/uploads");
    tokio::select! {
        r = axum::serve(listener, router) => r.map_err(|e| ServerError::Io(e.to_string())),
        _ = tokio::signal::ctrl_c() => Ok(()),
    }
}
