//! `.xls` workbooks (BIFF8), read by calamine and typed as the application's reader types them
//! (pyexcel-xls over xlrd): the first sheet not hidden; whole numbers as ints; date-formatted
//! numbers as dates (a date alone when the time is midnight, seconds rounded); booleans as `1` /
//! `0`; error cells as `#N/A`; merged cells left to their top-left cell; hidden rows and columns
//! read like any other.

use std::io::Cursor;

use calamine::{Data, Reader, SheetType, SheetVisible, Xls, XlsError};

use crate::csv_text::pyexcel_csv;
use crate::value::{Date, Time, Value, integral_float_text};
use crate::{Format, SheetError};

/// The first bytes of a zip archive (an .xlsx, .xlsm or .ods).
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

pub(crate) fn convert(bytes: &[u8]) -> Result<String, SheetError> {
    if bytes.starts_with(ZIP_MAGIC) {
        return Err(SheetError::ZipNamedXls);
    }
    let damaged = |detail: String| SheetError::Damaged {
        format: Format::Xls,
        detail,
    };
    let mut book = Xls::new(Cursor::new(bytes)).map_err(|e| match e {
        XlsError::Password => SheetError::Encrypted {
            format: Format::Xls,
        },
        XlsError::Cfb(_) => SheetError::Damaged {
            format: Format::Xls,
            detail: "it is not an Excel 97–2003 workbook".into(),
        },
        other => damaged(other.to_string()),
    })?;
    let epoch_1904 = book.has_1904_epoch();
    let Some(name) = book
        .sheets_metadata()
        .iter()
        .find(|s| s.visible == SheetVisible::Visible && s.typ == SheetType::WorkSheet)
        .map(|s| s.name.clone())
    else {
        return Ok(String::new());
    };
    let range = book
        .worksheet_range(&name)
        .map_err(|e| damaged(e.to_string()))?;
    // xlrd's grid starts at A1: its row and column counts run to the last cell.
    let (rows, columns) = match range.end() {
        Some((r, c)) => (r as usize + 1, c as usize + 1),
        None => (0, 0),
    };
    let cell = |r: usize, c: usize| -> Result<Value, SheetError> {
        let data = range
            .get_value((r as u32, c as u32))
            .unwrap_or(&Data::Empty);
        typed(data, epoch_1904).map_err(damaged)
    };
    pyexcel_csv(|| {
        (0..rows).map(move |r| {
            (0..columns)
                .map(|c| cell(r, c))
                .collect::<Result<Vec<_>, _>>()
        })
    })
}

/// One cell as pyexcel-xls hands it over.
fn typed(data: &Data, epoch_1904: bool) -> Result<Value, String> {
    Ok(match data {
        Data::Empty => Value::Text(String::new()),
        Data::String(s) => Value::Text(s.clone()),
        Data::Int(i) => Value::Int(i.to_string()),
        Data::Float(f) => integral_float_text(*f).map_or(Value::Float(*f), Value::Int),
        Data::Bool(b) => Value::Int(if *b { "1" } else { "0" }.into()),
        Data::Error(_) => Value::Text("#N/A".into()),
        Data::DateTime(dt) => xl_date(dt.as_f64(), epoch_1904)?,
        Data::DateTimeIso(s) | Data::DurationIso(s) => Value::Text(s.clone()),
    })
}

/// xlrd's `xldate_as_tuple` then pyexcel-xls's choice of date, time or datetime.
fn xl_date(serial: f64, epoch_1904: bool) -> Result<Value, String> {
    if serial == 0.0 {
        return Ok(Value::DateTime(
            Date {
                year: 1900,
                month: 1,
                day: 1,
            },
            Time {
                hour: 0,
                minute: 0,
                second: 0,
                micro: 0,
            },
        ));
    }
    if serial < 0.0 || !serial.is_finite() {
        return Err(format!("the date {serial} is negative"));
    }
    let mut days = serial.trunc();
    let seconds = ((serial - days) * 86_400.0).round_ties_even() as u64;
    let time = if seconds >= 86_400 {
        days += 1.0;
        Time::from_micros(0)
    } else {
        Time::from_micros(seconds * 1_000_000)
    };
    let too_large = if epoch_1904 {
        2_958_466.0 - 1462.0
    } else {
        2_958_466.0
    };
    if days >= too_large {
        return Err(format!("the date {serial} is too large"));
    }
    if days == 0.0 {
        return Ok(Value::Time(time));
    }
    if days < 61.0 && !epoch_1904 {
        return Err(format!(
            "the date {serial} is ambiguous (before 1900-03-01)"
        ));
    }
    let epoch = if epoch_1904 {
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
    };
    let date = Date::from_unix_days(epoch.unix_days() + days as i64);
    Ok(if time == Time::from_micros(0) {
        Value::Date(date)
    } else {
        Value::DateTime(date, time)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_as_xlrd_makes_them() {
        let text = |s: f64| xl_date(s, false).map(|v| v.to_text());
        assert_eq!(text(45306.0).as_deref(), Ok("2024-01-15"));
        assert_eq!(text(45306.4375).as_deref(), Ok("2024-01-15 10:30:00"));
        assert_eq!(text(0.4375).as_deref(), Ok("10:30:00"));
        assert_eq!(text(0.0).as_deref(), Ok("1900-01-01 00:00:00"));
        assert!(text(30.0).is_err());
        assert!(text(-1.0).is_err());
        assert_eq!(
            xl_date(0.0 + 1.0, true).map(|v| v.to_text()).as_deref(),
            Ok("1904-01-02")
        );
    }

    #[test]
    fn a_zip_named_xls_is_said_so() {
        assert_eq!(convert(b"PK\x03\x04rest"), Err(SheetError::ZipNamedXls));
        assert!(matches!(
            convert(b"not a workbook"),
            Err(SheetError::Damaged { .. })
        ));
    }
}
