//! The INI dialect of `~/.aws/config` and `~/.aws/credentials`, read the way botocore's
//! `raw_config_parse` reads it: `[section]` headers, `key = value` or `key: value`, full-line
//! `#`/`;` comments, indented continuation lines (nested settings such as `s3 =`), keys
//! lower-cased, duplicates refused.

/// Why a file could not be parsed; carries the line so the user can fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct IniError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub problem: String,
}

/// One `[section]` with its settings in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The text between the brackets, trimmed.
    pub name: String,
    /// The line of the header.
    pub line: usize,
    /// `(key, value)`; a value with continuation lines holds them joined by `\n`.
    pub settings: Vec<(String, String)>,
}

impl Section {
    /// A setting's value.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.settings
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Parses an INI document into sections.
///
/// ```
/// use uploadkit_core::credentials::parse_ini;
/// let s = parse_ini("[default]\nregion = eu-west-1\ns3 =\n  addressing_style = path\n").unwrap();
/// assert_eq!(s[0].get("region"), Some("eu-west-1"));
/// assert_eq!(s[0].get("s3"), Some("\naddressing_style = path"));
/// assert!(parse_ini("region = x").is_err());
/// ```
pub fn parse_ini(text: &str) -> Result<Vec<Section>, IniError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut sections: Vec<Section> = Vec::new();
    // Whether the last setting may take continuation lines.
    let mut open_value = false;
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        let indented = raw.starts_with([' ', '\t']);
        if indented && open_value {
            let (_, value) = sections
                .last_mut()
                .and_then(|s| s.settings.last_mut())
                .expect("an open value belongs to a setting");
            value.push('\n');
            value.push_str(trimmed);
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix('[') {
            let Some(end) = rest.rfind(']') else {
                return Err(IniError {
                    line,
                    problem: format!("section header {trimmed:?} has no closing ']'"),
                });
            };
            let name = rest[..end].trim().to_owned();
            if name.is_empty() {
                return Err(IniError {
                    line,
                    problem: "empty section name".into(),
                });
            }
            if let Some(first) = sections.iter().find(|s| s.name == name) {
                return Err(IniError {
                    line,
                    problem: format!(
                        "section [{name}] appears again (first on line {})",
                        first.line
                    ),
                });
            }
            sections.push(Section {
                name,
                line,
                settings: Vec::new(),
            });
            open_value = false;
            continue;
        }
        let Some(at) = trimmed.find(['=', ':']) else {
            return Err(IniError {
                line,
                problem: format!("expected `key = value`, found {trimmed:?}"),
            });
        };
        let key = trimmed[..at].trim().to_ascii_lowercase();
        let value = trimmed[at + 1..].trim().to_owned();
        if key.is_empty() {
            return Err(IniError {
                line,
                problem: "a setting has no name before '='".into(),
            });
        }
        let Some(section) = sections.last_mut() else {
            return Err(IniError {
                line,
                problem: format!("setting {key:?} comes before any [section] header"),
            });
        };
        if section.settings.iter().any(|(k, _)| *k == key) {
            return Err(IniError {
                line,
                problem: format!("{key:?} is set twice in [{}]", section.name),
            });
        }
        section.settings.push((key, value));
        open_value = true;
    }
    Ok(sections)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_colons_case_and_spacing() {
        let s = parse_ini("# c\n; c\n[ profile  dev ]\nAWS_Access_Key_Id: AK\nregion=eu-west-2\n")
            .unwrap();
        assert_eq!(s[0].name, "profile  dev");
        assert_eq!(s[0].get("aws_access_key_id"), Some("AK"));
        assert_eq!(s[0].get("region"), Some("eu-west-2"));
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(parse_ini("[a]\nx = 1\nx = 2").unwrap_err().line, 3);
        assert_eq!(parse_ini("[a]\n[a]").unwrap_err().line, 2);
        assert_eq!(parse_ini("[a]\njunk").unwrap_err().line, 2);
        assert_eq!(parse_ini("[a\n").unwrap_err().line, 1);
        assert!(parse_ini("[a]\n = v").is_err());
    }
}
