//! A cell's value as the application's readers hand it over (Python objects), and the text
//! `str()` makes of it, which is what the application writes into its CSV.

use std::fmt::Write as _;

/// One cell, as the application's spreadsheet readers type it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// `None`: no cell, or a cell without a value.
    Empty,
    /// A string, exactly as stored.
    Text(String),
    /// A string from a workbook's shared-string table, shared by every cell that uses it.
    Shared(std::rc::Rc<str>),
    /// An integer, as Python's `str(int)` writes it (digits, `-` when negative).
    Int(String),
    /// A float, written as Python's `repr`.
    Float(f64),
    /// `True` / `False`.
    Bool(bool),
    /// A `datetime.date`.
    Date(Date),
    /// A `datetime.datetime`.
    DateTime(Date, Time),
    /// A `datetime.time`.
    Time(Time),
    /// A `datetime.timedelta` in microseconds.
    Duration(i128),
}

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Date {
    pub year: i64,
    pub month: u32,
    pub day: u32,
}

/// A time of day with microseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Time {
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub micro: u32,
}

impl Time {
    /// A time from microseconds since midnight (`< 86_400_000_000`).
    pub(crate) fn from_micros(us: u64) -> Self {
        let secs = us / 1_000_000;
        Time {
            hour: (secs / 3600) as u32,
            minute: (secs / 60 % 60) as u32,
            second: (secs % 60) as u32,
            micro: (us % 1_000_000) as u32,
        }
    }
}

impl Date {
    /// The date `days` after 1970-01-01 (proleptic Gregorian).
    pub(crate) fn from_unix_days(days: i64) -> Self {
        // Howard Hinnant's civil-from-days.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date { year, month, day }
    }

    /// Days from 1970-01-01 to this date.
    pub(crate) fn unix_days(self) -> i64 {
        let y = self.year - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// Day 0 of a workbook's serial dates: 1899-12-30 (so that Excel's day 1 is 1900-01-01 once
    /// its fictitious 1900-02-29 is counted), or 1904-01-01 in the 1904 date system.
    pub(crate) fn excel_epoch(epoch_1904: bool) -> Self {
        if epoch_1904 {
            Date {
                year: 1904,
                month: 1,
                day: 1,
            }
        } else {
            Date {
                year: 1899,
                month: 12,
                day: 30,
            }
        }
    }

    /// Whether Python's `datetime` can hold this date (years 1 to 9999).
    pub(crate) fn in_python_range(self) -> bool {
        (1..=9999).contains(&self.year)
    }

    /// A valid calendar date, or `None`.
    pub(crate) fn new(year: i64, month: u32, day: u32) -> Option<Self> {
        let date = Date { year, month, day };
        let valid = (1..=12).contains(&month)
            && day >= 1
            && Date::from_unix_days(date.unix_days()) == date
            && date.in_python_range();
        valid.then_some(date)
    }
}

impl Value {
    /// Whether pyexcel counts the cell as empty when it trims a row's trailing cells
    /// (`None` or `""`).
    pub(crate) fn is_empty(&self) -> bool {
        match self {
            Value::Empty => true,
            Value::Text(t) => t.is_empty(),
            Value::Shared(t) => t.is_empty(),
            _ => false,
        }
    }

    /// Whether `str(value).strip()` is empty (`None` counts as `""`).
    pub(crate) fn is_blank(&self) -> bool {
        match self {
            Value::Empty => true,
            Value::Text(t) => t.chars().all(py_isspace),
            Value::Shared(t) => t.chars().all(py_isspace),
            _ => false,
        }
    }

