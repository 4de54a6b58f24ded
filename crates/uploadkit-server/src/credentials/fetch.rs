//! Fetching credentials over the network: STS `AssumeRole` (signed with the core's SigV4) and
//! `AssumeRoleWithWebIdentity`, the container endpoint, and EC2 instance metadata (IMDSv2).

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use serde::Deserialize;
use time::OffsetDateTime;
use uploadkit_core::clock::{SigningTime, parse_rfc3339};
use uploadkit_core::credentials::{
    AssumeRole, Container, CredentialSource, Credentials, RemoteSource, RoleSource, WebIdentity,
};
use uploadkit_core::encode::uri_encode;
use uploadkit_core::sigv4::{Payload, SignableRequest, Signer, SigningContext, SigningSettings};

use uploadkit_core::xml;

/// Why credentials could not be fetched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// STS refused (its code and message).
    #[error("STS {action} failed: {code}: {message}")]
    Sts {
        /// The action.
        action: &'static str,
        /// STS's error code.
        code: String,
        /// STS's message.
        message: String,
    },
    /// A network or protocol problem.
    #[error("{source_name}: {problem}")]
    Remote {
        /// Which source.
        source_name: String,
        /// What went wrong.
        problem: String,
    },
    /// Every network source failed.
    #[error("no source gave credentials: {}", .0.join("; "))]
    Exhausted(Vec<String>),
}

/// Where the fetchers send their requests.
#[derive(Debug, Clone)]
pub struct FetchConfig {
    /// The STS endpoint, e.g. `https://sts.eu-west-1.amazonaws.com`.
    pub sts_endpoint: String,
    /// The region STS requests are signed for.
    pub sts_region: String,
    /// The HTTP client.
    pub http: reqwest::Client,
}

impl FetchConfig {
    /// STS for `region` (or `AWS_ENDPOINT_URL_STS` / `AWS_ENDPOINT_URL` when set).
    pub fn new(region: &str, env: impl Fn(&str) -> Option<String>) -> Self {
        let sts_endpoint = env("AWS_ENDPOINT_URL_STS")
            .or_else(|| env("AWS_ENDPOINT_URL"))
            .unwrap_or_else(|| format!("https://sts.{region}.amazonaws.com"));
        Self {
            sts_endpoint: sts_endpoint.trim_end_matches('/').to_owned(),
            sts_region: region.to_owned(),
            // Metadata endpoints answer within a second or are not there (botocore's timeout).
            http: reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(1))
                .timeout(Duration::from_secs(5))
                .build()
                .expect("client"),
        }
    }
}

type Fetch<'a> = Pin<Box<dyn Future<Output = Result<Credentials, FetchError>> + Send + 'a>>;

/// Fetches credentials from a source, following role chains.
pub fn fetch<'a>(source: &'a CredentialSource, config: &'a FetchConfig) -> Fetch<'a> {
    Box::pin(async move {
        match source {
            CredentialSource::Static(creds, _) => Ok(creds.clone()),
            CredentialSource::AssumeRole(role) => {
                let inner = match &role.source {
                    RoleSource::Source(s) | RoleSource::Named(s) => s.as_ref(),
                };
                let source_creds = fetch(inner, config).await?;
                assume_role(config, &source_creds, role).await
            }
            CredentialSource::WebIdentity(web) => web_identity(config, web).await,
            CredentialSource::Remote(list) => {
                let mut failures = Vec::new();
                for remote in list {
                    let result = match remote {
                        RemoteSource::Container(c) => container(config, c).await,
                        RemoteSource::InstanceMetadata { endpoint } => {
                            instance_metadata(config, endpoint).await
                        }
                    };
                    match result {
                        Ok(c) => return Ok(c),
                        Err(e) => failures.push(e.to_string()),
                    }
                }
                Err(FetchError::Exhausted(failures))
            }
        }
    })
}

fn now() -> SigningTime {
    SigningTime::new(OffsetDateTime::now_utc())
}

