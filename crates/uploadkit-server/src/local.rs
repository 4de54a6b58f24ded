//! The one-command local stack: the embedded S3 store with the nine buckets, the presign API and
//! the upload page, and the logo route — all on 127.0.0.1, with no AWS account.

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::routing::{any, get};
use time::OffsetDateTime;
use tokio::net::TcpListener;
use tower_http::services::ServeDir;
use uploadkit_api::{ApiConfig, CorsPolicy, GrantKey, GrantKeys, MintOptions};
use uploadkit_core::catalogue::{Bucket, Catalogue, ServiceId, UploadKind};
use uploadkit_core::clock::SigningTime;
use uploadkit_core::credentials::{CredentialSource, Credentials, Origin};
use uploadkit_core::local::{
    LOCAL_ACCESS_KEY_ID, LOCAL_GRANT_KEY, LOCAL_SECRET_ACCESS_KEY, LOCAL_SERVICE_ID,
};
use uploadkit_core::s3::{AddressingStyle, CustomEndpoint, S3Target};

use crate::ServerError;
use crate::api::{ApiState, api};
use crate::cdn::{CdnState, logo};
use crate::credentials::{CredentialCache, FetchConfig};
use crate::listener::{Limits, serve_router, shutdown_signal};
use crate::observe::announce;
use crate::store::serve_store;
use uploadkit_core::credentials::refresh::RefreshPolicy;

/// How long the local stack's development grant lasts.
const DEV_GRANT_SECONDS: u32 = 12 * 3600;

/// How to run the local stack.
#[derive(Debug, Clone)]
pub struct LocalOptions {
    /// Where objects are kept (survives restarts).
    pub data_dir: PathBuf,
    /// The upload page's folder.
    pub www_dir: PathBuf,
    /// The S3 store's port (0: any free port).
    pub store_port: u16,
    /// The app's port: the page and the API.
    pub app_port: u16,
    /// The logo route's port.
    pub cdn_port: u16,
}

async fn bind(port: u16) -> Result<TcpListener, ServerError> {
    TcpListener::bind(("127.0.0.1", port)).await.map_err(|e| {
        ServerError::Io(format!(
            "cannot listen on 127.0.0.1:{port}: {e} (is another stack running? choose another port)"
        ))
    })
}

/// Whether a `Host` header names this machine's loopback on `port`.
fn is_local_host(host: &str, port: u16) -> bool {
    let port = port.to_string();
    ["127.0.0.1", "localhost", "[::1]"]
        .iter()
        .any(|name| host.strip_prefix(name).and_then(|p| p.strip_prefix(':')) == Some(&port))
}

