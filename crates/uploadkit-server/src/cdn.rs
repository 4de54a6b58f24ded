//! Logo serving at `/{key}`, as the logo CDN serves `https://{LOGO_CDN_DOMAIN}/{key}`: a signed
//! GET to the logo bucket, image types only, with headers that make an SVG inert (the rules are
//! `uploadkit_api::logo`, shared with the edge worker).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::Response;
use time::OffsetDateTime;
use uploadkit_api::logo::{LogoKey, TEMPORARY_MAX_AGE};
use uploadkit_core::clock::SigningTime;
use uploadkit_core::s3::{BucketName, Method as S3Method, S3Target, presign_url};

use crate::credentials::CredentialCache;

/// What the logo route needs.
pub struct CdnState {
    /// The logo bucket.
    pub bucket: BucketName,
    /// Where it is.
    pub target: S3Target,
    /// Signs the origin request.
    pub credentials: Arc<CredentialCache>,
    /// The HTTP client.
    pub http: reqwest::Client,
}

fn plain(status: StatusCode) -> Response {
    Response::builder()
        .status(status)
        .body(Body::empty())
        .expect("valid response")
}

/// `GET`/`HEAD /{key}`, by the logo rules the edge worker serves with.
pub async fn logo(State(state): State<Arc<CdnState>>, method: Method, uri: Uri) -> Response {
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
        404 | 403 => return plain(StatusCode::NOT_FOUND),
        _ => return plain(StatusCode::BAD_GATEWAY),
    }
    let etag = origin
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let Ok(bytes) = origin.bytes().await else {
        return plain(StatusCode::BAD_GATEWAY);
    };
    let mut builder = Response::builder()
        .status(StatusCode::OK)
        .header("content-length", bytes.len());
    for (name, value) in key.headers(etag.as_deref(), TEMPORARY_MAX_AGE) {
        builder = builder.header(name, value);
    }
    let body = if method == Method::HEAD {
        Body::empty()
    } else {
        Body::from(bytes)
    };
    builder.body(body).expect("valid response")
}
