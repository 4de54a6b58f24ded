//! IAM Identity Center (SSO) as bytes, the way botocore's SSO provider works: the access token
//! cached by `aws sso login` in `~/.aws/sso/cache/{sha1(session name or start URL)}.json`, its
//! refresh through SSO OIDC `CreateToken` (only for `sso_session` profiles, from 15 minutes
//! before it expires), and the portal's `GetRoleCredentials`. The adapter reads and writes the
//! cache file and sends the requests.

use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};

use super::Credentials;
use crate::clock::{SigningTime, parse_rfc3339};
use crate::encode::uri_encode;

/// Refresh the access token when fewer seconds than this are left (botocore's window).
pub const TOKEN_REFRESH_WINDOW: i64 = 15 * 60;

/// The fix every expired or missing login gets, as the AWS CLI words it.
pub const LOGIN_AGAIN: &str = "the SSO session associated with this profile has expired or is otherwise invalid: to refresh it, run `aws sso login";

/// An SSO profile's settings, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoProfile {
    /// The profile.
    pub profile: String,
    /// `sso_session`, for the newer form (whose token can be refreshed).
    pub session: Option<String>,
    /// `sso_start_url`.
    pub start_url: String,
    /// `sso_region`: where the portal and OIDC endpoints are.
    pub region: String,
    /// `sso_account_id`.
    pub account_id: String,
    /// `sso_role_name`.
    pub role_name: String,
}

impl SsoProfile {
    /// The cache file's name: the SHA-1 of the session name (or, for the legacy form, the
    /// start URL) in hex, then `.json`.
    ///
    /// ```
    /// use uploadkit_core::credentials::sso::SsoProfile;
    /// let p = SsoProfile { profile: "dev".into(), session: Some("my-sso".into()), start_url: "https://d-abc.awsapps.com/start".into(), region: "eu-west-1".into(), account_id: "123456789012".into(), role_name: "Dev".into() };
    /// assert_eq!(p.cache_file_name(), "0ad374308c5a4e22f723adf10145eafad7c4031c.json");
    /// ```
    pub fn cache_file_name(&self) -> String {
        let key = self.session.as_deref().unwrap_or(&self.start_url);
        let digest = Sha1::digest(key.as_bytes());
        let mut out: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        out.push_str(".json");
        out
    }

    /// The AWS CLI command that logs in again.
    pub fn login_command(&self) -> String {
        format!("aws sso login --profile {}", self.profile)
    }
}

/// The cached token, as `aws sso login` (and botocore after a refresh) writes it. Unknown
/// fields are dropped on a rewrite, as botocore does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SsoToken {
    /// The start URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_url: Option<String>,
    /// The region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The bearer token for the portal.
    pub access_token: String,
    /// When it expires (`2026-12-04T18:00:00Z`; botocore writes `…UTC`).
    pub expires_at: String,
    /// For a refresh.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// The registered client, for a refresh.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The client's secret, for a refresh.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// When the client registration ends (no refresh after it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_expires_at: Option<String>,
}

/// Why SSO gave no credentials; every message says how to log in again.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SsoError {
    /// No cached token, or one that cannot be read.
    #[error("profile [{profile}]: no usable SSO token in the cache ({problem}); run `{login}`")]
    NoToken {
        /// The profile.
        profile: String,
        /// What is wrong.
        problem: String,
        /// The login command.
        login: String,
    },
    /// The token expired and cannot be refreshed, or the portal refused it.
    #[error("profile [{profile}]: {LOGIN_AGAIN} --profile {profile}` ({problem})")]
    Expired {
        /// The profile.
        profile: String,
        /// Why.
        problem: String,
    },
    /// An answer that is not what the service sends.
    #[error("profile [{profile}]: unexpected answer from {service}: {problem}")]
    Malformed {
        /// The profile.
        profile: String,
        /// Which service.
        service: &'static str,
        /// What is wrong.
        problem: String,
    },
}

/// What to do with a cached token now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenUse {
    /// Use it.
    Use,
    /// Refresh it first; on failure use it while it has not expired.
    Refresh,
    /// It has expired and cannot be refreshed.
    Expired,
}

