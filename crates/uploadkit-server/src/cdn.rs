//! Logo serving at `/{key}`, as the logo CDN serves `https://{LOGO_CDN_DOMAIN}/{key}`: a signed
//! GET to the logo bucket, image types only. The reply (status, headers, conditional and range
//! requests) is `uploadkit_api::logo::logo_reply`'s, the same function the edge worker answers
//! with; the body streams from the origin, so the route never holds a whole logo.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use bytes::Bytes;
use futures_util::StreamExt;
use time::OffsetDateTime;
use uploadkit_api::logo::{
    LogoBody, LogoKey, LogoObject, LogoReply, LogoRequest, TEMPORARY_MAX_AGE, logo_reply,
    refuse_method,
};
use uploadkit_core::clock::SigningTime;
use uploadkit_core::s3::{BucketName, Method as S3Method, S3Target, presign_url};

use crate::credentials::CredentialCache;

/// How long the origin may take to answer, and to send a whole logo.
pub const ORIGIN_TIMEOUT: Duration = Duration::from_secs(10);

/// What the logo route needs.
pub struct CdnState {
    /// The logo bucket.
    pub bucket: BucketName,
    /// Where it is.
    pub target: S3Target,
    /// Signs the origin request.
    pub credentials: Arc<CredentialCache>,
    /// The HTTP client (see [`origin_client`]).
    pub http: reqwest::Client,
}

/// The client for origin fetches, bounded by [`ORIGIN_TIMEOUT`].
pub fn origin_client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(ORIGIN_TIMEOUT)
        .timeout(ORIGIN_TIMEOUT)
        .build()
        .expect("a client with timeouts only")
}

fn plain(status: StatusCode) -> Response {
    Response::builder()
        .status(status)
        .header("cache-control", "no-store")
        .body(Body::empty())
        .expect("valid response")
}

fn into_response(reply: &LogoReply, body: Body) -> Response {
    let mut builder = Response::builder().status(reply.status);
    for (name, value) in &reply.headers {
        builder = builder.header(*name, value);
    }
    builder.body(body).expect("valid logo headers")
}

/// `GET`/`HEAD /{key}`, by the logo rules the edge worker serves with.
pub async fn logo(
    State(state): State<Arc<CdnState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if let Some(refusal) = refuse_method(method.as_str()) {
        return into_response(&refusal, Body::empty());
    }
    let key = match LogoKey::from_path(uri.path()) {
        Ok(key) => key,
        Err(refusal) => {
            return plain(StatusCode::from_u16(refusal.status()).unwrap_or(StatusCode::NOT_FOUND));
        }
    };
    let now = SigningTime::new(OffsetDateTime::now_utc());
    let Ok(signer) = state.credentials.signer(now).await else {
        return plain(StatusCode::BAD_GATEWAY);
    };
    let Ok(url) = presign_url(
        &signer,
        &state.target,
        &state.bucket,
        key.key(),
        S3Method::Get,
        60,
        now,
    ) else {
        return plain(StatusCode::BAD_GATEWAY);
    };
    let origin = match state.http.get(url.url).send().await {
        Ok(r) => r,
        Err(_) => return plain(StatusCode::BAD_GATEWAY),
    };
    match origin.status().as_u16() {
        200 => {}
        // A private bucket answers 403 for a key that is not there.
        404 | 403 => return plain(StatusCode::NOT_FOUND),
        _ => return plain(StatusCode::BAD_GATEWAY),
    }
    let header = |name: &str| {
        origin
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (etag, len) = (header("etag"), header("content-length"));
    let Some(len) = len.and_then(|l| l.parse::<u64>().ok()) else {
        return plain(StatusCode::BAD_GATEWAY);
    };
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let request = LogoRequest {
        method: method.as_str(),
        if_none_match: text("if-none-match"),
        range: text("range"),
    };
    let object = LogoObject {
        len,
        etag: etag.as_deref(),
    };
    let reply = logo_reply(&key, &request, object, TEMPORARY_MAX_AGE);
    let body = match reply.body {
        // The origin connection is dropped unread.
        LogoBody::Empty => Body::empty(),
        LogoBody::Whole => Body::from_stream(origin.bytes_stream()),
        LogoBody::Slice { start, end } => Body::from_stream(slice(origin, start, end)),
    };
    into_response(&reply, body)
}

/// Bytes `start..=end` of the origin's body, streamed: the rest is skipped as it passes.
fn slice(
    origin: reqwest::Response,
    start: u64,
    end: u64,
) -> impl futures_util::Stream<Item = Result<Bytes, reqwest::Error>> {
    let mut offset = 0u64;
    origin
        .bytes_stream()
        .map(move |chunk| {
            chunk.map(|chunk| {
                let (from, to) = (offset, offset + chunk.len() as u64);
                offset = to;
                let lo = start.clamp(from, to) - from;
                let hi = (end + 1).clamp(from, to) - from;
                chunk.slice(lo as usize..hi as usize)
            })
        })
        .filter(|chunk| std::future::ready(!matches!(chunk, Ok(c) if c.is_empty())))
}
