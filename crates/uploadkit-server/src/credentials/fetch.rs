//! Fetching credentials over the network: STS `AssumeRole` (signed with the core's SigV4) and
//! `AssumeRoleWithWebIdentity`, the container endpoint, and EC2 instance metadata (IMDSv2).

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use serde::Deserialize;
use time::OffsetDateTime;
use uploadkit_core::clock::{SigningTime, parse_rfc3339};
use uploadkit_core::credentials::sts::{self, RoleRequest, StsError, StsRequest};
use uploadkit_core::credentials::{
    AssumeRole, Container, CredentialSource, Credentials, RemoteSource, RoleSource, WebIdentity,
};
use uploadkit_core::sigv4::Signer;

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
            .unwrap_or_else(|| sts::regional_endpoint(region));
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

fn sts_error(e: StsError) -> FetchError {
    match e {
        StsError::Refused {
            action,
            code,
            message,
        } => FetchError::Sts {
            action,
            code,
            message,
        },
        other => remote("STS", other),
    }
}

/// Sends a call the core built and reads its answer with the core.
async fn sts_call(config: &FetchConfig, request: StsRequest) -> Result<Credentials, FetchError> {
    let mut http = config.http.post(&request.url).body(request.body);
    for (k, v) in &request.headers {
        http = http.header(k, v);
    }
    let response = http.send().await.map_err(|e| remote("STS", e))?;
    let status = response.status().as_u16();
    let text = response.text().await.map_err(|e| remote("STS", e))?;
    sts::parse_response(request.action, status, &text).map_err(sts_error)
}

fn session_name(given: Option<&String>) -> String {
    given
        .cloned()
        .unwrap_or_else(|| format!("uploadkit-session-{}", now().unix()))
}

/// STS `AssumeRole` with `source` credentials.
pub async fn assume_role(
    config: &FetchConfig,
    source: &Credentials,
    role: &AssumeRole,
) -> Result<Credentials, FetchError> {
    let session = session_name(role.session_name.as_ref());
    let request = sts::assume_role(
        &config.sts_endpoint,
        &config.sts_region,
        &Signer::new(source.clone()),
        &RoleRequest {
            role_arn: &role.role_arn,
            session_name: &session,
            duration_seconds: role.duration_seconds.unwrap_or(3600),
            external_id: role.external_id.as_deref(),
            mfa: None,
        },
        now(),
    )
    .map_err(sts_error)?;
    sts_call(config, request).await
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
    let session = session_name(web.session_name.as_ref());
    let request = sts::assume_role_with_web_identity(
        &config.sts_endpoint,
        &RoleRequest {
            role_arn: &web.role_arn,
            session_name: &session,
            duration_seconds: web.duration_seconds.unwrap_or(3600),
            external_id: None,
            mfa: None,
        },
        &token,
    );
    sts_call(config, request).await
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