/// Parses a time the cache holds: RFC 3339, or botocore's `…UTC` suffix.
fn parse_cache_time(text: &str) -> Option<SigningTime> {
    let text = text.trim();
    match text.strip_suffix("UTC") {
        Some(base) => parse_rfc3339(&format!("{base}Z")),
        None => parse_rfc3339(text),
    }
}

impl SsoToken {
    /// Reads a cache file.
    pub fn parse(profile: &SsoProfile, json: &str) -> Result<Self, SsoError> {
        serde_json::from_str(json).map_err(|e| SsoError::NoToken {
            profile: profile.profile.clone(),
            problem: format!("the cache file is not a token: {e}"),
            login: profile.login_command(),
        })
    }

    /// When the access token expires.
    pub fn expires(&self) -> Option<SigningTime> {
        parse_cache_time(&self.expires_at)
    }

    fn refreshable(&self, now: SigningTime) -> bool {
        self.refresh_token.is_some()
            && self.client_id.is_some()
            && self.client_secret.is_some()
            && self
                .registration_expires_at
                .as_deref()
                .and_then(parse_cache_time)
                .is_some_and(|at| at.unix() > now.unix())
    }

    /// Whether to use, refresh, or give up on this token at `now`.
    pub fn decide(&self, profile: &SsoProfile, now: SigningTime) -> TokenUse {
        let left = self.expires().map_or(i64::MIN, |at| at.unix() - now.unix());
        if left >= TOKEN_REFRESH_WINDOW {
            TokenUse::Use
        } else if profile.session.is_some() && self.refreshable(now) {
            TokenUse::Refresh
        } else if left > 0 {
            TokenUse::Use
        } else {
            TokenUse::Expired
        }
    }

    /// Whether it is still good at `now`.
    pub fn is_valid(&self, now: SigningTime) -> bool {
        self.expires().is_some_and(|at| at.unix() > now.unix())
    }

    /// The cache file's new text after a refresh.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// An HTTP request to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The URL.
    pub url: String,
    /// The headers.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: String,
}

/// The portal endpoint for `region` (or `AWS_ENDPOINT_URL_SSO` when the adapter has one).
pub fn portal_endpoint(region: &str) -> String {
    format!("https://portal.sso.{region}.amazonaws.com")
}

/// The OIDC endpoint for `region` (or `AWS_ENDPOINT_URL_SSO_OIDC`).
pub fn oidc_endpoint(region: &str) -> String {
    format!("https://oidc.{region}.amazonaws.com")
}

