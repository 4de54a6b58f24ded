//! Fetching credentials over the network: STS `AssumeRole` (signed with the core's SigV4, with an
//! MFA code when the profile asks) and `AssumeRoleWithWebIdentity`, IAM Identity Center (the
//! cached token, refreshed through SSO OIDC, then the portal), `credential_process`, the
//! container endpoint, and EC2 instance metadata (IMDSv2, or IMDSv1 when the token call is
//! refused).

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use time::OffsetDateTime;
use uploadkit_core::clock::{SigningTime, parse_rfc3339};
use uploadkit_core::credentials::sso::{self, SsoError, SsoProfile, SsoToken, TokenUse};
use uploadkit_core::credentials::sts::{self, Mfa, RoleRequest, StsError, StsRequest};
use uploadkit_core::credentials::{
    AssumeRole, Container, CredentialSource, Credentials, ProcessSource, RemoteSource, RoleSource,
    WebIdentity, process,
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
    /// IAM Identity Center gave none.
    #[error(transparent)]
    Sso(#[from] SsoError),
    /// `credential_process` gave none.
    #[error(transparent)]
    Process(#[from] process::ProcessError),
    /// A role asks for an MFA code and there is no way to ask for one.
    #[error(
        "profile [{profile}] assumes its role with MFA device {serial}: run this command in a terminal to be asked for the code, or export session credentials (`aws configure export-credentials --profile {profile} --format env`)"
    )]
    NeedsMfa {
        /// The profile.
        profile: String,
        /// `mfa_serial`.
        serial: String,
    },
}

/// Asks for the current code of an MFA device (its serial); the CLI asks on the terminal.
#[derive(Clone)]
pub struct MfaPrompt(pub Arc<AskCode>);

/// Given a device's serial, its current code or why there is none.
pub type AskCode = dyn Fn(&str) -> Result<String, String> + Send + Sync;

impl std::fmt::Debug for MfaPrompt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MfaPrompt")
    }
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
    /// `~/.aws/sso/cache`, where `aws sso login` leaves its token.
    pub sso_cache: Option<PathBuf>,
    /// The SSO portal (`AWS_ENDPOINT_URL_SSO`), else the one in the profile's `sso_region`.
    pub sso_endpoint: Option<String>,
    /// SSO OIDC (`AWS_ENDPOINT_URL_SSO_OIDC`), else the one in the profile's `sso_region`.
    pub sso_oidc_endpoint: Option<String>,
    /// `AWS_EC2_METADATA_V1_DISABLED`: never fall back to IMDSv1.
    pub imds_v1_disabled: bool,
    /// Where MFA codes come from, if anywhere.
    pub mfa: Option<MfaPrompt>,
}