fn remote(name: &str, problem: impl ToString) -> FetchError {
    FetchError::Remote {
        source_name: name.to_owned(),
        problem: problem.to_string(),
    }
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", uri_encode(k, false), uri_encode(v, false)))
        .collect::<Vec<_>>()
        .join("&")
}

async fn sts_call(
    config: &FetchConfig,
    action: &'static str,
    body: String,
    signer: Option<&Signer>,
) -> Result<Credentials, FetchError> {
    let url = format!("{}/", config.sts_endpoint);
    let host = config
        .sts_endpoint
        .split_once("://")
        .map_or(config.sts_endpoint.as_str(), |(_, h)| h)
        .to_owned();
    let content_type = "application/x-www-form-urlencoded; charset=utf-8";
    let mut request = config
        .http
        .post(&url)
        .header("content-type", content_type)
        .body(body.clone());
    if let Some(signer) = signer {
        let ctx = SigningContext {
            region: &config.sts_region,
            service: "sts",
            time: now(),
            settings: SigningSettings::STANDARD,
        };
        let signable = SignableRequest {
            method: "POST",
            path: "/",
            query: vec![],
            headers: vec![("host", host.as_str()), ("content-type", content_type)],
            payload: Payload::Bytes(body.as_bytes()),
        };
        let signed = signer
            .sign_headers(&signable, &ctx)
            .map_err(|e| remote("STS", e))?;
        for (k, v) in signed.headers {
            request = request.header(k, v);
        }
    }
    let response = request.send().await.map_err(|e| remote("STS", e))?;
    let status = response.status();
    let text = response.text().await.map_err(|e| remote("STS", e))?;
    if !status.is_success() {
        return Err(FetchError::Sts {
            action,
            code: xml::text(&text, "Code").unwrap_or_else(|| status.as_u16().to_string()),
            message: xml::text(&text, "Message").unwrap_or_default(),
        });
    }
    let field = |tag: &str| {
        xml::text(&text, tag)
            .ok_or_else(|| remote("STS", format!("{action} response has no {tag}")))
    };
    let expiry = field("Expiration")?;
    let expires_at = parse_rfc3339(&expiry)
        .ok_or_else(|| remote("STS", format!("bad Expiration {expiry:?}")))?;
    Credentials::new(
        field("AccessKeyId")?,
        field("SecretAccessKey")?,
        Some(field("SessionToken")?),
        Some(expires_at),
    )
    .map_err(|e| remote("STS", e))
}

/// STS `AssumeRole` with `source` credentials.
pub async fn assume_role(
    config: &FetchConfig,
    source: &Credentials,
    role: &AssumeRole,
) -> Result<Credentials, FetchError> {
    let session = role
        .session_name
        .clone()
        .unwrap_or_else(|| format!("uploadkit-session-{}", now().unix()));
    let duration = role.duration_seconds.unwrap_or(3600).to_string();
    let mut pairs = vec![
        ("Action", "AssumeRole"),
        ("Version", "2011-06-15"),
        ("RoleArn", role.role_arn.as_str()),
        ("RoleSessionName", session.as_str()),
        ("DurationSeconds", duration.as_str()),
    ];
    if let Some(external) = &role.external_id {
        pairs.push(("ExternalId", external));
    }
    sts_call(
        config,
        "AssumeRole",
        form(&pairs),
        Some(&Signer::new(source.clone())),
    )
    .await
}

/// STS `AssumeRoleWithWebIdentity` with the token read from its file (it rotates).
pub async fn web_identity(
    config: &FetchConfig,
    web: &WebIdentity,
) -> Result<Credentials, FetchError> {
    let token = tokio::fs::read_to_string(&web.token_file)
        .await
        .map_err(|e| {
            remote(
                "web identity",
                format!("cannot read {}: {e}", web.token_file),
            )
        })?;
    let session = web
        .session_name
        .clone()
        .unwrap_or_else(|| format!("uploadkit-session-{}", now().unix()));
    let duration = web.duration_seconds.unwrap_or(3600).to_string();
    let body = form(&[
        ("Action", "AssumeRoleWithWebIdentity"),
        ("Version", "2011-06-15"),
        ("RoleArn", &web.role_arn),
        ("RoleSessionName", &session),
        ("WebIdentityToken", token.trim()),
        ("DurationSeconds", &duration),
    ]);
    sts_call(config, "AssumeRoleWithWebIdentity", body, None).await
}