/// SSO OIDC `CreateToken` with the refresh token.
pub fn create_token_request(endpoint: &str, token: &SsoToken) -> HttpRequest {
    let body = serde_json::json!({
        "grantType": "refresh_token",
        "clientId": token.client_id,
        "clientSecret": token.client_secret,
        "refreshToken": token.refresh_token,
    });
    HttpRequest {
        method: "POST",
        url: format!("{}/token", endpoint.trim_end_matches('/')),
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.to_string(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateTokenAnswer {
    access_token: String,
    expires_in: i64,
    refresh_token: Option<String>,
}

/// The refreshed token from `CreateToken`'s answer (registration kept, as botocore keeps it).
pub fn parse_create_token(
    profile: &SsoProfile,
    old: &SsoToken,
    status: u16,
    body: &str,
    now: SigningTime,
) -> Result<SsoToken, SsoError> {
    if !(200..300).contains(&status) {
        return Err(SsoError::Expired {
            profile: profile.profile.clone(),
            problem: format!(
                "the token refresh was refused ({status}: {})",
                error_text(body)
            ),
        });
    }
    let answer: CreateTokenAnswer =
        serde_json::from_str(body).map_err(|e| SsoError::Malformed {
            profile: profile.profile.clone(),
            service: "SSO OIDC CreateToken",
            problem: e.to_string(),
        })?;
    let expires =
        SigningTime::from_unix(now.unix() + answer.expires_in.max(0)).ok_or_else(|| {
            SsoError::Malformed {
                profile: profile.profile.clone(),
                service: "SSO OIDC CreateToken",
                problem: format!("expiresIn {} is out of range", answer.expires_in),
            }
        })?;
    Ok(SsoToken {
        start_url: Some(profile.start_url.clone()),
        region: Some(profile.region.clone()),
        access_token: answer.access_token,
        expires_at: expires.iso8601(),
        refresh_token: answer.refresh_token.or_else(|| old.refresh_token.clone()),
        client_id: old.client_id.clone(),
        client_secret: old.client_secret.clone(),
        registration_expires_at: old.registration_expires_at.clone(),
    })
}

/// The portal's `GetRoleCredentials` with the bearer token.
pub fn role_credentials_request(
    endpoint: &str,
    profile: &SsoProfile,
    token: &SsoToken,
) -> HttpRequest {
    HttpRequest {
        method: "GET",
        url: format!(
            "{}/federation/credentials?account_id={}&role_name={}",
            endpoint.trim_end_matches('/'),
            uri_encode(&profile.account_id, true),
            uri_encode(&profile.role_name, true)
        ),
        headers: vec![("x-amz-sso_bearer_token".into(), token.access_token.clone())],
        body: String::new(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RoleCredentialsAnswer {
    role_credentials: RoleCredentials,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RoleCredentials {
    access_key_id: String,
    secret_access_key: String,
    session_token: String,
    /// Milliseconds since the epoch.
    expiration: i64,
}

fn error_text(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            let message = v.get("message").or_else(|| v.get("error_description"));
            let kind = v.get("__type").or_else(|| v.get("error"));
            match (
                kind.and_then(|k| k.as_str()),
                message.and_then(|m| m.as_str()),
            ) {
                (Some(k), Some(m)) => Some(format!("{k}: {m}")),
                (Some(k), None) => Some(k.to_owned()),
                (None, Some(m)) => Some(m.to_owned()),
                (None, None) => None,
            }
        })
        .unwrap_or_else(|| body.chars().take(200).collect())
}

/// The role's credentials from `GetRoleCredentials`' answer.
///
/// ```
/// use uploadkit_core::credentials::sso::{parse_role_credentials, SsoProfile};
/// let p = SsoProfile { profile: "dev".into(), session: None, start_url: "u".into(), region: "eu-west-1".into(), account_id: "1".into(), role_name: "r".into() };
/// let body = r#"{"roleCredentials":{"accessKeyId":"ASIA1","secretAccessKey":"s","sessionToken":"t","expiration":1800000000000}}"#;
/// let c = parse_role_credentials(&p, 200, body).unwrap();
/// assert_eq!(c.expires_at().unwrap().unix(), 1_800_000_000);
/// ```
pub fn parse_role_credentials(
    profile: &SsoProfile,
    status: u16,
    body: &str,
) -> Result<Credentials, SsoError> {
    let malformed = |problem: String| SsoError::Malformed {
        profile: profile.profile.clone(),
        service: "the SSO portal",
        problem,
    };
    match status {
        200..=299 => {}
        401 | 403 => {
            return Err(SsoError::Expired {
                profile: profile.profile.clone(),
                problem: format!(
                    "the portal refused the token ({status}: {})",
                    error_text(body)
                ),
            });
        }
        _ => return Err(malformed(format!("{status}: {}", error_text(body)))),
    }
    let answer: RoleCredentialsAnswer =
        serde_json::from_str(body).map_err(|e| malformed(e.to_string()))?;
    let c = answer.role_credentials;
    let expires = SigningTime::from_unix(c.expiration.div_euclid(1000))
        .ok_or_else(|| malformed(format!("expiration {} is out of range", c.expiration)))?;
    Credentials::new(
        c.access_key_id,
        c.secret_access_key,
        Some(c.session_token),
        Some(expires),
    )
    .map_err(|e| malformed(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(session: Option<&str>) -> SsoProfile {
        SsoProfile {
            profile: "dev".into(),
            session: session.map(str::to_owned),
            start_url: "https://d-abc.awsapps.com/start".into(),
            region: "eu-west-1".into(),
            account_id: "123456789012".into(),
            role_name: "Developer".into(),
        }
    }

    fn token(expires_at: &str, refreshable: bool) -> SsoToken {
        SsoToken {
            start_url: None,
            region: None,
            access_token: "at".into(),
            expires_at: expires_at.into(),
            refresh_token: refreshable.then(|| "rt".into()),
            client_id: refreshable.then(|| "cid".into()),
            client_secret: refreshable.then(|| "cs".into()),
            registration_expires_at: refreshable.then(|| "2030-01-01T00:00:00Z".into()),
        }
    }

    #[test]
    fn cache_key_is_the_sha1_of_the_session_or_the_start_url() {
        // As Python's hashlib.sha1(...).hexdigest() gives them.
        assert_eq!(
            profile(Some("my-sso")).cache_file_name(),
            "0ad374308c5a4e22f723adf10145eafad7c4031c.json"
        );
        assert_eq!(
            profile(None).cache_file_name(),
            "22f00c6461897f7c3e293d9d99f86e5efed957dd.json"
        );
    }

    #[test]
    fn a_token_is_refreshed_in_its_last_fifteen_minutes_only_when_it_can_be() {
        let now = SigningTime::from_unix(1_800_000_000).unwrap();
        let at = |secs: i64| {
            SigningTime::from_unix(1_800_000_000 + secs)
                .unwrap()
                .iso8601()
        };
        let session = profile(Some("s"));
        assert_eq!(token(&at(3600), true).decide(&session, now), TokenUse::Use);
        assert_eq!(
            token(&at(600), true).decide(&session, now),
            TokenUse::Refresh
        );
        assert_eq!(
            token(&at(-600), true).decide(&session, now),
            TokenUse::Refresh
        );
        // The legacy form never refreshes; an expired token needs a login.
        assert_eq!(
            token(&at(600), true).decide(&profile(None), now),
            TokenUse::Use
        );
        assert_eq!(
            token(&at(-1), false).decide(&session, now),
            TokenUse::Expired
        );
        // botocore's own cache writes …UTC.
        let utc = at(3600).replace('Z', "UTC");
        assert_eq!(token(&utc, false).decide(&session, now), TokenUse::Use);
        assert_eq!(
            token("not a time", false).decide(&session, now),
            TokenUse::Expired
        );
    }

    #[test]
    fn refresh_keeps_the_registration_and_portal_errors_say_log_in() {
        let now = SigningTime::from_unix(1_800_000_000).unwrap();
        let p = profile(Some("s"));
        let old = token("2027-01-01T00:00:00Z", true);
        let new = parse_create_token(
            &p,
            &old,
            200,
            r#"{"accessToken":"new","expiresIn":3600,"tokenType":"Bearer"}"#,
            now,
        )
        .unwrap();
        assert_eq!(new.access_token, "new");
        assert_eq!(new.refresh_token.as_deref(), Some("rt"));
        assert_eq!(new.expires().unwrap().unix(), 1_800_003_600);
        let round = SsoToken::parse(&p, &new.to_json()).unwrap();
        assert_eq!(round, new);
        let e = parse_create_token(
            &p,
            &old,
            400,
            r#"{"error":"invalid_grant","error_description":"expired"}"#,
            now,
        )
        .unwrap_err();
        assert!(e.to_string().contains("aws sso login --profile dev"), "{e}");
        let e = parse_role_credentials(
            &p,
            401,
            r#"{"message":"Session token not found or invalid"}"#,
        )
        .unwrap_err();
        assert!(
            matches!(e, SsoError::Expired { .. })
                && e.to_string().contains("Session token not found")
        );
        assert!(parse_role_credentials(&p, 200, "{}").is_err());
        let req = role_credentials_request("http://127.0.0.1:1/", &p, &old);
        assert_eq!(
            req.url,
            "http://127.0.0.1:1/federation/credentials?account_id=123456789012&role_name=Developer"
        );
    }
}
