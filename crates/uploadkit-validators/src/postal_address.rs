//! Postal addresses by the application's rules (notifications-utils' `PostalAddress`): lines
//! with whitespace normalised and trailing commas dropped; a British Forces (BFPO) number taken
//! out; a country on the last line (from the app's country table, [`crate::postal`]) read as the
//! destination, with the UK's own names for itself taken off the end; then valid only with 3 to 7
//! lines, a real UK postcode last (or a country, for services that send abroad, or a BFPO
//! number), letters or digits in the first two lines, no line starting with a character printers
//! reject, and not "no fixed abode".

use crate::postal::{Country, Zone, country};
use crate::postcode::format_postcode_or_none;
use crate::whitespace::{normalise_whitespace, python_lines, remove_space_before_punctuation};

/// At least this many lines.
pub const MIN_LINES: usize = 3;
/// At most this many lines.
pub const MAX_LINES: usize = 7;

/// The characters no address line may start with.
const INVALID_FIRST_CHARACTERS: &str = r#"@()=[]"\/,<>~"#;

/// Why an address cannot be printed and posted, with the admin app's message, in the order the
/// admin app looks for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// Line 1 or 2 has no letter or digit.
    #[error(
        "The first 2 lines of the address must both include at least one alphanumeric character"
    )]
    NoLettersOrNumbers,
    /// A BFPO address that names a country.
    #[error("The last line of a BFPO address must not be a country.")]
    BfpoWithCountry,
    /// Fewer than 3 lines.
    #[error("Address must be at least 3 lines long")]
    TooShort,
    /// More than 7 lines.
    #[error("Address must be no more than 7 lines long")]
    TooLong,
    /// Neither a UK postcode nor a country last (for a service that sends abroad).
    #[error("Last line of the address must be a UK postcode or another country")]
    NotPostcodeOrCountry,
    /// A country last, for a service that does not send abroad.
    #[error("You do not have permission to send letters to other countries")]
    International,
    /// No real UK postcode last.
    #[error("Last line of the address must be a real UK postcode")]
    NotUkPostcode,
    /// A line starts with a character printers reject.
    #[error(
        "Address lines must not start with any of the following characters: @ ( ) = [ ] \" \\ / , < > ~"
    )]
    InvalidCharacters,
    /// "No fixed abode" and its abbreviation.
    #[error("This is not a real address")]
    NoFixedAbode,
}

impl AddressError {
    /// The error code.
    pub fn code(self) -> &'static str {
        match self {
            Self::NoLettersOrNumbers => "address_no_letters_or_numbers",
            Self::BfpoWithCountry => "address_bfpo_with_country",
            Self::TooShort => "address_too_short",
            Self::TooLong => "address_too_long",
            Self::NotPostcodeOrCountry => "address_not_postcode_or_country",
            Self::International => "address_international_not_allowed",
            Self::NotUkPostcode => "not_a_uk_address",
            Self::InvalidCharacters => "address_invalid_characters",
            Self::NoFixedAbode => "address_no_fixed_abode",
        }
    }
}

/// An address, read.
///
/// ```
/// use uploadkit_validators::postal_address::{AddressError, PostalAddress};
/// let uk = PostalAddress::parse("10 Downing Street\nLondon\nsw1a2aa", false);
/// assert_eq!(uk.lines(), ["10 Downing Street", "London", "SW1A 2AA"]);
/// assert_eq!(uk.validate(), Ok(()));
/// let abroad = PostalAddress::parse("1 Rue Example\nParis\nFrance", false);
/// assert_eq!(abroad.validate(), Err(AddressError::International));
/// assert_eq!(PostalAddress::parse("1 Rue Example\nParis\nFrance", true).validate(), Ok(()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostalAddress {
    allow_international: bool,
    bfpo: Option<String>,
    country: Option<Country>,
    /// The lines without the BFPO line or the country.
    rest: Vec<String>,
}

/// The BFPO number of a line that is one (`BFPO 123`, `bfpo c/o 4`); `Some(None)` for a BFPO
/// line without a number.
fn bfpo_line(line: &str) -> Option<Option<String>> {
    let lower = line.to_lowercase();
    let rest = lower.trim_start().strip_prefix("bfpo")?.trim_start();
    let rest = rest.strip_prefix("c/o").unwrap_or(rest).trim_start();
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    if !rest[digits.len()..].trim().is_empty() {
        return None;
    }
    if digits.is_empty() {
        return Some(None);
    }
    // As a number: leading zeros go.
    let trimmed = digits.trim_start_matches('0');
    Some(Some(
        if trimmed.is_empty() { "0" } else { trimmed }.to_owned(),
    ))
}