    /// `str(value)`, with `None` as the empty field `csv.writer` makes of it.
    pub(crate) fn to_text(&self) -> String {
        match self {
            Value::Empty => String::new(),
            Value::Text(t) => t.clone(),
            Value::Shared(t) => t.to_string(),
            Value::Int(digits) => digits.clone(),
            Value::Float(f) => float_repr(*f),
            Value::Bool(true) => "True".into(),
            Value::Bool(false) => "False".into(),
            Value::Date(d) => date_text(*d),
            Value::DateTime(d, t) => format!("{} {}", date_text(*d), time_text(*t)),
            Value::Time(t) => time_text(*t),
            Value::Duration(us) => duration_text(*us),
        }
    }
}

/// Python's `str.isspace` for one character: Unicode white space and the four information
/// separators `\x1c`–`\x1f`.
pub(crate) fn py_isspace(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

fn date_text(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
}

fn time_text(t: Time) -> String {
    let mut s = format!("{:02}:{:02}:{:02}", t.hour, t.minute, t.second);
    if t.micro != 0 {
        let _ = write!(s, ".{:06}", t.micro);
    }
    s
}

/// `str(datetime.timedelta(microseconds=us))`: `[D day[s], ]H:MM:SS[.ffffff]`, days floored.
fn duration_text(us: i128) -> String {
    let day_us = 86_400_000_000i128;
    let days = us.div_euclid(day_us);
    let rest = us.rem_euclid(day_us) as u64;
    let t = Time::from_micros(rest);
    let mut s = String::new();
    if days != 0 {
        let plural = if days.abs() == 1 { "" } else { "s" };
        let _ = write!(s, "{days} day{plural}, ");
    }
    let _ = write!(s, "{}:{:02}:{:02}", t.hour, t.minute, t.second);
    if t.micro != 0 {
        let _ = write!(s, ".{:06}", t.micro);
    }
    s
}

/// Python's `repr(float)`: the shortest digits that read back as the same float, in fixed
/// notation with at least one decimal when the exponent is in -4..16, otherwise as `1e+20`.
///
/// ```text
/// 1.0 → "1.0"   0.1 + 0.2 → "0.30000000000000004"   1e20 → "1e+20"   1e-5 → "1e-05"
/// ```
pub(crate) fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.into();
    }
    // Rust's `{:e}` prints the same shortest round-trip digits Python chooses.
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if f.is_sign_negative() { "-" } else { "" };
    if (-4..16).contains(&exp) {
        let mut out = String::from(sign);
        if exp >= 0 {
            let int_len = exp as usize + 1;
            if digits.len() <= int_len {
                out.push_str(&digits);
                out.extend(std::iter::repeat_n('0', int_len - digits.len()));
                out.push_str(".0");
            } else {
                out.push_str(&digits[..int_len]);
                out.push('.');
                out.push_str(&digits[int_len..]);
            }
        } else {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-exp - 1) as usize));
            out.push_str(&digits);
        }
        out
    } else {
        let (first, rest) = digits.split_at(1);
        let dot = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let exp_sign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{first}{dot}e{exp_sign}{:02}", exp.abs())
    }
}

/// Python's `int(text)` for the text a spreadsheet stores: optional surrounding white space, an
/// optional sign, ASCII digits with single underscores between them. `None` if Python refuses it.
pub(crate) fn parse_py_int(text: &str) -> Option<String> {
    let t = text.trim_matches(py_isspace);
    let (negative, body) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    if body.is_empty() || body.starts_with('_') || body.ends_with('_') || body.contains("__") {
        return None;
    }
    if !body.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
        return None;
    }
    let digits: String = body.chars().filter(|c| *c != '_').collect();
    let trimmed = digits.trim_start_matches('0');
    Some(match (trimmed.is_empty(), negative) {
        (true, _) => "0".into(),
        (false, true) => format!("-{trimmed}"),
        (false, false) => trimmed.into(),
    })
}

/// Python's `float(text)`: surrounding white space, underscores between digits, `inf`/`nan`
/// spellings. `None` if Python refuses it.
pub(crate) fn parse_py_float(text: &str) -> Option<f64> {
    let t = text.trim_matches(py_isspace);
    let lower = t.to_ascii_lowercase();
    let unsigned = lower.trim_start_matches(['+', '-']);
    if lower.len() - unsigned.len() > 1 {
        return None;
    }
    let negative = lower.starts_with('-');
    let special = match unsigned {
        "inf" | "infinity" => Some(f64::INFINITY),
        "nan" => Some(f64::NAN),
        _ => None,
    };
    if let Some(v) = special {
        return Some(if negative { -v } else { v });
    }
    // Underscores only between two digits.
    let bytes = unsigned.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'_' {
            let before = i.checked_sub(1).and_then(|j| bytes.get(j));
            let after = bytes.get(i + 1);
            if !(before.is_some_and(u8::is_ascii_digit) && after.is_some_and(u8::is_ascii_digit)) {
                return None;
            }
        } else if !(b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'+' | b'-')) {
            return None;
        }
    }
    let cleaned: String = lower.chars().filter(|c| *c != '_').collect();
    cleaned.parse::<f64>().ok()
}

