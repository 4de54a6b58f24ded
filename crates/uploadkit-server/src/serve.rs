//! `uploadkit serve`: the presign API for a real deployment, configured from the environment
//! (bucket names, region, endpoint, grant key, allowed origins) with credentials from the
//! standard chain, refreshed before they expire.

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::routing::any;
use tokio::net::TcpListener;
use tower_http::services::ServeDir;
use uploadkit_api::ApiConfig;
use uploadkit_core::credentials::Resolution;

use crate::ServerError;
use crate::api::{ApiState, api};
use crate::credentials::{CredentialCache, FetchConfig, RefreshWindows};
use crate::listener::{Limits, serve_router, shutdown_signal};

/// The API's configuration from environment variables (see [`ApiConfig::from_env`]).
pub fn config_from_env(
    env: impl Fn(&str) -> Option<String>,
    region: Option<String>,
) -> Result<ApiConfig, ServerError> {
    ApiConfig::from_env(env, region).map_err(|e| ServerError::Config(e.to_string()))
}

/// Serves the API (and, if given, a page folder) on `listener` until SIGTERM or Ctrl-C, then
/// lets requests in flight finish (at most `listener::DRAIN`).
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
        http: crate::cdn::origin_client(),
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
    serve_router(listener, router, Limits::API, shutdown_signal()).await;
    println!("uploadkit presign API stopped");
    Ok(())
}
