//! Postal addresses by the application's rules: lines normalised, the UK's own names for itself
//! taken off the end, British Forces (BFPO) addresses rearranged, then 3 to 7 lines with a real
//! UK postcode last, no line starting with a character printers reject, and not "no fixed abode".
//!
//! The app also recognises a foreign country on the last line (from its own country table) and
//! then allows the address for services that send abroad; that table is not part of uploadkit,
//! so a foreign country is read as an ordinary line (see [`PostalAddress::is_international`]).

use crate::postcode::format_postcode_or_none;

/// At least this many lines.
pub const MIN_LINES: usize = 3;
/// At most this many lines.
pub const MAX_LINES: usize = 7;

/// The characters no address line may start with.
const INVALID_FIRST_CHARACTERS: &[char] = &[
    '@', '(', ')', '=', '[', ']', '"', '\\', '/', ',', '<', '>', '~',
];

/// The last lines that mean the United Kingdom (and the Crown dependencies, which letters reach
/// with UK postage), compared without case or punctuation.
const UK_NAMES: &[&str] = &[
    "unitedkingdom",
    "uk",
    "gb",
    "gbr",
    "greatbritain",
    "england",
    "scotland",
    "wales",
    "cymru",
    "northernireland",
    "guernsey",
    "jersey",
    "isleofman",
    "alderney",
    "sark",
];

/// Why an address cannot be printed and posted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// Fewer than 3 lines.
    #[error("Address must be at least 3 lines long")]
    TooShort,
    /// More than 7 lines.
    #[error("Address must be no more than 7 lines long")]
    TooLong,
    /// A line starts with a character printers reject.
    #[error(
        "Address lines must not start with any of the following characters: @ ( ) = [ ] ” \\ / , < > ~"
    )]
    InvalidCharacters,
    /// "No fixed abode" and its abbreviations.
    #[error("Must be a real address")]
    NoFixedAbode,
    /// A line with nothing but punctuation.
    #[error("Address lines must contain letters or numbers")]
    NoLettersOrNumbers,
    /// No real UK postcode last.
    #[error("Last line of the address must be a real UK postcode")]
    NotUkPostcode,
}

impl AddressError {
    /// The app's error code.
    pub fn code(self) -> &'static str {
        match self {
            Self::TooShort => "address_too_short",
            Self::TooLong => "address_too_long",
            Self::InvalidCharacters => "address_invalid_characters",
            Self::NoFixedAbode => "address_no_fixed_abode",
            Self::NoLettersOrNumbers => "address_no_letters_or_numbers",
            Self::NotUkPostcode => "not_a_uk_address",
        }
    }
}

/// An address, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostalAddress {
    lines: Vec<String>,
    postcode: Option<String>,
    bfpo: bool,
}

/// Collapses whitespace, drops spaces before punctuation and commas at the end.
fn normalise_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for word in line.split(|c: char| c.is_whitespace() || c == '\u{00A0}' || c == '\u{202F}') {
        if word.is_empty() {
            continue;
        }
        let glued = word.starts_with(['.', ',', ';', ':', '!', '?']);
        if !out.is_empty() && !glued {
            out.push(' ');
        }
        out.push_str(word);
    }
    out.trim_end_matches([',', ' ']).to_owned()
}

fn letters_only_lowercase(line: &str) -> String {
    line.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// `BFPO 123`, `BFPO123`, `BFPO C/O 123` → `BFPO 123`.
fn bfpo_number(line: &str) -> Option<String> {
    let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    let upper = compact.to_ascii_uppercase();
    let rest = upper.strip_prefix("BFPO")?;
    let rest = rest.strip_prefix("C/O").unwrap_or(rest);
    (!rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit())).then(|| format!("BFPO {rest}"))
}

fn is_no_fixed_abode(line: &str) -> bool {
    let lower = line.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words == ["nfa"]
        || words
            .windows(3)
            .any(|w| w[0] == "no" && w[1] == "fixed" && (w[2] == "abode" || w[2] == "address"))
}

