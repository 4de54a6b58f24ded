//! Phone numbers, by the application's rules (notifications-utils' `PhoneNumber`): parsed as a
//! UK number; when its length is not possible for the UK, read again as an international number
//! whose `+` was lost; valid only if libphonenumber's metadata knows it and its type is one the
//! app sends to (Ofcom's TV drama range excepted); and when any of that fails, tried once more
//! after the app's clean-up (every `+` and leading `0` removed, characters downgraded to ASCII).
//! Then a service's permissions decide: UK landlines and international numbers only when
//! allowed, and only to the country codes the app bills.
//!
//! The metadata is the `phonenumber` crate's (libphonenumber 9.0.33; the app pins the Python
//! port at 9.0.43). Where the crate departs from libphonenumber's own algorithms — region
//! choice, number type and possible lengths are computed from the national significant number
//! with its leading zeros here, as libphonenumber does — this module follows libphonenumber.

mod libphonenumber;

use std::collections::HashMap;
use std::sync::OnceLock;

use phonenumber::Type;
use regex::{Regex, RegexBuilder};

use libphonenumber::{Number, Possibility, parse, possibility, region, region_of, type_of};

/// Why a phone number was refused, with the app's code and message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// Letters or symbols.
    #[error("Mobile numbers can only include: 0 1 2 3 4 5 6 7 8 9 ( ) + -")]
    UnknownCharacter,
    /// Longer than any number of its country.
    #[error("Mobile number is too long")]
    TooLong,
    /// Shorter than any number of its country, or empty.
    #[error("Mobile number is too short")]
    TooShort,
    /// Not a number libphonenumber recognises, or of a type the app does not send to.
    #[error("Number is not valid – double check the phone number you entered")]
    InvalidNumber,
    /// Valid, but not something this service may send to.
    #[error(
        "This does not look like a UK mobile number – double check the mobile number you entered"
    )]
    NotAUkMobile,
    /// A country calling code libphonenumber does not know, or one the app does not send to.
    #[error("Country code not found - double check the mobile number you entered")]
    UnsupportedCountryCode,
}

impl PhoneError {
    /// The app's error code.
    pub fn code(self) -> &'static str {
        match self {
            Self::UnknownCharacter => "unknown_character",
            Self::TooLong => "too_long",
            Self::TooShort => "too_short",
            Self::InvalidNumber => "invalid_number",
            Self::NotAUkMobile => "not_a_uk_mobile",
            Self::UnsupportedCountryCode => "unsupported_country_code",
        }
    }
}

/// The country calling codes the app sends text messages to: the keys of notifications-utils'
/// `international_billing_rates.yml` (tag 127.0.0, MIT licence, Crown Copyright) that are
/// calling codes (its four-digit North American area codes sit under `1`).
const BILLED_COUNTRY_CODES: [u16; 202] = [
    1, 7, 20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52, 53, 54,
    55, 56, 57, 58, 60, 61, 62, 63, 64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98, 211,
    212, 213, 216, 218, 220, 221, 222, 223, 224, 225, 226, 227, 228, 229, 230, 231, 232, 233, 234,
    235, 236, 237, 238, 239, 240, 241, 242, 243, 244, 245, 246, 248, 249, 250, 251, 252, 253, 254,
    255, 256, 257, 258, 260, 261, 262, 263, 264, 265, 266, 267, 268, 269, 291, 297, 298, 299, 350,
    351, 352, 353, 354, 355, 356, 357, 358, 359, 370, 371, 372, 373, 374, 375, 376, 377, 378, 380,
    381, 382, 383, 385, 386, 387, 389, 420, 421, 423, 500, 501, 502, 503, 504, 505, 506, 507, 508,
    509, 590, 591, 592, 593, 594, 595, 596, 597, 598, 599, 670, 672, 673, 674, 675, 676, 677, 678,
    679, 680, 681, 682, 683, 685, 686, 687, 689, 690, 691, 692, 852, 853, 855, 856, 880, 886, 960,
    961, 962, 963, 964, 965, 966, 967, 968, 970, 971, 972, 973, 974, 975, 976, 977, 992, 993, 994,
    995, 996, 998,
];

/// The UK's calling code.
const UK: u16 = 44;

/// A parsed phone number: what the app's rules need to know about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedPhone {
    normalised: String,
    code: u16,
    /// Outside Great Britain's own region (other countries and the Crown dependencies).
    international: bool,
    /// A UK number of a type the app counts as a landline.
    landline: bool,
}

/// Characters the app's first reading allows: digits, `()+-` and its whitespace (Python's
/// `string.whitespace`, the zero-width characters and the two non-breaking spaces).
fn allowed_character(c: char) -> bool {
    matches!(
        c,
        '0'..='9'
            | '('
            | ')'
            | '+'
            | '-'
            | ' '
            | '\t'
            | '\n'
            | '\r'
            | '\x0b'
            | '\x0c'
            | '\u{180E}'
            | '\u{200B}'
            | '\u{200C}'
            | '\u{200D}'
            | '\u{2060}'
            | '\u{FEFF}'
            | '\u{00A0}'
            | '\u{202F}'
    )
}

