//! What a CSV check found.

/// A problem with the file as a whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    /// No rows at all.
    #[error("Your file is empty – check your file and try again")]
    Empty,
    /// Over 10 MiB.
    #[error(
        "The file must be smaller than 10MB (the limit is {limit} bytes; this file is {size} bytes)"
    )]
    TooLarge {
        /// The file's size, or the bytes read when the limit was passed.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// Bytes that are not UTF-8.
    #[error(
        "Notify cannot read this file - try using a different file type (the text is not UTF-8 at byte {offset}, row {row})"
    )]
    NotUtf8 {
        /// Byte offset of the first bad byte.
        offset: u64,
        /// The row it is in (1 = the header).
        row: usize,
    },
    /// Binary data (a NUL byte), e.g. a spreadsheet program's own format renamed `.csv`.
    #[error(
        "Notify cannot read this file - try using a different file type (it holds binary data at byte {offset})"
    )]
    Binary {
        /// Byte offset of the first NUL.
        offset: u64,
    },
    /// The recipient columns for the template type are missing.
    #[error("Your file needs a column called ‘{}’", .0.join("’, ‘"))]
    MissingRecipientColumns(Vec<String>),
    /// A template placeholder has no column.
    #[error("Your file is missing some columns. It needs to include ‘{}’", .0.join("’, ‘"))]
    MissingColumns(Vec<String>),
    /// A recipient column appears more than once (each spelling the file uses).
    #[error("Your file has more than one column called ‘{}’", .0.join("’, ‘"))]
    DuplicateRecipientColumns(Vec<String>),
    /// Over the row limit.
    #[error("Your file has too many rows. Notify can process up to {limit} rows at once")]
    TooManyRows {
        /// The limit.
        limit: usize,
    },
}

impl FileError {
    /// A stable name for the problem, for code that branches on it.
    pub fn code(&self) -> &'static str {
        match self {
            FileError::Empty => "empty",
            FileError::TooLarge { .. } => "too_large",
            FileError::NotUtf8 { .. } => "not_utf8",
            FileError::Binary { .. } => "binary",
            FileError::MissingRecipientColumns(_) => "missing_recipient_columns",
            FileError::MissingColumns(_) => "missing_columns",
            FileError::DuplicateRecipientColumns(_) => "duplicate_recipient_columns",
            FileError::TooManyRows { .. } => "too_many_rows",
        }
    }
}

/// One bad cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    /// Data row, counting from 0 (the row after the header).
    pub row: usize,
    /// The column's name as the file spells it.
    pub column: String,
    /// A machine code: `missing`, `invalid_email`, `unknown_character`, …
    pub code: &'static str,
    /// The app's message.
    pub message: String,
}

/// Who a row is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    /// A valid phone number (E.164 without `+`) or email address (lower-cased), as the app
    /// normalises it.
    Normalised(String),
    /// A letter's address lines, as they will be printed.
    Address(Vec<String>),
    /// The recipient cell as read, when it is not a valid recipient.
    Raw(super::CellValue),
}

/// One row's details, for a preview or for sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowReport {
    /// Data row, counting from 0.
    pub index: usize,
    /// Whether the row has any error (cells, message or address).
    pub has_error: bool,
    /// A text message over the length limit.
    pub message_too_long: bool,
    /// A message with nothing in it.
    pub message_empty: bool,
    /// A letter's QR code with too much data.
    pub qr_code_too_long: bool,
    /// Every error in the row (no cap).
    pub cell_errors: Vec<CellError>,
    /// Who it is for.
    pub recipient: Recipient,
    /// The recipient and placeholder columns' values, by column key.
    pub personalisation: Vec<(String, super::CellValue)>,
}

/// The result of checking a file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CsvReport {
    /// Data rows (empty rows skipped).
    pub rows: usize,
    /// Problems with the whole file.
    pub file_errors: Vec<FileError>,
    /// The header row's names as written, each once, in file order.
    pub column_headers: Vec<String>,
    /// Rows with any error, in order.
    pub rows_with_errors: Vec<usize>,
    /// Each row's details, when the spec asks for them ([`super::CsvSpec::keep_rows`]).
    pub row_reports: Vec<RowReport>,
    /// Bad cells (the first [`CsvReport::MAX_CELL_ERRORS`]; the row lists are complete).
    pub cell_errors: Vec<CellError>,
    /// Rows whose recipient is invalid.
    pub rows_with_bad_recipients: Vec<usize>,
    /// Rows with an empty recipient or placeholder cell.
    pub rows_with_missing_data: Vec<usize>,
    /// Rows whose text message is too long or empty.
    pub rows_with_bad_messages: Vec<usize>,
}

impl CsvReport {
    /// How many cell errors are kept for display.
    pub const MAX_CELL_ERRORS: usize = 1000;

    /// Whether the file can be sent.
    pub fn is_valid(&self) -> bool {
        self.file_errors.is_empty()
            && self.rows_with_bad_recipients.is_empty()
            && self.rows_with_missing_data.is_empty()
            && self.rows > 0
    }

    /// One sentence about what is wrong, or `None` when nothing is.
    pub fn summary(&self) -> Option<String> {
        if let Some(first) = self.file_errors.first() {
            return Some(first.to_string());
        }
        let plural = |n: usize| if n == 1 { "row" } else { "rows" };
        let parts: Vec<(usize, &str)> = [
            (self.rows_with_bad_recipients.len(), "an invalid recipient"),
            (self.rows_with_missing_data.len(), "missing data"),
            (
                self.rows_with_bad_messages.len(),
                "a message that is too long or empty",
            ),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .collect();
        match parts.as_slice() {
            [] if self.rows == 0 => Some(FileError::Empty.to_string()),
            [] => None,
            [(n, what)] => Some(format!(
                "There is a problem with your data: {n} {} {} {what}",
                plural(*n),
                if *n == 1 { "has" } else { "have" }
            )),
            many => {
                let phrases: Vec<String> = many
                    .iter()
                    .map(|(n, what)| format!("{n} {} with {what}", plural(*n)))
                    .collect();
                let (last, first) = phrases.split_last().expect("two or more");
                Some(format!(
                    "There is a problem with your data: {} and {last}",
                    first.join(", ")
                ))
            }
        }
    }
}