impl PostalAddress {
    /// Reads an address written one line per line.
    ///
    /// ```
    /// use uploadkit_validators::postal_address::{AddressError, PostalAddress};
    /// let a = PostalAddress::parse("123  Example St .\nCity of Town,\nsw1a1aa\nUnited Kingdom");
    /// assert_eq!(a.lines(), ["123 Example St.", "City of Town", "SW1A 1AA"]);
    /// assert_eq!(a.validate(), Ok(()));
    /// assert_eq!(PostalAddress::parse("A Person\nNFA\nSW1A 1AA").validate(), Err(AddressError::NoFixedAbode));
    /// ```
    pub fn parse(raw: &str) -> Self {
        let mut lines: Vec<String> = raw
            .lines()
            .map(normalise_line)
            .filter(|l| !l.is_empty())
            .collect();
        while lines
            .last()
            .is_some_and(|l| UK_NAMES.contains(&letters_only_lowercase(l).as_str()))
        {
            lines.pop();
        }
        let mut bfpo = false;
        let mut bfpo_lines = Vec::new();
        lines.retain(|l| {
            if letters_only_lowercase(l) == "bfpo" {
                bfpo = true;
                return false;
            }
            match bfpo_number(l) {
                Some(number) => {
                    bfpo = true;
                    bfpo_lines.push(number);
                    false
                }
                None => true,
            }
        });
        let postcode = lines.last().and_then(|l| format_postcode_or_none(l));
        if let Some(postcode) = &postcode
            && let Some(last) = lines.last_mut()
        {
            last.clone_from(postcode);
        }
        lines.extend(bfpo_lines);
        Self {
            lines,
            postcode,
            bfpo,
        }
    }

    /// The address from separate lines (a spreadsheet's address columns, empty ones skipped).
    pub fn from_lines<'a>(lines: impl IntoIterator<Item = &'a str>) -> Self {
        Self::parse(&lines.into_iter().collect::<Vec<_>>().join("\n"))
    }

    /// The lines as they will be printed.
    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// The postcode, formatted, if the last line (before any BFPO number) is a real one.
    pub fn postcode(&self) -> Option<&str> {
        self.postcode.as_deref()
    }

    /// A British Forces Post Office address.
    pub fn is_bfpo(&self) -> bool {
        self.bfpo
    }

    /// Always `false`: a foreign country on the last line is not recognised (the app's country
    /// table is not part of uploadkit), so such an address fails [`AddressError::NotUkPostcode`].
    pub fn is_international(&self) -> bool {
        false
    }

    /// A line starts with a character printers reject.
    pub fn has_invalid_characters(&self) -> bool {
        self.lines
            .iter()
            .any(|l| l.starts_with(INVALID_FIRST_CHARACTERS))
    }

    /// "No fixed abode", "no fixed address" or "NFA" on a line.
    pub fn has_no_fixed_abode(&self) -> bool {
        self.lines.iter().any(|l| is_no_fixed_abode(l))
    }

    /// Checks the address by the app's rules, in the app's order of messages.
    pub fn validate(&self) -> Result<(), AddressError> {
        if self.lines.len() < MIN_LINES {
            return Err(AddressError::TooShort);
        }
        if self.lines.len() > MAX_LINES {
            return Err(AddressError::TooLong);
        }
        if self.has_invalid_characters() {
            return Err(AddressError::InvalidCharacters);
        }
        if self.has_no_fixed_abode() {
            return Err(AddressError::NoFixedAbode);
        }
        if self
            .lines
            .iter()
            .any(|l| !l.chars().any(char::is_alphanumeric))
        {
            return Err(AddressError::NoLettersOrNumbers);
        }
        if self.postcode.is_none() && !self.bfpo {
            return Err(AddressError::NotUkPostcode);
        }
        Ok(())
    }
}
