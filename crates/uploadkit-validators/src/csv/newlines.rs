//! The admin app's newline normalisation of an uploaded spreadsheet's text, applied before it
//! is validated (`Spreadsheet.normalise_newlines`: `"\r\n".join(text.splitlines())`).

/// Whether `c` ends a line for Python's `str.splitlines`.
fn breaks_line(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r'
            | '\u{0B}'
            | '\u{0C}'
            | '\u{1C}'
            | '\u{1D}'
            | '\u{1E}'
            | '\u{85}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

/// Every line break Python's `splitlines` knows (`\r\n` as one) becomes `\r\n`, and a break at the
/// very end is dropped, as the admin app does to a CSV before it checks it.
///
/// ```
/// use uploadkit_validators::csv::normalise_newlines;
/// assert_eq!(normalise_newlines("a\nb\r\nc\rd\u{2028}e\u{0B}f\n"), "a\r\nb\r\nc\r\nd\r\ne\r\nf");
/// assert_eq!(normalise_newlines("\"x\ny\"\n"), "\"x\r\ny\"");
/// assert_eq!(normalise_newlines("a\n\nb"), "a\r\n\r\nb");
/// ```
pub fn normalise_newlines(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 32);
    let mut chars = text.chars().peekable();
    let mut line_started = false;
    while let Some(c) = chars.next() {
        if breaks_line(c) {
            if c == '\r' && chars.peek() == Some(&'\n') {
                chars.next();
            }
            // A break ends a line; the join puts `\r\n` between lines, none after the last.
            out.push_str("\r\n");
            line_started = false;
        } else {
            out.push(c);
            line_started = true;
        }
    }
    if !line_started && out.ends_with("\r\n") {
        out.truncate(out.len() - 2);
    }
    out
}
