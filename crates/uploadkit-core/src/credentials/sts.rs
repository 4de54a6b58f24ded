//! STS as bytes: the signed `AssumeRole` / `AssumeRoleWithWebIdentity` request to send, and the
//! credentials in its answer. Whoever has a network (the native service, the edge worker) sends it.

use crate::clock::{SigningTime, parse_rfc3339};
use crate::encode::uri_encode;
use crate::sigv4::{
    Payload, SignableRequest, Signer, SigningContext, SigningError, SigningSettings,
};
use crate::xml;

use super::Credentials;

/// The regional STS endpoint (what botocore uses by default).
///
/// ```
/// assert_eq!(uploadkit_core::credentials::sts::regional_endpoint("eu-west-1"), "https://sts.eu-west-1.amazonaws.com");
/// ```
pub fn regional_endpoint(region: &str) -> String {
    format!("https://sts.{region}.amazonaws.com")
}

const CONTENT_TYPE: &str = "application/x-www-form-urlencoded; charset=utf-8";

/// An STS call to send: `POST url` with these headers and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StsRequest {
    /// The STS action, for messages.
    pub action: &'static str,
    /// Where to POST.
    pub url: String,
    /// Headers, signed ones included.
    pub headers: Vec<(String, String)>,
    /// The form body.
    pub body: String,
}

/// What an STS answer can be besides credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StsError {
    /// STS refused, with its code and message.
    #[error("STS {action} refused: {code}: {message}")]
    Refused {
        /// The action.
        action: &'static str,
        /// STS's error code (or the HTTP status).
        code: String,
        /// STS's message.
        message: String,
    },
    /// The answer is not what STS sends.
    #[error("STS {action} answer unusable: {problem}")]
    Malformed {
        /// The action.
        action: &'static str,
        /// What is wrong.
        problem: String,
    },
    /// The request could not be signed (e.g. the source credentials expired).
    #[error("cannot sign the STS {action} request: {source}")]
    Signing {
        /// The action.
        action: &'static str,
        /// Why.
        source: SigningError,
    },
}

/// The role to assume and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoleRequest<'a> {
    /// The role's ARN.
    pub role_arn: &'a str,
    /// The session name (shows in CloudTrail).
    pub session_name: &'a str,
    /// Session length in seconds (STS allows 900 up to the role's maximum).
    pub duration_seconds: u32,
    /// The external ID the role's trust policy asks for.
    pub external_id: Option<&'a str>,
    /// The MFA device and its current code, when the role (or profile) asks for one.
    pub mfa: Option<Mfa<'a>>,
}

/// An MFA device's serial number (or ARN) and the code it shows now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mfa<'a> {
    /// `mfa_serial`.
    pub serial: &'a str,
    /// The six-digit code.
    pub code: &'a str,
}

/// Who the credentials belong to, from `GetCallerIdentity`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerIdentity {
    /// The account.
    pub account: String,
    /// The principal's ARN.
    pub arn: String,
    /// The unique id (with the session name for a role).
    pub user_id: String,
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", uri_encode(k, false), uri_encode(v, false)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The MFA device and code, as both `AssumeRole` and `GetSessionToken` take them.
fn push_mfa<'a>(pairs: &mut Vec<(&'a str, &'a str)>, mfa: Option<Mfa<'a>>) {
    if let Some(mfa) = mfa {
        pairs.push(("SerialNumber", mfa.serial));
        pairs.push(("TokenCode", mfa.code));
    }
}

