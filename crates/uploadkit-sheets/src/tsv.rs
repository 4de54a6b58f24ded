//! `.tsv` uploads: re-lined like a CSV, split as Python's `csv` module splits tab-separated
//! text, and every non-empty cell typed as pyexcel-io types CSV cells (ints, floats, dates).

use crate::SheetError;
use crate::csv_text::pyexcel_csv;
use crate::pattern::{self, comma_int, underscore_float, underscore_int};
use crate::value::{Date, Time, Value, parse_py_float, parse_py_int};

/// Strict UTF-8, or where it first fails.
pub(crate) fn utf8(bytes: &[u8]) -> Result<&str, SheetError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let byte = e.valid_up_to();
        let line = 1 + bytes[..byte].iter().filter(|b| **b == b'\n').count();
        SheetError::NotUtf8 { byte, line }
    })
}

pub(crate) fn convert(bytes: &[u8]) -> Result<String, SheetError> {
    let text = uploadkit_validators::csv::normalise_newlines(utf8(bytes)?);
    pyexcel_csv(|| {
        Records::new(&text).map(|record| Ok(record.into_iter().map(|cell| sniff(&cell))))
    })
}

/// Records of tab-separated text as CPython's `_csv.reader` (dialect `excel-tab`, not strict)
/// reads them from the text's lines: a blank line is a record with no fields, quotes count
/// only at the start of a field, `""` inside quotes is one quote, and text after a closing
/// quote joins the field.
struct Records<'a> {
    lines: std::str::SplitInclusive<'a, char>,
}

