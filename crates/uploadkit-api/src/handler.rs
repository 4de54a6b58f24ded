//! The presign API: `POST /v1/uploads` (an upload form for a kind), `POST /v1/downloads` (a
//! presigned GET), `GET /v1/health`, CORS preflights. Request in, response out; the adapter
//! supplies the clock, the signer and the new upload's id.

use serde_json::{Map, Value, json};
use uploadkit_core::catalogue::{
    Catalogue, Download, FileName, ReportId, ServiceId, UploadId, UploadKind, UploadPlan,
    UploadRequest,
};
use uploadkit_core::clock::SigningTime;
use uploadkit_core::s3::{
    Method, PresignError, PresignExtras, S3Target, attachment, presign_url_with,
};
use uploadkit_core::sigv4::Signer;

use crate::cors::CorsPolicy;
use crate::error::ApiError;
use crate::grant::{Grant, GrantError, GrantKeys};
use crate::http::{ApiRequest, ApiResponse};

/// The largest request body read, in bytes.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// Everything the API needs besides the request.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Buckets, region, CDN.
    pub catalogue: Catalogue,
    /// Where S3 is.
    pub target: S3Target,
    /// The keys grants are verified with, and the longest grant lifetime accepted.
    pub grant_keys: GrantKeys,
    /// Allowed browser origins.
    pub cors: CorsPolicy,
    /// Validity of upload forms, seconds.
    pub upload_ttl: u32,
    /// Validity of download URLs, seconds.
    pub download_ttl: u32,
}

/// Per-request inputs from the adapter.
pub struct Context<'a> {
    /// Now.
    pub now: SigningTime,
    /// Signs with the current credentials; `None` for a request that signs nothing (see
    /// [`needs_signer`]), so a preflight or a health check never waits on credentials.
    pub signer: Option<&'a Signer>,
    /// A fresh id for a new upload.
    pub upload_id: UploadId,
}

/// Whether a request signs anything (an upload form or a download URL), so the adapter must
/// fetch credentials for it.
///
/// ```
/// use uploadkit_api::{ApiRequest, handler::needs_signer};
/// let req = |method: &str, path: &str| ApiRequest { method: method.into(), path: path.into(), headers: vec![], body: vec![] };
/// assert!(needs_signer(&req("POST", "/v1/uploads")));
/// assert!(!needs_signer(&req("OPTIONS", "/v1/uploads")));
/// assert!(!needs_signer(&req("GET", "/v1/health")));
/// ```
pub fn needs_signer(req: &ApiRequest) -> bool {
    req.method == "POST"
        && matches!(
            req.path.as_str(),
            "/v1/uploads" | "/v1/downloads" | crate::promote::PROMOTE_PATH
        )
}

/// Refuses a request from its `Content-Length` before its body is read: both adapters ask this
/// first, so an oversize body is never taken in.
///
/// ```
/// use uploadkit_api::handler::{refuse_length, MAX_BODY_BYTES};
/// assert!(refuse_length(Some("512")).is_none());
/// assert!(refuse_length(None).is_none());
/// assert_eq!(refuse_length(Some("400000000")).unwrap().status(), 413);
/// assert_eq!(refuse_length(Some("-1")).unwrap().status(), 400);
/// ```
pub fn refuse_length(content_length: Option<&str>) -> Option<ApiError> {
    let length = content_length?;
    match length.trim().parse::<u64>() {
        Ok(n) if n > MAX_BODY_BYTES as u64 => Some(ApiError::BodyTooLarge(MAX_BODY_BYTES)),
        Ok(_) => None,
        Err(_) => Some(ApiError::BadBody("Content-Length is not a number".into())),
    }
}

fn signer<'a>(ctx: &Context<'a>) -> Result<&'a Signer, ApiError> {
    ctx.signer.ok_or_else(|| {
        ApiError::Unavailable("no signing credentials were given for this request".into())
    })
}

