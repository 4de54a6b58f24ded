//! Phone numbers, by the application's rules: digits, whitespace, `()+-` only; parsed as a UK
//! number first and as an international one (`+…`) if that fails, with libphonenumber's
//! metadata (the `phonenumber` crate, metadata 9.0.33); UK mobiles always allowed, UK
//! landlines and international numbers only when the service allows them.

use std::collections::HashMap;
use std::sync::OnceLock;

use phonenumber::{Mode, PhoneNumber, Type, country};
use regex::{Regex, RegexBuilder};

use crate::whitespace::is_app_whitespace;

/// The longest E.164 number, in digits.
const MAX_DIGITS: usize = 15;
/// The longest UK national significant number.
const MAX_UK_NATIONAL: usize = 10;

/// Why a phone number was refused, with the app's code and message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// Letters or symbols.
    #[error("Mobile numbers can only include: 0 1 2 3 4 5 6 7 8 9 ( ) + -")]
    UnknownCharacter,
    /// Too many digits.
    #[error("Mobile number is too long")]
    TooLong,
    /// Not a number libphonenumber recognises.
    #[error("Number is not valid – double check the phone number you entered")]
    InvalidNumber,
    /// Valid, but not something this service may send to.
    #[error(
        "This does not look like a UK mobile number – double check the mobile number you entered"
    )]
    NotAUkMobile,
}

impl PhoneError {
    /// The app's error code.
    pub fn code(self) -> &'static str {
        match self {
            Self::UnknownCharacter => "unknown_character",
            Self::TooLong => "too_long",
            Self::InvalidNumber => "invalid_number",
            Self::NotAUkMobile => "not_a_uk_mobile",
        }
    }
}

/// Ofcom's range of UK mobile numbers reserved for TV and radio drama (07700 900000–900999):
/// libphonenumber calls them invalid, the app accepts them as mobiles.
const TV_MOBILE_PREFIX: &str = "7700900";

/// A parsed phone number: what the app's rules need to know about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedPhone {
    normalised: String,
    uk: bool,
    international: bool,
    mobile: bool,
}

impl ParsedPhone {
    fn from_number(number: &PhoneNumber, tv: bool) -> Self {
        let database = &*phonenumber::metadata::DATABASE;
        Self {
            normalised: number
                .format()
                .mode(Mode::E164)
                .to_string()
                .trim_start_matches('+')
                .to_owned(),
            uk: number.code().value() == 44,
            // Outside Great Britain's own region: other countries and the Crown dependencies.
            international: !tv && number.country().id() != Some(country::Id::GB),
            mobile: tv || matches!(number.number_type(database), Type::Mobile),
        }
    }
}

/// Hyphen-like characters people paste, treated as `-`.
fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'
            | '\u{2011}'
            | '\u{2012}'
            | '\u{2013}'
            | '\u{2014}'
            | '\u{2015}'
            | '\u{2212}'
    )
}

/// A valid number that is not premium rate (the app refuses those as invalid).
fn parse_valid(text: &str, region: Option<country::Id>) -> Option<PhoneNumber> {
    phonenumber::parse(region, text)
        .ok()
        .filter(phonenumber::is_valid)
        .filter(|n| {
            !matches!(
                n.number_type(&phonenumber::metadata::DATABASE),
                Type::PremiumRate
            )
        })
}

/// Parses a phone number.
///
/// ```
/// use uploadkit_validators::phone::parse_phone_number;
/// let n = parse_phone_number("07723 456789").unwrap();
/// assert_eq!(n.normalised(), "447723456789");
/// assert!(n.is_uk());
/// ```
pub fn parse_phone_number(value: &str) -> Result<ParsedPhone, PhoneError> {
    parse_digits(&digits_of(value)?)
}

/// The digits of a number as people type it, refusing anything but digits, spaces, `()+-`.
fn digits_of(value: &str) -> Result<String, PhoneError> {
    let mut digits = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '0'..='9' => digits.push(c),
            '(' | ')' | '+' => {}
            c if is_dash(c) || is_app_whitespace(c) => {}
            _ => return Err(PhoneError::UnknownCharacter),
        }
    }
    if digits.len() > MAX_DIGITS {
        return Err(PhoneError::TooLong);
    }
    Ok(digits)
}

