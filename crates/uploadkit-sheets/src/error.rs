//! Why a spreadsheet could not be turned into rows, said to the person who uploaded it.

use crate::Format;

/// A spreadsheet that cannot be read. Each says what is wrong and what to do; none is a panic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SheetError {
    /// The file name's extension is not one the application accepts.
    #[error(
        "“{extension}” files cannot be used. Save the spreadsheet as CSV, TSV, XLSX, XLSM, XLS or ODS"
    )]
    UnsupportedExtension {
        /// The extension as written (empty when there is none).
        extension: String,
    },
    /// A text file (.csv or .tsv) that is not UTF-8.
    #[error(
        "The file is not UTF-8 text: byte {byte} (line {line}) is not valid UTF-8. Save it as “CSV UTF-8” and upload it again"
    )]
    NotUtf8 {
        /// 0-based offset of the first invalid byte.
        byte: usize,
        /// 1-based line it is on.
        line: usize,
    },
    /// A workbook protected by a password: its sheets are encrypted.
    #[error(
        "This spreadsheet is protected by a password. Remove the password, save it and upload it again"
    )]
    Encrypted {
        /// The format its name claims.
        format: Format,
    },
    /// A .xls name on a file that is an .xlsx/.xlsm/.ods (zip) workbook.
    #[error(
        "This file is named .xls but is a newer workbook. Save it as .xlsx (or rename it) and upload it again"
    )]
    ZipNamedXls,
    /// A .xlsx/.xlsm/.ods name on a file that is not a zip archive at all: empty, cut short, or
    /// another kind of file renamed.
    #[error(
        "This file is not a readable {format} workbook: it is empty, incomplete or another kind of file. Open it in your spreadsheet program, save it as {format} and upload it again"
    )]
    NotAWorkbook {
        /// The format its name claims.
        format: Format,
    },
    /// A workbook whose parts are damaged or not as the format requires.
    #[error(
        "This {format} workbook is damaged ({detail}). Open it in your spreadsheet program, save it again and upload it again"
    )]
    Damaged {
        /// The format.
        format: Format,
        /// What was wrong, for the person who fixes it.
        detail: String,
    },
    /// A workbook whose text cannot be decoded (a UTF-16 character cut in two).
    #[error(
        "This {format} workbook holds text that cannot be read (a character is cut in two). Open it in your spreadsheet program, save it again and upload it again"
    )]
    UnreadableText {
        /// The format.
        format: Format,
    },
    /// More rows than the application reads.
    #[error("The spreadsheet has more than {limit} rows")]
    TooManyRows {
        /// The row limit.
        limit: usize,
    },
    /// A header row that goes past the last column the application reads.
    #[error("The header row goes on to column {column}; the limit is {limit} columns")]
    TooManyColumns {
        /// The 1-based column of the last header cell.
        column: usize,
        /// The column limit.
        limit: usize,
    },
    /// Every row of an .xlsx sheet is hidden.
    #[error("Every row of the first sheet is hidden. Unhide the rows and upload it again")]
    AllRowsHidden,
    /// A sheet that asks for more cells than is safe to read.
    #[error("The sheet is too large to read: its {what} cover more than {limit} cells")]
    TooManyCells {
        /// What covers them.
        what: &'static str,
        /// The bound.
        limit: u64,
    },
    /// A workbook part too large to unpack.
    #[error("The workbook is too large when unpacked (its {part} is over {limit} bytes)")]
    TooLarge {
        /// The part that is too large.
        part: String,
        /// The bound.
        limit: u64,
    },
}

impl SheetError {
    /// A stable name for the kind of problem, for code that branches on it.
    ///
    /// ```
    /// use uploadkit_sheets::{to_csv_text, SheetError};
    /// let e = to_csv_text(b"PK\x03\x04", "list.xls").unwrap_err();
    /// assert_eq!(e, SheetError::ZipNamedXls);
    /// assert_eq!(e.code(), "ZipNamedXls");
    /// assert_eq!(e.app_message(), Some("Notify cannot read this file - try using a different file type"));
    /// assert_eq!(e.app_exception(), Some("xlrd.biffh.XLRDError: Excel xlsx file; not supported"));
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            SheetError::UnsupportedExtension { .. } => "UnsupportedExtension",
            SheetError::NotUtf8 { .. } => "NotUtf8",
            SheetError::Encrypted { .. } => "Encrypted",
            SheetError::ZipNamedXls => "ZipNamedXls",
            SheetError::NotAWorkbook { .. } => "NotAWorkbook",
            SheetError::Damaged { .. } => "Damaged",
            SheetError::UnreadableText { .. } => "UnreadableText",
            SheetError::TooManyRows { .. } => "TooManyRows",
            SheetError::TooManyColumns { .. } => "TooManyColumns",
            SheetError::AllRowsHidden => "AllRowsHidden",
            SheetError::TooLarge { .. } => "TooLarge",
            SheetError::TooManyCells { .. } => "TooManyCells",
        }
    }

    /// The sentence the application itself shows for this file (its upload form catches these
    /// conversion failures and says one thing for all of them), or `None` for the limits it
    /// reports in its own words.
    pub fn app_message(&self) -> Option<&'static str> {
        match self {
            SheetError::TooManyRows { .. } | SheetError::TooManyColumns { .. } => None,
            SheetError::UnsupportedExtension { .. } => None,
            _ => Some("Notify cannot read this file - try using a different file type"),
        }
    }

    /// The exception the application's readers raise for this file (`module.Class: message`),
    /// where it is one of those its upload form catches.
    pub fn app_exception(&self) -> Option<&'static str> {
        match self {
            SheetError::NotUtf8 { .. } | SheetError::UnreadableText { .. } => {
                Some("builtins.UnicodeDecodeError")
            }
            SheetError::ZipNamedXls => Some("xlrd.biffh.XLRDError: Excel xlsx file; not supported"),
            SheetError::Encrypted {
                format: Format::Xls,
            } => Some("xlrd.biffh.XLRDError: Workbook is encrypted"),
            SheetError::Encrypted { .. } | SheetError::NotAWorkbook { .. } => {
                Some("zipfile.BadZipFile: File is not a zip file")
            }
            _ => None,
        }
    }
}