impl FetchConfig {
    /// STS for `region` (or `AWS_ENDPOINT_URL_STS` / `AWS_ENDPOINT_URL` when set).
    pub fn new(region: &str, env: impl Fn(&str) -> Option<String>) -> Self {
        let ignore = env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        let endpoint = |service: &str| {
            (!ignore)
                .then(|| {
                    env(&format!("AWS_ENDPOINT_URL_{service}")).or_else(|| env("AWS_ENDPOINT_URL"))
                })
                .flatten()
                .map(|e| e.trim_end_matches('/').to_owned())
        };
        let sts_endpoint = endpoint("STS").unwrap_or_else(|| sts::regional_endpoint(region));
        let home = env("HOME").filter(|h| !h.is_empty());
        Self {
            sts_endpoint: sts_endpoint.trim_end_matches('/').to_owned(),
            sts_region: region.to_owned(),
            sso_cache: home.map(|h| PathBuf::from(h).join(".aws").join("sso").join("cache")),
            sso_endpoint: endpoint("SSO"),
            sso_oidc_endpoint: endpoint("SSO_OIDC"),
            imds_v1_disabled: env("AWS_EC2_METADATA_V1_DISABLED")
                .is_some_and(|v| v.eq_ignore_ascii_case("true")),
            mfa: None,
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
            CredentialSource::Sso(profile) => sso_credentials(config, profile).await,
            CredentialSource::Process(p) => run_process(p).await,
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

/// Sends a call the core built; its status and body.
async fn sts_send(config: &FetchConfig, request: StsRequest) -> Result<(u16, String), FetchError> {
    let mut http = config.http.post(&request.url).body(request.body);
    for (k, v) in &request.headers {
        http = http.header(k, v);
    }
    let response = http.send().await.map_err(|e| remote("STS", e))?;
    let status = response.status().as_u16();
    Ok((status, response.text().await.map_err(|e| remote("STS", e))?))
}

/// Sends a call for credentials and reads its answer with the core.
async fn sts_call(config: &FetchConfig, request: StsRequest) -> Result<Credentials, FetchError> {
    let action = request.action;
    let (status, text) = sts_send(config, request).await?;
    sts::parse_response(action, status, &text).map_err(sts_error)
}

/// STS `GetCallerIdentity`: whose credentials these are.
pub async fn caller_identity(
    config: &FetchConfig,
    credentials: &Credentials,
) -> Result<sts::CallerIdentity, FetchError> {
    let request = sts::get_caller_identity(
        &config.sts_endpoint,
        &config.sts_region,
        &Signer::new(credentials.clone()),
        now(),
    )
    .map_err(sts_error)?;
    let (status, text) = sts_send(config, request).await?;
    sts::parse_caller_identity(status, &text).map_err(sts_error)
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
    let code = match &role.mfa_serial {
        None => None,
        Some(serial) => {
            let prompt = config.mfa.as_ref().ok_or_else(|| FetchError::NeedsMfa {
                profile: role.profile.clone(),
                serial: serial.clone(),
            })?;
            Some((prompt.0)(serial).map_err(|e| remote("MFA", e))?)
        }
    };
    let request = sts::assume_role(
        &config.sts_endpoint,
        &config.sts_region,
        &Signer::new(source.clone()),
        &RoleRequest {
            role_arn: &role.role_arn,
            session_name: &session,
            duration_seconds: role.duration_seconds.unwrap_or(3600),
            external_id: role.external_id.as_deref(),
            mfa: role
                .mfa_serial
                .as_deref()
                .zip(code.as_deref())
                .map(|(serial, code)| Mfa { serial, code }),
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
    let answer = config
        .http
        .put(format!("{endpoint}/latest/api/token"))
        .header("x-aws-ec2-metadata-token-ttl-seconds", "21600")
        .send()
        .await
        .map_err(|e| remote(name, e))?;
    // Like botocore: a token call refused with 403, 404 or 405 (IMDSv2 off, or a proxy that
    // does not pass PUT) falls back to IMDSv1, unless AWS_EC2_METADATA_V1_DISABLED says not to.
    let token = match answer.status().as_u16() {
        200..=299 => Some(answer.text().await.map_err(|e| remote(name, e))?),
        403..=405 if !config.imds_v1_disabled => None,
        status => {
            return Err(remote(
                name,
                format!(
                    "token request answered {status}{}",
                    if config.imds_v1_disabled {
                        " (and AWS_EC2_METADATA_V1_DISABLED forbids IMDSv1)"
                    } else {
                        ""
                    }
                ),
            ));
        }
    };
    let base = format!("{endpoint}/latest/meta-data/iam/security-credentials/");
    let get = |url: String| {
        let request = config.http.get(url);
        match &token {
            Some(token) => request.header("x-aws-ec2-metadata-token", token.as_str()),
            None => request,
        }
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

/// IAM Identity Center: the cached token (refreshed and written back when it nears its end and
/// can be), then the role's credentials from the portal.
pub async fn sso_credentials(
    config: &FetchConfig,
    profile: &SsoProfile,
) -> Result<Credentials, FetchError> {
    let no_token = |problem: String| SsoError::NoToken {
        profile: profile.profile.clone(),
        problem,
        login: profile.login_command(),
    };
    let cache = config
        .sso_cache
        .as_ref()
        .ok_or_else(|| no_token("HOME is not set, so there is no ~/.aws/sso/cache".into()))?
        .join(profile.cache_file_name());
    let text = tokio::fs::read_to_string(&cache)
        .await
        .map_err(|e| no_token(format!("cannot read {}: {e}", cache.display())))?;
    let mut token = SsoToken::parse(profile, &text)?;
    match token.decide(profile, now()) {
        TokenUse::Use => {}
        TokenUse::Expired => {
            return Err(SsoError::Expired {
                profile: profile.profile.clone(),
                problem: format!("the cached token expired at {}", token.expires_at),
            }
            .into());
        }
        TokenUse::Refresh => match refresh_sso_token(config, profile, &token).await {
            Ok(fresh) => {
                // A cache that cannot be written costs a refresh next time, nothing more.
                let _ = tokio::fs::write(&cache, fresh.to_json()).await;
                token = fresh;
            }
            // botocore keeps a token that has not yet expired when its refresh fails.
            Err(_) if token.is_valid(now()) => {}
            Err(e) => return Err(e),
        },
    }
    let endpoint = config
        .sso_endpoint
        .clone()
        .unwrap_or_else(|| sso::portal_endpoint(&profile.region));
    let request = sso::role_credentials_request(&endpoint, profile, &token);
    let (status, body) = send_json(config, &request, "the SSO portal").await?;
    Ok(sso::parse_role_credentials(profile, status, &body)?)
}

async fn refresh_sso_token(
    config: &FetchConfig,
    profile: &SsoProfile,
    token: &SsoToken,
) -> Result<SsoToken, FetchError> {
    let endpoint = config
        .sso_oidc_endpoint
        .clone()
        .unwrap_or_else(|| sso::oidc_endpoint(&profile.region));
    let request = sso::create_token_request(&endpoint, token);
    let (status, body) = send_json(config, &request, "SSO OIDC").await?;
    Ok(sso::parse_create_token(
        profile,
        token,
        status,
        &body,
        now(),
    )?)
}

async fn send_json(
    config: &FetchConfig,
    request: &sso::HttpRequest,
    name: &str,
) -> Result<(u16, String), FetchError> {
    let mut http = match request.method {
        "POST" => config.http.post(&request.url).body(request.body.clone()),
        _ => config.http.get(&request.url),
    };
    for (k, v) in &request.headers {
        http = http.header(k, v);
    }
    let response = http.send().await.map_err(|e| remote(name, e))?;
    let status = response.status().as_u16();
    Ok((status, response.text().await.map_err(|e| remote(name, e))?))
}

/// Runs a `credential_process` (no shell: its words, as botocore splits them) and reads what it
/// prints.
pub async fn run_process(source: &ProcessSource) -> Result<Credentials, FetchError> {
    let words = process::split_command(&source.profile, &source.command)?;
    let failed = |problem: String| process::ProcessError::Failed {
        profile: source.profile.clone(),
        problem,
    };
    let output = tokio::process::Command::new(&words[0])
        .args(&words[1..])
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .map_err(|e| failed(format!("cannot run {}: {e}", words[0])))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(failed(format!("{} ({})", stderr.trim(), output.status)).into());
    }
    Ok(process::parse_output(
        &source.profile,
        &String::from_utf8_lossy(&output.stdout),
    )?)
}