/// Separators libphonenumber accepts between digits (its `VALID_PUNCTUATION`, as far as the
/// characters [`allowed_character`] lets through go): any other one makes the text "not a
/// number".
fn phone_punctuation(c: char) -> bool {
    matches!(
        c,
        '-' | ' ' | '(' | ')' | '\u{00A0}' | '\u{200B}' | '\u{2060}'
    )
}

/// The app's `SanitiseASCII` for the characters that can turn into ones a number may hold:
/// printable ASCII stays, dashes become `-`, non-breaking spaces and tabs a space, zero-width
/// characters and line or paragraph separators nothing; anything else (other control
/// characters, line breaks included) becomes `?` (a letter downgraded to its base letter would
/// be refused all the same).
fn downgrade(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            ' '..='~' => out.push(c),
            '\u{2011}' | '\u{2013}' | '\u{2014}' | '\u{2212}' => out.push('-'),
            '\u{00A0}' | '\u{202F}' | '\t' => out.push(' '),
            '\u{180E}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
            | '\u{2028}' | '\u{2029}' => {}
            _ => out.push('?'),
        }
    }
    out
}

/// The app's clean-up before its second reading: no `+` anywhere, no leading zeros, ASCII.
fn thoroughly_normalise(value: &str) -> String {
    downgrade(value.replace('+', "").trim_start_matches('0'))
}

/// The digits libphonenumber would read from `value`, with a leading `+` kept, or `None` where
/// it would call the text not a number: from the first `+` or digit, trailing separators
/// dropped, then only leading `+`s, digits and separators, with at least three digits (or
/// exactly two). Handing the crate this form keeps its parser on the text libphonenumber sees.
fn viable_digits(value: &str) -> Option<String> {
    let start = value.find(|c: char| c == '+' || c.is_ascii_digit())?;
    let text = value[start..].trim_end_matches(|c: char| !c.is_ascii_digit());
    let unsigned = text.trim_start_matches('+');
    let mut digits = String::with_capacity(text.len());
    if unsigned.len() < text.len() {
        digits.push('+');
    }
    for c in unsigned.chars() {
        match c {
            '0'..='9' => digits.push(c),
            c if phone_punctuation(c) => {}
            _ => return None,
        }
    }
    let count = digits.trim_start_matches('+').len();
    let exactly_two = count == 2 && text.len() == 2;
    (count >= 3 || exactly_two).then_some(digits)
}

impl Possibility {
    /// The app's error for a number that is not possible.
    fn error(self) -> PhoneError {
        match self {
            Self::TooLong => PhoneError::TooLong,
            Self::TooShort | Self::LocalOnly => PhoneError::TooShort,
            Self::InvalidCountryCode => PhoneError::UnsupportedCountryCode,
            Self::Possible | Self::InvalidLength => PhoneError::InvalidNumber,
        }
    }
}

/// Ofcom's range of UK numbers reserved for TV and radio drama, as the app matches it: a
/// national number starting `7700` and one more digit (libphonenumber calls them invalid).
fn is_tv_number(number: &Number) -> bool {
    let national = number.national.to_string();
    national.len() > 4 && national.starts_with("7700")
}

/// libphonenumber's `parse` of text the app lets through, `None` where it raises.
fn read(value: &str, default_region: Option<&str>) -> Option<Number> {
    let default = match default_region {
        Some(id) => Some(region(id)?),
        None => None,
    };
    parse(&viable_digits(value)?, default)
}

/// One reading of the app's `parse_phone_number`.
fn parse_once(value: &str) -> Result<Number, PhoneError> {
    if !value.chars().all(allowed_character) {
        return Err(PhoneError::UnknownCharacter);
    }
    if value.is_empty() {
        return Err(PhoneError::TooShort);
    }
    let mut number = read(value, Some("GB")).ok_or(PhoneError::InvalidNumber)?;
    let possible = possibility(&number);
    if possible != Possibility::Possible {
        // A spreadsheet program may have dropped the number's `+`.
        number = read(&format!("+{value}"), None)
            .filter(|n| {
                matches!(
                    possibility(n),
                    Possibility::Possible | Possibility::LocalOnly
                )
            })
            .ok_or(possible.error())?;
    }
    let sendable = matches!(
        type_of(&number),
        Type::FixedLine | Type::Mobile | Type::FixedLineOrMobile | Type::Uan | Type::PersonalNumber
    );
    if sendable || is_tv_number(&number) {
        Ok(number)
    } else {
        Err(PhoneError::InvalidNumber)
    }
}

/// Parses a phone number.
///
/// ```
/// use uploadkit_validators::phone::{parse_phone_number, PhoneError};
/// let n = parse_phone_number("07723 456789").unwrap();
/// assert_eq!(n.normalised(), "447723456789");
/// assert!(n.is_uk());
/// assert_eq!(parse_phone_number("0772345"), Err(PhoneError::TooShort));
/// ```
pub fn parse_phone_number(value: &str) -> Result<ParsedPhone, PhoneError> {
    let number = parse_once(value).or_else(|_| parse_once(&thoroughly_normalise(value)))?;
    Ok(ParsedPhone::from_number(&number))
}

