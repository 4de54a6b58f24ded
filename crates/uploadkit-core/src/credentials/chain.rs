//! The standard credential chain's order as pure logic: given the environment and the profile
//! files, decide where credentials come from, in botocore's order: environment → assume-role
//! profile → web identity → IAM Identity Center (SSO) → shared credentials file →
//! `credential_process` → config file → container → instance metadata. Fetching (STS, SSO,
//! the process, container, IMDS) is left to the I/O adapter.

use super::keys::{Credentials, InvalidCredentials, Secret};
use super::profiles::{Profile, ProfileSet};
use super::sso::SsoProfile;
use crate::clock::{SigningTime, parse_rfc3339};

/// Host of the ECS container credentials endpoint for relative URIs.
pub const ECS_CONTAINER_HOST: &str = "http://169.254.170.2";

/// The IMDS endpoint when nothing overrides it.
pub const DEFAULT_IMDS_ENDPOINT: &str = "http://169.254.169.254";

/// Where resolved static credentials were found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`.
    Environment,
    /// A profile's keys in the shared credentials file.
    SharedCredentialsFile(String),
    /// A profile's keys in the config file.
    ConfigFile(String),
}

/// The credentials an assumed role starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleSource {
    /// Another resolved source (a `source_profile`'s keys, or a chained role).
    Source(Box<CredentialSource>),
    /// `credential_source = Environment | Ec2InstanceMetadata | EcsContainer`.
    Named(Box<CredentialSource>),
}

/// An STS `AssumeRole` to perform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssumeRole {
    /// The profile that asks for it.
    pub profile: String,
    /// `role_arn`.
    pub role_arn: String,
    /// `role_session_name`, if set.
    pub session_name: Option<String>,
    /// `external_id`, if set.
    pub external_id: Option<String>,
    /// `duration_seconds`, if set.
    pub duration_seconds: Option<u32>,
    /// `mfa_serial`: the MFA device whose current code the call must carry.
    pub mfa_serial: Option<String>,
    /// The credentials that call STS.
    pub source: RoleSource,
}

/// A `credential_process` to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessSource {
    /// The profile that names it.
    pub profile: String,
    /// The command line.
    pub command: String,
}

/// An STS `AssumeRoleWithWebIdentity` to perform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebIdentity {
    /// The role.
    pub role_arn: String,
    /// The file holding the OIDC token.
    pub token_file: String,
    /// The session name, if set.
    pub session_name: Option<String>,
    /// `duration_seconds`, if set.
    pub duration_seconds: Option<u32>,
}

/// The container credentials endpoint to call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Container {
    /// The full URI.
    pub uri: String,
    /// `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`, read at each fetch (it rotates).
    pub token_file: Option<String>,
    /// `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
    pub token: Option<Secret>,
}

/// Where credentials come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialSource {
    /// Keys already in hand.
    Static(Credentials, Origin),
    /// An assumed role.
    AssumeRole(AssumeRole),
    /// A web identity role.
    WebIdentity(WebIdentity),
    /// An IAM Identity Center (SSO) role, from the token `aws sso login` cached.
    Sso(SsoProfile),
    /// A program that prints credentials.
    Process(ProcessSource),
    /// Candidates that only a network call can confirm, tried in order: the container
    /// endpoint, then instance metadata.
    Remote(Vec<RemoteSource>),
}

/// A network source at the end of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteSource {
    /// ECS/EKS container credentials.
    Container(Container),
    /// EC2 instance metadata (IMDSv2) at this endpoint.
    InstanceMetadata {
        /// Base URL.
        endpoint: String,
    },
}

/// What the chain decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    /// The profile in effect.
    pub profile: String,
    /// The region: `AWS_REGION`, `AWS_DEFAULT_REGION`, then the profile's `region`.
    pub region: Option<String>,
    /// Where credentials come from.
    pub source: CredentialSource,
    /// Everything that was looked at, in order, for messages.
    pub searched: Vec<String>,
}

