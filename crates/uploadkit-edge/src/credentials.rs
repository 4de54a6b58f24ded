//! Signing credentials in the isolate: the secrets' keys as they are, or exchanged with STS
//! `AssumeRole` for a session that is cached in the isolate and replaced before it runs out.
//! Forms are capped at the session's end by the core, so none outlives it.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use uploadkit_core::clock::SigningTime;
use uploadkit_core::credentials::Credentials;
use uploadkit_core::credentials::refresh::{Action, Backoff, LastFailure, RefreshPolicy};
use uploadkit_core::credentials::sts::{self, RoleRequest};
use uploadkit_core::sigv4::Signer;
use worker::{Fetch, Headers, Method, Request, RequestInit};

use crate::config::{CredentialConfig, RoleConfig};

/// Why no signer could be had.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    /// STS refused, answered oddly, or the request could not be signed.
    #[error(transparent)]
    Sts(#[from] sts::StsError),
    /// STS did not answer.
    #[error("STS could not be reached: {0}")]
    Unreachable(String),
    /// The runtime refused to build the request.
    #[error("cannot call STS: {0}")]
    Runtime(String),
    /// STS failed moments ago and is not asked again until the backoff has passed.
    #[error("{last} (STS is asked again in {retry_in} s)")]
    BackingOff {
        /// The last failure, as it was told.
        last: String,
        /// Seconds until STS is asked again.
        retry_in: i64,
    },
}

/// A session with less than this left is not used at all (its forms would be over at once).
const MIN_SECONDS_LEFT: i64 = 60;

thread_local! {
    /// The isolate's current session, shared by the requests it serves concurrently.
    static SESSION: RefCell<Option<Rc<Signer>>> = const { RefCell::new(None) };
    /// Whether one of them is asking STS for the next session right now.
    static REFRESHING: Cell<bool> = const { Cell::new(false) };
    /// The last refresh's failure (and its message), until one succeeds.
    static FAILURE: RefCell<Option<(LastFailure, String)>> = const { RefCell::new(None) };
}

/// Clears [`REFRESHING`] however the refresh ends, a cancelled request included.
struct Refreshing;

impl Refreshing {
    fn start() -> Self {
        REFRESHING.with(|r| r.set(true));
        Self
    }
}

impl Drop for Refreshing {
    fn drop(&mut self) {
        REFRESHING.with(|r| r.set(false));
    }
}

/// A signer for `now`: never one whose credentials are expired or about to be.
///
/// The core's [`RefreshPolicy`] decides, as it does for the native service: from
/// `refresh_before_seconds` before the session ends, one request replaces it while the others
/// the isolate serves meanwhile keep signing with it, and it is kept if STS fails; in its last
/// minute it is not used without a new one. Where the native service would wait for another
/// caller's refresh, a request here refreshes itself: the runtime does not let one request's I/O
/// finish another's. After a failure STS is asked again only once the policy's backoff has
/// passed; until then the session is kept while it may be, and otherwise the failure is told.
pub async fn signer(
    config: &CredentialConfig,
    now: SigningTime,
) -> Result<Rc<Signer>, CredentialError> {
    let Some(role) = &config.role else {
        return Ok(Rc::new(Signer::new(config.keys.clone())));
    };
    let policy = RefreshPolicy {
        advisory: i64::from(role.refresh_before_seconds),
        mandatory: MIN_SECONDS_LEFT,
        retry: Backoff::DEFAULT,
    };
    let cached = SESSION.with(|s| s.borrow().clone());
    let busy = REFRESHING.with(Cell::get);
    let failure = FAILURE.with(|f| f.borrow().clone());
    let keep_on_failure = match (
        policy.action(
            cached.as_deref().map(Signer::credentials),
            busy,
            failure.as_ref().map(|(record, _)| record),
            now,
        ),
        &cached,
    ) {
        (Action::Use, Some(signer)) => return Ok(Rc::clone(signer)),
        (Action::Refresh { keep_on_failure }, _) => keep_on_failure,
        (Action::Fail { retry_in }, _) => {
            let last = failure.map(|(_, last)| last).unwrap_or_default();
            return Err(CredentialError::BackingOff { last, retry_in });
        }
        _ => false,
    };
    let refreshing = Refreshing::start();
    let session = assume_role(config, role, now).await;
    drop(refreshing);
    FAILURE.with(|f| {
        let mut f = f.borrow_mut();
        *f = match &session {
            Ok(_) => None,
            Err(e) => Some((
                LastFailure::after(f.as_ref().map(|(record, _)| *record), now),
                e.to_string(),
            )),
        };
    });
    match (session, cached) {
        (Ok(session), _) => {
            let signer = Rc::new(Signer::new(session));
            SESSION.with(|s| *s.borrow_mut() = Some(Rc::clone(&signer)));
            Ok(signer)
        }
        (Err(e), Some(signer)) if keep_on_failure => {
            worker::console_warn!(
                "STS refresh failed, still signing with the current session ({} s left): {e}",
                seconds_left(signer.credentials(), now)
            );
            Ok(signer)
        }
        (Err(e), _) => Err(e),
    }
}

fn seconds_left(credentials: &Credentials, now: SigningTime) -> i64 {
    credentials
        .expires_at()
        .map_or(i64::MAX, |end| end.unix() - now.unix())
}

async fn assume_role(
    config: &CredentialConfig,
    role: &RoleConfig,
    now: SigningTime,
) -> Result<Credentials, CredentialError> {
    let runtime = |e: worker::Error| CredentialError::Runtime(e.to_string());
    let session_name = format!("uploadkit-edge-{}", now.unix());
    let request = sts::assume_role(
        &role.sts_endpoint,
        &role.sts_region,
        &Signer::new(config.keys.clone()),
        &RoleRequest {
            role_arn: &role.arn,
            session_name: &session_name,
            duration_seconds: role.session_seconds,
            external_id: role.external_id.as_deref(),
            mfa: None,
        },
        now,
    )?;
    let headers = Headers::new();
    for (k, v) in &request.headers {
        headers.set(k, v).map_err(runtime)?;
    }
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_body(Some(request.body.clone().into()));
    let outgoing = Request::new_with_init(&request.url, &init).map_err(runtime)?;
    let mut response = Fetch::Request(outgoing)
        .send()
        .await
        .map_err(|e| CredentialError::Unreachable(e.to_string()))?;
    let body = response
        .text()
        .await
        .map_err(|e| CredentialError::Unreachable(e.to_string()))?;
    Ok(sts::parse_response(
        request.action,
        response.status_code(),
        &body,
    )?)
}
