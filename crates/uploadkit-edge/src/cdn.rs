//! The logo CDN: `GET`/`HEAD /{key}` from `caches.default`, filled by a SigV4 header-signed GET
//! to the (private) logo bucket. A stale copy is kept for when the origin fails; conditional
//! and range requests are answered from the cached whole object, never forwarded.

use futures_util::future::{Either, select};
use std::time::Duration;

use uploadkit_api::logo::{
    LogoBody, LogoKey, LogoObject, LogoRequest, NOT_FOUND_MAX_AGE, logo_reply, refuse_method,
};
use uploadkit_core::encode::uri_encode;
use uploadkit_core::s3::{S3Call, sign_request};
use worker::{
    AbortController, Cache, Context, Delay, Fetch, Headers, Method, Request, RequestInit, Response,
    Result,
};

use crate::config::EdgeConfig;
use crate::{credentials, js};

/// How long the copy kept for origin failures lives (a temporary logo lives 7 days).
const STALE_MAX_AGE: u32 = 7 * 24 * 3600;

/// Where a request's answer came from, in `x-uploadkit-cache`.
#[derive(Clone, Copy)]
enum Source {
    Hit,
    Miss,
    Stale,
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Self::Hit => "hit",
            Self::Miss => "miss",
            Self::Stale => "stale",
        }
    }
}

/// What the origin said.
enum Origin {
    Found { body: Vec<u8>, etag: Option<String> },
    Missing,
    Failed,
}

fn empty(status: u16, extra: &[(&str, &str)]) -> Result<Response> {
    let headers = Headers::new();
    for (k, v) in extra {
        headers.set(k, v)?;
    }
    Ok(Response::empty()?.with_status(status).with_headers(headers))
}

/// Serves one logo request.
pub async fn serve(req: Request, config: &EdgeConfig, ctx: &Context) -> Result<Response> {
    if let Some(refusal) = refuse_method(req.method().as_ref()) {
        let headers = Headers::new();
        for (k, v) in &refusal.headers {
            headers.set(k, v)?;
        }
        return Ok(Response::empty()?
            .with_status(refusal.status)
            .with_headers(headers));
    }
    let key = match LogoKey::from_path(&req.path()) {
        Ok(key) => key,
        Err(refusal) => return empty(refusal.status(), &[("cache-control", "no-store")]),
    };
    let domain = config.cdn_domain.as_deref().unwrap_or("logos.invalid");
    let encoded = uri_encode(key.key().as_str(), false);
    let fresh_url = format!("https://{domain}/{encoded}");
    // A path no logo can have (a dot segment under the root), so the two never collide.
    let stale_url = format!("https://{domain}/.stale/{encoded}");
    let cache = Cache::default();

    // A cache that cannot be read is a miss, and one that cannot be written is skipped: the
    // logo is still served.
    if let Some(cached) = cache.get(fresh_url.as_str(), false).await.ok().flatten() {
        if cached.status_code() == 404 {
            return empty(404, &[("x-uploadkit-cache", "hit")]);
        }
        let etag = cached.headers().get("etag")?;
        return answer(&req, &key, config, Body::Cached(cached), etag, Source::Hit).await;
    }
    match fetch_origin(&key, config).await {
        Origin::Found { body, etag } => {
            let store = |max_age: Option<u32>| -> Result<Response> {
                let headers = Headers::new();
                for (k, v) in key.headers(etag.as_deref(), config.temp_max_age) {
                    headers.set(k, &v)?;
                }
                if let Some(max_age) = max_age {
                    headers.set("cache-control", &format!("public, max-age={max_age}"))?;
                }
                Ok(Response::from_bytes(body.clone())?.with_headers(headers))
            };
            let fresh = store(None)?;
            let stale = store(Some(STALE_MAX_AGE))?;
            // Signed origin fetches bypass the edge cache, so the worker puts explicitly.
            let _ = cache.put(fresh_url.as_str(), fresh).await;
            let stale_put = async move {
                let _ = Cache::default().put(stale_url.as_str(), stale).await;
            };
            ctx.wait_until(stale_put);
            answer(&req, &key, config, Body::Bytes(body), etag, Source::Miss).await
        }
        Origin::Missing => {
            let headers = Headers::new();
            headers.set(
                "cache-control",
                &format!("public, max-age={NOT_FOUND_MAX_AGE}"),
            )?;
            let not_found = Response::empty()?.with_status(404).with_headers(headers);
            let _ = cache.put(fresh_url.as_str(), not_found).await;
            empty(404, &[("x-uploadkit-cache", "miss")])
        }
        Origin::Failed => match cache.get(stale_url.as_str(), false).await.ok().flatten() {
            Some(stale) => {
                let etag = stale.headers().get("etag")?;
                answer(&req, &key, config, Body::Cached(stale), etag, Source::Stale).await
            }
            None => empty(502, &[("cache-control", "no-store")]),
        },
    }
}

