//! `uploadkit serve`: the presign API for a real deployment, configured from the environment
//! (bucket names, region, endpoint, grant key, allowed origins) with credentials from the
//! standard chain, refreshed before they expire; optionally the logo route on a second
//! listener; request logs, `/metrics`, `/healthz` and `/readyz`.

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::routing::{any, get};
use tokio::net::TcpListener;
use tower_http::services::ServeDir;
use uploadkit_api::ApiConfig;
use uploadkit_core::catalogue::Bucket;
use uploadkit_core::credentials::Resolution;

use crate::ServerError;
use crate::api::{ApiState, api};
use crate::cdn::{CdnState, logo};
use crate::credentials::{CredentialCache, FetchConfig};
use crate::listener::{Limits, serve_router, shutdown_signal};
use crate::observe::{Observe, announce, healthz, metrics, readyz, track};
use uploadkit_core::credentials::refresh::RefreshPolicy;

/// The API's configuration from environment variables (see [`ApiConfig::from_env`]).
pub fn config_from_env(
    env: impl Fn(&str) -> Option<String>,
    region: Option<String>,
) -> Result<ApiConfig, ServerError> {
    ApiConfig::from_env(env, region).map_err(|e| ServerError::Config(e.to_string()))
}

/// What `serve` runs besides the API.
#[derive(Debug, Default)]
pub struct ServeOptions {
    /// A page folder served beside the API.
    pub www: Option<PathBuf>,
    /// A listener for the logo route (`/{key}` from the logo bucket, as the logo CDN serves).
    pub cdn: Option<TcpListener>,
    /// Count and time requests for `/metrics` (the endpoint answers either way).
    pub metrics: bool,
}

/// Serves the API on `listener` until SIGTERM or Ctrl-C, then lets requests in flight finish
/// (at most `listener::DRAIN`). `fetch` says where credentials are fetched from (STS and SSO
/// endpoints, from the environment and the profile).
pub async fn serve(
    listener: TcpListener,
    config: ApiConfig,
    resolution: Resolution,
    fetch: FetchConfig,
    options: ServeOptions,
) -> Result<(), ServerError> {
    let credentials = Arc::new(CredentialCache::new(
        resolution.source,
        fetch,
        RefreshPolicy::BOTOCORE,
    ));
    let observe = Arc::new(Observe::new(Arc::clone(&credentials), options.metrics));
    let cdn_state = Arc::new(CdnState {
        bucket: config.catalogue.name(Bucket::Logo).clone(),
        target: config.target.clone(),
        credentials: Arc::clone(&credentials),
        http: crate::cdn::origin_client(),
    });
    let state = Arc::new(ApiState {
        config,
        credentials,
        http: crate::cdn::origin_client(),
    });
    let mut router = Router::new()
        .route("/v1/{*rest}", any(api))
        .with_state(state)
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(Arc::clone(&observe));
    if let Some(www) = options.www {
        router = router.fallback_service(ServeDir::new(www));
    }
    let router = router.layer(axum::middleware::from_fn_with_state(
        (Arc::clone(&observe), None),
        track,
    ));
    let addr = listener
        .local_addr()
        .map_err(|e| ServerError::Io(e.to_string()))?;
    announce(format_args!(
        "uploadkit presign API on http://{addr}/v1/uploads"
    ));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let until_stopped = move || {
        let mut stopped = stopped.clone();
        async move {
            let _ = stopped.wait_for(|s| *s).await;
        }
    };
    let cdn_task = match options.cdn {
        Some(cdn) => {
            let cdn_addr = cdn
                .local_addr()
                .map_err(|e| ServerError::Io(e.to_string()))?;
            announce(format_args!(
                "uploadkit logo route on http://{cdn_addr}/{{key}}"
            ));
            let cdn_router = Router::new()
                .route("/{*key}", any(logo))
                .with_state(cdn_state)
                .layer(axum::middleware::from_fn_with_state(
                    (Arc::clone(&observe), Some("logo")),
                    track,
                ));
            Some(tokio::spawn(serve_router(
                cdn,
                cdn_router,
                Limits::CDN,
                until_stopped(),
            )))
        }
        None => None,
    };
    let api_task = tokio::spawn(serve_router(listener, router, Limits::API, until_stopped()));
    shutdown_signal().await;
    tracing::info!("shutting down: no new connections, draining requests in flight");
    let _ = stop.send(true);
    let failed = |e: tokio::task::JoinError| ServerError::Io(e.to_string());
    api_task.await.map_err(failed)?;
    if let Some(task) = cdn_task {
        task.await.map_err(failed)?;
    }
    announce(format_args!("uploadkit presign API stopped"));
    Ok(())
}
