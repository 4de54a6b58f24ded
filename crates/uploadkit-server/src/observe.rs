//! What an operator sees of the service: one `tracing` line per request (text or JSON: request
//! id, method, route, status, latency — never a header, a query string or a body, so neither a
//! grant nor a signature), Prometheus metrics at `/metrics` (requests by route and status, a
//! latency histogram per route, the credentials' age and failed refreshes), `/healthz` (the
//! process answers) and `/readyz` (it can sign), and the start and stop lines (`announce`).

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;
use time::OffsetDateTime;
use uploadkit_core::clock::SigningTime;

use crate::credentials::CredentialCache;

/// How request logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// One human-readable line per event.
    #[default]
    Text,
    /// One JSON object per line, for a log pipeline.
    Json,
}

impl std::str::FromStr for LogFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "text" => Ok(Self::Text),
            "json" => Ok(Self::Json),
            other => Err(format!("unknown log format {other:?}: use text or json")),
        }
    }
}

/// Starts writing logs to standard output at `level` (an `EnvFilter` directive such as `info`
/// or `off`) from a background thread, so a request never waits on the terminal. Keep the
/// guard alive: dropping it flushes what is buffered.
pub fn init_logging(
    format: LogFormat,
    level: &str,
) -> Result<tracing_appender::non_blocking::WorkerGuard, String> {
    let filter = tracing_subscriber::EnvFilter::try_new(level)
        .map_err(|e| format!("log level {level:?}: {e}"))?;
    let (writer, guard) = tracing_appender::non_blocking(std::io::stdout());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_target(false)
        .with_ansi(false);
    // An error here means a subscriber is installed already (a second server in one process):
    // this one's logs go to it.
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    Ok(guard)
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteStatus {
    route: &'static str,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabel {
    route: &'static str,
}

/// The service's metrics and what they are read from.
pub struct Observe {
    registry: Registry,
    requests: Family<RouteStatus, Counter>,
    latency: Family<RouteLabel, Histogram>,
    credential_age: Gauge<f64, AtomicU64>,
    refresh_failures: Counter,
    credentials: Arc<CredentialCache>,
    /// Whether requests are counted and timed (logs follow the log level).
    metrics_on: bool,
}

/// Latency buckets in seconds: the presign API answers in about a millisecond, the logo route
/// waits on its origin.
const BUCKETS: [f64; 14] = [
    0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

impl Observe {
    /// Metrics over `credentials`; with `metrics_on` false, requests are neither counted nor
    /// timed.
    pub fn new(credentials: Arc<CredentialCache>, metrics_on: bool) -> Self {
        let mut registry = Registry::with_prefix("uploadkit");
        let requests = Family::<RouteStatus, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route and status",
            requests.clone(),
        );
        let latency =
            Family::<RouteLabel, Histogram>::new_with_constructor(|| Histogram::new(BUCKETS));
        registry.register(
            "http_request_duration_seconds",
            "Time from the request's arrival to its response's headers, by route",
            latency.clone(),
        );
        let credential_age = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "credentials_age_seconds",
            "Seconds since the signing credentials were last fetched",
            credential_age.clone(),
        );
        let refresh_failures = Counter::default();
        registry.register(
            "credentials_refresh_failures",
            "Credential fetches or refreshes that failed",
            refresh_failures.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            credential_age,
            refresh_failures,
            credentials,
            metrics_on,
        }
    }

    /// The metrics in Prometheus' text format.
    pub fn render(&self) -> String {
        if let Some(age) = self.credentials.age() {
            self.credential_age.set(age.as_secs_f64());
        }
        // The cache counts failures itself; the counter catches up (it only ever rises).
        let failures = self.credentials.refresh_failures();
        let seen = self.refresh_failures.get();
        if failures > seen {
            self.refresh_failures.inc_by(failures - seen);
        }
        let mut out = String::new();
        let _ = encode(&mut out, &self.registry);
        out
    }

    fn record(&self, route: &'static str, status: u16, elapsed: f64) {
        if self.metrics_on {
            self.requests
                .get_or_create(&RouteStatus { route, status })
                .inc();
            self.latency
                .get_or_create(&RouteLabel { route })
                .observe(elapsed);
        }
    }
}

/// The route a path belongs to, as a fixed label (paths themselves are unbounded).
pub fn route_label(path: &str) -> &'static str {
    match path {
        "/v1/uploads" => "/v1/uploads",
        "/v1/downloads" => "/v1/downloads",
        uploadkit_api::promote::PROMOTE_PATH => uploadkit_api::promote::PROMOTE_PATH,
        "/v1/health" => "/v1/health",
        "/healthz" => "/healthz",
        "/readyz" => "/readyz",
        "/metrics" => "/metrics",
        p if p.starts_with("/v1/") => "/v1/other",
        _ => "other",
    }
}

/// A new request id: this process's random prefix and a counter, unique without a system call
/// per request (a UUID v4 each would ask the kernel for randomness every time).
fn new_request_id() -> String {
    static PREFIX: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let prefix = *PREFIX.get_or_init(|| uuid::Uuid::new_v4().as_fields().0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{prefix:08x}-{n:012x}")
}

/// A client's `x-request-id` when it is a plain token, else a new one.
fn request_id(request: &Request) -> String {
    request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            (1..=64).contains(&v.len())
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map_or_else(new_request_id, str::to_owned)
}

/// The middleware: times the request, logs it, counts it, and returns its id.
pub async fn track(
    State((observe, fixed_route)): State<(Arc<Observe>, Option<&'static str>)>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let id = request_id(&request);
    let method = request.method().clone();
    let route = fixed_route.unwrap_or_else(|| route_label(request.uri().path()));
    let mut response = next.run(request).await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    observe.record(route, status, elapsed.as_secs_f64());
    tracing::info!(
        request_id = %id,
        method = %method,
        route,
        status,
        latency_ms = elapsed.as_secs_f64() * 1000.0,
        "request"
    );
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

fn text(status: StatusCode, body: String) -> Response {
    Response::builder()
        .status(status)
        .header("content-type", "text/plain; charset=utf-8")
        .header("cache-control", "no-store")
        .body(Body::from(body))
        .expect("valid response")
}

/// `GET /metrics`.
pub async fn metrics(State(observe): State<Arc<Observe>>) -> Response {
    let mut response = text(StatusCode::OK, observe.render());
    response.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
    );
    response
}

/// `GET /healthz`: the process answers.
pub async fn healthz() -> Response {
    text(StatusCode::OK, "ok\n".into())
}

/// `GET /readyz`: credentials good for signing now (fetching them if need be), else 503 with
/// the reason.
pub async fn readyz(State(observe): State<Arc<Observe>>) -> Response {
    let now = SigningTime::new(OffsetDateTime::now_utc());
    match observe.credentials.signer(now).await {
        Ok(_) => text(StatusCode::OK, "ready\n".into()),
        Err(e) => text(StatusCode::SERVICE_UNAVAILABLE, format!("not ready: {e}\n")),
    }
}

/// Prints a start or stop line on standard output. An output nobody reads any more (a log
/// collector gone, `uploadkit serve | head -1`) is no reason to stop serving or to panic on the
/// way out, so a failed write is dropped.
pub(crate) fn announce(line: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}
