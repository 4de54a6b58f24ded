//! The long-running commands: `local` (the whole stack on 127.0.0.1) and `serve` (the presign API
//! for a deployment).

use clap::Args;

use crate::credentials;
use crate::error::CliError;

#[derive(Args)]
pub(crate) struct ServeArgs {
    /// The address to listen on.
    #[arg(long, env = "UPLOADKIT_LISTEN", default_value = "127.0.0.1:8080")]
    pub(crate) listen: String,
    /// The profile to use (skips the environment's keys, as botocore does).
    #[arg(long)]
    pub(crate) profile: Option<String>,
    /// A page folder to serve beside the API.
    #[arg(long)]
    pub(crate) www: Option<std::path::PathBuf>,
    /// Also serve the logo route (`/{key}` from the logo bucket, as the logo CDN does) on this
    /// address.
    #[arg(long, env = "UPLOADKIT_CDN_LISTEN")]
    pub(crate) cdn_listen: Option<String>,
    /// Request logs as `text` or `json` lines on standard output.
    #[arg(long, env = "UPLOADKIT_LOG_FORMAT", default_value = "text")]
    pub(crate) log_format: uploadkit_server::observe::LogFormat,
    /// What to log: `info` (a line per request), `warn`, `off`, or any tracing filter.
    #[arg(long, env = "UPLOADKIT_LOG", default_value = "info")]
    pub(crate) log: String,
    /// Do not count or time requests (`/metrics` then reports credentials only).
    #[arg(long, env = "UPLOADKIT_NO_METRICS")]
    pub(crate) no_metrics: bool,
}

#[derive(Args)]
pub(crate) struct LocalArgs {
    /// Where the store keeps objects (kept across restarts).
    #[arg(long, default_value = ".uploadkit/local")]
    pub(crate) data_dir: std::path::PathBuf,
    /// The upload page's folder.
    #[arg(long, default_value = "www")]
    pub(crate) www: std::path::PathBuf,
    /// The S3 store's port.
    #[arg(long, default_value_t = 9000)]
    pub(crate) store_port: u16,
    /// The upload page and presign API's port.
    #[arg(long, default_value_t = 8080)]
    pub(crate) app_port: u16,
    /// The logo route's port.
    #[arg(long, default_value_t = 9001)]
    pub(crate) cdn_port: u16,
}

/// Runs the local stack until SIGTERM or Ctrl-C.
pub(crate) fn local(args: LocalArgs) -> Result<String, CliError> {
    let options = uploadkit_server::local::LocalOptions {
        data_dir: args.data_dir,
        www_dir: args.www,
        store_port: args.store_port,
        app_port: args.app_port,
        cdn_port: args.cdn_port,
    };
    let runtime = tokio::runtime::Runtime::new().map_err(CliError::Runtime)?;
    runtime.block_on(uploadkit_server::local::run(options, |k| {
        std::env::var(k).ok().filter(|v| !v.is_empty())
    }))?;
    Ok(String::new())
}

/// Serves the presign API until SIGTERM or Ctrl-C.
pub(crate) fn serve(args: ServeArgs) -> Result<String, CliError> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    // A weak or missing grant key is refused before anything else is looked at.
    uploadkit_api::config::grant_keys(&env)
        .map_err(|e| uploadkit_server::ServerError::Config(e.to_string()))?;
    let loaded = credentials::load(args.profile.as_deref())?;
    let config = uploadkit_server::serve::config_from_env(env, loaded.resolution.region.clone())?;
    let region = loaded
        .resolution
        .region
        .clone()
        .unwrap_or_else(|| config.catalogue.region().to_owned());
    let mut fetch = loaded.fetch_config(Some(&region), &env);
    // A service has no terminal to ask for an MFA code: such a profile is refused, saying so.
    fetch.mfa = None;
    let _logs = uploadkit_server::observe::init_logging(args.log_format, &args.log)
        .map_err(uploadkit_server::ServerError::Config)?;
    let runtime = tokio::runtime::Runtime::new().map_err(CliError::Runtime)?;
    runtime.block_on(async {
        let bind = |addr: String| async move {
            tokio::net::TcpListener::bind(&addr).await.map_err(|e| {
                uploadkit_server::ServerError::Io(format!("cannot listen on {addr}: {e}"))
            })
        };
        let listener = bind(args.listen).await?;
        let cdn = match args.cdn_listen {
            Some(addr) => Some(bind(addr).await?),
            None => None,
        };
        let options = uploadkit_server::serve::ServeOptions {
            www: args.www,
            cdn,
            metrics: !args.no_metrics,
        };
        uploadkit_server::serve::serve(listener, config, loaded.resolution, fetch, options).await
    })?;
    Ok(String::new())
}
