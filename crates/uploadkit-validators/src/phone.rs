//! Phone numbers, by the application's rules: digits, whitespace, `()+-` only; parsed as a UK
//! number first and as an international one (`+…`) if that fails, with libphonenumber's
//! metadata (the `phonenumber` crate, metadata 9.0.33); UK mobiles always allowed, UK
//! landlines and international numbers only when the service allows them.

use phonenumber::{Mode, PhoneNumber, Type, country};

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

/// A parsed phone number.
#[derive(Debug, Clone)]
pub struct ParsedPhone {
    number: PhoneNumber,
    tv: bool,
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
    if let Some(number) = parse_valid(&digits, Some(country::Id::GB)) {
        return Ok(ParsedPhone { number, tv: false });
    }
    let as_uk = phonenumber::parse(Some(country::Id::GB), &digits).ok();
    if let Some(number) = as_uk.as_ref().filter(|n| {
        let national = n.national().to_string();
        n.code().value() == 44
            && national.len() == MAX_UK_NATIONAL
            && national.starts_with(TV_MOBILE_PREFIX)
    }) {
        return Ok(ParsedPhone {
            number: number.clone(),
            tv: true,
        });
    }
    // Then as an international number, with or without its `00` international prefix.
    let international = std::iter::once(format!("+{digits}"))
        .chain(digits.strip_prefix("00").map(|d| format!("+{d}")));
    for candidate in international {
        if let Some(number) = parse_valid(&candidate, None) {
            return Ok(ParsedPhone { number, tv: false });
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
    pub fn normalised(&self) -> String {
        self.number
            .format()
            .mode(Mode::E164)
            .to_string()
            .trim_start_matches('+')
            .to_owned()
    }

    /// Whether the number is in the UK numbering plan (+44, Crown dependencies included).
    pub fn is_uk(&self) -> bool {
        self.number.code().value() == 44
    }

    /// Whether the number is outside Great Britain's own region (other countries, and the
    /// Crown dependencies' +44 numbers).
    pub fn is_international(&self) -> bool {
        !self.tv && self.number.country().id() != Some(country::Id::GB)
    }

    fn is_mobile(&self) -> bool {
        self.tv
            || matches!(
                self.number.number_type(&phonenumber::metadata::DATABASE),
                Type::Mobile
            )
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
        if self.is_mobile() || allow_uk_landline {
            Ok(())
        } else {
            Err(PhoneError::NotAUkMobile)
        }
    }
}
