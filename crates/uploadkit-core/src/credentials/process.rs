//! `credential_process` as botocore runs it: the command line split into words as a POSIX
//! shell would (no shell runs it), and the JSON it prints read (`Version` 1, the keys, an
//! optional `Expiration`). The adapter runs the program.

use serde::Deserialize;

use super::Credentials;
use crate::clock::parse_rfc3339;

/// Why a process gave no credentials; each names the profile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProcessError {
    /// The command line cannot be split (an unclosed quote).
    #[error(
        "profile [{profile}]: credential_process {command:?} cannot be split into words (an unclosed quote?)"
    )]
    BadCommand {
        /// The profile.
        profile: String,
        /// The command line.
        command: String,
    },
    /// The program failed or could not be started.
    #[error(
        "profile [{profile}]: error when retrieving credentials from custom-process: {problem}"
    )]
    Failed {
        /// The profile.
        profile: String,
        /// Its exit status and standard error, or why it did not start.
        problem: String,
    },
    /// Its output is not the documented JSON.
    #[error(
        "profile [{profile}]: credential_process printed {problem}; it must print {{\"Version\": 1, \"AccessKeyId\": …, \"SecretAccessKey\": …, \"SessionToken\": …, \"Expiration\": \"2026-12-04T18:00:00Z\"}}"
    )]
    BadOutput {
        /// The profile.
        profile: String,
        /// What is wrong.
        problem: String,
    },
}

/// The words of a `credential_process` line.
///
/// ```
/// use uploadkit_core::credentials::process::split_command;
/// assert_eq!(split_command("dev", r#"/opt/bin/creds --account "dev one" 'x y'"#).unwrap(), ["/opt/bin/creds", "--account", "dev one", "x y"]);
/// assert!(split_command("dev", "creds \"unclosed").is_err());
/// ```
pub fn split_command(profile: &str, command: &str) -> Result<Vec<String>, ProcessError> {
    shlex::split(command)
        .filter(|words| !words.is_empty())
        .ok_or_else(|| ProcessError::BadCommand {
            profile: profile.to_owned(),
            command: command.to_owned(),
        })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Output {
    version: Option<serde_json::Value>,
    access_key_id: Option<String>,
    secret_access_key: Option<String>,
    session_token: Option<String>,
    expiration: Option<String>,
}

/// Reads what the program printed.
///
/// ```
/// use uploadkit_core::credentials::process::parse_output;
/// let out = r#"{"Version": 1, "AccessKeyId": "ASIA1", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "2030-01-01T00:00:00Z"}"#;
/// assert_eq!(parse_output("dev", out).unwrap().access_key_id(), "ASIA1");
/// assert!(parse_output("dev", r#"{"Version": 2}"#).unwrap_err().to_string().contains("Unsupported version"));
/// ```
pub fn parse_output(profile: &str, stdout: &str) -> Result<Credentials, ProcessError> {
    let bad = |problem: String| ProcessError::BadOutput {
        profile: profile.to_owned(),
        problem,
    };
    let output: Output =
        serde_json::from_str(stdout).map_err(|e| bad(format!("output that is not JSON ({e})")))?;
    match output.version {
        Some(serde_json::Value::Number(n)) if n.as_u64() == Some(1) => {}
        other => {
            let shown = other.map_or_else(|| "None".to_owned(), |v| v.to_string());
            return Err(bad(format!(
                "Unsupported version '{shown}' for credential process provider, supported versions: 1"
            )));
        }
    }
    let required = |value: Option<String>, key: &str| {
        value.filter(|v| !v.is_empty()).ok_or_else(|| {
            bad(format!(
                "JSON without {key} (missing required key in response)"
            ))
        })
    };
    let key = required(output.access_key_id, "AccessKeyId")?;
    let secret = required(output.secret_access_key, "SecretAccessKey")?;
    let expires = match output.expiration {
        None => None,
        Some(text) => Some(parse_rfc3339(&text).ok_or_else(|| {
            bad(format!(
                "an Expiration {text:?} that is not an RFC 3339 time"
            ))
        })?),
    };
    Credentials::new(key, secret, output.session_token, expires)
        .map_err(|e| bad(format!("unusable credentials ({e})")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_malformed_output_names_what_is_wrong() {
        for (out, says) in [
            ("not json", "not JSON"),
            ("{}", "Unsupported version 'None'"),
            (r#"{"Version": "1"}"#, "Unsupported version '\"1\"'"),
            (
                r#"{"Version": 1, "SecretAccessKey": "s"}"#,
                "without AccessKeyId",
            ),
            (
                r#"{"Version": 1, "AccessKeyId": "a"}"#,
                "without SecretAccessKey",
            ),
            (
                r#"{"Version": 1, "AccessKeyId": "a", "SecretAccessKey": "s", "Expiration": "soon"}"#,
                "\"soon\"",
            ),
        ] {
            let e = parse_output("dev", out).unwrap_err().to_string();
            assert!(e.contains(says) && e.contains("[dev]"), "{out}: {e}");
        }
        let long_lived = parse_output(
            "dev",
            r#"{"Version": 1, "AccessKeyId": "a", "SecretAccessKey": "s"}"#,
        )
        .unwrap();
        assert_eq!(long_lived.expires_at(), None);
    }
}
