//! The presign API: the worker's request in, `uploadkit_api::handle` (the native server's own
//! handler), the response out.

use uploadkit_api::handler::{MAX_BODY_BYTES, needs_signer, refuse_length};
use uploadkit_api::{ApiError, ApiRequest, ApiResponse, ConfigError, Context, handle};
use uploadkit_core::catalogue::UploadId;
use worker::{Headers, Request, Response, Result};

use crate::config::EdgeConfig;
use crate::{credentials, js};

fn into_response(api: ApiResponse) -> Result<Response> {
    let headers = Headers::new();
    for (k, v) in &api.headers {
        headers.append(k, v)?;
    }
    Ok(Response::from_bytes(api.body)?
        .with_status(api.status)
        .with_headers(headers))
}

fn error(e: &ApiError) -> Result<Response> {
    into_response(ApiResponse::json(e.status(), e.body()))
}

/// A worker whose vars or secrets are wrong answers 503 naming the setting.
pub fn config_error(e: &ConfigError) -> Result<Response> {
    error(&ApiError::Unavailable(format!(
        "the worker is not configured: {e}"
    )))
}

/// `/v1/…`.
pub async fn serve(mut req: Request, config: &EdgeConfig) -> Result<Response> {
    // Judged from its length before a byte of it is read.
    if let Some(e) = refuse_length(req.headers().get("content-length")?.as_deref()) {
        return error(&e);
    }
    let body = req.bytes().await.unwrap_or_default();
    if body.len() > MAX_BODY_BYTES {
        return error(&ApiError::BodyTooLarge(MAX_BODY_BYTES));
    }
    let request = ApiRequest {
        method: req.method().to_string(),
        path: req.path(),
        headers: req.headers().entries().collect(),
        body,
    };
    let now = js::now();
    // Preflights and health checks sign nothing, so they never wait on (or fail with) STS.
    let signer = if needs_signer(&request) {
        match credentials::signer(&config.credentials, now).await {
            Ok(s) => Some(s),
            Err(e) => return error(&ApiError::Unavailable(e.to_string())),
        }
    } else {
        None
    };
    let Some(random) = js::random_bytes() else {
        return error(&ApiError::Unavailable(
            "the runtime has no random number source".into(),
        ));
    };
    let ctx = Context {
        now,
        signer: signer.as_deref(),
        upload_id: UploadId::from_uuid(uuid::Builder::from_random_bytes(random).into_uuid()),
    };
    into_response(handle(&config.api, &request, &ctx))
}
