//! Recipient spreadsheets (CSV), validated as the app validates them, fed in chunks so a browser
//! can check a large file slice by slice.

mod columns;
mod message;
mod newlines;
mod report;
mod row;
mod validator;
#[cfg(feature = "json")]
mod verdict;

pub use columns::{column_key, placeholders};
pub use message::{
    MessageCheck, QR_CODE_MAX_BYTES, SMS_CHAR_COUNT_LIMIT, check_message, render_message,
};
pub use newlines::normalise_newlines;
pub use report::{CellError, CsvReport, FileError, Recipient, RowReport};
pub use row::{CellValue, RowValues};
pub use validator::{
    CsvSpec, CsvValidator, MAX_CSV_BYTES, MAX_ROWS, TemplateType, check_size, validate_csv,
};
#[cfg(feature = "json")]
pub use verdict::app_verdict;

#[cfg(test)]
mod tests;