/// Handles one request.
pub fn handle(config: &ApiConfig, req: &ApiRequest, ctx: &Context<'_>) -> ApiResponse {
    let origin = req.header("origin");
    if let Some(origin) = origin
        && !config.cors.allows(origin)
    {
        return error_response(config, req, &ApiError::OriginNotAllowed(origin.to_owned()));
    }
    if req.method == "OPTIONS"
        && let Some(origin) = origin
    {
        return config.cors.preflight(origin);
    }
    let result = match (req.method.as_str(), req.path.as_str()) {
        ("POST", "/v1/uploads") => upload(config, req, ctx),
        ("POST", "/v1/downloads") => download(config, req, ctx),
        ("GET" | "HEAD", "/v1/health") => Ok(json!({"status": "ok"})),
        (_, "/v1/uploads" | "/v1/downloads" | "/v1/health") => {
            Err(ApiError::MethodNotAllowed(req.method.clone()))
        }
        (_, path) => Err(ApiError::NotFound(path.to_owned())),
    };
    let mut response = match result {
        Ok(body) => ApiResponse::json(200, body.to_string().into_bytes()),
        Err(e) => return error_response(config, req, &e),
    };
    config.cors.decorate(req, &mut response);
    response
}

pub(crate) fn error_response(config: &ApiConfig, req: &ApiRequest, e: &ApiError) -> ApiResponse {
    let mut response = ApiResponse::json(e.status(), e.body());
    if matches!(e, ApiError::Grant(_)) {
        response
            .headers
            .push(("www-authenticate".into(), "Bearer".into()));
    }
    config.cors.decorate(req, &mut response);
    response
}

pub(crate) fn grant_of(
    config: &ApiConfig,
    req: &ApiRequest,
    now: SigningTime,
) -> Result<Grant, ApiError> {
    let header = req.header("authorization").ok_or(GrantError::Missing)?;
    let token = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .ok_or(GrantError::Missing)?;
    Ok(config.grant_keys.verify(token, now)?)
}

pub(crate) fn body_json(req: &ApiRequest) -> Result<Map<String, Value>, ApiError> {
    if req.body.len() > MAX_BODY_BYTES {
        return Err(ApiError::BodyTooLarge(MAX_BODY_BYTES));
    }
    match serde_json::from_slice::<Value>(&req.body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::BadBody("expected a JSON object".into())),
        Err(e) => Err(ApiError::BadBody(format!("not JSON: {e}"))),
    }
}

pub(crate) fn text_field<'a>(
    body: &'a Map<String, Value>,
    field: &'static str,
) -> Result<Option<&'a str>, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ApiError::BadField {
            field,
            message: "expected a string".into(),
        }),
    }
}

pub(crate) fn required_text<'a>(
    body: &'a Map<String, Value>,
    field: &'static str,
) -> Result<&'a str, ApiError> {
    text_field(body, field)?.ok_or(ApiError::BadField {
        field,
        message: "is required".into(),
    })
}