fn parse_digits(digits: &str) -> Result<ParsedPhone, PhoneError> {
    if let Some(number) = parse_valid(digits, Some(country::Id::GB)) {
        return Ok(ParsedPhone::from_number(&number, false));
    }
    let as_uk = phonenumber::parse(Some(country::Id::GB), digits).ok();
    if let Some(number) = as_uk.as_ref().filter(|n| {
        let national = n.national().to_string();
        n.code().value() == 44
            && national.len() == MAX_UK_NATIONAL
            && national.starts_with(TV_MOBILE_PREFIX)
    }) {
        return Ok(ParsedPhone::from_number(number, true));
    }
    // Then as an international number, with or without its `00` international prefix.
    let international = std::iter::once(format!("+{digits}"))
        .chain(digits.strip_prefix("00").map(|d| format!("+{d}")));
    for candidate in international {
        if let Some(number) = parse_valid(&candidate, None) {
            return Ok(ParsedPhone::from_number(&number, false));
        }
    }
    let too_long = as_uk.is_some_and(|n| {
        n.code().value() == 44 && n.national().to_string().len() > MAX_UK_NATIONAL
    });
    Err(if too_long {
        PhoneError::TooLong
    } else {
        PhoneError::InvalidNumber
    })
}

impl ParsedPhone {
    /// E.164 without the `+`.
    pub fn normalised(&self) -> &str {
        &self.normalised
    }

    /// Whether the number is in the UK numbering plan (+44, Crown dependencies included).
    pub fn is_uk(&self) -> bool {
        self.uk
    }

    /// Whether the number is outside Great Britain's own region (other countries, and the
    /// Crown dependencies' +44 numbers).
    pub fn is_international(&self) -> bool {
        self.international
    }

    /// Checks the number against a service's permissions.
    ///
    /// ```
    /// use uploadkit_validators::phone::{parse_phone_number, PhoneError};
    /// let landline = parse_phone_number("020 7946 0991").unwrap();
    /// assert_eq!(landline.validate(false, false), Err(PhoneError::NotAUkMobile));
    /// assert_eq!(landline.validate(false, true), Ok(()));
    /// ```
    pub fn validate(
        &self,
        allow_international: bool,
        allow_uk_landline: bool,
    ) -> Result<(), PhoneError> {
        if !self.is_uk() {
            return if allow_international {
                Ok(())
            } else {
                Err(PhoneError::NotAUkMobile)
            };
        }
        if self.mobile || allow_uk_landline {
            Ok(())
        } else {
            Err(PhoneError::NotAUkMobile)
        }
    }
}

/// How a UK mobile was written: `07…`, `447…` or `00447…`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum UkForm {
    National,
    CountryCode,
    InternationalPrefix,
}

/// The national number (10 digits from `7`) of something shaped like a UK mobile.
fn uk_mobile_shape(digits: &str) -> Option<(UkForm, &str)> {
    let (form, national) = match digits.len() {
        11 if digits.starts_with("07") => (UkForm::National, &digits[1..]),
        12 if digits.starts_with("447") => (UkForm::CountryCode, &digits[2..]),
        14 if digits.starts_with("00447") => (UkForm::InternationalPrefix, &digits[4..]),
        _ => return None,
    };
    Some((form, national))
}

/// A national number that libphonenumber's metadata makes a Great Britain mobile and that no
/// other region sharing +44 could claim: decided with the crate's own descriptor matches (four
/// pattern checks) instead of a full parse, validation and typing (about 30 µs).
fn is_plain_gb_mobile(national: &str) -> bool {
    static PATTERNS: OnceLock<Option<PlainGbMobile>> = OnceLock::new();
    PATTERNS
        .get_or_init(PlainGbMobile::from_metadata)
        .as_ref()
        .is_some_and(|p| p.matches(national))
}

/// A descriptor's pattern, matched as the crate's `Descriptor::is_match` does (possible length,
/// then a match at the start), but compiled once: the crate's regex cache hashes the whole
/// pattern text on every use, which is most of a full parse's time.
struct DescriptorPattern {
    lengths: Vec<u16>,
    regex: Regex,
}

impl DescriptorPattern {
    fn new(descriptor: &phonenumber::metadata::Descriptor) -> Option<Self> {
        Some(Self {
            lengths: descriptor.possible_length().to_vec(),
            // The metadata's patterns are laid out over several lines, as the crate reads them.
            regex: RegexBuilder::new(&format!("^(?:{})", descriptor.national_number().as_str()))
                .ignore_whitespace(true)
                .build()
                .ok()?,
        })
    }

    fn is_match(&self, national: &str) -> bool {
        (self.lengths.is_empty() || self.lengths.contains(&(national.len() as u16)))
            && self.regex.is_match(national)
    }
}

struct PlainGbMobile {
    gb_mobile: DescriptorPattern,
    /// Every number-type pattern of the other regions sharing +44 (Guernsey, the Isle of Man,
    /// Jersey) that takes 10-digit numbers, as one alternation: a number one of them could
    /// claim is left to the full parse.
    others: Regex,
}

