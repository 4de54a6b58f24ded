//! The application's whitespace rules for a cell: surrounding whitespace, zero-width characters
//! and non-breaking spaces go.

/// Characters the app removes wherever they are (zero-width ones) or treats as spaces.
const OBSCURE_ZERO_WIDTH: [char; 6] = [
    '\u{180E}', '\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}',
];

/// Whether a character is one of the zero-width characters the app removes.
pub fn is_zero_width(c: char) -> bool {
    OBSCURE_ZERO_WIDTH.contains(&c)
}

/// Whether a character is whitespace by the app's rules (Unicode whitespace, NBSP, NNBSP and
/// the zero-width characters).
pub fn is_app_whitespace(c: char) -> bool {
    c.is_whitespace() || OBSCURE_ZERO_WIDTH.contains(&c) || c == '\u{00A0}' || c == '\u{202F}'
}

/// What the app removes from a cell wherever it is: the zero-width characters, the line and
/// paragraph separators, and the non-breaking spaces.
fn removed_everywhere(c: char) -> bool {
    OBSCURE_ZERO_WIDTH.contains(&c)
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{00A0}' | '\u{202F}')
}

/// Python's `string.whitespace`: the only characters the app trims from a cell's ends.
fn ascii_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

/// A cell as the app cleans it (`strip_and_remove_obscure_whitespace`): zero-width characters,
/// line and paragraph separators and non-breaking spaces removed everywhere, then ASCII
/// whitespace trimmed from both ends. Other Unicode spaces (an ideographic space, say) stay.
///
/// ```
/// use uploadkit_validators::whitespace::strip;
/// assert_eq!(strip("\u{200B} a b\u{FEFF}\n"), "a b");
/// assert_eq!(strip("a\u{00A0}b"), "ab");
/// assert_eq!(strip("a@b.com\u{3000}"), "a@b.com\u{3000}");
/// ```
pub fn strip(value: &str) -> String {
    // The removed characters are all outside ASCII: an ASCII cell (nearly every cell) is trimmed
    // without rebuilding it.
    if value.is_ascii() {
        return value.trim_matches(ascii_whitespace).to_owned();
    }
    let without: String = value.chars().filter(|c| !removed_everywhere(*c)).collect();
    without.trim_matches(ascii_whitespace).to_owned()
}

/// Removes every whitespace character.
pub fn remove_all(value: &str) -> String {
    value.chars().filter(|c| !is_app_whitespace(*c)).collect()
}

/// Python's `str.splitlines` line boundaries.
fn is_line_boundary(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r'
            | '\x0b'
            | '\x0c'
            | '\x1c'
            | '\x1d'
            | '\x1e'
            | '\u{85}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

/// The lines of a text as Python's `str.splitlines` gives them (`\r\n` is one break; no empty
/// line after a final break).
///
/// ```
/// use uploadkit_validators::whitespace::python_lines;
/// assert_eq!(python_lines("a\r\nb\u{2028}c\n"), ["a", "b", "c"]);
/// ```
pub fn python_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let end = rest.find(is_line_boundary).unwrap_or(rest.len());
        lines.push(&rest[..end]);
        rest = &rest[end..];
        if let Some(after) = rest.strip_prefix("\r\n") {
            rest = after;
        } else if let Some(c) = rest.chars().next() {
            rest = &rest[c.len_utf8()..];
        }
    }
    lines
}

/// The app's `normalise_whitespace`: non-breaking spaces as spaces, zero-width characters gone,
/// then every run of whitespace one space and the ends trimmed.
///
/// ```
/// use uploadkit_validators::whitespace::normalise_whitespace;
/// assert_eq!(normalise_whitespace(" a\u{00A0}\u{00A0}b\u{200B}c  "), "a bc");
/// ```
pub fn normalise_whitespace(line: &str) -> String {
    let line: String = line
        .chars()
        .filter(|c| !is_zero_width(*c))
        .map(|c| {
            if matches!(c, '\u{A0}' | '\u{202F}') {
                ' '
            } else {
                c
            }
        })
        .collect();
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The app's `remove_whitespace_before_punctuation`: every run of spaces and tabs just before a
/// `,` or `.` goes.
///
/// ```
/// use uploadkit_validators::whitespace::remove_space_before_punctuation;
/// assert_eq!(remove_space_before_punctuation("a , b ."), "a, b.");
/// ```
pub fn remove_space_before_punctuation(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending = String::new();
    for c in text.chars() {
        match c {
            ' ' | '\t' => pending.push(c),
            ',' | '.' => {
                pending.clear();
                out.push(c);
            }
            _ => {
                out.push_str(&pending);
                pending.clear();
                out.push(c);
            }
        }
    }
    out.push_str(&pending);
    out
}