fn upload(config: &ApiConfig, req: &ApiRequest, ctx: &Context<'_>) -> Result<Value, ApiError> {
    let grant = grant_of(config, req, ctx.now)?;
    let body = body_json(req)?;
    let kind: UploadKind =
        required_text(&body, "kind")?
            .parse()
            .map_err(|message| ApiError::BadField {
                field: "kind",
                message,
            })?;
    if let Some(given) = text_field(&body, "service_id")? {
        let given = ServiceId::parse(given).map_err(|e| ApiError::BadField {
            field: "service_id",
            message: e.to_string(),
        })?;
        if given != grant.service_id {
            return Err(ApiError::ServiceNotGranted);
        }
    }
    if !grant.kinds.contains(&kind) {
        return Err(ApiError::KindNotGranted(kind));
    }
    let file_name =
        FileName::parse(required_text(&body, "file_name")?).map_err(|e| ApiError::BadField {
            field: "file_name",
            message: e.to_string(),
        })?;
    let size = match body.get("size") {
        Some(Value::Number(n)) => n.as_u64().ok_or(ApiError::BadField {
            field: "size",
            message: "expected a whole number of bytes".into(),
        })?,
        Some(_) => {
            return Err(ApiError::BadField {
                field: "size",
                message: "expected a whole number of bytes".into(),
            });
        }
        None => {
            return Err(ApiError::BadField {
                field: "size",
                message: "is required".into(),
            });
        }
    };
    let request = UploadRequest {
        kind,
        service_id: Some(grant.service_id),
        upload_id: ctx.upload_id,
        file_name,
        size,
        content_type: text_field(&body, "content_type")?.map(str::to_owned),
    };
    let plan = UploadPlan::new(&config.catalogue, &request)?;
    let post = plan
        .sign(
            signer(ctx)?,
            &config.target,
            ctx.now,
            config.upload_ttl.min(grant.seconds_left(ctx.now)),
        )
        .map_err(uploadkit_core::catalogue::UploadError::from)?;
    let fields: Map<String, Value> = post
        .fields
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    Ok(json!({
        "method": "POST",
        "url": post.url,
        "fields": fields,
        "key": plan.key.as_str(),
        "bucket": plan.bucket.as_str(),
        "expires_at": post.expires_at.iso8601(),
        "max_size": plan.max_size,
    }))
}

/// The longest download file name accepted.
pub const MAX_DOWNLOAD_NAME_CHARS: usize = 255;

fn download(config: &ApiConfig, req: &ApiRequest, ctx: &Context<'_>) -> Result<Value, ApiError> {
    let grant = grant_of(config, req, ctx.now)?;
    let body = body_json(req)?;
    let download = match required_text(&body, "download")? {
        "crown-mou" => Download::CrownMou,
        "non-crown-mou" => Download::NonCrownMou,
        "report" => {
            let id = required_text(&body, "report_id")?;
            let id = ReportId::parse(id).map_err(|e| ApiError::BadField {
                field: "report_id",
                message: e.to_string(),
            })?;
            if !grant.reports.contains(&id) {
                return Err(ApiError::ReportNotGranted(id));
            }
            Download::Report(id)
        }
        other => {
            return Err(ApiError::BadField {
                field: "download",
                message: format!("{other:?} is not one of crown-mou, non-crown-mou, report"),
            });
        }
    };
    if matches!(download, Download::CrownMou | Download::NonCrownMou) && !grant.downloads {
        return Err(ApiError::DownloadsNotGranted);
    }
    // The name the browser saves the file under, when the application gives one.
    let disposition = match text_field(&body, "file_name")? {
        None => None,
        Some(name)
            if name.trim().is_empty()
                || name.chars().count() > MAX_DOWNLOAD_NAME_CHARS
                || name
                    .chars()
                    .any(|c| c.is_control() || c == '/' || c == '\\') =>
        {
            return Err(ApiError::BadField {
                field: "file_name",
                message: format!(
                    "must be 1 to {MAX_DOWNLOAD_NAME_CHARS} characters without slashes or control characters"
                ),
            });
        }
        Some(name) => Some(attachment(name)),
    };
    let extras = PresignExtras {
        response_content_disposition: disposition.as_deref(),
        ..PresignExtras::default()
    };
    let bucket = config.catalogue.name(download.bucket());
    let url = presign_url_with(
        signer(ctx)?,
        &config.target,
        bucket,
        &download.key(),
        Method::Get,
        &extras,
        config.download_ttl.min(grant.seconds_left(ctx.now)),
        ctx.now,
    )
    .map_err(|e| match e {
        PresignError::Signing(e) => ApiError::from(e),
        PresignError::Extra(e) => ApiError::BadField {
            field: "file_name",
            message: e.to_string(),
        },
    })?;
    Ok(json!({"method": "GET", "url": url.url, "expires_at": url.expires_at.iso8601()}))
}
