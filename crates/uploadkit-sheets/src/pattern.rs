//! The few patterns the application's readers match cells and XML with, as small hand-written
//! matchers with the same results as Python's `re` (leftmost match, alternatives and repeats
//! tried in the pattern's order), so the browser package carries no regex engine. The tests
//! check each against the `regex` crate, whose leftmost-first matches are Python's.

/// pyexcel-io's `([0-9]+_)+[0-9]+$` (`re.match`): digit runs joined by single underscores.
pub(crate) fn underscore_int(text: &str) -> bool {
    let s = strip_final_newline(text);
    s.contains('_') && digit_runs(s, '_')
}

/// pyexcel-io's `([0-9]+,)*[0-9]+$`: digit runs joined by single commas.
pub(crate) fn comma_int(text: &str) -> bool {
    digit_runs(strip_final_newline(text), ',')
}

/// pyexcel-io's `([0-9]+_)+[0-9]+.[0-9]*$`: underscore-joined digits, any one character but a
/// newline, then digits.
pub(crate) fn underscore_float(text: &str) -> bool {
    let s = strip_final_newline(text);
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    // The last character that is not a digit must be the `.` one, if there is one; otherwise
    // any position whose tail is all digits will do.
    let tail_digits = chars
        .iter()
        .rev()
        .take_while(|(_, c)| c.is_ascii_digit())
        .count();
    let first_candidate = chars.len().saturating_sub(tail_digits + 1);
    (first_candidate..chars.len()).any(|i| {
        let (at, c) = chars[i];
        c != '\n' && underscore_int(&s[..at]) && !s[..at].ends_with('\n')
    })
}

/// Python's `$` also matches before a newline that ends the text.
fn strip_final_newline(text: &str) -> &str {
    text.strip_suffix('\n').unwrap_or(text)
}

/// Non-empty ASCII digit runs joined by single `sep`s, nothing else.
fn digit_runs(s: &str, sep: char) -> bool {
    !s.is_empty()
        && s.split(sep)
            .all(|run| !run.is_empty() && run.bytes().all(|b| b.is_ascii_digit()))
}

/// One `strptime` directive (or literal) and the alternatives its pattern tries, in order.
#[derive(Clone, Copy)]
pub(crate) enum Part {
    Literal(char),
    /// `\s+`: one or more white space characters, as many as possible first.
    Space,
    /// A numeric field: its alternatives, each a list of character classes.
    Field(&'static [&'static [Class]]),
    /// `%f`: one to six digits, as many as possible first.
    Fraction,
}

#[derive(Clone, Copy)]
pub(crate) enum Class {
    /// One digit in the inclusive range.
    Digit(u8, u8),
    /// A space.
    Space,
}

use Class::{Digit, Space};
const ANY: Class = Digit(b'0', b'9');
/// `(\d\d\d\d)`
const YEAR: &[&[Class]] = &[&[ANY, ANY, ANY, ANY]];
/// `1[0-2]|0[1-9]|[1-9]`
const MONTH: &[&[Class]] = &[
    &[Digit(b'1', b'1'), Digit(b'0', b'2')],
    &[Digit(b'0', b'0'), Digit(b'1', b'9')],
    &[Digit(b'1', b'9')],
];
/// `3[01]|[12]\d|0[1-9]|[1-9]| [1-9]`
const DAY: &[&[Class]] = &[
    &[Digit(b'3', b'3'), Digit(b'0', b'1')],
    &[Digit(b'1', b'2'), ANY],
    &[Digit(b'0', b'0'), Digit(b'1', b'9')],
    &[Digit(b'1', b'9')],
    &[Space, Digit(b'1', b'9')],
];
/// `2[0-3]|[0-1]\d|\d`
const HOUR: &[&[Class]] = &[
    &[Digit(b'2', b'2'), Digit(b'0', b'3')],
    &[Digit(b'0', b'1'), ANY],
    &[ANY],
];
/// `[0-5]\d|\d`
const MINUTE: &[&[Class]] = &[&[Digit(b'0', b'5'), ANY], &[ANY]];
/// `6[0-1]|[0-5]\d|\d`
const SECOND: &[&[Class]] = &[
    &[Digit(b'6', b'6'), Digit(b'0', b'1')],
    &[Digit(b'0', b'5'), ANY],
    &[ANY],
];

