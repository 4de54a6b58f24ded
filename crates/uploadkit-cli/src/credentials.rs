//! Finds credentials for the CLI: reads the profile files and runs the core's chain.

use std::path::PathBuf;

use uploadkit_core::credentials::{
    ChainError, ChainInput, CredentialSource, Credentials, FileContents, ProfileFileError,
    ProfileSet, Resolution, resolve_chain,
};

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
    /// The chain failed.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// Nothing in the environment or the profile files; only network sources remain.
    #[error(
        "no AWS credentials in the environment or the profile files (container and instance metadata credentials are not fetched by `uploadkit presign`). Searched: {searched}. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, name a profile with AWS_PROFILE, or use --local for the embedded local store"
    )]
    NoLocalCredentials {
        /// What was looked at.
        searched: String,
    },
    /// The chain points at a source that needs a network call this command does not make.
    #[error(
        "credentials for profile [{profile}] come from {what}, which `uploadkit presign` does not fetch. Searched: {searched}. Export AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (e.g. `aws configure export-credentials --format env`), or use --local for the embedded local store"
    )]
    NeedsNetwork {
        /// The profile.
        profile: String,
        /// The source.
        what: &'static str,
        /// What was looked at.
        searched: String,
    },
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

/// Resolves the chain from this process's environment and profile files.
pub fn resolve(explicit_profile: Option<&str>) -> Result<Resolution, CredentialsError> {
    let config = read(file_path("AWS_CONFIG_FILE", "config"))?;
    let creds = read(file_path("AWS_SHARED_CREDENTIALS_FILE", "credentials"))?;
    let profiles = ProfileSet::parse(contents(&config), contents(&creds))?;
    resolve_chain(&ChainInput {
        env: |k: &str| std::env::var(k).ok(),
        explicit_profile,
        profiles: &profiles,
    })
    .map_err(|e| match e {
        ChainError::NoCredentials { searched } => CredentialsError::NoLocalCredentials {
            searched: searched.join("; "),
        },
        other => other.into(),
    })
}

/// Static credentials from a resolution, or why there are none.
pub fn static_credentials(resolution: Resolution) -> Result<Credentials, CredentialsError> {
    let what = match resolution.source {
        CredentialSource::Static(creds, _) => return Ok(creds),
        CredentialSource::AssumeRole(_) => "an STS AssumeRole (role_arn)",
        CredentialSource::WebIdentity(_) => "an STS AssumeRoleWithWebIdentity",
        CredentialSource::Remote(_) => {
            return Err(CredentialsError::NoLocalCredentials {
                searched: resolution.searched.join("; "),
            });
        }
    };
    Err(CredentialsError::NeedsNetwork {
        profile: resolution.profile,
        what,
        searched: resolution.searched.join("; "),
    })
}