/// The JSON both the container endpoint and IMDS answer with.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MetadataCredentials {
    access_key_id: String,
    secret_access_key: String,
    token: Option<String>,
    expiration: Option<String>,
}

fn from_metadata(name: &str, body: &str) -> Result<Credentials, FetchError> {
    let m: MetadataCredentials = serde_json::from_str(body)
        .map_err(|e| remote(name, format!("unexpected response: {e}")))?;
    let expires_at = match m.expiration {
        Some(e) => {
            Some(parse_rfc3339(&e).ok_or_else(|| remote(name, format!("bad Expiration {e:?}")))?)
        }
        None => None,
    };
    Credentials::new(m.access_key_id, m.secret_access_key, m.token, expires_at)
        .map_err(|e| remote(name, e))
}

/// The container credentials endpoint.
pub async fn container(config: &FetchConfig, c: &Container) -> Result<Credentials, FetchError> {
    let name = "container credentials";
    let mut request = config.http.get(&c.uri);
    let token = match (&c.token_file, &c.token) {
        (Some(file), _) => Some(
            tokio::fs::read_to_string(file)
                .await
                .map_err(|e| remote(name, format!("cannot read {file}: {e}")))?
                .trim()
                .to_owned(),
        ),
        (None, Some(t)) => Some(t.expose().to_owned()),
        (None, None) => None,
    };
    if let Some(token) = token {
        request = request.header("authorization", token);
    }
    let response = request.send().await.map_err(|e| remote(name, e))?;
    if !response.status().is_success() {
        return Err(remote(
            name,
            format!("{} answered {}", c.uri, response.status()),
        ));
    }
    from_metadata(name, &response.text().await.map_err(|e| remote(name, e))?)
}

/// EC2 instance metadata, IMDSv2: a session token, the role's name, then its credentials.
pub async fn instance_metadata(
    config: &FetchConfig,
    endpoint: &str,
) -> Result<Credentials, FetchError> {
    let name = "instance metadata";
    let token = config
        .http
        .put(format!("{endpoint}/latest/api/token"))
        .header("x-aws-ec2-metadata-token-ttl-seconds", "21600")
        .send()
        .await
        .map_err(|e| remote(name, e))?;
    if !token.status().is_success() {
        return Err(remote(
            name,
            format!("token request answered {}", token.status()),
        ));
    }
    let token = token.text().await.map_err(|e| remote(name, e))?;
    let base = format!("{endpoint}/latest/meta-data/iam/security-credentials/");
    let get = |url: String| {
        config
            .http
            .get(url)
            .header("x-aws-ec2-metadata-token", token.as_str())
            .send()
    };
    let roles = get(base.clone()).await.map_err(|e| remote(name, e))?;
    if !roles.status().is_success() {
        return Err(remote(
            name,
            format!("no instance role ({})", roles.status()),
        ));
    }
    let roles = roles.text().await.map_err(|e| remote(name, e))?;
    let role = roles
        .lines()
        .next()
        .filter(|r| !r.trim().is_empty())
        .ok_or_else(|| remote(name, "no instance role"))?;
    let creds = get(format!("{base}{}", role.trim()))
        .await
        .map_err(|e| remote(name, e))?;
    if !creds.status().is_success() {
        return Err(remote(
            name,
            format!("credentials request answered {}", creds.status()),
        ));
    }
    from_metadata(name, &creds.text().await.map_err(|e| remote(name, e))?)
}
