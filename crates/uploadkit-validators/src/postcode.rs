//! UK postcodes: whitespace removed, upper-cased, checked against the UK's postcode areas
//! (with the forces' BF/BX and the Crown dependencies' JE, GY, IM), printed with a space before
//! the inward code.

use crate::whitespace::remove_all;

/// The postcode areas a real UK postcode starts with.
const AREAS: [&str; 126] = [
    "AB", "AL", "B", "BA", "BB", "BD", "BF", "BH", "BL", "BN", "BR", "BS", "BT", "BX", "CA", "CB",
    "CF", "CH", "CM", "CO", "CR", "CT", "CV", "CW", "DA", "DD", "DE", "DG", "DH", "DL", "DN", "DT",
    "DY", "E", "EC", "EH", "EN", "EX", "FK", "FY", "G", "GL", "GU", "GY", "HA", "HD", "HG", "HP",
    "HR", "HS", "HU", "HX", "IG", "IM", "IP", "IV", "JE", "KA", "KT", "KW", "KY", "L", "LA", "LD",
    "LE", "LL", "LN", "LS", "LU", "M", "ME", "MK", "ML", "N", "NE", "NG", "NN", "NP", "NR", "NW",
    "OL", "OX", "PA", "PE", "PH", "PL", "PO", "PR", "RG", "RH", "RM", "S", "SA", "SE", "SG", "SK",
    "SL", "SM", "SN", "SO", "SP", "SR", "SS", "ST", "SW", "SY", "TA", "TD", "TF", "TN", "TQ", "TR",
    "TS", "TW", "UB", "W", "WA", "WC", "WD", "WF", "WN", "WR", "WS", "WV", "YO", "ZE",
];

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
    let b = p.as_bytes();
    let letters = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
    if !(1..=2).contains(&letters) || !AREAS.contains(&&p[..letters]) {
        return false;
    }
    let rest = &b[letters..];
    // Outward district: a digit, then optionally a digit or letter; inward: digit + 2 letters.
    let inward_ok = |s: &[u8]| {
        s.len() == 3
            && s[0].is_ascii_digit()
            && s[1].is_ascii_uppercase()
            && s[2].is_ascii_uppercase()
    };
    match rest.len() {
        4 => rest[0].is_ascii_digit() && inward_ok(&rest[1..]),
        5 => rest[0].is_ascii_digit() && rest[1].is_ascii_alphanumeric() && inward_ok(&rest[2..]),
        _ => false,
    }
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
