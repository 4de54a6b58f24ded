//! uploadkit on Cloudflare Workers: the presign endpoint (the runtime-neutral handler of
//! `uploadkit-api`, unchanged) and the logo CDN at `https://{LOGO_CDN_DOMAIN}/{key}`, in one
//! worker routed by host name. Configuration is `wrangler.toml`'s vars and the worker's secrets
//! (see the README's "Edge worker" section).

mod api;
mod cdn;
mod config;
mod credentials;
mod js;

use worker::{Context, Env, Request, Response, Result, event};

/// Every request: the logo CDN's host goes to the CDN, everything else to the presign API.
#[event(fetch)]
pub async fn fetch(req: Request, env: Env, ctx: Context) -> Result<Response> {
    let config = match config::EdgeConfig::from_env(&env) {
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