fn request(
    action: &'static str,
    endpoint: &str,
    region: &str,
    body: String,
    signer: Option<&Signer>,
    now: SigningTime,
) -> Result<StsRequest, StsError> {
    let endpoint = endpoint.trim_end_matches('/');
    let host = endpoint.split_once("://").map_or(endpoint, |(_, h)| h);
    let mut headers = vec![("content-type".to_owned(), CONTENT_TYPE.to_owned())];
    if let Some(signer) = signer {
        let ctx = SigningContext {
            region,
            service: "sts",
            time: now,
            settings: SigningSettings::STANDARD,
        };
        let signable = SignableRequest {
            method: "POST",
            path: "/",
            query: vec![],
            headers: vec![("host", host), ("content-type", CONTENT_TYPE)],
            payload: Payload::Bytes(body.as_bytes()),
        };
        let signed = signer
            .sign_headers(&signable, &ctx)
            .map_err(|source| StsError::Signing { action, source })?;
        headers.extend(signed.headers.into_iter().map(|(k, v)| (k.to_owned(), v)));
    }
    Ok(StsRequest {
        action,
        url: format!("{endpoint}/"),
        headers,
        body,
    })
}

/// A signed `AssumeRole` request.
///
/// ```
/// use uploadkit_core::clock::SigningTime;
/// use uploadkit_core::credentials::{Credentials, sts};
/// use uploadkit_core::sigv4::Signer;
/// let signer = Signer::new(Credentials::new("AKIDEXAMPLE", "secret", None, None).unwrap());
/// let role = sts::RoleRequest { role_arn: "arn:aws:iam::123456789012:role/uploads", session_name: "edge", duration_seconds: 900, external_id: None, mfa: None };
/// let at = SigningTime::from_unix(1_700_000_000).unwrap();
/// let req = sts::assume_role("https://sts.amazonaws.com", "us-east-1", &signer, &role, at).unwrap();
/// assert_eq!(req.url, "https://sts.amazonaws.com/");
/// assert!(req.body.contains("RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fuploads"));
/// assert!(req.headers.iter().any(|(k, v)| k == "authorization" && v.contains("/us-east-1/sts/aws4_request")));
/// ```
pub fn assume_role(
    endpoint: &str,
    region: &str,
    source: &Signer,
    role: &RoleRequest<'_>,
    now: SigningTime,
) -> Result<StsRequest, StsError> {
    let duration = role.duration_seconds.to_string();
    let mut pairs = vec![
        ("Action", "AssumeRole"),
        ("Version", "2011-06-15"),
        ("RoleArn", role.role_arn),
        ("RoleSessionName", role.session_name),
        ("DurationSeconds", duration.as_str()),
    ];
    if let Some(external) = role.external_id {
        pairs.push(("ExternalId", external));
    }
    push_mfa(&mut pairs, role.mfa);
    request(
        "AssumeRole",
        endpoint,
        region,
        form(&pairs),
        Some(source),
        now,
    )
}

/// A signed `GetSessionToken` request (session credentials for the caller itself, with an MFA
/// code when given).
///
/// ```
/// use uploadkit_core::clock::SigningTime;
/// use uploadkit_core::credentials::{Credentials, sts};
/// use uploadkit_core::sigv4::Signer;
/// let signer = Signer::new(Credentials::new("AKIDEXAMPLE", "secret", None, None).unwrap());
/// let mfa = sts::Mfa { serial: "arn:aws:iam::123456789012:mfa/dev", code: "123456" };
/// let req = sts::get_session_token("https://sts.amazonaws.com", "us-east-1", &signer, 900, Some(mfa), SigningTime::from_unix(1_700_000_000).unwrap()).unwrap();
/// assert!(req.body.contains("Action=GetSessionToken") && req.body.contains("TokenCode=123456"));
/// ```
pub fn get_session_token(
    endpoint: &str,
    region: &str,
    signer: &Signer,
    duration_seconds: u32,
    mfa: Option<Mfa<'_>>,
    now: SigningTime,
) -> Result<StsRequest, StsError> {
    let duration = duration_seconds.to_string();
    let mut pairs = vec![
        ("Action", "GetSessionToken"),
        ("Version", "2011-06-15"),
        ("DurationSeconds", duration.as_str()),
    ];
    push_mfa(&mut pairs, mfa);
    request(
        "GetSessionToken",
        endpoint,
        region,
        form(&pairs),
        Some(signer),
        now,
    )
}