/// A whole logo: bytes the worker holds, or a cached response whose body is not read yet.
enum Body {
    Bytes(Vec<u8>),
    Cached(Response),
}

/// The answer to `req` from the whole object, as `logo_reply` decides it (the native logo route
/// answers with the same function).
async fn answer(
    req: &Request,
    key: &LogoKey,
    config: &EdgeConfig,
    body: Body,
    etag: Option<String>,
    source: Source,
) -> Result<Response> {
    let (if_none_match, range) = (
        req.headers().get("if-none-match")?,
        req.headers().get("range")?,
    );
    let method = req.method();
    // The length without reading a cached body, when its headers say it.
    let (body, len) = match body {
        Body::Cached(cached) => {
            match cached
                .headers()
                .get("content-length")?
                .and_then(|l| l.parse::<u64>().ok())
            {
                Some(len) => (Body::Cached(cached), len),
                None => {
                    let mut cached = cached;
                    let bytes = cached.bytes().await?;
                    let len = bytes.len() as u64;
                    (Body::Bytes(bytes), len)
                }
            }
        }
        Body::Bytes(bytes) => {
            let len = bytes.len() as u64;
            (Body::Bytes(bytes), len)
        }
    };
    let request = LogoRequest {
        method: method.as_ref(),
        if_none_match: if_none_match.as_deref(),
        range: range.as_deref(),
    };
    let object = LogoObject {
        len,
        etag: etag.as_deref(),
    };
    let reply = logo_reply(key, &request, object, config.temp_max_age);
    let headers = Headers::new();
    for (k, v) in &reply.headers {
        headers.set(k, v)?;
    }
    headers.set("x-uploadkit-cache", source.as_str())?;
    let response = match (reply.body, body) {
        (LogoBody::Empty, _) => Response::empty()?,
        // A whole cached logo passes through unread: the worker never copies its bytes.
        (LogoBody::Whole, Body::Cached(cached)) => Response::from_body(cached.into_parts().1)?,
        (LogoBody::Whole, Body::Bytes(bytes)) => Response::from_bytes(bytes)?,
        (LogoBody::Slice { start, end }, body) => {
            let bytes = match body {
                Body::Cached(mut cached) => cached.bytes().await?,
                Body::Bytes(bytes) => bytes,
            };
            Response::from_bytes(bytes[start as usize..=end as usize].to_vec())?
        }
    };
    Ok(response.with_status(reply.status).with_headers(headers))
}

/// A signed GET to the logo bucket, given `origin_timeout_ms`; nothing of an error body is kept.
async fn fetch_origin(key: &LogoKey, config: &EdgeConfig) -> Origin {
    let now = js::now();
    let Ok(signer) = credentials::signer(&config.credentials, now).await else {
        return Origin::Failed;
    };
    let call = S3Call {
        method: "GET",
        bucket: &config.logo_bucket,
        key: Some(key.key()),
        query: &[],
        headers: &[],
        body: b"",
    };
    let Ok(signed) = sign_request(&signer, &config.api.target, &call, now) else {
        return Origin::Failed;
    };
    let headers = Headers::new();
    for (k, v) in &signed.headers {
        if headers.set(k, v).is_err() {
            return Origin::Failed;
        }
    }
    let mut init = RequestInit::new();
    init.with_method(Method::Get).with_headers(headers);
    let Ok(request) = Request::new_with_init(&signed.url, &init) else {
        return Origin::Failed;
    };
    let controller = AbortController::default();
    let signal = controller.signal();
    let fetch = Fetch::Request(request);
    let send = Box::pin(fetch.send_with_signal(&signal));
    let timeout = Box::pin(Delay::from(Duration::from_millis(u64::from(
        config.origin_timeout_ms,
    ))));
    let mut response = match select(send, timeout).await {
        Either::Left((Ok(response), _)) => response,
        Either::Left((Err(_), _)) => return Origin::Failed,
        Either::Right(((), _)) => {
            controller.abort();
            return Origin::Failed;
        }
    };
    match response.status_code() {
        200 => match response.bytes().await {
            Ok(body) => Origin::Found {
                body,
                etag: response.headers().get("etag").ok().flatten(),
            },
            Err(_) => Origin::Failed,
        },
        // A private bucket answers 403 for a key that is not there.
        403 | 404 => Origin::Missing,
        _ => Origin::Failed,
    }
}