impl<'a> Records<'a> {
    fn new(text: &'a str) -> Self {
        Records {
            lines: text.split_inclusive('\n'),
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum State {
    StartRecord,
    StartField,
    InField,
    InQuotedField,
    QuoteInQuotedField,
    EatCrNl,
}

impl Iterator for Records<'_> {
    type Item = Vec<String>;

    fn next(&mut self) -> Option<Vec<String>> {
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut state = State::StartRecord;
        loop {
            let Some(line) = self.lines.next() else {
                // End of input: a field in progress (or an open quote) is the last one.
                if !field.is_empty() || state == State::InQuotedField {
                    fields.push(field);
                    return Some(fields);
                }
                return None;
            };
            for c in line.chars().map(Some).chain([None]) {
                let newline = matches!(c, Some('\n' | '\r'));
                let eol = c.is_none();
                let after_line = if eol {
                    State::StartRecord
                } else {
                    State::EatCrNl
                };
                state = match (state, c) {
                    (State::StartRecord, None) => State::StartRecord,
                    (State::StartRecord, _) if newline => State::EatCrNl,
                    (State::InQuotedField, None) => State::InQuotedField,
                    (State::InQuotedField, Some('"')) => State::QuoteInQuotedField,
                    (State::InQuotedField, Some(ch)) => {
                        field.push(ch);
                        State::InQuotedField
                    }
                    (State::EatCrNl, None) => State::StartRecord,
                    (State::EatCrNl, Some('\n' | '\r')) => State::EatCrNl,
                    // CPython raises here ("new-line character seen in unquoted field"); a line
                    // from `split_inclusive('\n')` ends at its newline, so it cannot.
                    (State::EatCrNl, Some(ch)) => {
                        field.push(ch);
                        State::InField
                    }
                    // A quote opens a quoted field only at the field's start; just after a
                    // closing quote, a second one is a quote in the text.
                    (State::StartRecord | State::StartField, Some('"')) => State::InQuotedField,
                    (State::QuoteInQuotedField, Some('"')) => {
                        field.push('"');
                        State::InQuotedField
                    }
                    // Anything else reads as unquoted text: a line end or a tab ends the field,
                    // any other character joins it (text after a closing quote too).
                    _ if newline || eol => {
                        fields.push(std::mem::take(&mut field));
                        after_line
                    }
                    (_, Some('\t')) => {
                        fields.push(std::mem::take(&mut field));
                        State::StartField
                    }
                    (_, Some(ch)) => {
                        field.push(ch);
                        State::InField
                    }
                    (_, None) => unreachable!("the end of a line is handled above"),
                };
            }
            if state == State::StartRecord {
                return Some(fields);
            }
        }
    }
}

/// Python's `str.startswith("0")` then pyexcel-io's conversions, in its order: int, float
/// (infinities ignored), date; otherwise the text.
fn sniff(cell: &str) -> Value {
    if cell.is_empty() {
        return Value::Text(String::new());
    }
    if let Some(int) = sniff_int(cell) {
        return Value::Int(int);
    }
    if let Some(float) = sniff_float(cell).filter(|f| !f.is_infinite()) {
        return Value::Float(float);
    }
    sniff_date(cell).unwrap_or_else(|| Value::Text(cell.to_owned()))
}

/// pyexcel-io's `detect_int_value`.
fn sniff_int(cell: &str) -> Option<String> {
    if cell.starts_with('0') && cell.chars().count() > 1 {
        return None;
    }
    if underscore_int(cell) {
        return None;
    }
    parse_py_int(cell).or_else(|| {
        comma_int(cell)
            .then(|| parse_py_int(&cell.replace(',', "")))
            .flatten()
    })
}

/// pyexcel-io's `detect_float_value` (with `nan` left as text).
fn sniff_float(cell: &str) -> Option<f64> {
    if cell.starts_with('0') && !cell.starts_with("0.") {
        return None;
    }
    if underscore_float(cell) || cell.to_lowercase() == "nan" {
        return None;
    }
    parse_py_float(cell)
}

/// pyexcel-io's `detect_date_value`: by length, `%Y-%m-%d` (10), `%Y-%m-%d %H:%M:%S` (19), or
/// the first 26 characters as `%Y-%m-%d %H:%M:%S.%f`; `strptime` must use the whole text.
fn sniff_date(cell: &str) -> Option<Value> {
    let (text, format) = match cell.chars().count() {
        10 => (cell, pattern::DATE),
        19 => (cell, pattern::DATE_TIME),
        n if n > 19 => {
            let end = cell.char_indices().nth(26).map_or(cell.len(), |(i, _)| i);
            (&cell[..end], pattern::DATE_TIME_FRACTION)
        }
        _ => return None,
    };
    let (fields, end) = pattern::match_format(format, text)?;
    if end != text.len() {
        return None;
    }
    let date = Date::new(i64::from(fields[0]), fields[1], fields[2])?;
    let [hour, minute, second] = match fields[3..] {
        [] => return Some(Value::Date(date)),
        [h, m, s, ..] => [h, m, s],
        _ => return None,
    };
    // `datetime()` refuses the leap seconds `%S` lets through.
    if second > 59 {
        return None;
    }
    let micro = fields.get(6).copied().unwrap_or(0);
    Some(Value::DateTime(
        date,
        Time {
            hour,
            minute,
            second,
            micro,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(text: &str) -> Vec<Vec<String>> {
        Records::new(text).collect()
    }

    #[test]
    fn records_split_as_python_csv_splits_them() {
        assert_eq!(
            records("a\tb\r\n\r\nc"),
            vec![vec!["a", "b"], vec![], vec!["c"]]
        );
        assert_eq!(records("\"x\ty\"\tz\r\n"), vec![vec!["x\ty", "z"]]);
        assert_eq!(records("\"a\r\nb\"\tc"), vec![vec!["a\r\nb", "c"]]);
        assert_eq!(records("\"ab\"c\td\"e\""), vec![vec!["abc", "d\"e\""]]);
        assert_eq!(records("\"say \"\"hi\"\"\""), vec![vec!["say \"hi\""]]);
        assert_eq!(records("a\t\r\n"), vec![vec!["a", ""]]);
        assert_eq!(records("\"open"), vec![vec!["open"]]);
        assert!(records("").is_empty());
    }

    #[test]
    fn cells_are_typed_as_pyexcel_types_them() {
        let text = |c: &str| sniff(c).to_text();
        assert_eq!(text("+447700900123"), "447700900123");
        assert_eq!(text("7,700,900,123"), "7700900123");
        assert_eq!(text(" 07700900124"), "7700900124");
        assert_eq!(text("07700900123"), "07700900123");
        assert_eq!(text("1.0"), "1.0");
        assert_eq!(text("1.50"), "1.5");
        assert_eq!(text("1e5"), "100000.0");
        assert_eq!(text(".5"), "0.5");
        assert_eq!(text("-0"), "0");
        assert_eq!(text("0.25"), "0.25");
        assert_eq!(text("2024-01-15"), "2024-01-15");
        assert_eq!(text("2024-1-15"), "2024-1-15");
        assert_eq!(text("2024-01- 5"), "2024-01-05");
        assert_eq!(text("2024-01-15 10:30:00"), "2024-01-15 10:30:00");
        assert_eq!(text("2024-01-15 10:30:00.5"), "2024-01-15 10:30:00.500000");
        assert_eq!(text("2024-02-30"), "2024-02-30");
        for kept in [
            "nan",
            "NaN",
            "inf",
            "-Infinity",
            "1_000",
            "TRUE",
            "1_0.5",
            "hello",
        ] {
            assert_eq!(text(kept), kept);
        }
        assert_eq!(text("1_0"), "10.0");
    }

    #[test]
    fn bad_utf8_is_placed() {
        assert_eq!(
            utf8(b"a\nb\n\xff"),
            Err(SheetError::NotUtf8 { byte: 4, line: 3 })
        );
    }
}
