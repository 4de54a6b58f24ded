//! Logo serving at `/{key}`, as the logo CDN serves `https://{LOGO_CDN_DOMAIN}/{key}`: a signed
//! GET to the logo bucket, image types only, with headers that make an SVG inert.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use time::OffsetDateTime;
use uploadkit_core::clock::SigningTime;
use uploadkit_core::s3::{BucketName, Method as S3Method, ObjectKey, S3Target, presign_url};

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

/// The content type for a logo key, `None` for anything that is not a logo image.
pub fn logo_content_type(key: &str) -> Option<&'static str> {
    let ext = key.rsplit_once('.')?.1.to_ascii_lowercase();
    match ext.as_str() {
        "png" => Some("image/png"),
        "svg" => Some("image/svg+xml"),
        _ => None,
    }
}

fn plain(status: StatusCode) -> Response {
    Response::builder()
        .status(status)
        .body(Body::empty())
        .expect("valid response")
}

/// `GET`/`HEAD /{key}`.
pub async fn logo(
    State(state): State<Arc<CdnState>>,
    method: Method,
    Path(key): Path<String>,
) -> Response {
    let (Ok(key), Some(content_type)) = (ObjectKey::new(key.as_str()), logo_content_type(&key))
    else {
        return plain(StatusCode::NOT_FOUND);
    };
    let now = SigningTime::new(OffsetDateTime::now_utc());
    let Ok(signer) = state.credentials.signer(now).await else {
        return plain(StatusCode::BAD_GATEWAY);
    };
    let Ok(url) = presign_url(
        &signer,
        &state.target,
        &state.bucket,
        &key,
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
    let temporary = key
        .as_str()
        .rsplit('/')
        .next()
        .is_some_and(|name| name.starts_with("temp-"));
    let mut builder = Response::builder()
        .status(StatusCode::OK)
        .header("content-type", content_type)
        .header("content-length", bytes.len())
        .header("x-content-type-options", "nosniff")
        .header("cross-origin-resource-policy", "cross-origin")
        // Permanent logos never change; temporary ones are replaced within days.
        .header(
            "cache-control",
            if temporary {
                "public, max-age=300"
            } else {
                "public, max-age=31536000, immutable"
            },
        );
    if content_type == "image/svg+xml" {
        builder = builder.header(
            "content-security-policy",
            "default-src 'none'; style-src 'unsafe-inline'; sandbox",
        );
    }
    if let Some(etag) = etag {
        builder = builder.header("etag", etag);
    }
    let body = if method == Method::HEAD {
        Body::empty()
    } else {
        Body::from(bytes)
    };
    builder.body(body).expect("valid response")
}