/// Why the chain found nothing usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// Nothing anywhere.
    #[error("no AWS credentials found. Searched, in order: {}. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a profile with AWS_PROFILE that has keys, a role, SSO settings (`aws configure sso`) or a credential_process", .searched.join("; "))]
    NoCredentials {
        /// What was looked at.
        searched: Vec<String>,
    },
    /// A profile named explicitly or by `AWS_PROFILE` is in neither file.
    #[error(
        "profile {name:?} is not in the config or shared credentials file (profiles found: {known})"
    )]
    ProfileNotFound {
        /// The name.
        name: String,
        /// The profiles that exist.
        known: String,
    },
    /// Only half a key pair.
    #[error("partial credentials in {place}: {missing} is missing")]
    Partial {
        /// Where.
        place: String,
        /// What is missing.
        missing: &'static str,
    },
    /// Keys present but unusable.
    #[error("invalid credentials in {place}: {source}")]
    Invalid {
        /// Where.
        place: String,
        /// Why.
        source: InvalidCredentials,
    },
    /// A setting with a value the chain cannot use.
    #[error("{place}: {problem}")]
    BadSetting {
        /// Where.
        place: String,
        /// What is wrong and how to fix it.
        problem: String,
    },
}

/// Inputs to the chain.
pub struct ChainInput<'a, E: Fn(&str) -> Option<String>> {
    /// Reads an environment variable.
    pub env: E,
    /// A profile named explicitly (e.g. `--profile`), which also skips the environment's keys.
    pub explicit_profile: Option<&'a str>,
    /// Both profile files, parsed.
    pub profiles: &'a ProfileSet,
}

impl<E: Fn(&str) -> Option<String>> ChainInput<'_, E> {
    fn var(&self, name: &str) -> Option<String> {
        (self.env)(name).filter(|v| !v.trim().is_empty())
    }
}

/// Resolves the chain.
///
/// ```
/// use uploadkit_core::credentials::{resolve_chain, ChainInput, CredentialSource, Origin, ProfileSet};
/// let env = |k: &str| match k {
///     "AWS_ACCESS_KEY_ID" => Some("AK".to_owned()),
///     "AWS_SECRET_ACCESS_KEY" => Some("SK".to_owned()),
///     _ => None,
/// };
/// let profiles = ProfileSet::default();
/// let r = resolve_chain(&ChainInput { env, explicit_profile: None, profiles: &profiles }).unwrap();
/// assert!(matches!(r.source, CredentialSource::Static(_, Origin::Environment)));
/// ```
pub fn resolve_chain<E: Fn(&str) -> Option<String>>(
    input: &ChainInput<'_, E>,
) -> Result<Resolution, ChainError> {
    let named = input
        .explicit_profile
        .map(str::to_owned)
        .or_else(|| input.var("AWS_PROFILE"))
        .or_else(|| input.var("AWS_DEFAULT_PROFILE"));
    let profile_name = named.clone().unwrap_or_else(|| "default".to_owned());
    let empty = Profile::default();
    let profile = match input.profiles.get(&profile_name) {
        Some(p) => p,
        None if named.is_some() => {
            return Err(ChainError::ProfileNotFound {
                name: profile_name,
                known: input.profiles.names().collect::<Vec<_>>().join(", "),
            });
        }
        None => &empty,
    };
    let region = input
        .var("AWS_REGION")
        .or_else(|| input.var("AWS_DEFAULT_REGION"))
        .or_else(|| profile.get("region").map(str::to_owned));
    let mut searched = Vec::new();
    let done = |source, searched| {
        Ok(Resolution {
            profile: profile_name.clone(),
            region: region.clone(),
            source,
            searched,
        })
    };

    // 1. Environment, unless a profile was named explicitly.
    if input.explicit_profile.is_none() {
        searched.push("environment variables AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY".to_owned());
        if let Some(creds) = from_environment(input)? {
            return done(
                CredentialSource::Static(creds, Origin::Environment),
                searched,
            );
        }
    } else {
        searched.push("environment variables (skipped: a profile was named explicitly)".to_owned());
    }

    // 2. Assume-role profile.
    searched.push(format!("role_arn in profile [{profile_name}]"));
    if profile.get("role_arn").is_some() && profile.get("web_identity_token_file").is_none() {
        let role = assume_role(input, &profile_name, &mut vec![profile_name.clone()])?;
        return done(CredentialSource::AssumeRole(role), searched);
    }

    // 3. Web identity: environment first (unless a profile was named), then the profile.
    searched.push("web identity (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN, or the profile's web_identity_token_file)".to_owned());
    if let Some(web) = web_identity(input, profile, &profile_name)? {
        return done(CredentialSource::WebIdentity(web), searched);
    }

    // 4. IAM Identity Center.
    searched.push(format!("SSO settings in profile [{profile_name}]"));
    if let Some(sso) = sso_profile(input.profiles, profile, &profile_name)? {
        return done(CredentialSource::Sso(sso), searched);
    }

    // 5. Shared credentials file, 6. credential_process, 7. config file.
    searched.push(format!("shared credentials file, profile [{profile_name}]"));
    let keys = profile_keys(profile, &profile_name)?;
    if let Some((creds, origin @ Origin::SharedCredentialsFile(_))) = keys.clone() {
        return done(CredentialSource::Static(creds, origin), searched);
    }
    searched.push(format!("credential_process in profile [{profile_name}]"));
    if let Some(process) = process_source(profile, &profile_name) {
        return done(CredentialSource::Process(process), searched);
    }
    searched.push(format!("config file, profile [{profile_name}]"));
    if let Some((creds, origin)) = keys {
        return done(CredentialSource::Static(creds, origin), searched);
    }

    // 6. Container, 7. instance metadata.
    let mut remote = Vec::new();
    searched.push(
        "container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI)".to_owned(),
    );
    if let Some(container) = container(input)? {
        remote.push(RemoteSource::Container(container));
    }
    if is_true(input.var("AWS_EC2_METADATA_DISABLED").as_deref()) {
        searched.push("instance metadata (disabled by AWS_EC2_METADATA_DISABLED)".to_owned());
    } else {
        let endpoint = imds_endpoint(input, profile);
        searched.push(format!("instance metadata at {endpoint}"));
        remote.push(RemoteSource::InstanceMetadata { endpoint });
    }
    if remote.is_empty() {
        return Err(ChainError::NoCredentials { searched });
    }
    done(CredentialSource::Remote(remote), searched)
}