/// `%Y-%m-%d`
pub(crate) const DATE: &[Part] = &[
    Part::Field(YEAR),
    Part::Literal('-'),
    Part::Field(MONTH),
    Part::Literal('-'),
    Part::Field(DAY),
];
/// `%Y-%m-%d %H:%M:%S`
pub(crate) const DATE_TIME: &[Part] = &[
    Part::Field(YEAR),
    Part::Literal('-'),
    Part::Field(MONTH),
    Part::Literal('-'),
    Part::Field(DAY),
    Part::Space,
    Part::Field(HOUR),
    Part::Literal(':'),
    Part::Field(MINUTE),
    Part::Literal(':'),
    Part::Field(SECOND),
];
/// `%Y-%m-%d %H:%M:%S.%f`
pub(crate) const DATE_TIME_FRACTION: &[Part] = &[
    Part::Field(YEAR),
    Part::Literal('-'),
    Part::Field(MONTH),
    Part::Literal('-'),
    Part::Field(DAY),
    Part::Space,
    Part::Field(HOUR),
    Part::Literal(':'),
    Part::Field(MINUTE),
    Part::Literal(':'),
    Part::Field(SECOND),
    Part::Literal('.'),
    Part::Fraction,
];

/// `strptime`'s regex match of `format` at the start of `text` (not anchored at the end, as
/// `re.match`): the numeric fields matched, and where the match ends. `None` if it does not match.
pub(crate) fn match_format(format: &[Part], text: &str) -> Option<(Vec<u32>, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let mut fields = Vec::new();
    let end = match_parts(format, &chars, 0, &mut fields)?;
    let byte_end = chars[..end].iter().map(|c| c.len_utf8()).sum();
    Some((fields, byte_end))
}

fn match_parts(parts: &[Part], text: &[char], at: usize, fields: &mut Vec<u32>) -> Option<usize> {
    let Some((part, rest)) = parts.split_first() else {
        return Some(at);
    };
    match *part {
        Part::Literal(c) => {
            if text.get(at) == Some(&c) {
                match_parts(rest, text, at + 1, fields)
            } else {
                None
            }
        }
        Part::Space => {
            let run = text[at.min(text.len())..]
                .iter()
                .take_while(|c| c.is_whitespace())
                .count();
            (1..=run)
                .rev()
                .find_map(|n| match_parts(rest, text, at + n, fields))
        }
        Part::Fraction => {
            let run = text[at.min(text.len())..]
                .iter()
                .take(6)
                .take_while(|c| c.is_ascii_digit())
                .count();
            (1..=run).rev().find_map(|n| {
                let digits: String = text[at..at + n].iter().collect();
                let micro = digits.parse::<u32>().ok()? * 10u32.pow(6 - n as u32);
                fields.push(micro);
                let matched = match_parts(rest, text, at + n, fields);
                if matched.is_none() {
                    fields.pop();
                }
                matched
            })
        }
        Part::Field(alternatives) => alternatives.iter().find_map(|classes| {
            let end = at + classes.len();
            let slice = text.get(at..end)?;
            let fits = classes.iter().zip(slice).all(|(class, c)| match class {
                Digit(lo, hi) => (char::from(*lo)..=char::from(*hi)).contains(c),
                Space => *c == ' ',
            });
            if !fits {
                return None;
            }
            let value: String = slice.iter().filter(|c| **c != ' ').collect();
            fields.push(value.parse().ok()?);
            let matched = match_parts(rest, text, end, fields);
            if matched.is_none() {
                fields.pop();
            }
            matched
        }),
    }
}

