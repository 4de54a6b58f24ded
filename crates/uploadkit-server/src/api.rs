//! The presign API over axum: converts requests to the runtime-neutral [`ApiRequest`], and the
//! answer back.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::response::Response;
use time::OffsetDateTime;
use uploadkit_api::handler::{MAX_BODY_BYTES, needs_signer, refuse_length};
use uploadkit_api::{ApiConfig, ApiError, ApiRequest, ApiResponse, Context, handle, promote};
use uploadkit_core::catalogue::UploadId;
use uploadkit_core::clock::SigningTime;

use crate::credentials::CredentialCache;

/// What every API request shares.
pub struct ApiState {
    /// The API's configuration.
    pub config: ApiConfig,
    /// The service's credentials, refreshed as they near expiry.
    pub credentials: Arc<CredentialCache>,
    /// The client S3 calls (logo promotion) go through.
    pub http: reqwest::Client,
}

/// The axum handler for `/v1/*`.
pub async fn api(State(state): State<Arc<ApiState>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let headers = crate::http::header_pairs(&parts.headers);
    // Judged from its length before a byte of it is read; a body without one is read up to the
    // limit and no further.
    let length = parts
        .headers
        .get(axum::http::header::CONTENT_LENGTH)
        .map(|v| v.to_str().unwrap_or("?"));
    if let Some(e) = refuse_length(length) {
        return into_response(ApiResponse::json(e.status(), e.body()));
    }
    let body = match to_bytes(body, MAX_BODY_BYTES).await {
        Ok(b) => b.to_vec(),
        Err(_) => {
            let e = ApiError::BodyTooLarge(MAX_BODY_BYTES);
            return into_response(ApiResponse::json(e.status(), e.body()));
        }
    };
    let request = ApiRequest {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        headers,
        body,
    };
    let now = SigningTime::new(OffsetDateTime::now_utc());
    // Preflights and health checks sign nothing, so they never wait on (or fail with) credentials.
    let signer = if needs_signer(&request) {
        match state.credentials.signer(now).await {
            Ok(s) => Some(s),
            Err(e) => {
                let e = ApiError::Unavailable(e.to_string());
                return into_response(ApiResponse::json(e.status(), e.body()));
            }
        }
    } else {
        None
    };
    if promote::is_promotion(&request) {
        let promotion = match promote::begin(&state.config, &request, now) {
            Ok(p) => p,
            Err(refusal) => return into_response(refusal),
        };
        let Some(signer) = signer else {
            let e = ApiError::Unavailable("no signing credentials".into());
            return into_response(ApiResponse::json(e.status(), e.body()));
        };
        let result =
            crate::promote::run(&state.http, &signer, &state.config.target, promotion).await;
        return into_response(promote::respond(&state.config, &request, &result));
    }
    let ctx = Context {
        now,
        signer: signer.as_deref(),
        upload_id: UploadId::from_uuid(uuid::Uuid::new_v4()),
    };
    into_response(handle(&state.config, &request, &ctx))
}

fn into_response(r: ApiResponse) -> Response {
    let mut builder = Response::builder().status(r.status);
    for (k, v) in &r.headers {
        builder = builder.header(k, v);
    }
    builder
        .body(Body::from(r.body))
        .expect("valid status and headers")
}