fn is_true(v: Option<&str>) -> bool {
    v.is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

fn from_environment<E: Fn(&str) -> Option<String>>(
    input: &ChainInput<'_, E>,
) -> Result<Option<Credentials>, ChainError> {
    let place = "the environment";
    let key = input.var("AWS_ACCESS_KEY_ID");
    let secret = input.var("AWS_SECRET_ACCESS_KEY");
    let (key, secret) = match (key, secret) {
        (None, None) => return Ok(None),
        (Some(_), None) => {
            return Err(ChainError::Partial {
                place: place.into(),
                missing: "AWS_SECRET_ACCESS_KEY",
            });
        }
        (None, Some(_)) => {
            return Err(ChainError::Partial {
                place: place.into(),
                missing: "AWS_ACCESS_KEY_ID",
            });
        }
        (Some(k), Some(s)) => (k, s),
    };
    let token = input
        .var("AWS_SESSION_TOKEN")
        .or_else(|| input.var("AWS_SECURITY_TOKEN"));
    let expiry = match input.var("AWS_CREDENTIAL_EXPIRATION") {
        None => None,
        Some(text) => Some(parse_expiry(&text).ok_or_else(|| ChainError::BadSetting {
            place: "AWS_CREDENTIAL_EXPIRATION".into(),
            problem: format!("{text:?} is not an RFC 3339 time such as 2026-11-22T10:00:00Z"),
        })?),
    };
    Credentials::new(key, secret, token, expiry)
        .map(Some)
        .map_err(|source| ChainError::Invalid {
            place: place.into(),
            source,
        })
}

fn parse_expiry(text: &str) -> Option<SigningTime> {
    parse_rfc3339(text)
}

fn profile_keys(
    profile: &Profile,
    name: &str,
) -> Result<Option<(Credentials, Origin)>, ChainError> {
    let key = profile.get("aws_access_key_id");
    let secret = profile.get("aws_secret_access_key");
    let file = profile
        .origin("aws_access_key_id")
        .or(profile.origin("aws_secret_access_key"));
    let place = match file {
        Some(f) => format!("profile [{name}] of the {f}"),
        None => return Ok(None),
    };
    let (key, secret) = match (key, secret) {
        (Some(k), Some(s)) => (k, s),
        (Some(_), None) => {
            return Err(ChainError::Partial {
                place,
                missing: "aws_secret_access_key",
            });
        }
        (None, _) => {
            return Err(ChainError::Partial {
                place,
                missing: "aws_access_key_id",
            });
        }
    };
    let token = profile
        .get("aws_session_token")
        .or(profile.get("aws_security_token"));
    let creds = Credentials::new(key, secret, token.map(str::to_owned), None)
        .map_err(|source| ChainError::Invalid { place, source })?;
    let origin = match file {
        Some(super::ProfileFile::Credentials) => Origin::SharedCredentialsFile(name.to_owned()),
        _ => Origin::ConfigFile(name.to_owned()),
    };
    Ok(Some((creds, origin)))
}

fn duration(profile: &Profile, place: &str) -> Result<Option<u32>, ChainError> {
    profile
        .get("duration_seconds")
        .map(|d| {
            d.parse::<u32>()
                .ok()
                .filter(|d| (900..=43_200).contains(d))
                .ok_or_else(|| ChainError::BadSetting {
                    place: place.to_owned(),
                    problem: format!(
                        "duration_seconds {d:?} must be a whole number from 900 to 43200"
                    ),
                })
        })
        .transpose()
}

fn assume_role<E: Fn(&str) -> Option<String>>(
    input: &ChainInput<'_, E>,
    name: &str,
    visited: &mut Vec<String>,
) -> Result<AssumeRole, ChainError> {
    let place = format!("profile [{name}]");
    let profile = input
        .profiles
        .get(name)
        .ok_or_else(|| ChainError::ProfileNotFound {
            name: name.to_owned(),
            known: input.profiles.names().collect::<Vec<_>>().join(", "),
        })?;
    let role_arn = profile.get("role_arn").unwrap_or_default().to_owned();
    let source = match (
        profile.get("source_profile"),
        profile.get("credential_source"),
    ) {
        (Some(_), Some(_)) => {
            return Err(ChainError::BadSetting {
                place,
                problem: "set source_profile or credential_source, not both".into(),
            });
        }
        (None, None) => {
            return Err(ChainError::BadSetting {
                place,
                problem: "role_arn needs source_profile or credential_source to say which credentials assume the role".into(),
            });
        }
        (Some(source), None) => {
            RoleSource::Source(Box::new(source_profile(input, name, source, visited)?))
        }
        (None, Some(named)) => RoleSource::Named(Box::new(named_source(input, named, &place)?)),
    };
    Ok(AssumeRole {
        profile: name.to_owned(),
        role_arn,
        session_name: profile.get("role_session_name").map(str::to_owned),
        external_id: profile.get("external_id").map(str::to_owned),
        duration_seconds: duration(profile, &place)?,
        mfa_serial: profile.get("mfa_serial").map(str::to_owned),
        source,
    })
}

fn process_source(profile: &Profile, name: &str) -> Option<ProcessSource> {
    profile
        .get("credential_process")
        .map(|command| ProcessSource {
            profile: name.to_owned(),
            command: command.to_owned(),
        })
}

/// The SSO settings of a profile, in either form: `sso_session` naming an `[sso-session]`
/// section (start URL and region there), or the legacy `sso_start_url` / `sso_region` in the
/// profile. `None` when the profile has no `sso_` setting at all.
fn sso_profile(
    profiles: &ProfileSet,
    profile: &Profile,
    name: &str,
) -> Result<Option<SsoProfile>, ChainError> {
    const KEYS: [&str; 5] = [
        "sso_session",
        "sso_start_url",
        "sso_region",
        "sso_account_id",
        "sso_role_name",
    ];
    if KEYS.iter().all(|k| profile.get(k).is_none()) {
        return Ok(None);
    }
    let place = format!("profile [{name}]");
    let session_name = profile.get("sso_session");
    let session = match session_name {
        Some(s) => Some(profiles.sso_session(s).ok_or_else(|| ChainError::BadSetting {
            place: place.clone(),
            problem: format!(
                "sso_session {s:?} has no [sso-session {s}] section in the config file: run `aws configure sso`"
            ),
        })?),
        None => None,
    };
    // A value in the sso-session section wins; the profile may repeat it, but only the same.
    let setting = |key: &str| -> Result<Option<String>, ChainError> {
        let in_profile = profile.get(key);
        match session.and_then(|s| s.get(key)) {
            Some(v) if in_profile.is_some_and(|p| p != v) => Err(ChainError::BadSetting {
                place: place.clone(),
                problem: format!(
                    "{key} differs between the profile and its [sso-session {}] section",
                    session_name.unwrap_or_default()
                ),
            }),
            Some(v) => Ok(Some(v.to_owned())),
            None => Ok(in_profile.map(str::to_owned)),
        }
    };
    let (start_url, region) = (setting("sso_start_url")?, setting("sso_region")?);
    let (account_id, role_name) = (
        profile.get("sso_account_id").map(str::to_owned),
        profile.get("sso_role_name").map(str::to_owned),
    );
    let missing: Vec<&str> = [
        ("sso_start_url", start_url.is_none()),
        ("sso_region", region.is_none()),
        ("sso_account_id", account_id.is_none()),
        ("sso_role_name", role_name.is_none()),
    ]
    .into_iter()
    .filter_map(|(k, absent)| absent.then_some(k))
    .collect();
    match (start_url, region, account_id, role_name) {
        (Some(start_url), Some(region), Some(account_id), Some(role_name)) => {
            Ok(Some(SsoProfile {
                profile: name.to_owned(),
                session: session_name.map(str::to_owned),
                start_url,
                region,
                account_id,
                role_name,
            }))
        }
        _ => Err(ChainError::BadSetting {
            place,
            problem: format!(
                "the profile is configured to use SSO but is missing required configuration: {} (run `aws configure sso --profile {name}`)",
                missing.join(", ")
            ),
        }),
    }
}

fn source_profile<E: Fn(&str) -> Option<String>>(
    input: &ChainInput<'_, E>,
    from: &str,
    name: &str,
    visited: &mut Vec<String>,
) -> Result<CredentialSource, ChainError> {
    let profile = input
        .profiles
        .get(name)
        .ok_or_else(|| ChainError::BadSetting {
            place: format!("profile [{from}]"),
            problem: format!("source_profile {name:?} does not exist"),
        })?;
    let self_sourced = name == from;
    let has_role = profile.get("role_arn").is_some();
    if has_role && !self_sourced {
        if visited.iter().any(|v| v == name) {
            return Err(ChainError::BadSetting {
                place: format!("profile [{from}]"),
                problem: format!("source_profile loop: {} -> {name}", visited.join(" -> ")),
            });
        }
        visited.push(name.to_owned());
        return Ok(CredentialSource::AssumeRole(assume_role(
            input, name, visited,
        )?));
    }
    if let Some(token_file) = profile
        .get("web_identity_token_file")
        .filter(|_| !self_sourced)
    {
        return Ok(CredentialSource::WebIdentity(WebIdentity {
            role_arn: profile.get("role_arn").unwrap_or_default().to_owned(),
            token_file: token_file.to_owned(),
            session_name: profile.get("role_session_name").map(str::to_owned),
            duration_seconds: duration(profile, &format!("profile [{name}]"))?,
        }));
    }
    if let Some(sso) = sso_profile(input.profiles, profile, name)? {
        return Ok(CredentialSource::Sso(sso));
    }
    if let Some((creds, origin)) = profile_keys(profile, name)? {
        return Ok(CredentialSource::Static(creds, origin));
    }
    match process_source(profile, name) {
        Some(process) => Ok(CredentialSource::Process(process)),
        None => Err(ChainError::BadSetting {
            place: format!("profile [{from}]"),
            problem: format!(
                "source_profile [{name}] has no credentials (aws_access_key_id / aws_secret_access_key, SSO settings or credential_process)"
            ),
        }),
    }
}

fn named_source<E: Fn(&str) -> Option<String>>(
    input: &ChainInput<'_, E>,
    named: &str,
    place: &str,
) -> Result<CredentialSource, ChainError> {
    let missing = |what: &str| ChainError::BadSetting {
        place: place.to_owned(),
        problem: format!("credential_source = {named} but {what}"),
    };
    match named {
        "Environment" => from_environment(input)?
            .map(|c| CredentialSource::Static(c, Origin::Environment))
            .ok_or_else(|| missing("AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set")),
        "EcsContainer" => container(input)?
            .map(|c| CredentialSource::Remote(vec![RemoteSource::Container(c)]))
            .ok_or_else(|| missing("no AWS_CONTAINER_CREDENTIALS_* variable is set")),
        "Ec2InstanceMetadata" => Ok(CredentialSource::Remote(vec![
            RemoteSource::InstanceMetadata {
                endpoint: imds_endpoint(input, &Profile::default()),
            },
        ])),
        other => Err(ChainError::BadSetting {
            place: place.to_owned(),
            problem: format!(
                "credential_source {other:?} is not one of Environment, Ec2InstanceMetadata, EcsContainer"
            ),
        }),
    }
}

fn web_identity<E: Fn(&str) -> Option<String>>(
    input: &ChainInput<'_, E>,
    profile: &Profile,
    name: &str,
) -> Result<Option<WebIdentity>, ChainError> {
    let env_allowed = input.explicit_profile.is_none();
    let get = |env: &str, key: &str| {
        env_allowed
            .then(|| input.var(env))
            .flatten()
            .or_else(|| profile.get(key).map(str::to_owned))
    };
    let Some(token_file) = get("AWS_WEB_IDENTITY_TOKEN_FILE", "web_identity_token_file") else {
        return Ok(None);
    };
    let role_arn = get("AWS_ROLE_ARN", "role_arn").ok_or_else(|| ChainError::BadSetting {
        place: "web identity".into(),
        problem: "a web identity token file is set but no role (AWS_ROLE_ARN or role_arn)".into(),
    })?;
    Ok(Some(WebIdentity {
        role_arn,
        token_file,
        session_name: get("AWS_ROLE_SESSION_NAME", "role_session_name"),
        duration_seconds: duration(profile, &format!("profile [{name}]"))?,
    }))
}

fn container<E: Fn(&str) -> Option<String>>(
    input: &ChainInput<'_, E>,
) -> Result<Option<Container>, ChainError> {
    let uri = if let Some(relative) = input.var("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
        format!("{ECS_CONTAINER_HOST}{relative}")
    } else if let Some(full) = input.var("AWS_CONTAINER_CREDENTIALS_FULL_URI") {
        if !container_host_allowed(&full) {
            return Err(ChainError::BadSetting {
                place: "AWS_CONTAINER_CREDENTIALS_FULL_URI".into(),
                problem: format!(
                    "{full:?} is not allowed: use https, or a loopback, 169.254.170.2, 169.254.170.23 or fd00:ec2::23 host"
                ),
            });
        }
        full
    } else {
        return Ok(None);
    };
    Ok(Some(Container {
        uri,
        token_file: input.var("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"),
        token: input
            .var("AWS_CONTAINER_AUTHORIZATION_TOKEN")
            .map(Secret::new),
    }))
}

/// Whether a full container-credentials URI may be called: any `https` URI, or `http` to a
/// loopback address or the ECS/EKS link-local hosts (so a stray variable cannot send the
/// token anywhere).
pub fn container_host_allowed(uri: &str) -> bool {
    let Some((scheme, rest)) = uri.split_once("://") else {
        return false;
    };
    if scheme.eq_ignore_ascii_case("https") {
        return true;
    }
    if !scheme.eq_ignore_ascii_case("http") {
        return false;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        authority.rsplit_once(':').map_or(authority, |(h, _)| h)
    };
    match host.to_ascii_lowercase().as_str() {
        "localhost" | "169.254.170.2" | "169.254.170.23" | "::1" | "fd00:ec2::23" => true,
        h => h
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback()),
    }
}

fn imds_endpoint<E: Fn(&str) -> Option<String>>(
    input: &ChainInput<'_, E>,
    profile: &Profile,
) -> String {
    if let Some(e) = input.var("AWS_EC2_METADATA_SERVICE_ENDPOINT").or_else(|| {
        profile
            .get("ec2_metadata_service_endpoint")
            .map(str::to_owned)
    }) {
        return e.trim_end_matches('/').to_owned();
    }
    let mode = input
        .var("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE")
        .or_else(|| {
            profile
                .get("ec2_metadata_service_endpoint_mode")
                .map(str::to_owned)
        });
    if mode.is_some_and(|m| m.eq_ignore_ascii_case("ipv6")) {
        "http://[fd00:ec2::254]".to_owned()
    } else {
        DEFAULT_IMDS_ENDPOINT.to_owned()
    }
}
