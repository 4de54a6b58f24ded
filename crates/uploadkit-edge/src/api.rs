//! The presign API: the worker's request in, `uploadkit_api::handle` (the native server's own
//! handler), the response out.

use uploadkit_api::handler::{MAX_BODY_BYTES, needs_signer, refuse_length};
use uploadkit_api::promote::{self, PromoteError, Promotion, S3Reply, Step};
use uploadkit_api::{ApiError, ApiRequest, ApiResponse, ConfigError, Context, handle};
use uploadkit_core::catalogue::UploadId;
use uploadkit_core::s3::{ObjectKey, S3Target};
use uploadkit_core::sigv4::Signer;
use worker::{Fetch, Headers, Method, Request, RequestInit, Response, Result};

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
    if promote::is_promotion(&request) {
        let promotion = match promote::begin(&config.api, &request, now) {
            Ok(p) => p,
            Err(refusal) => return into_response(refusal),
        };
        let Some(signer) = signer else {
            return error(&ApiError::Unavailable("no signing credentials".into()));
        };
        let result = run_promotion(&signer, &config.api.target, promotion).await;
        return into_response(promote::respond(&config.api, &request, &result));
    }
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

/// Drives a logo promotion with the runtime's `fetch` (the native service drives the same
/// machine with its HTTP client).
async fn run_promotion(
    signer: &Signer,
    target: &S3Target,
    mut promotion: Promotion,
) -> std::result::Result<ObjectKey, PromoteError> {
    let mut step = promotion.start(signer, target, js::now());
    loop {
        match step {
            Step::Done(result) => return result,
            Step::Send {
                method,
                request,
                body,
            } => {
                step = match send(method, &request, body).await {
                    Ok(reply) => promotion.next(&reply, signer, target, js::now()),
                    Err(e) => promotion.network_failed(e.to_string()),
                };
            }
        }
    }
}

async fn send(
    method: &str,
    request: &uploadkit_core::s3::SignedRequest,
    body: Vec<u8>,
) -> Result<S3Reply> {
    let headers = Headers::new();
    for (k, v) in &request.headers {
        headers.set(k, v)?;
    }
    let method = match method {
        "HEAD" => Method::Head,
        "PUT" => Method::Put,
        "DELETE" => Method::Delete,
        "GET" => Method::Get,
        other => {
            return Err(worker::Error::RustError(format!(
                "unexpected method {other}"
            )));
        }
    };
    let mut init = RequestInit::new();
    init.with_method(method).with_headers(headers);
    if !body.is_empty() {
        init.with_body(Some(
            worker::js_sys::Uint8Array::from(body.as_slice()).into(),
        ));
    }
    let mut response = Fetch::Request(Request::new_with_init(&request.url, &init)?)
        .send()
        .await?;
    let status = response.status_code();
    let headers = response.headers().entries().collect();
    let body = response.bytes().await.unwrap_or_default();
    Ok(S3Reply {
        status,
        headers,
        body,
    })
}