/// Python's `float(x) == math.floor(x)` made into `int(x)` and written: the integral floats
/// pyexcel turns into ints. `None` when the float is not integral (or not finite).
pub(crate) fn integral_float_text(f: f64) -> Option<String> {
    if !f.is_finite() || f.floor() != f {
        return None;
    }
    if f.abs() < 1e18 {
        return Some(format!("{}", f as i64));
    }
    // `{:.0}` prints an integral float's exact decimal value, as Python's int() of it does.
    Some(format!("{f:.0}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_are_written_as_python_writes_them() {
        for (f, text) in [
            (1.0, "1.0"),
            (1.5, "1.5"),
            (100000.0, "100000.0"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1e20, "1e+20"),
            (1e16, "1e+16"),
            (1234567890123456.0, "1234567890123456.0"),
            (12345678901234567.0, "1.2345678901234568e+16"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-0.0, "-0.0"),
            (7700900123.0, "7700900123.0"),
            (447700900123.0, "447700900123.0"),
            (2.0f64 / 3.0, "0.6666666666666666"),
            (-1.25e-7, "-1.25e-07"),
        ] {
            assert_eq!(float_repr(f), text, "{f}");
        }
    }

    #[test]
    fn ints_and_floats_are_read_as_python_reads_them() {
        assert_eq!(parse_py_int(" 0077 ").as_deref(), Some("77"));
        assert_eq!(parse_py_int("-0").as_deref(), Some("0"));
        assert_eq!(
            parse_py_int("+447700900123").as_deref(),
            Some("447700900123")
        );
        assert_eq!(parse_py_int("1_000").as_deref(), Some("1000"));
        assert_eq!(parse_py_int("1__0"), None);
        assert_eq!(parse_py_int("1.0"), None);
        assert_eq!(parse_py_int(""), None);
        assert_eq!(parse_py_float(" 1e5 "), Some(1e5));
        assert_eq!(parse_py_float(".5"), Some(0.5));
        assert_eq!(parse_py_float("1_0.5"), Some(10.5));
        assert_eq!(parse_py_float("1._5"), None);
        assert!(parse_py_float("-Infinity").is_some_and(|f| f == f64::NEG_INFINITY));
        assert_eq!(parse_py_float("1,5"), None);
        assert_eq!(
            integral_float_text(1e20).as_deref(),
            Some("100000000000000000000")
        );
        assert_eq!(
            integral_float_text(12345678901234567.0).as_deref(),
            Some("12345678901234568")
        );
        assert_eq!(integral_float_text(-0.0).as_deref(), Some("0"));
        assert_eq!(integral_float_text(1.5), None);
    }

    #[test]
    fn dates_times_and_durations() {
        assert_eq!(
            Date::from_unix_days(0),
            Date {
                year: 1970,
                month: 1,
                day: 1
            }
        );
        let d = Date {
            year: 2024,
            month: 2,
            day: 29,
        };
        assert_eq!(Date::from_unix_days(d.unix_days()), d);
        assert_eq!(Date::new(2023, 2, 29), None);
        assert_eq!(Date::new(2024, 2, 29), Some(d));
        let t = Time::from_micros(37_815_500_000);
        assert_eq!(
            Value::DateTime(d, t).to_text(),
            "2024-02-29 10:30:15.500000"
        );
        assert_eq!(Value::Duration(90_000_000_000).to_text(), "1 day, 1:00:00");
        assert_eq!(Value::Duration(-1).to_text(), "-1 day, 23:59:59.999999");
        assert_eq!(Value::Duration(3_600_000_000).to_text(), "1:00:00");
    }
}
