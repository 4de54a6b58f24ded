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
    let Some((index, name)) = book
        .sheets_metadata()
        .iter()
        .enumerate()
        .find(|(_, s)| s.visible == SheetVisible::Visible && s.typ == SheetType::WorkSheet)
        .map(|(i, s)| (i, s.name.clone()))
    else {
        return Ok(String::new());
    };
    let range = book
        .worksheet_range(&name)
        .map_err(|e| damaged(e.to_string()))?;
    // xlrd's grid starts at A1 and runs to the last cell, a formatted blank one included (the
    // admin's reader asks for formatting, so xlrd keeps BLANK records; calamine skips them).
    let cells = range.end().map(|(r, c)| (r + 1, c + 1));
    let (rows, columns) = match (cells, blank_extent(bytes, index)) {
        (Some((r, c)), Some((br, bc))) => (r.max(br), c.max(bc)),
        (Some(extent), None) | (None, Some(extent)) => extent,
        (None, None) => (0, 0),
    };
    let (rows, columns) = (rows as usize, columns as usize);
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

/// The rows and columns the `index`th sheet's BLANK and MULBLANK records reach (1-based counts),
/// read from the workbook stream's records; `None` if there are none or the stream is unusual.
fn blank_extent(bytes: &[u8], index: usize) -> Option<(u32, u32)> {
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).ok()?;
    let mut stream = Vec::new();
    let mut reader = match file.open_stream("/Workbook") {
        Ok(reader) => reader,
        Err(_) => file.open_stream("/Book").ok()?,
    };
    std::io::Read::read_to_end(&mut reader, &mut stream).ok()?;
    // The globals' BOUNDSHEET records give each sheet's offset, in the order calamine lists them.
    let offset = Records::new(&stream, 0)
        .take_while(|(kind, _)| *kind != EOF)
        .filter(|(kind, _)| *kind == BOUNDSHEET)
        .nth(index)
        .and_then(|(_, data)| Some(u32::from_le_bytes(data.get(..4)?.try_into().ok()?) as usize))?;
    let mut extent: Option<(u32, u32)> = None;
    let mut reach = |row: u32, col: u32| {
        let (r, c) = extent.unwrap_or((0, 0));
        extent = Some((r.max(row + 1), c.max(col + 1)));
    };
    for (kind, data) in Records::new(&stream, offset)
        .skip(1)
        .take_while(|(kind, _)| *kind != EOF)
    {
        match kind {
            // BLANK: row, column.
            BLANK => {
                if let (Some(row), Some(col)) = (u16_at(data, 0), u16_at(data, 2)) {
                    reach(row, col);
                }
            }
            // MULBLANK: row, first column, the cells' formats, last column.
            MULBLANK if data.len() >= 6 => {
                if let (Some(row), Some(last)) = (u16_at(data, 0), u16_at(data, data.len() - 2)) {
                    reach(row, last);
                }
            }
            _ => {}
        }
    }
    extent
}

const EOF: u16 = 0x000A;
const BOUNDSHEET: u16 = 0x0085;
const BLANK: u16 = 0x0201;
const MULBLANK: u16 = 0x00BE;

fn u16_at(data: &[u8], i: usize) -> Option<u32> {
    data.get(i..i + 2)
        .map(|b| u32::from(u16::from_le_bytes([b[0], b[1]])))
}

/// The BIFF records of a workbook stream from an offset: (type, data).
struct Records<'a> {
    stream: &'a [u8],
    at: usize,
}

impl<'a> Records<'a> {
    fn new(stream: &'a [u8], at: usize) -> Self {
        Records { stream, at }
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = (u16, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let head = self.stream.get(self.at..self.at.checked_add(4)?)?;
        let kind = u16::from_le_bytes([head[0], head[1]]);
        let len = usize::from(u16::from_le_bytes([head[2], head[3]]));
        let start = self.at + 4;
        let data = self.stream.get(start..start.checked_add(len)?)?;
        self.at = start + len;
        Some((kind, data))
    }
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
