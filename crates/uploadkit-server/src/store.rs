//! The embedded S3 store: s3s-fs over a local folder, SigV4 auth enforced, with the CORS that
//! s3s lacks added in front so browsers can post forms to it directly.

use std::convert::Infallible;
use std::path::Path;
use std::sync::Arc;

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode};
use http_body::Frame;
use http_body_util::Limited;
use hyper::body::Incoming;
use hyper::service::service_fn;
use s3s::auth::SimpleAuth;
use s3s::config::{S3Config, StaticConfigProvider};
use s3s::service::{S3Service, S3ServiceBuilder};
use tokio::net::TcpListener;

use crate::ServerError;
use crate::listener::{self, Limits};

/// Creates the folder and one sub-folder per bucket (s3s-fs keeps a bucket as a folder), then
/// serves S3 on `listener`, within [`Limits::STORE`], until `shutdown` completes (then drains).
pub async fn serve_store(
    listener: TcpListener,
    root: &Path,
    buckets: &[String],
    (access_key, secret): (&str, &str),
    allowed_origins: Vec<String>,
    shutdown: impl std::future::Future<Output = ()>,
) -> Result<(), ServerError> {
    for bucket in buckets {
        std::fs::create_dir_all(root.join(bucket))
            .map_err(|e| ServerError::Io(format!("{}: {e}", root.join(bucket).display())))?;
    }
    let fs = s3s_fs::FileSystem::new(root)
        .map_err(|e| ServerError::Io(format!("{}: {e:?}", root.display())))?;
    let mut builder = S3ServiceBuilder::new(fs);
    builder.set_auth(SimpleAuth::from_single(access_key, secret));
    builder.set_config(Arc::new(StaticConfigProvider::new(Arc::new(s3_config()))));
    let s3 = builder.build();
    let origins = Arc::new(allowed_origins);
    listener::serve(listener, Limits::STORE, shutdown, move || {
        let (s3, origins) = (s3.clone(), Arc::clone(&origins));
        service_fn(move |req| {
            let response = with_cors(s3.clone(), Arc::clone(&origins), req);
            async move {
                tokio::time::timeout(Limits::STORE.request, response)
                    .await
                    .unwrap_or_else(|_| {
                        Ok(s3_error(
                            StatusCode::REQUEST_TIMEOUT,
                            "RequestTimeout",
                            "the request took too long",
                        ))
                    })
            }
        })
    })
    .await;
    Ok(())
}

/// s3s's limits set to what the catalogue can ever need, so that nothing, signed or not, makes
/// the store hold more than one upload's worth: a POST's file is read into memory (up to the
/// policy's `content-length-range`, or this limit when there is no policy).
fn s3_config() -> S3Config {
    let mut config = S3Config::default();
    config.post_object_max_file_size = MAX_UPLOAD_BYTES;
    config.form_max_field_size = 16 * 1024;
    config.form_max_fields_size = 64 * 1024;
    config.form_max_parts = 64;
    config.xml_max_body_size = 1024 * 1024;
    config
}

/// The largest object the catalogue uploads (a 10 MiB spreadsheet).
const MAX_UPLOAD_BYTES: u64 = 10 * 1024 * 1024;

/// The largest request body the store takes: the largest upload and its form's fields.
const MAX_BODY_BYTES: usize = MAX_UPLOAD_BYTES as usize + 64 * 1024;

/// Request headers a browser may send to the store (presigned PUTs and GETs, form POSTs).
const ALLOWED_HEADERS: &[&str] = &[
    "content-type",
    "content-md5",
    "content-disposition",
    "range",
    "if-none-match",
    "if-match",
    "x-amz-checksum-sha256",
    "x-amz-content-sha256",
    "x-amz-server-side-encryption",
    "x-amz-meta-original_file_name",
    "x-amz-tagging",
    "x-requested-with",
];

type StoreResponse = Response<s3s::Body>;