/// The first match of Python's `(<open.*?</.*?close)` (no `re.DOTALL`, so `.` stops at a line
/// break) in `hay` from `from`: `(start, end)`. pyexcel-odsr finds tables and rows with it.
pub(crate) fn find_element(
    hay: &[u8],
    from: usize,
    open: &[u8],
    close: &[u8],
) -> Option<(usize, usize)> {
    let mut search = from;
    loop {
        let start = search + find(&hay[search..], open)?;
        let after_open = start + open.len();
        let line_end = hay[after_open..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(hay.len(), |i| after_open + i);
        let line = &hay[..line_end];
        // The first `</` after the opening (on its line) followed later on the line by `close`:
        // if the first `</` has none after it, no later one does.
        if let Some(slash) = find(&line[after_open..], b"</").map(|i| after_open + i)
            && let Some(end) = find(&line[slash + 2..], close).map(|i| slash + 2 + i + close.len())
        {
            return Some((start, end));
        }
        search = start + 1;
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use regex::Regex;

    fn python_match(pattern: &str, text: &str) -> bool {
        Regex::new(&format!(r"\A(?:{pattern})\n?\z"))
            .unwrap()
            .is_match(text)
    }

    proptest! {
        #[test]
        fn cell_patterns_agree_with_a_regex_engine(text in "[0-9_,.x\n]{0,8}") {
            prop_assert_eq!(underscore_int(&text), python_match("([0-9]+_)+[0-9]+", &text));
            prop_assert_eq!(comma_int(&text), python_match("([0-9]+,)*[0-9]+", &text));
            prop_assert_eq!(underscore_float(&text), python_match("([0-9]+_)+[0-9]+.[0-9]*", &text));
        }

        #[test]
        fn date_formats_agree_with_strptime_patterns(text in "[0-9]{4}-[0-9 ]{1,3}-[0-9 ]{1,3}( {1,2}[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\\.[0-9]{0,7})?)?x?") {
            let ymd = r"(\d\d\d\d)-(1[0-2]|0[1-9]|[1-9])-(3[01]|[12]\d|0[1-9]|[1-9]| [1-9])";
            let hms = r"\s+(2[0-3]|[0-1]\d|\d):([0-5]\d|\d):(6[0-1]|[0-5]\d|\d)";
            for (format, pattern) in [
                (DATE, ymd.to_owned()),
                (DATE_TIME, format!("{ymd}{hms}")),
                (DATE_TIME_FRACTION, format!(r"{ymd}{hms}\.([0-9]{{1,6}})")),
            ] {
                let re = Regex::new(&format!(r"\A{pattern}")).unwrap();
                let want = re.captures(&text).map(|c| {
                    let mut fields: Vec<u32> = c.iter().skip(1).flatten().map(|m| m.as_str().trim().parse().unwrap()).collect();
                    if let (Some(f), Some(last)) = (c.get(7), fields.last_mut()) {
                        *last *= 10u32.pow(6 - f.as_str().len() as u32);
                    }
                    (fields, c.get(0).unwrap().end())
                });
                prop_assert_eq!(match_format(format, &text), want, "{}", pattern);
            }
        }

        #[test]
        fn elements_are_found_as_the_pattern_finds_them(hay in "(<t:t|</|:t>|x|\n){0,12}") {
            let re = regex::bytes::Regex::new(r"(?-u)<t:t.*?</.*?:t>").unwrap();
            let want: Vec<(usize, usize)> = re.find_iter(hay.as_bytes()).map(|m| (m.start(), m.end())).collect();
            let mut got = Vec::new();
            let mut at = 0;
            while let Some((start, end)) = find_element(hay.as_bytes(), at, b"<t:t", b":t>") {
                got.push((start, end));
                at = end;
            }
            prop_assert_eq!(got, want);
        }
    }
}
