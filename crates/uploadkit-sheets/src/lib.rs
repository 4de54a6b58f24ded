//! Spreadsheets to the CSV text the application makes of them, as pure functions over bytes.
//!
//! The application accepts `.csv`, `.tsv`, `.xlsx`, `.xlsm`, `.xls` and `.ods` uploads, turns
//! every one into CSV text (`Spreadsheet.from_file(…).as_csv_data` in the admin app) and checks
//! and stores that text. [`to_csv_text`] makes the same text from the same bytes — the same cell
//! values in the same places, with each reader's habits kept (a number stored as `7700900123.0`
//! stays a float, hidden .xlsx rows are skipped but hidden .xls rows are not, covered .ods cells
//! are dropped) — so a browser can check a workbook exactly as the application will, and upload
//! what the application would store.
//!
//! ```
//! use uploadkit_sheets::{to_csv_text, Format, SheetError};
//!
//! let tsv = b"phone number\tname\n07700900123\tAnn\n+447700900124\tBo\n";
//! assert_eq!(
//!     to_csv_text(tsv, "people.tsv").unwrap(),
//!     "phone number,name\r\n07700900123,Ann\r\n447700900124,Bo\r\n"
//! );
//! assert_eq!(
//!     to_csv_text(b"", "people.xlsx"),
//!     Err(SheetError::NotAWorkbook { format: Format::Xlsx })
//! );
//! ```

mod csv_text;
mod error;
mod ods;
mod pattern;
mod tsv;
mod value;
mod xls;
mod xlsx;
mod zipped;

pub use error::SheetError;

use std::fmt;

/// The row limit the application reads a spreadsheet to (`Spreadsheet.from_file`'s default).
pub const ROW_LIMIT: usize = 200_000;
/// The application refuses a header row that goes past this column.
pub const ABSOLUTE_COLUMN_LIMIT: usize = 1_000;
/// Columns the application keeps even when the header row is shorter.
pub const MIN_COLUMN_LIMIT: usize = 50;

/// A spreadsheet format, as the application tells them apart: by the file name's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated text.
    Csv,
    /// Tab-separated text.
    Tsv,
    /// Office Open XML workbook.
    Xlsx,
    /// Office Open XML workbook with macros.
    Xlsm,
    /// Excel 97–2003 workbook (BIFF8).
    Xls,
    /// OpenDocument spreadsheet.
    Ods,
}

impl Format {
    /// The format a file name says, by its extension (case ignored), as the application decides.
    ///
    /// ```
    /// use uploadkit_sheets::Format;
    /// assert_eq!(Format::from_file_name("Recipients.XLSX"), Ok(Format::Xlsx));
    /// assert!(Format::from_file_name("notes.txt").is_err());
    /// ```
    pub fn from_file_name(name: &str) -> Result<Self, SheetError> {
        let extension = extension_of(name);
        Ok(match extension.to_ascii_lowercase().as_str() {
            "csv" => Format::Csv,
            "tsv" => Format::Tsv,
            "xlsx" => Format::Xlsx,
            "xlsm" => Format::Xlsm,
            "xls" => Format::Xls,
            "ods" => Format::Ods,
            _ => {
                return Err(SheetError::UnsupportedExtension {
                    extension: extension.to_owned(),
                });
            }
        })
    }

    /// Whether the file is text the application only re-lines (CSV), rather than a sheet it reads.
    pub fn is_csv(self) -> bool {
        self == Format::Csv
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Csv => ".csv",
            Format::Tsv => ".tsv",
            Format::Xlsx => ".xlsx",
            Format::Xlsm => ".xlsm",
            Format::Xls => ".xls",
            Format::Ods => ".ods",
        })
    }
}

/// Python's `os.path.splitext(name)[1]` without the dot: a leading dot starts no extension.
fn extension_of(name: &str) -> &str {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let stem_start = base.len() - base.trim_start_matches('.').len();
    match base[stem_start..].rfind('.') {
        Some(dot) => &base[stem_start + dot + 1..],
        None => "",
    }
}

/// The CSV text the application makes of an uploaded file, chosen by the file name's extension.
///
/// `.csv` text is only re-lined (every line break becomes CRLF, none at the end); every other
/// format is read as the application's reader for it reads it and written as Python's
/// `csv.writer` writes rows (CRLF after every row, fields quoted only when they must be).
pub fn to_csv_text(bytes: &[u8], file_name: &str) -> Result<String, SheetError> {
    convert(bytes, Format::from_file_name(file_name)?)
}

/// [`to_csv_text`] for a format already known.
///
/// ```
/// use uploadkit_sheets::{convert, Format};
/// // A CSV upload is only re-lined: every line break becomes CRLF, none at the end.
/// assert_eq!(convert(b"name\nAnn\n", Format::Csv).unwrap(), "name\r\nAnn");
/// ```
pub fn convert(bytes: &[u8], format: Format) -> Result<String, SheetError> {
    match format {
        Format::Csv => Ok(uploadkit_validators::csv::normalise_newlines(tsv::utf8(
            bytes,
        )?)),
        Format::Tsv => tsv::convert(bytes),
        Format::Xlsx | Format::Xlsm => xlsx::convert(bytes, format),
        Format::Xls => xls::convert(bytes),
        Format::Ods => ods::convert(bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_are_read_as_python_splits_them() {
        assert_eq!(extension_of("a.b.XLSX"), "XLSX");
        assert_eq!(extension_of(".xlsx"), "");
        assert_eq!(extension_of("dir.d/file"), "");
        assert_eq!(extension_of("..csv"), "");
        assert_eq!(
            Format::from_file_name("x"),
            Err(SheetError::UnsupportedExtension {
                extension: String::new()
            })
        );
    }
}
