//! Finds credentials for the CLI: reads the profile files and runs the core's chain.

use std::path::PathBuf;

use uploadkit_core::catalogue::DEFAULT_REGION;
use uploadkit_core::credentials::{
    ChainError, ChainInput, CredentialSource, Credentials, FileContents, Origin, Profile,
    ProfileFileError, ProfileSet, RemoteSource, Resolution, resolve_chain, service_config,
};
use uploadkit_core::s3::AddressingStyle;
use uploadkit_server::credentials::{FetchConfig, FetchError, MfaPrompt};

/// Why no credentials could be used.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    /// A profile file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The path.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A profile file is malformed.
    #[error(transparent)]
    Malformed(#[from] ProfileFileError),
    /// Nothing anywhere.
    #[error(
        "{0}; with no AWS account, `uploadkit local` runs the whole stack on its embedded store, and the presign and bucket commands take --local"
    )]
    Nothing(ChainError),
    /// The chain failed.
    #[error(transparent)]
    Chain(#[from] ChainError),
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

fn file_path(var: &str, default: &str) -> Option<PathBuf> {
    match std::env::var_os(var).filter(|v| !v.is_empty()) {
        Some(p) => {
            let p = p.to_string_lossy().into_owned();
            Some(match (p.strip_prefix("~/"), home()) {
                (Some(rest), Some(h)) => h.join(rest),
                _ => PathBuf::from(p),
            })
        }
        None => home().map(|h| h.join(".aws").join(default)),
    }
}

fn read(path: Option<PathBuf>) -> Result<Option<(String, String)>, CredentialsError> {
    let Some(path) = path else { return Ok(None) };
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some((path.display().to_string(), text))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(CredentialsError::Read {
            path: path.display().to_string(),
            source,
        }),
    }
}

fn contents(file: &Option<(String, String)>) -> Option<FileContents<'_>> {
    file.as_ref()
        .map(|(path, text)| FileContents { path, text })
}

/// The profile files and the chain's decision.
pub struct Loaded {
    /// Where credentials come from.
    pub resolution: Resolution,
    profiles: ProfileSet,
}

impl Loaded {
    fn profile(&self) -> Profile {
        self.profiles
            .get(&self.resolution.profile)
            .cloned()
            .unwrap_or_default()
    }

    /// The endpoint configured for `service` (environment, then the profile).
    pub fn endpoint(&self, env: &dyn Fn(&str) -> Option<String>, service: &str) -> Option<String> {
        service_config::configured_endpoint(env, &self.profiles, &self.profile(), service)
    }

    /// The profile's `s3` `addressing_style`.
    pub fn addressing(&self) -> Option<AddressingStyle> {
        service_config::s3_addressing(&self.profile())
    }

    /// Where the credential fetchers send their requests: the configured STS and SSO
    /// endpoints, and MFA codes asked for on the terminal.
    pub fn fetch_config(
        &self,
        region: Option<&str>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> FetchConfig {
        let region = region.unwrap_or(DEFAULT_REGION);
        let mut config = FetchConfig::new(region, env);
        if let Some(sts) = self.endpoint(env, "sts") {
            config.sts_endpoint = sts;
        }
        config.sso_endpoint = self.endpoint(env, "sso");
        config.sso_oidc_endpoint = self.endpoint(env, "sso-oidc");
        config.mfa = Some(mfa_prompt());
        config
    }
}

/// Reads the profile files and resolves the chain from this process's environment.
pub fn load(explicit_profile: Option<&str>) -> Result<Loaded, CredentialsError> {
    let config = read(file_path("AWS_CONFIG_FILE", "config"))?;
    let creds = read(file_path("AWS_SHARED_CREDENTIALS_FILE", "credentials"))?;
    let profiles = ProfileSet::parse(contents(&config), contents(&creds))?;
    let resolution = resolve_chain(&ChainInput {
        env: |k: &str| std::env::var(k).ok(),
        explicit_profile,
        profiles: &profiles,
    })
    .map_err(|e| match e {
        ChainError::NoCredentials { .. } => CredentialsError::Nothing(e),
        other => other.into(),
    })?;
    Ok(Loaded {
        resolution,
        profiles,
    })
}

/// The provider's name as botocore reports it (`credentials.method`).
pub fn provider_name(source: &CredentialSource) -> &'static str {
    match source {
        CredentialSource::Static(_, Origin::Environment) => "env",
        CredentialSource::Static(_, Origin::SharedCredentialsFile(_)) => "shared-credentials-file",
        CredentialSource::Static(_, Origin::ConfigFile(_)) => "config-file",
        CredentialSource::AssumeRole(_) => "assume-role",
        CredentialSource::WebIdentity(_) => "assume-role-with-web-identity",
        CredentialSource::Sso(_) => "sso",
        CredentialSource::Process(_) => "custom-process",
        CredentialSource::Remote(list) => match list.first() {
            Some(RemoteSource::Container(_)) => "container-role",
            _ => "iam-role",
        },
    }
}

/// Asks for an MFA code on standard error and reads it from standard input, as botocore's
/// prompt does.
pub fn mfa_prompt() -> MfaPrompt {
    MfaPrompt(std::sync::Arc::new(|serial: &str| {
        use std::io::{BufRead as _, Write as _};
        eprint!("Enter MFA code for {serial}: ");
        let _ = std::io::stderr().flush();
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| format!("cannot read the MFA code: {e}"))?;
        let code = line.trim().to_owned();
        if code.is_empty() {
            return Err(format!("no MFA code given for {serial}"));
        }
        Ok(code)
    }))
}

/// Fetches the resolution's credentials, one network source at a time so the one that answered
/// is known; returns them with that source's provider name.
pub async fn fetch(
    resolution: &Resolution,
    config: &FetchConfig,
) -> Result<(Credentials, &'static str), FetchError> {
    let CredentialSource::Remote(list) = &resolution.source else {
        let creds = uploadkit_server::credentials::fetch(&resolution.source, config).await?;
        return Ok((creds, provider_name(&resolution.source)));
    };
    let mut failures = Vec::new();
    for remote in list {
        let one = CredentialSource::Remote(vec![remote.clone()]);
        match uploadkit_server::credentials::fetch(&one, config).await {
            Ok(creds) => return Ok((creds, provider_name(&one))),
            Err(e) => failures.push(e.to_string()),
        }
    }
    Err(FetchError::Exhausted(failures))
}
