//! Email addresses, by the application's rules: a local part of allowed characters, one `@`, a
//! host of at least two labels that IDNA-encodes to ≤ 253 characters, labels of letters,
//! digits and single or double hyphens, and a real-looking top-level domain.

use crate::whitespace::strip;

/// The app's message for an invalid email address.
pub const INVALID_EMAIL: &str = "Not a valid email address";

/// Why an email address was refused (always the app's one message).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{INVALID_EMAIL}")]
pub struct InvalidEmail;

const MAX_LENGTH: usize = 320;
const MAX_HOST_LENGTH: usize = 253;

fn local_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || ".!#$%&'*+/=?^_`{|}~-".contains(c)
}

/// `^(xn|[a-z0-9]+)(-?-[a-z0-9]+)*$`, case-insensitive.
fn valid_label(label: &str) -> bool {
    let lower = label.to_ascii_lowercase();
    let b = lower.as_bytes();
    let alnum_run = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && (b[*i].is_ascii_lowercase() || b[*i].is_ascii_digit()) {
            *i += 1;
        }
        *i > start
    };
    let mut i = 0;
    if !alnum_run(&mut i) {
        return false;
    }
    while i < b.len() {
        // `-?-` then a run.
        if b[i] != b'-' {
            return false;
        }
        i += 1;
        if i < b.len() && b[i] == b'-' {
            i += 1;
        }
        if !alnum_run(&mut i) {
            return false;
        }
    }
    true
}

/// `^([a-z]{2,63}|xn--([a-z0-9]+-)*[a-z0-9]+)$`, case-insensitive.
fn valid_tld(tld: &str) -> bool {
    let lower = tld.to_ascii_lowercase();
    if (2..=63).contains(&lower.len()) && lower.bytes().all(|b| b.is_ascii_lowercase()) {
        return true;
    }
    let Some(rest) = lower.strip_prefix("xn--") else {
        return false;
    };
    !rest.is_empty()
        && !rest.starts_with('-')
        && !rest.ends_with('-')
        && !rest.contains("--")
        && rest
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Validates an email address; returns it with the app's whitespace rules applied.
///
/// ```
/// use uploadkit_validators::email::validate_email_address;
/// assert_eq!(validate_email_address(" ada@example.gov.uk\n").unwrap(), "ada@example.gov.uk");
/// assert!(validate_email_address("no-tld@domain").is_err());
/// ```
pub fn validate_email_address(value: &str) -> Result<String, InvalidEmail> {
    let email = strip(value);
    if email.chars().count() > MAX_LENGTH || email.contains("..") {
        return Err(InvalidEmail);
    }
    let (local, host) = email.split_once('@').ok_or(InvalidEmail)?;
    // `^[allowed]+@([^.@][^@\s]+)$`
    if local.is_empty() || !local.chars().all(local_char) {
        return Err(InvalidEmail);
    }
    let mut host_chars = host.chars();
    match host_chars.next() {
        Some(first) if first != '.' && first != '@' => {}
        _ => return Err(InvalidEmail),
    }
    let rest = host_chars.as_str();
    if rest.is_empty() || rest.chars().any(|c| c == '@' || c.is_whitespace()) {
        return Err(InvalidEmail);
    }
    // As Python's `idna` codec does: ASCII labels pass as they are (an `xn--` label is not
    // decoded to be checked); only a host with other characters is converted.
    let ascii = if host.is_ascii() {
        host.to_owned()
    } else {
        idna::domain_to_ascii(host).map_err(|_| InvalidEmail)?
    };
    let labels: Vec<&str> = ascii.split('.').collect();
    if ascii.len() > MAX_HOST_LENGTH || labels.len() < 2 {
        return Err(InvalidEmail);
    }
    if labels
        .iter()
        .any(|l| l.is_empty() || l.len() > 63 || !valid_label(l))
    {
        return Err(InvalidEmail);
    }
    if !valid_tld(labels.last().expect("two or more labels")) {
        return Err(InvalidEmail);
    }
    Ok(email)
}
