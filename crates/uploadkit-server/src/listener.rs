//! Every listener's bounds, in one place: how long a client may take to send a request's
//! headers (hyper's header-read timeout, which also closes idle keep-alive connections), how
//! long a whole request may take, how many connections are served at once, what the accept
//! loop does when the process runs out of file descriptors, and how it stops: on shutdown it
//! accepts nothing more, lets requests in flight finish (hyper's graceful shutdown) for at most
//! [`DRAIN`], then returns.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use http::{Request, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder as ConnBuilder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower_http::timeout::TimeoutLayer;

/// How long requests in flight may take to finish once shutdown starts.
pub const DRAIN: Duration = Duration::from_secs(10);

/// Resolves on SIGTERM (a container runtime's stop, also as PID 1) or SIGINT (Ctrl-C).
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// A listener's bounds.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Time to send a request's headers, and to start the next request on a kept-alive
    /// connection; a slowloris client is dropped after it.
    pub header_read: Duration,
    /// Time for a whole request, body included (408 after it).
    pub request: Duration,
    /// Connections served at once; more wait in the kernel's backlog.
    pub max_connections: usize,
}

impl Limits {
    /// The presign API and the page: small JSON bodies, quick answers.
    pub const API: Self = Self {
        header_read: Duration::from_secs(10),
        request: Duration::from_secs(30),
        max_connections: 1024,
    };

    /// The logo route: bodiless GETs, an origin fetch each; the API's bounds.
    pub const CDN: Self = Self::API;

    /// The S3 store: uploads of up to 10 MiB, plus the form's fields.
    pub const STORE: Self = Self {
        header_read: Duration::from_secs(10),
        request: Duration::from_secs(300),
        max_connections: 512,
    };
}

/// An axum router with the request timeout of `limits` (tower-http's layer). Its routes read
/// bodies only through their own limit (the API's 16 KiB, refused as JSON from the length) or
/// not at all (the page, the logo route).
pub fn bounded(router: axum::Router, limits: Limits) -> axum::Router {
    router.layer(TimeoutLayer::with_status_code(
        http::StatusCode::REQUEST_TIMEOUT,
        limits.request,
    ))
}

/// Serves an axum router on `listener` within `limits` until `shutdown` completes.
pub async fn serve_router(
    listener: TcpListener,
    router: axum::Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    let service = TowerToHyperService::new(bounded(router, limits));
    serve(listener, limits, shutdown, move || service.clone()).await;
}

/// Serves connections on `listener`, each with the service `make` builds, within `limits`'
/// header-read timeout and connection cap, until `shutdown` completes; then drains (see the
/// module's documentation).
pub async fn serve<M, S, B>(
    listener: TcpListener,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
    make: M,
) where
    M: Fn() -> S,
    S: hyper::service::Service<Request<Incoming>, Response = Response<B>, Error = Infallible>
        + Send
        + 'static,
    S::Future: Send + 'static,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let mut http = ConnBuilder::new(TokioExecutor::new());
    http.http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read);
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            p = Arc::clone(&permits).acquire_owned() => p.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let socket = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((socket, _)) => socket,
                Err(e) => {
                    tokio::time::sleep(accept_backoff(&e)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = make();
        let conn = graceful.watch(
            http.serve_connection(TokioIo::new(socket), service)
                .into_owned(),
        );
        tokio::spawn(async move {
            let _ = conn.await;
            drop(permit);
        });
    }
    // Nothing more is accepted; kept-alive connections are told to close after their current
    // request.
    drop(listener);
    let _ = tokio::time::timeout(DRAIN, graceful.shutdown()).await;
}

/// How long to wait after a failed `accept`: out of file descriptors (EMFILE, ENFILE) or
/// memory, long enough for connections to close; otherwise (a client that reset before it was
/// accepted) barely at all. Never zero: a failing accept must not spin.
pub fn accept_backoff(e: &io::Error) -> Duration {
    const EMFILE: i32 = 24;
    const ENFILE: i32 = 23;
    const ENOBUFS: i32 = 105;
    const ENOMEM: i32 = 12;
    match e.raw_os_error() {
        Some(EMFILE | ENFILE | ENOBUFS | ENOMEM) => Duration::from_millis(100),
        _ => Duration::from_millis(5),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_out_of_descriptors_backs_off() {
        assert_eq!(
            accept_backoff(&io::Error::from_raw_os_error(24)),
            Duration::from_millis(100)
        );
        assert!(
            accept_backoff(&io::Error::from(io::ErrorKind::ConnectionAborted)) > Duration::ZERO
        );
    }
}