impl ParsedPhone {
    fn from_number(number: &Number) -> Self {
        let tv = is_tv_number(number);
        let code = number.code;
        let gb = region_of(number).is_some_and(|meta| meta.id() == "GB");
        Self {
            normalised: number.e164(),
            code,
            international: !gb && !tv,
            landline: code == UK
                && matches!(
                    type_of(number),
                    Type::FixedLine | Type::FixedLineOrMobile | Type::Uan
                ),
        }
    }

    /// E.164 without the `+`.
    pub fn normalised(&self) -> &str {
        &self.normalised
    }

    /// Whether the number is in the UK numbering plan (+44, Crown dependencies included).
    pub fn is_uk(&self) -> bool {
        self.code == UK
    }

    /// Whether the number is outside Great Britain's own region (other countries, and the
    /// Crown dependencies' +44 numbers).
    pub fn is_international(&self) -> bool {
        self.international
    }

    /// Checks the number against a service's permissions, in the app's order: international,
    /// then UK landline, then a country the app sends to.
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
        if !allow_international && !self.is_uk() {
            return Err(PhoneError::NotAUkMobile);
        }
        if self.landline && !allow_uk_landline {
            return Err(PhoneError::NotAUkMobile);
        }
        if !BILLED_COUNTRY_CODES.contains(&self.code) {
            return Err(PhoneError::UnsupportedCountryCode);
        }
        Ok(())
    }
}

/// How a UK mobile was written: `07…`, `447…`, `+447…` or `00447…`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum UkForm {
    National,
    CountryCode,
    Plus,
    InternationalPrefix,
}

/// The national number (10 digits from `7`) of something shaped like a UK mobile, from the
/// digits (and leading `+`) libphonenumber reads.
fn uk_mobile_shape(digits: &str) -> Option<(UkForm, &str)> {
    let (form, national) = match digits.len() {
        11 if digits.starts_with("07") => (UkForm::National, &digits[1..]),
        12 if digits.starts_with("447") => (UkForm::CountryCode, &digits[2..]),
        13 if digits.starts_with("+447") => (UkForm::Plus, &digits[3..]),
        14 if digits.starts_with("00447") => (UkForm::InternationalPrefix, &digits[4..]),
        _ => return None,
    };
    national
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then_some((form, national))
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

/// A descriptor's pattern, matched as libphonenumber matches one (possible length, then the
/// whole pattern), held here so the fast path needs no lock or look-up.
struct DescriptorPattern {
    lengths: Vec<u16>,
    regex: Regex,
}

impl DescriptorPattern {
    fn new(descriptor: &phonenumber::metadata::Descriptor) -> Option<Self> {
        Some(Self {
            lengths: descriptor.possible_length().to_vec(),
            // The metadata's patterns are laid out over several lines, as the crate reads them.
            regex: RegexBuilder::new(&format!("^(?:{})$", descriptor.national_number().as_str()))
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
        let others = RegexBuilder::new(&format!("^(?:{})$", alternatives.join("|")))
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
        code: u16,
        international: bool,
        landline: bool,
    },
    Invalid(PhoneError),
}

/// Parses many numbers, as a spreadsheet has them, fast: a spreadsheet's UK mobiles share few
/// prefixes, and for a 10-digit `7…` number every step of the app's reading (possible length,
/// validity and type, region — GB, Guernsey, Jersey, the Isle of Man —, the TV range) depends
/// only on the first six national digits (the longest prefix in those regions' patterns; the
/// rest are `\d{n}`). The first number with a prefix is parsed (a plain GB mobile by its
/// metadata patterns, anything else in full) and its answer reused for the others written the
/// same way. Numbers with other characters, and every other number, are parsed in full.
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
        // Only text the app's first reading takes as it is, and reads as these digits.
        let digits = value
            .chars()
            .all(allowed_character)
            .then(|| viable_digits(value))
            .flatten();
        let Some((form, national)) = digits.as_deref().and_then(uk_mobile_shape) else {
            return parse_phone_number(value);
        };
        let Some(prefix) = national
            .get(..DECIDING_DIGITS)
            .and_then(|p| p.parse::<u32>().ok())
        else {
            return parse_phone_number(value);
        };
        let normalised = format!("44{national}");
        if let Some(decided) = self.decided.get(&(form, prefix)) {
            return match *decided {
                Decided::Valid {
                    code,
                    international,
                    landline,
                } => Ok(ParsedPhone {
                    normalised,
                    code,
                    international,
                    landline,
                }),
                Decided::Invalid(e) => Err(e),
            };
        }
        let parsed = if is_plain_gb_mobile(national) {
            Ok(ParsedPhone {
                normalised: normalised.clone(),
                code: UK,
                international: false,
                landline: false,
            })
        } else {
            parse_phone_number(value)
        };
        let decided = match &parsed {
            Ok(p) if p.normalised == normalised => Some(Decided::Valid {
                code: p.code,
                international: p.international,
                landline: p.landline,
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
