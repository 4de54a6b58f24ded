//! The embedded S3 store: s3s-fs over a local folder, SigV4 auth enforced, with the CORS that
//! s3s lacks added in front so browsers can post forms to it directly.

use std::convert::Infallible;
use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder as ConnBuilder;
use s3s::auth::SimpleAuth;
use s3s::service::{S3Service, S3ServiceBuilder};
use tokio::net::TcpListener;

use crate::ServerError;

/// Creates the folder and one sub-folder per bucket (s3s-fs keeps a bucket as a folder), then
/// serves S3 on `listener` until the task is dropped.
pub async fn serve_store(
    listener: TcpListener,
    root: &Path,
    buckets: &[String],
    (access_key, secret): (&str, &str),
    allowed_origins: Vec<String>,
) -> Result<(), ServerError> {
    for bucket in buckets {
        std::fs::create_dir_all(root.join(bucket))
            .map_err(|e| ServerError::Io(format!("{}: {e}", root.join(bucket).display())))?;
    }
    let fs = s3s_fs::FileSystem::new(root)
        .map_err(|e| ServerError::Io(format!("{}: {e:?}", root.display())))?;
    let mut builder = S3ServiceBuilder::new(fs);
    builder.set_auth(SimpleAuth::from_single(access_key, secret));
    let s3 = builder.build();
    let origins = Arc::new(allowed_origins);
    let http = ConnBuilder::new(TokioExecutor::new());
    loop {
        let Ok((socket, _)) = listener.accept().await else {
            continue;
        };
        let s3 = s3.clone();
        let origins = Arc::clone(&origins);
        let conn = http
            .serve_connection(
                TokioIo::new(socket),
                service_fn(move |req| with_cors(s3.clone(), Arc::clone(&origins), req)),
            )
            .into_owned();
        tokio::spawn(async move {
            let _ = conn.await;
        });
    }
}

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
        let mut response = Response::new(s3s::Body::empty());
        match allowed {
            Some(origin) => {
                *response.status_mut() = StatusCode::NO_CONTENT;
                let requested = req
                    .headers()
                    .get(http::header::ACCESS_CONTROL_REQUEST_HEADERS)
                    .cloned()
                    .unwrap_or_else(|| HeaderValue::from_static("content-type"));
                let h = response.headers_mut();
                h.insert(
                    http::header::ACCESS_CONTROL_ALLOW_ORIGIN,
                    header_value(&origin),
                );
                h.insert(
                    http::header::ACCESS_CONTROL_ALLOW_METHODS,
                    HeaderValue::from_static("GET, HEAD, PUT, POST"),
                );
                h.insert(http::header::ACCESS_CONTROL_ALLOW_HEADERS, requested);
                h.insert(
                    http::header::ACCESS_CONTROL_MAX_AGE,
                    HeaderValue::from_static("3000"),
                );
                h.insert(http::header::VARY, HeaderValue::from_static("Origin"));
            }
            None => *response.status_mut() = StatusCode::FORBIDDEN,
        }
        return Ok(response);
    }
    let mut response = match s3.call(req.map(s3s::Body::from)).await {
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

fn header_value(origin: &str) -> HeaderValue {
    // The origin matched the allow-list, whose entries are plain URLs.
    HeaderValue::from_str(origin).unwrap_or_else(|_| HeaderValue::from_static("null"))
}
