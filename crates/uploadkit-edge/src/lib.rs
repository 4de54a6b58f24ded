//! uploadkit on Cloudflare Workers: the presign endpoint (the runtime-neutral handler of
//! `uploadkit-api`, unchanged) and the logo CDN at `https://{LOGO_CDN_DOMAIN}/{key}`, in one
//! worker routed by host name. Configuration is `wrangler.toml`'s vars and the worker's secrets
//! (see the README's "Edge worker" section).

mod api;
mod cdn;
mod config;
mod credentials;
mod js;

use std::cell::OnceCell;
use std::rc::Rc;

use uploadkit_api::ConfigError;
use worker::{Context, Env, Request, Response, Result, event};

use crate::config::EdgeConfig;

thread_local! {
    /// The configuration, read on the isolate's first request: vars and secrets are fixed for
    /// an isolate's life (changing one deploys a new version, served by new isolates).
    static CONFIG: OnceCell<Rc<EdgeConfig>> = const { OnceCell::new() };
}

/// The isolate's configuration; a bad one is not kept, so each request answers 503 naming it.
fn config(env: &Env) -> std::result::Result<Rc<EdgeConfig>, ConfigError> {
    if let Some(config) = CONFIG.with(|c| c.get().cloned()) {
        return Ok(config);
    }
    let config = Rc::new(EdgeConfig::from_env(env)?);
    CONFIG.with(|c| {
        let _ = c.set(Rc::clone(&config));
    });
    Ok(config)
}

/// Every request: the logo CDN's host goes to the CDN, everything else to the presign API.
#[event(fetch)]
pub async fn fetch(req: Request, env: Env, ctx: Context) -> Result<Response> {
    let config = match config(&env) {
        Ok(c) => c,
        Err(e) => return api::config_error(&e),
    };
    let host = req
        .url()?
        .host_str()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if config.cdn_domain.as_deref() == Some(host.as_str()) {
        cdn::serve(req, &config, &ctx).await
    } else {
        api::serve(req, &config).await
    }
}
