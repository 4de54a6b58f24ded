//! Who is signing: `whoami` (STS through the credential chain) and `grant` (mint an upload
//! grant for local use).

use clap::Args;
use time::OffsetDateTime;
use uploadkit_core::catalogue::{ServiceId, UploadKind};
use uploadkit_core::clock::SigningTime;

use crate::credentials;
use crate::error::CliError;

/// `uploadkit whoami`.
#[derive(Args)]
pub(crate) struct WhoamiArgs {
    /// The profile to use (skips the environment's keys, as botocore does).
    #[arg(long)]
    pub(crate) profile: Option<String>,
    /// The region whose STS endpoint answers (default: the chain's region, eu-west-1).
    #[arg(long)]
    pub(crate) region: Option<String>,
}

/// `uploadkit grant`.
#[derive(Args)]
pub(crate) struct GrantArgs {
    /// The service the grant is for (a UUID).
    #[arg(long)]
    pub(crate) service_id: String,
    /// An upload kind it allows (repeatable).
    #[arg(long = "kind")]
    pub(crate) kinds: Vec<UploadKind>,
    /// Allow downloading the MOU documents.
    #[arg(long)]
    pub(crate) downloads: bool,
    /// A report it may download (a UUID; repeatable).
    #[arg(long = "report")]
    pub(crate) reports: Vec<String>,
    /// The key id to put in the header, for a service with several keys.
    #[arg(long)]
    pub(crate) kid: Option<String>,
    /// Validity in seconds.
    #[arg(long, default_value_t = 3600)]
    pub(crate) ttl: u32,
}

/// Account, ARN, provider and expiry of the chain's credentials.
pub(crate) fn whoami(args: WhoamiArgs) -> Result<String, CliError> {
    let WhoamiArgs { profile, region } = args;
    let env_var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let loaded = credentials::load(profile.as_deref())?;
    let region = region.or(loaded.resolution.region.clone());
    let config = loaded.fetch_config(region.as_deref(), &env_var);
    let runtime = tokio::runtime::Runtime::new().map_err(CliError::Runtime)?;
    let (creds, provider) = runtime.block_on(credentials::fetch(&loaded.resolution, &config))?;
    let who = runtime.block_on(uploadkit_server::credentials::caller_identity(
        &config, &creds,
    ))?;
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let expires = match creds.expires_at() {
        None => "never (long-term keys)".to_owned(),
        Some(at) => format!(
            "{} (in {} min)",
            at.iso8601(),
            (at.unix() - now).div_euclid(60)
        ),
    };
    Ok(format!(
        "account:    {}\narn:        {}\nuser id:    {}\nprovider:   {provider} (profile {})\naccess key: {}\nexpires:    {expires}",
        who.account,
        who.arn,
        who.user_id,
        loaded.resolution.profile,
        creds.access_key_id(),
    ))
}

/// Mints a grant.
pub(crate) fn grant(args: GrantArgs) -> Result<String, CliError> {
    let GrantArgs {
        service_id,
        kinds,
        downloads,
        reports,
        kid,
        ttl,
    } = args;
    let secret = std::env::var("UPLOADKIT_GRANT_KEY")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| uploadkit_core::local::LOCAL_GRANT_KEY.to_owned());
    let key = uploadkit_api::GrantKey::new(secret.into_bytes()).ok_or(CliError::WeakGrantKey)?;
    let now = SigningTime::new(OffsetDateTime::now_utc());
    let reports = reports
        .iter()
        .map(|r| uploadkit_core::catalogue::ReportId::parse(r))
        .collect::<Result<Vec<_>, _>>()?;
    if kinds.is_empty() && !downloads && reports.is_empty() {
        return Err(CliError::EmptyGrant);
    }
    let options = uploadkit_api::MintOptions {
        downloads,
        reports: &reports,
        kid: kid.as_deref(),
        ..uploadkit_api::MintOptions::new(ServiceId::parse(&service_id)?, &kinds)
    };
    Ok(key.mint(&options, now, ttl))
}
