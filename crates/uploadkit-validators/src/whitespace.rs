//! The application's whitespace rules for a cell: surrounding whitespace, zero-width characters
//! and non-breaking spaces go.

/// Characters the app removes wherever they are (zero-width ones) or treats as spaces.
const OBSCURE_ZERO_WIDTH: [char; 6] = [
    '\u{180E}', '\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}',
];

/// Whether a character is whitespace by the app's rules (Unicode whitespace, NBSP, NNBSP and
/// the zero-width characters).
pub fn is_app_whitespace(c: char) -> bool {
    c.is_whitespace() || OBSCURE_ZERO_WIDTH.contains(&c) || c == '\u{00A0}' || c == '\u{202F}'
}

/// Removes zero-width characters everywhere and whitespace at both ends.
///
/// ```
/// assert_eq!(uploadkit_validators::whitespace::strip("\u{200B} a b\u{FEFF}\n"), "a b");
/// ```
pub fn strip(value: &str) -> String {
    // Zero-width characters are all outside ASCII: an ASCII cell (nearly every cell) is trimmed
    // without rebuilding it.
    if value.is_ascii() {
        return value.trim_matches(is_app_whitespace).to_owned();
    }
    let without: String = value
        .chars()
        .filter(|c| !OBSCURE_ZERO_WIDTH.contains(c))
        .collect();
    without.trim_matches(is_app_whitespace).to_owned()
}

/// Removes every whitespace character.
pub fn remove_all(value: &str) -> String {
    value.chars().filter(|c| !is_app_whitespace(*c)).collect()
}