/// The national length [`uk_mobile_shape`] gives.
const UK_MOBILE_NATIONAL_DIGITS: u16 = 10;

impl PlainGbMobile {
    fn from_metadata() -> Option<Self> {
        let database = &*phonenumber::metadata::DATABASE;
        let gb_mobile = DescriptorPattern::new(database.by_id("GB")?.descriptors().mobile()?)?;
        let mut alternatives = Vec::new();
        for id in ["GG", "IM", "JE"] {
            let d = database.by_id(id)?.descriptors();
            let types = [
                d.fixed_line(),
                d.mobile(),
                d.toll_free(),
                d.premium_rate(),
                d.shared_cost(),
                d.personal_number(),
                d.voip(),
                d.pager(),
                d.uan(),
                d.voicemail(),
            ];
            for descriptor in types.into_iter().flatten() {
                let lengths = descriptor.possible_length();
                if lengths.is_empty() || lengths.contains(&UK_MOBILE_NATIONAL_DIGITS) {
                    alternatives.push(format!("(?:{})", descriptor.national_number().as_str()));
                }
            }
        }
        let others = RegexBuilder::new(&format!("^(?:{})", alternatives.join("|")))
            .ignore_whitespace(true)
            .build()
            .ok()?;
        Some(Self { gb_mobile, others })
    }

    fn matches(&self, national: &str) -> bool {
        national.len() == usize::from(UK_MOBILE_NATIONAL_DIGITS)
            && self.gb_mobile.is_match(national)
            && !self.others.is_match(national)
    }
}

/// What a number's first six national digits decide, for every number that shares them.
#[derive(Debug, Clone)]
enum Decided {
    Valid {
        uk: bool,
        international: bool,
        mobile: bool,
    },
    Invalid(PhoneError),
}

/// Parses many numbers, as a spreadsheet has them, fast: a spreadsheet's UK mobiles share few
/// prefixes, and for a 10-digit `7…` number libphonenumber's answer (valid, type, region — GB,
/// Guernsey, Jersey, the Isle of Man) depends only on the first six national digits (the longest
/// prefix in those regions' patterns; the rest are `\d{n}`). The first number with a prefix is
/// parsed (a plain GB mobile by its metadata patterns, anything else in full) and its answer
/// reused for the others. Every other number is parsed in full.
///
/// ```
/// use uploadkit_validators::phone::{parse_phone_number, PhoneCache};
/// let mut cache = PhoneCache::default();
/// for n in ["07723 456789", "+44 7723 456780", "07723456781"] {
///     assert_eq!(cache.parse(n), parse_phone_number(n));
/// }
/// ```
#[derive(Debug, Default)]
pub struct PhoneCache {
    decided: HashMap<(UkForm, u32), Decided>,
}

/// The national digits that decide a `7…` number's answer.
const DECIDING_DIGITS: usize = 6;

impl PhoneCache {
    /// Parses `value` as [`parse_phone_number`] does.
    pub fn parse(&mut self, value: &str) -> Result<ParsedPhone, PhoneError> {
        let digits = digits_of(value)?;
        let Some((form, national)) = uk_mobile_shape(&digits) else {
            return parse_digits(&digits);
        };
        // The TV drama range is decided by seven digits: never from the cache.
        let Some(prefix) = national
            .get(..DECIDING_DIGITS)
            .filter(|_| !national.starts_with(TV_MOBILE_PREFIX))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            return parse_digits(&digits);
        };
        if let Some(decided) = self.decided.get(&(form, prefix)) {
            return match *decided {
                Decided::Valid {
                    uk,
                    international,
                    mobile,
                } => Ok(ParsedPhone {
                    normalised: format!("44{national}"),
                    uk,
                    international,
                    mobile,
                }),
                Decided::Invalid(e) => Err(e),
            };
        }
        let parsed = if is_plain_gb_mobile(national) {
            Ok(ParsedPhone {
                normalised: format!("44{national}"),
                uk: true,
                international: false,
                mobile: true,
            })
        } else {
            parse_digits(&digits)
        };
        let decided = match &parsed {
            Ok(p) if p.normalised == format!("44{national}") => Some(Decided::Valid {
                uk: p.uk,
                international: p.international,
                mobile: p.mobile,
            }),
            Ok(_) => None,
            Err(e) => Some(Decided::Invalid(*e)),
        };
        if let Some(decided) = decided {
            self.decided.insert((form, prefix), decided);
        }
        parsed
    }
}
#[cfg(test)]
mod fast_path_tests {
    #[test]
    fn the_metadata_patterns_compile() {
        assert!(super::PlainGbMobile::from_metadata().is_some());
        assert!(super::is_plain_gb_mobile("7723456789"));
    }
}
