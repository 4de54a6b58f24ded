//! UK postcodes: whitespace removed, upper-cased, checked against the app's list of UK postcode
//! areas (with the forces' BF/BX and the Crown dependencies' JE, GY, IM) and its unit letters,
//! printed with a space before the inward code.

use crate::postal::countries::POSTCODE_AREAS;
use crate::whitespace::remove_all;

/// The postcode without whitespace, upper-cased.
pub fn normalise_postcode(value: &str) -> String {
    remove_all(value).to_uppercase()
}

/// Whether a value is a real UK postcode: area, district (`9`, `99` or `9A`), sector digit and
/// two unit letters.
///
/// ```
/// use uploadkit_validators::postcode::is_a_real_uk_postcode;
/// assert!(is_a_real_uk_postcode("sw1a 1aa"));
/// assert!(!is_a_real_uk_postcode("NF1 1AA"));
/// ```
pub fn is_a_real_uk_postcode(value: &str) -> bool {
    let p = normalise_postcode(value);
    // Area, district digit, optional district digit or letter, sector digit, two unit letters
    // (never C, I, K, M, O or V): any area the app lists may start it.
    let unit = |c: u8| c.is_ascii_uppercase() && !b"CIKMOV".contains(&c);
    POSTCODE_AREAS.iter().any(|area| {
        let Some(rest) = p.strip_prefix(area) else {
            return false;
        };
        let b = rest.as_bytes();
        let inward = |s: &[u8]| s.len() == 3 && s[0].is_ascii_digit() && unit(s[1]) && unit(s[2]);
        match b.len() {
            4 => b[0].is_ascii_digit() && inward(&b[1..]),
            5 => {
                b[0].is_ascii_digit()
                    && (b[1].is_ascii_digit() || b[1].is_ascii_uppercase())
                    && inward(&b[2..])
            }
            _ => false,
        }
    })
}

/// The postcode as printed on a letter (`SW1A 1AA`), or `None` if it is not a real UK postcode.
///
/// ```
/// use uploadkit_validators::postcode::format_postcode_or_none;
/// assert_eq!(format_postcode_or_none("se1 63ef").as_deref(), Some("SE16 3EF"));
/// assert_eq!(format_postcode_or_none("BFPO 1234"), None);
/// ```
pub fn format_postcode_or_none(value: &str) -> Option<String> {
    if !is_a_real_uk_postcode(value) {
        return None;
    }
    let p = normalise_postcode(value);
    let (outward, inward) = p.split_at(p.len() - 3);
    Some(format!("{outward} {inward}"))
}
