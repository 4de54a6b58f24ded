//! Signing credentials in the isolate: the secrets' keys as they are, or exchanged with STS
//! `AssumeRole` for a session that is cached in the isolate and replaced before it runs out.
//! Forms are capped at the session's end by the core, so none outlives it.

use std::cell::RefCell;
use std::rc::Rc;

use uploadkit_core::clock::SigningTime;
use uploadkit_core::credentials::Credentials;
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
}

thread_local! {
    /// The current session (one isolate runs one request at a time per await point).
    static SESSION: RefCell<Option<Rc<Signer>>> = const { RefCell::new(None) };
}

/// A signer for `now`: never one whose credentials are expired or about to be.
pub async fn signer(
    config: &CredentialConfig,
    now: SigningTime,
) -> Result<Rc<Signer>, CredentialError> {
    let Some(role) = &config.role else {
        return Ok(Rc::new(Signer::new(config.keys.clone())));
    };
    let cached = SESSION.with(|s| s.borrow().clone());
    if let Some(signer) = cached.filter(|s| fresh(s.credentials(), role, now)) {
        return Ok(signer);
    }
    let session = assume_role(config, role, now).await?;
    let signer = Rc::new(Signer::new(session));
    SESSION.with(|s| *s.borrow_mut() = Some(Rc::clone(&signer)));
    Ok(signer)
}

fn fresh(credentials: &Credentials, role: &RoleConfig, now: SigningTime) -> bool {
    credentials
        .expires_at()
        .is_none_or(|end| end.unix() - now.unix() > i64::from(role.refresh_before_seconds))
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