async fn with_cors(
    s3: S3Service,
    origins: Arc<Vec<String>>,
    req: Request<Incoming>,
) -> Result<StoreResponse, Infallible> {
    let origin = req
        .headers()
        .get(http::header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let allowed = origin
        .as_ref()
        .filter(|o| origins.iter().any(|a| a == *o))
        .cloned();
    if req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(http::header::ACCESS_CONTROL_REQUEST_METHOD)
    {
        let requested = req
            .headers()
            .get(http::header::ACCESS_CONTROL_REQUEST_HEADERS)
            .map(|v| v.to_str().unwrap_or("\u{0}").to_ascii_lowercase())
            .unwrap_or_default();
        let requested: Vec<&str> = requested
            .split(',')
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .collect();
        let method_ok = req
            .headers()
            .get(http::header::ACCESS_CONTROL_REQUEST_METHOD)
            .is_some_and(|m| matches!(m.as_bytes(), b"GET" | b"HEAD" | b"PUT" | b"POST"));
        let refused_header = requested.iter().find(|h| !ALLOWED_HEADERS.contains(h));
        let Some(origin) = allowed else {
            return Ok(s3_error(
                StatusCode::FORBIDDEN,
                "AccessForbidden",
                "CORS: this origin is not allowed",
            ));
        };
        if !method_ok {
            return Ok(s3_error(
                StatusCode::FORBIDDEN,
                "AccessForbidden",
                "CORS: this method is not allowed",
            ));
        }
        if let Some(h) = refused_header {
            return Ok(s3_error(
                StatusCode::FORBIDDEN,
                "AccessForbidden",
                &format!("CORS: the header {h:?} is not allowed"),
            ));
        }
        let mut response = Response::new(s3s::Body::empty());
        *response.status_mut() = StatusCode::NO_CONTENT;
        let h = response.headers_mut();
        h.insert(
            http::header::ACCESS_CONTROL_ALLOW_ORIGIN,
            header_value(&origin),
        );
        h.insert(
            http::header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, HEAD, PUT, POST"),
        );
        // Only the headers asked for, each of them on the allow-list: never an echo.
        if !requested.is_empty() {
            let list = requested.join(", ");
            h.insert(
                http::header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_str(&list).expect("allow-listed names"),
            );
        }
        h.insert(
            http::header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("3000"),
        );
        h.insert(http::header::VARY, HeaderValue::from_static("Origin"));
        return Ok(response);
    }
    // Refused from its length before a byte of the body is read.
    let declared = req
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Ok(s3_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "EntityTooLarge",
            &format!(
                "Your proposed upload exceeds the maximum allowed size: at most {MAX_UPLOAD_BYTES} bytes of file"
            ),
        ));
    }
    // A body without a length is cut off at the same limit; frames are split small because
    // s3s's form reader refuses a frame of over 64 KiB that follows one ending in a partial
    // boundary (`\r`), which random file bytes hit about once in 256 frames.
    let req =
        req.map(|body| s3s::Body::http_body(SmallFrames::new(Limited::new(body, MAX_BODY_BYTES))));
    let mut response = match s3.call(req).await {
        Ok(r) => r,
        Err(_) => {
            let mut r = Response::new(s3s::Body::from(Bytes::from_static(b"internal error")));
            *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            r
        }
    };
    if let Some(origin) = allowed {
        let h = response.headers_mut();
        h.insert(
            http::header::ACCESS_CONTROL_ALLOW_ORIGIN,
            header_value(&origin),
        );
        h.insert(
            http::header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("ETag, Location"),
        );
        h.append(http::header::VARY, HeaderValue::from_static("Origin"));
    }
    Ok(response)
}

/// An S3-style XML error.
fn s3_error(status: StatusCode, code: &str, message: &str) -> StoreResponse {
    let escape = uploadkit_core::xml::escape;
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{}</Message></Error>",
        escape(message)
    );
    let mut response = Response::new(s3s::Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    response
}

fn header_value(origin: &str) -> HeaderValue {
    // The origin matched the allow-list, whose entries are plain URLs.
    HeaderValue::from_str(origin).unwrap_or_else(|_| HeaderValue::from_static("null"))
}

/// The largest body frame handed to s3s.
const FRAME_BYTES: usize = 16 * 1024;

/// A body whose data frames are at most [`FRAME_BYTES`] long (split without copying).
struct SmallFrames<B> {
    inner: B,
    pending: Bytes,
}

impl<B> SmallFrames<B> {
    fn new(inner: B) -> Self {
        Self {
            inner,
            pending: Bytes::new(),
        }
    }
}

impl<B> http_body::Body for SmallFrames<B>
where
    B: http_body::Body<Data = Bytes> + Unpin,
{
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        if this.pending.is_empty() {
            match Pin::new(&mut this.inner).poll_frame(cx) {
                Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                    Ok(data) => this.pending = data,
                    Err(frame) => return Poll::Ready(Some(Ok(frame))),
                },
                other => return other,
            }
        }
        let n = this.pending.len().min(FRAME_BYTES);
        Poll::Ready(Some(Ok(Frame::data(this.pending.split_to(n)))))
    }

    fn is_end_stream(&self) -> bool {
        self.pending.is_empty() && self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        let mut hint = self.inner.size_hint();
        let pending = self.pending.len() as u64;
        hint.set_lower(hint.lower().saturating_add(pending));
        if let Some(upper) = hint.upper() {
            hint.set_upper(upper.saturating_add(pending));
        }
        hint
    }
}

#[cfg(test)]
mod tests {
    use http_body_util::{BodyExt, Full};

    use super::*;

    #[tokio::test]
    async fn frames_are_split_small_and_nothing_is_lost() {
        let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        let mut body = SmallFrames::new(Full::new(Bytes::from(data.clone())));
        let mut seen = Vec::new();
        while let Some(frame) = body.frame().await {
            let chunk = frame.unwrap().into_data().unwrap();
            assert!(!chunk.is_empty() && chunk.len() <= FRAME_BYTES);
            seen.extend_from_slice(&chunk);
        }
        assert_eq!(seen, data);
    }
}