impl PostalAddress {
    /// Reads an address written over several lines; `allow_international` is the service's
    /// permission to send letters abroad.
    pub fn parse(raw: &str, allow_international: bool) -> Self {
        let mut lines: Vec<String> = python_lines(raw)
            .into_iter()
            .map(normalise_whitespace)
            .filter_map(|line| {
                let trimmed = line.trim_end_matches([' ', ',']);
                (!trimmed.is_empty()).then(|| remove_space_before_punctuation(trimmed))
            })
            .collect();
        if lines.is_empty() {
            lines.push(String::new());
        }
        let bfpo_lines: Vec<Option<Option<String>>> = lines.iter().map(|l| bfpo_line(l)).collect();
        let bfpo = bfpo_lines.iter().flatten().flatten().next().cloned();
        let without_bfpo: Vec<String> = if bfpo.is_some() {
            lines
                .iter()
                .zip(&bfpo_lines)
                .filter(|(_, b)| b.is_none())
                .map(|(l, _)| l.clone())
                .collect()
        } else {
            lines
        };
        // UK names counted from the end, skipping lines that are no country, up to a foreign one.
        let mut trailing_uk = 0;
        for line in without_bfpo.iter().rev() {
            match country(line) {
                Some(c) if c.zone == Zone::Uk => trailing_uk += 1,
                Some(_) => break,
                None => {}
            }
        }
        let last = without_bfpo.last().and_then(|l| country(l));
        let rest = match last {
            Some(_) => {
                let keep = without_bfpo.len().saturating_sub(trailing_uk.max(1));
                without_bfpo[..keep].to_vec()
            }
            None => without_bfpo,
        };
        Self {
            allow_international,
            bfpo,
            country: last,
            rest,
        }
    }

    /// An address from a spreadsheet's address columns, in order (empty ones as empty lines).
    pub fn from_lines<'a>(
        lines: impl IntoIterator<Item = &'a str>,
        allow_international: bool,
    ) -> Self {
        Self::parse(
            &lines.into_iter().collect::<Vec<_>>().join("\n"),
            allow_international,
        )
    }

    /// Whether the address is abroad (its country is outside the UK's postage).
    pub fn is_international(&self) -> bool {
        self.country.is_some_and(|c| c.zone != Zone::Uk)
    }

    /// The destination's postage zone.
    pub fn zone(&self) -> Zone {
        self.country.map_or(Zone::Uk, |c| c.zone)
    }

    /// A British Forces Post Office address.
    pub fn is_bfpo(&self) -> bool {
        self.bfpo.is_some()
    }

    /// The postcode, formatted, if the address is in the UK and ends with a real one.
    pub fn postcode(&self) -> Option<String> {
        if self.is_international() {
            return None;
        }
        self.rest.last().and_then(|l| format_postcode_or_none(l))
    }

    /// The lines as they will be printed.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = self.rest.clone();
        let postcode = self.postcode();
        if self.is_international() {
            if let Some(bfpo) = &self.bfpo {
                lines.push(format!("BFPO {bfpo}"));
            }
            lines.push(self.country.map(|c| c.name).unwrap_or_default().to_owned());
            return lines;
        }
        if let Some(postcode) = postcode {
            lines.pop();
            lines.push(postcode);
        }
        if let Some(bfpo) = &self.bfpo {
            lines.push(format!("BFPO {bfpo}"));
        }
        lines
    }

    /// How many lines will be printed (an empty address has none).
    fn line_count(&self) -> usize {
        let lines = self.lines();
        if lines.len() == 1 && lines[0].is_empty() {
            0
        } else {
            lines.len()
        }
    }

    /// A line starts with a character printers reject.
    pub fn has_invalid_characters(&self) -> bool {
        self.lines()
            .iter()
            .any(|l| l.starts_with(|c| INVALID_FIRST_CHARACTERS.contains(c)))
    }

    /// "No fixed abode", "no fixed address" or a line that is just "NFA".
    pub fn has_no_fixed_abode(&self) -> bool {
        let lines = self.lines();
        lines.iter().any(|l| l.to_lowercase() == "nfa")
            || lines.join("\n").to_lowercase().contains("no fixed abode")
            || lines.join("\n").to_lowercase().contains("no fixed address")
    }

    fn has_valid_last_line(&self) -> bool {
        (self.allow_international && self.is_international() && !self.is_bfpo())
            || self.postcode().is_some()
            || (self.is_bfpo() && !self.is_international())
    }

    fn has_alphanumeric_first_lines(&self) -> bool {
        let lines = self.lines();
        lines.len() >= 2
            && lines[..2]
                .iter()
                .all(|l| l.chars().any(|c| c.is_ascii_alphanumeric()))
    }

    /// Checks the address, giving the admin app's first reason when it is not valid.
    pub fn validate(&self) -> Result<(), AddressError> {
        let lines = self.line_count();
        let valid = self.has_valid_last_line()
            && (MIN_LINES..=MAX_LINES).contains(&lines)
            && !self.has_invalid_characters()
            && !(self.is_international() && self.is_bfpo())
            && !self.has_no_fixed_abode()
            && self.has_alphanumeric_first_lines();
        if valid {
            return Ok(());
        }
        Err(if !self.has_alphanumeric_first_lines() {
            AddressError::NoLettersOrNumbers
        } else if self.is_international() && self.is_bfpo() {
            AddressError::BfpoWithCountry
        } else if lines < MIN_LINES {
            AddressError::TooShort
        } else if lines > MAX_LINES {
            AddressError::TooLong
        } else if !self.has_valid_last_line() {
            if self.allow_international {
                AddressError::NotPostcodeOrCountry
            } else if self.is_international() {
                AddressError::International
            } else {
                AddressError::NotUkPostcode
            }
        } else if self.has_invalid_characters() {
            AddressError::InvalidCharacters
        } else {
            AddressError::NoFixedAbode
        })
    }
}