/// A signed `GetCallerIdentity` request.
pub fn get_caller_identity(
    endpoint: &str,
    region: &str,
    signer: &Signer,
    now: SigningTime,
) -> Result<StsRequest, StsError> {
    request(
        "GetCallerIdentity",
        endpoint,
        region,
        form(&[("Action", "GetCallerIdentity"), ("Version", "2011-06-15")]),
        Some(signer),
        now,
    )
}

/// Reads STS's answer to `GetCallerIdentity`.
///
/// ```
/// let ok = "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/dev</Arn><UserId>AIDA1</UserId><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>";
/// let who = uploadkit_core::credentials::sts::parse_caller_identity(200, ok).unwrap();
/// assert_eq!(who.account, "123456789012");
/// ```
pub fn parse_caller_identity(status: u16, body: &str) -> Result<CallerIdentity, StsError> {
    let action = "GetCallerIdentity";
    if !(200..300).contains(&status) {
        return Err(refused(action, status, body));
    }
    let field = |tag: &str| {
        xml::text(body, tag).ok_or_else(|| StsError::Malformed {
            action,
            problem: format!("the answer has no {tag}"),
        })
    };
    Ok(CallerIdentity {
        account: field("Account")?,
        arn: field("Arn")?,
        user_id: field("UserId")?,
    })
}

fn refused(action: &'static str, status: u16, body: &str) -> StsError {
    StsError::Refused {
        action,
        code: xml::text(body, "Code").unwrap_or_else(|| status.to_string()),
        message: xml::text(body, "Message").unwrap_or_default(),
    }
}

/// An (unsigned) `AssumeRoleWithWebIdentity` request carrying `token`.
pub fn assume_role_with_web_identity(
    endpoint: &str,
    role: &RoleRequest<'_>,
    token: &str,
) -> StsRequest {
    let duration = role.duration_seconds.to_string();
    let body = form(&[
        ("Action", "AssumeRoleWithWebIdentity"),
        ("Version", "2011-06-15"),
        ("RoleArn", role.role_arn),
        ("RoleSessionName", role.session_name),
        ("WebIdentityToken", token.trim()),
        ("DurationSeconds", &duration),
    ]);
    let endpoint = endpoint.trim_end_matches('/');
    StsRequest {
        action: "AssumeRoleWithWebIdentity",
        url: format!("{endpoint}/"),
        headers: vec![("content-type".to_owned(), CONTENT_TYPE.to_owned())],
        body,
    }
}

/// Reads STS's answer (`status`, XML `body`) to an action.
///
/// ```
/// use uploadkit_core::credentials::sts::{parse_response, StsError};
/// let ok = "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAX</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>2026-11-22T10:00:00Z</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>";
/// let creds = parse_response("AssumeRole", 200, ok).unwrap();
/// assert_eq!(creds.access_key_id(), "ASIAX");
/// let refused = "<ErrorResponse><Error><Code>AccessDenied</Code><Message>not allowed</Message></Error></ErrorResponse>";
/// assert!(matches!(parse_response("AssumeRole", 403, refused), Err(StsError::Refused { .. })));
/// ```
pub fn parse_response(
    action: &'static str,
    status: u16,
    body: &str,
) -> Result<Credentials, StsError> {
    if !(200..300).contains(&status) {
        return Err(refused(action, status, body));
    }
    let malformed = |problem: String| StsError::Malformed { action, problem };
    let field = |tag: &str| {
        xml::text(body, tag).ok_or_else(|| malformed(format!("the answer has no {tag}")))
    };
    let expiry = field("Expiration")?;
    let expires_at =
        parse_rfc3339(&expiry).ok_or_else(|| malformed(format!("bad Expiration {expiry:?}")))?;
    Credentials::new(
        field("AccessKeyId")?,
        field("SecretAccessKey")?,
        Some(field("SessionToken")?),
        Some(expires_at),
    )
    .map_err(|e| malformed(e.to_string()))
}
