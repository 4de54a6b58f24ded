//! What every command that signs shares: where credentials, buckets and the endpoint come from,
//! the clock and the validity.

use clap::Args;
use time::OffsetDateTime;
use uploadkit_core::catalogue::Catalogue;
use uploadkit_core::clock::{SigningTime, parse_rfc3339};
use uploadkit_core::credentials::Credentials;
use uploadkit_core::local::{LOCAL_ACCESS_KEY_ID, LOCAL_ENDPOINT, LOCAL_SECRET_ACCESS_KEY};
use uploadkit_core::s3::{AddressingStyle, BucketName, CustomEndpoint, S3Target};
use uploadkit_core::sigv4::{MAX_PRESIGN_SECONDS, Signer, SigningError};

use crate::credentials;
use crate::error::CliError;

#[derive(Args)]
pub(crate) struct TargetArgs {
    /// A bucket of the catalogue, by id (csv-upload, logo, mou, …) or configured name.
    #[arg(long)]
    pub(crate) bucket: String,
    /// Allow a bucket outside the catalogue.
    #[arg(long)]
    pub(crate) any_bucket: bool,
    #[command(flatten)]
    pub(crate) signing: SigningArgs,
}

#[derive(Args)]
pub(crate) struct SigningArgs {
    /// Validity in seconds (1 to 604800; never past the credentials' expiry).
    #[arg(long, default_value_t = 3600)]
    pub(crate) expires: u64,
    /// The region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's region, eu-west-1).
    #[arg(long)]
    pub(crate) region: Option<String>,
    /// Virtual-hosted, path-style or automatic addressing (default: the profile's `s3`
    /// `addressing_style`, else auto).
    #[arg(long)]
    pub(crate) addressing: Option<AddressingStyle>,
    /// A custom S3 endpoint (default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's
    /// `services` section, the profile's endpoint_url).
    #[arg(long)]
    pub(crate) endpoint: Option<String>,
    /// Sign at this RFC 3339 instant instead of now, for reproducible output.
    #[arg(long)]
    pub(crate) at: Option<String>,
    /// The profile to use (skips the environment's keys, as botocore does).
    #[arg(long)]
    pub(crate) profile: Option<String>,
    /// Use the embedded local store's endpoint and development keys (no AWS account).
    #[arg(long)]
    pub(crate) local: bool,
}

/// Everything needed to sign: signer, target, clock, validity.
pub(crate) struct Setup {
    pub(crate) signer: Signer,
    pub(crate) target: S3Target,
    pub(crate) catalogue: Catalogue,
    pub(crate) now: SigningTime,
    pub(crate) expires: u32,
}

impl SigningArgs {
    /// Credentials through the whole chain (fetching what needs the network: roles, SSO, a
    /// process, the container or instance metadata), the catalogue, the target and the clock.
    pub(crate) fn setup(&self) -> Result<Setup, CliError> {
        let now = match &self.at {
            Some(text) => parse_rfc3339(text).ok_or_else(|| CliError::BadTime(text.clone()))?,
            None => SigningTime::new(OffsetDateTime::now_utc()),
        };
        let expires = u32::try_from(self.expires)
            .ok()
            .filter(|e| (1..=MAX_PRESIGN_SECONDS).contains(e))
            .ok_or(SigningError::ExpiryOutOfRange(self.expires))?;
        let env_var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let mut addressing = self.addressing;
        let (credentials, chain_region, endpoint) = if self.local {
            (
                Credentials::new(LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY, None, None)?,
                None,
                Some(LOCAL_ENDPOINT.to_owned()),
            )
        } else {
            let loaded = credentials::load(self.profile.as_deref())?;
            let region = self.region.clone().or(loaded.resolution.region.clone());
            let creds = match &loaded.resolution.source {
                uploadkit_core::credentials::CredentialSource::Static(creds, _) => creds.clone(),
                _ => {
                    let config = loaded.fetch_config(region.as_deref(), &env_var);
                    tokio::runtime::Runtime::new()
                        .map_err(CliError::Runtime)?
                        .block_on(credentials::fetch(&loaded.resolution, &config))?
                        .0
                }
            };
            addressing = addressing.or(loaded.addressing());
            let endpoint = loaded.endpoint(&env_var, "s3");
            (creds, loaded.resolution.region.clone(), endpoint)
        };
        let catalogue = Catalogue::from_env(env_var, self.region.clone().or(chain_region))?;
        let endpoint = self.endpoint.clone().or(endpoint);
        let target = S3Target {
            region: catalogue.region().to_owned(),
            endpoint: endpoint.as_deref().map(CustomEndpoint::parse).transpose()?,
            addressing: addressing.unwrap_or_default(),
        };
        Ok(Setup {
            signer: Signer::new(credentials),
            target,
            catalogue,
            now,
            expires,
        })
    }
}

impl TargetArgs {
    pub(crate) fn bucket(&self, catalogue: &Catalogue) -> Result<BucketName, CliError> {
        match catalogue.find(&self.bucket) {
            Ok((_, name)) => Ok(name.clone()),
            Err(_) if self.any_bucket => Ok(BucketName::new(self.bucket.as_str())?),
            Err(e) => Err(e.into()),
        }
    }
}
