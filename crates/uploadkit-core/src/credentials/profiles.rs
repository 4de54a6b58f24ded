//! Profiles from the config and shared credentials files, merged as botocore merges them:
//! the credentials file's values win for a profile named in both.

use std::collections::BTreeMap;

use super::ini::{IniError, parse_ini};

/// Which file a problem is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileFile {
    /// `~/.aws/config` (`AWS_CONFIG_FILE`).
    Config,
    /// `~/.aws/credentials` (`AWS_SHARED_CREDENTIALS_FILE`).
    Credentials,
}

impl std::fmt::Display for ProfileFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Config => "config file",
            Self::Credentials => "shared credentials file",
        })
    }
}

/// A file that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed {file} {path}: {source}")]
pub struct ProfileFileError {
    /// Which file.
    pub file: ProfileFile,
    /// Its path, as the caller named it.
    pub path: String,
    /// Where and what.
    pub source: IniError,
}

/// One profile's settings, remembering which file each came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    settings: BTreeMap<String, (String, ProfileFile)>,
}

impl Profile {
    /// A setting's value.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.settings
            .get(key)
            .map(|(v, _)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// Which file a setting came from.
    pub fn origin(&self, key: &str) -> Option<ProfileFile> {
        self.settings.get(key).map(|(_, f)| *f)
    }
}

/// Every profile of both files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileSet {
    profiles: BTreeMap<String, Profile>,
    /// `[sso-session NAME]` sections of the config file.
    sso_sessions: BTreeMap<String, Profile>,
    /// `[services NAME]` sections of the config file.
    services: BTreeMap<String, Profile>,
}

/// A profile file's path and contents, as the I/O adapter read them.
#[derive(Debug, Clone, Copy)]
pub struct FileContents<'a> {
    /// The path, for messages.
    pub path: &'a str,
    /// The text.
    pub text: &'a str,
}

impl ProfileSet {
    /// Parses and merges the two files; either may be absent.
    ///
    /// ```
    /// use uploadkit_core::credentials::{FileContents, ProfileSet};
    /// let config = FileContents { path: "config", text: "[profile dev]\nregion = eu-west-2\n" };
    /// let creds = FileContents { path: "credentials", text: "[dev]\naws_access_key_id = AK\n" };
    /// let set = ProfileSet::parse(Some(config), Some(creds)).unwrap();
    /// let dev = set.get("dev").unwrap();
    /// assert_eq!((dev.get("region"), dev.get("aws_access_key_id")), (Some("eu-west-2"), Some("AK")));
    /// ```
    pub fn parse(
        config: Option<FileContents<'_>>,
        credentials: Option<FileContents<'_>>,
    ) -> Result<Self, ProfileFileError> {
        let mut set = Self::default();
        for (file, contents) in [
            (ProfileFile::Config, config),
            (ProfileFile::Credentials, credentials),
        ] {
            let Some(contents) = contents else { continue };
            let sections = parse_ini(contents.text).map_err(|source| ProfileFileError {
                file,
                path: contents.path.to_owned(),
                source,
            })?;
            for section in sections {
                let (map, name) = match (file, named_section(&section.name)) {
                    (ProfileFile::Config, Some(("sso-session", name))) => {
                        (&mut set.sso_sessions, name.to_owned())
                    }
                    (ProfileFile::Config, Some(("services", name))) => {
                        (&mut set.services, name.to_owned())
                    }
                    _ => match profile_name(file, &section.name) {
                        Some(name) => (&mut set.profiles, name),
                        None => continue,
                    },
                };
                let profile = map.entry(name).or_default();
                for (k, v) in section.settings {
                    profile.settings.insert(k, (v, file));
                }
            }
        }
        Ok(set)
    }

    /// A profile by name.
    pub fn get(&self, name: &str) -> Option<&Profile> {
        self.profiles.get(name)
    }

    /// An `[sso-session NAME]` section.
    pub fn sso_session(&self, name: &str) -> Option<&Profile> {
        self.sso_sessions.get(name)
    }

    /// A `[services NAME]` section (per-service settings such as an `s3` endpoint).
    pub fn services(&self, name: &str) -> Option<&Profile> {
        self.services.get(name)
    }

    /// The names of every profile.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.profiles.keys().map(String::as_str)
    }
}

/// `("sso-session", NAME)` for `[sso-session NAME]`, and the like.
fn named_section(section: &str) -> Option<(&str, &str)> {
    let (kind, name) = section.split_once(char::is_whitespace)?;
    let name = name.trim();
    (!name.is_empty()).then_some((kind, name))
}

/// The profile a section holds: `[default]` and `[profile NAME]` in the config file, `[NAME]`
/// in the credentials file. Other config sections (`sso-session`, `services`) hold no profile.
fn profile_name(file: ProfileFile, section: &str) -> Option<String> {
    match file {
        ProfileFile::Credentials => Some(section.to_owned()),
        ProfileFile::Config if section == "default" => Some("default".to_owned()),
        ProfileFile::Config => {
            let mut parts = section.splitn(2, char::is_whitespace);
            match (parts.next(), parts.next()) {
                (Some("profile"), Some(name)) if !name.trim().is_empty() => {
                    Some(name.trim().to_owned())
                }
                _ => None,
            }
        }
    }
}