/// Starts everything, prints where it is, and runs until SIGTERM or Ctrl-C; then lets requests in
/// flight finish and returns.
pub async fn run(
    options: LocalOptions,
    env: impl Fn(&str) -> Option<String>,
) -> Result<(), ServerError> {
    let store = bind(options.store_port).await?;
    let app = bind(options.app_port).await?;
    let cdn = bind(options.cdn_port).await?;
    let port = |l: &TcpListener| l.local_addr().map(|a| a.port()).unwrap_or_default();
    let (store_port, app_port, cdn_port) = (port(&store), port(&app), port(&cdn));

    let catalogue = Catalogue::from_env(&env, env("AWS_REGION"))
        .map_err(|e| ServerError::Config(e.to_string()))?;
    let store_url = format!("http://127.0.0.1:{store_port}");
    let target = S3Target {
        region: catalogue.region().to_owned(),
        endpoint: Some(
            CustomEndpoint::parse(&store_url).map_err(|e| ServerError::Config(e.to_string()))?,
        ),
        addressing: AddressingStyle::Path,
    };
    let app_origins = vec![
        format!("http://127.0.0.1:{app_port}"),
        format!("http://localhost:{app_port}"),
    ];
    let grant_key = env("UPLOADKIT_GRANT_KEY").unwrap_or_else(|| LOCAL_GRANT_KEY.to_owned());
    let grant_key = GrantKey::new(grant_key.into_bytes()).ok_or_else(|| {
        ServerError::Config("UPLOADKIT_GRANT_KEY must be at least 32 bytes".into())
    })?;
    let local_keys = Credentials::new(LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY, None, None)
        .expect("valid local keys");
    let credentials = Arc::new(CredentialCache::new(
        CredentialSource::Static(local_keys, Origin::Environment),
        FetchConfig::new(catalogue.region(), &env),
        RefreshPolicy::BOTOCORE,
    ));

    let buckets: Vec<String> = catalogue
        .buckets()
        .map(|(_, n)| n.as_str().to_owned())
        .collect();
    let data_dir = options.data_dir.clone();
    let store_origins = app_origins.clone();
    // One stop for the three listeners: each drains, then its task ends.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let until_stopped = move || {
        let mut stopped = stopped.clone();
        async move {
            let _ = stopped.wait_for(|s| *s).await;
        }
    };
    let store_stopped = until_stopped();
    let store_task = tokio::spawn(async move {
        serve_store(
            store,
            &data_dir,
            &buckets,
            (LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY),
            store_origins,
            store_stopped,
        )
        .await
    });

    let api_state = Arc::new(ApiState {
        config: ApiConfig {
            catalogue: catalogue.clone(),
            target: target.clone(),
            // The development grant lasts a working day; the local store is all it opens.
            grant_keys: GrantKeys::single(grant_key.clone()).with_max_lifetime(DEV_GRANT_SECONDS),
            cors: CorsPolicy::new(app_origins),
            upload_ttl: 600,
            download_ttl: 300,
        },
        credentials: Arc::clone(&credentials),
        http: crate::cdn::origin_client(),
    });
    let service = ServiceId::parse(LOCAL_SERVICE_ID).expect("valid local service id");
    let now = SigningTime::new(OffsetDateTime::now_utc());
    let everything = MintOptions {
        downloads: true,
        ..MintOptions::new(service, &UploadKind::ALL)
    };
    let grant = grant_key.mint(&everything, now, DEV_GRANT_SECONDS);
    // What the page needs to talk to this stack; local only (the grant opens the local store).
    let page_config = serde_json::json!({
        "apiBase": "",
        "grant": grant,
        "cdnBase": format!("http://127.0.0.1:{cdn_port}"),
        "serviceId": LOCAL_SERVICE_ID,
    })
    .to_string();
    let app_router = Router::new()
        .route("/v1/{*rest}", any(api))
        .with_state(api_state)
        .route(
            "/local/config.json",
            get(move |headers: axum::http::HeaderMap| async move {
                // The config holds a grant: a page on another host name that resolves here
                // (DNS rebinding) must not read it.
                let host = headers
                    .get(axum::http::header::HOST)
                    .and_then(|h| h.to_str().ok());
                if !host.is_some_and(|h| is_local_host(h, app_port)) {
                    return (
                        axum::http::StatusCode::FORBIDDEN,
                        [(axum::http::header::CONTENT_TYPE, "application/json")],
                        r#"{"error":"host_not_allowed","message":"the local config is served only to 127.0.0.1 and localhost"}"#.to_owned(),
                    );
                }
                (
                    axum::http::StatusCode::OK,
                    [(axum::http::header::CONTENT_TYPE, "application/json")],
                    page_config,
                )
            }),
        )
        .fallback_service(ServeDir::new(&options.www_dir));
    let cdn_state = Arc::new(CdnState {
        bucket: catalogue.name(Bucket::Logo).clone(),
        target,
        credentials,
        http: crate::cdn::origin_client(),
    });
    let cdn_router = Router::new()
        .route("/{*key}", axum::routing::any(logo))
        .with_state(cdn_state);

    announce(format_args!("uploadkit local stack"));
    announce(format_args!("  upload page  http://127.0.0.1:{app_port}/"));
    announce(format_args!(
        "  presign API  http://127.0.0.1:{app_port}/v1/uploads"
    ));
    announce(format_args!(
        "  S3 store     {store_url}  (access key {LOCAL_ACCESS_KEY_ID}, secret {LOCAL_SECRET_ACCESS_KEY})"
    ));
    announce(format_args!(
        "  logo CDN     http://127.0.0.1:{cdn_port}/{{key}}"
    ));
    announce(format_args!(
        "  data         {}",
        options.data_dir.display()
    ));
    announce(format_args!("  dev grant    {grant}"));
    announce(format_args!(
        "  (service {LOCAL_SERVICE_ID}, every upload kind and downloads, valid 12 hours)"
    ));

    let mut app_task = tokio::spawn(serve_router(app, app_router, Limits::API, until_stopped()));
    let mut cdn_task = tokio::spawn(serve_router(cdn, cdn_router, Limits::CDN, until_stopped()));
    let mut store_task = store_task;
    let failed = |e: tokio::task::JoinError| ServerError::Io(e.to_string());
    tokio::select! {
        r = &mut store_task => return r.map_err(failed)?,
        r = &mut app_task => return r.map_err(failed),
        r = &mut cdn_task => return r.map_err(failed),
        () = shutdown_signal() => {}
    }
    // SIGTERM or Ctrl-C: stop accepting everywhere, let what is in flight finish, exit 0.
    let _ = stop.send(true);
    let (store, app, cdn) = tokio::join!(store_task, app_task, cdn_task);
    store.map_err(failed)??;
    app.map_err(failed)?;
    cdn.map_err(failed)?;
    announce(format_args!("uploadkit local stack stopped"));
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_loopback_names_on_the_port_are_local() {
        use super::is_local_host;
        assert!(is_local_host("127.0.0.1:8080", 8080));
        assert!(is_local_host("localhost:8080", 8080));
        assert!(!is_local_host("localhost:8081", 8080));
        assert!(!is_local_host("evil.example:8080", 8080));
        assert!(!is_local_host("localhost.evil.example:8080", 8080));
        assert!(!is_local_host("127.0.0.1:80800", 8080));
        assert!(!is_local_host("127.0.0.1", 8080));
    }
}
