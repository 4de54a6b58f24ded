//! The streaming CSV check.

use csv_core::{ReadFieldResult, Reader};

use super::columns::column_key;
use super::message::{check_message, render_message};
use super::report::{CellError, CsvReport, FileError};
use crate::email::validate_email_address;
#[cfg(feature = "phone")]
use crate::phone::PhoneCache;
use crate::postal_address::PostalAddress;
use crate::whitespace::strip;

/// The most data rows a file may have for sending.
pub const MAX_ROWS: usize = 100_000;

/// What kind of message the spreadsheet is for, which decides its recipient columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateType {
    /// Recipient column `email address`.
    Email,
    /// Recipient column `phone number`.
    Sms,
    /// Address columns `address line 1`…`address line 7` and `postcode`.
    Letter,
}

impl TemplateType {
    /// The recipient columns, as the app names them.
    pub fn recipient_columns(self) -> &'static [&'static str] {
        match self {
            Self::Email => &["email address"],
            Self::Sms => &["phone number"],
            Self::Letter => &[
                "address line 1",
                "address line 2",
                "address line 3",
                "address line 4",
                "address line 5",
                "address line 6",
                "address line 7",
                "postcode",
            ],
        }
    }
}

/// What the file is checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvSpec {
    /// The template type.
    pub template_type: TemplateType,
    /// The template's placeholders (each needs a column and a value in every row).
    pub placeholders: Vec<String>,
    /// The text-message template's body: when set, a row whose message (the body with the row's
    /// values in it) is over 918 characters or empty fails.
    pub sms_template: Option<String>,
    /// The service may text international numbers.
    pub allow_international_sms: bool,
    /// The service may text UK landlines.
    pub allow_uk_landline: bool,
    /// The row limit.
    pub max_rows: usize,
}

impl CsvSpec {
    /// A spec with the app's defaults: UK mobiles and UK addresses only, 100,000 rows.
    pub fn new(template_type: TemplateType, placeholders: Vec<String>) -> Self {
        Self {
            template_type,
            placeholders,
            sms_template: None,
            allow_international_sms: false,
            allow_uk_landline: false,
            max_rows: MAX_ROWS,
        }
    }
}

/// Where the columns the check needs are.
#[derive(Debug, Default)]
struct Layout {
    names: Vec<String>,
    recipient: Vec<(usize, String)>,
    placeholders: Vec<(usize, String)>,
}

/// The largest spreadsheet, in bytes (10 MiB).
pub const MAX_CSV_BYTES: u64 = 10 * 1024 * 1024;

/// Refuses a spreadsheet of `size` bytes before reading any of it.
///
/// ```
/// use uploadkit_validators::csv::{check_size, FileError, MAX_CSV_BYTES};
/// assert!(check_size(MAX_CSV_BYTES).is_ok());
/// assert!(matches!(check_size(MAX_CSV_BYTES + 1), Err(FileError::TooLarge { .. })));
/// ```
pub fn check_size(size: u64) -> Result<(), FileError> {
    if size > MAX_CSV_BYTES {
        Err(FileError::TooLarge {
            size,
            limit: MAX_CSV_BYTES,
        })
    } else {
        Ok(())
    }
}

/// Checks a CSV fed in chunks of any size.
///
/// ```
/// use uploadkit_validators::csv::{CsvSpec, CsvValidator, TemplateType};
/// let mut v = CsvValidator::new(CsvSpec::new(TemplateType::Sms, vec!["name".into()]));
/// v.feed(b"phone number,name\n07700900460,Ada\n077009");
/// v.feed(b"00461,\n");
/// let report = v.finish();
/// assert_eq!((report.rows, report.rows_with_missing_data.clone()), (2, vec![1]));
/// ```
#[derive(Debug)]
pub struct CsvValidator {
    spec: CsvSpec,
    reader: Reader,
    field: Vec<u8>,
    record: Vec<String>,
    pending: Vec<u8>,
    offset: u64,
    fed: u64,
    records: usize,
    started: bool,
    layout: Option<Layout>,
    stopped: bool,
    /// Blank rows not yet counted: the app counts (and checks) a blank row, except at the end
    /// of the file, which it strips first.
    blank_rows: usize,
    /// No byte of the next record has been read: a line break here is a blank line, which
    /// csv-core would skip unseen.
    at_record_start: bool,
    /// The last byte taken was a `\r` ending a record or a blank line, so a `\n` next is its.
    after_cr: bool,
    report: CsvReport,
    #[cfg(feature = "phone")]
    phones: PhoneCache,
}

impl CsvValidator {
    /// A validator for a spec.
    pub fn new(spec: CsvSpec) -> Self {
        Self {
            spec,
            reader: Reader::new(),
            field: Vec::with_capacity(64),
            record: Vec::new(),
            pending: Vec::new(),
            offset: 0,
            fed: 0,
            records: 0,
            started: false,
            layout: None,
            stopped: false,
            blank_rows: 0,
            at_record_start: true,
            after_cr: false,
            report: CsvReport::default(),
            #[cfg(feature = "phone")]
            phones: PhoneCache::default(),
        }
    }

    /// Feeds the next bytes of the file.
    pub fn feed(&mut self, chunk: &[u8]) {
        if self.stopped {
            return;
        }
        self.fed += chunk.len() as u64;
        if let Err(e) = check_size(self.fed) {
            self.fail(e);
            return;
        }
        let mut bytes = std::mem::take(&mut self.pending);
        bytes.extend_from_slice(chunk);
        let mut start = 0;
        if !self.started && bytes.len() >= 3 {
            self.started = true;
            if bytes.starts_with(b"\xEF\xBB\xBF") {
                start = 3;
                self.offset = 3;
            }
        } else if !self.started {
            self.pending = bytes;
            return;
        }
        let (valid_to, invalid) = match std::str::from_utf8(&bytes[start..]) {
            Ok(_) => (bytes.len(), false),
            Err(e) => (start + e.valid_up_to(), e.error_len().is_some()),
        };
        let text = &bytes[start..valid_to];
        if let Some(at) = text.iter().position(|&b| b == 0) {
            // A text spreadsheet never holds a NUL byte: this is a binary file.
            self.fail(FileError::Binary {
                offset: self.offset + at as u64,
            });
            return;
        }
        self.parse(text, false);
        if invalid {
            let row = self.records + 1;
            self.fail(FileError::NotUtf8 {
                offset: self.offset,
                row,
            });
            return;
        }
        self.pending = bytes[valid_to..].to_vec();
    }

    /// Stops the check. A file that cannot be read (binary, not UTF-8) gets that one error and
    /// nothing else, whatever the rows before the fault held, so the verdict is the same however
    /// the file was chunked; a file with too many rows keeps what its rows showed.
    fn fail(&mut self, error: FileError) {
        if matches!(error, FileError::Binary { .. } | FileError::NotUtf8 { .. }) {
            self.report = CsvReport::default();
        }
        self.report.file_errors.push(error);
        self.stopped = true;
    }

    /// Feeds validated text to the CSV reader; `eof` only when the file has ended (csv-core
    /// reads an empty input as the end of the file).
    fn parse(&mut self, mut input: &[u8], eof: bool) {
        let mut out = [0u8; 1024];
        loop {
            if self.at_record_start {
                // Blank lines, which Python's csv reader (and so the app) reads as empty rows.
                while let Some(&b) = input.first() {
                    match b {
                        b'\n' if self.after_cr => self.after_cr = false,
                        b'\n' | b'\r' => {
                            if self.layout.is_some() {
                                self.blank_rows += 1;
                            }
                            self.after_cr = b == b'\r';
                        }
                        _ => break,
                    }
                    input = &input[1..];
                    self.offset += 1;
                }
                if input.is_empty() && !eof {
                    return;
                }
                self.at_record_start = false;
                self.after_cr = false;
            }
            if input.is_empty() && !eof {
                return;
            }
            let before = input;
            let (result, read, written) = self.reader.read_field(input, &mut out);
            input = &input[read..];
            self.offset += read as u64;
            self.field.extend_from_slice(&out[..written]);
            match result {
                ReadFieldResult::InputEmpty | ReadFieldResult::End => return,
                ReadFieldResult::OutputFull => {}
                ReadFieldResult::Field { record_end } => {
                    // The input was checked as UTF-8 and fields end on delimiters (ASCII).
                    let text = String::from_utf8_lossy(&self.field);
                    self.record.push(strip(&text));
                    self.field.clear();
                    if record_end {
                        // csv-core may already have taken (and skipped) blank lines after the
                        // record's own line break: count them from the bytes it took.
                        let taken = &before[..read];
                        let run = taken
                            .iter()
                            .rev()
                            .take_while(|b| matches!(b, b'\r' | b'\n'))
                            .count();
                        let breaks = line_breaks(&taken[read - run..]);
                        if self.layout.is_some() {
                            self.blank_rows += breaks.saturating_sub(1);
                        }
                        self.at_record_start = true;
                        self.after_cr = taken.last() == Some(&b'\r');
                        let record = std::mem::take(&mut self.record);
                        self.record_done(record);
                        if self.stopped {
                            return;
                        }
                    }
                }
            }
        }
    }

    fn record_done(&mut self, record: Vec<String>) {
        self.records += 1;
        if record.iter().all(String::is_empty) {
            if self.layout.is_some() {
                self.blank_rows += 1;
            }
            return;
        }
        match &self.layout {
            None => self.header(record),
            Some(_) => {
                for _ in 0..std::mem::take(&mut self.blank_rows) {
                    if self.stopped {
                        return;
                    }
                    self.row(Vec::new());
                }
                if !self.stopped {
                    self.row(record);
                }
            }
        }
    }

    fn header(&mut self, names: Vec<String>) {
        let keys: Vec<String> = names.iter().map(|n| column_key(n)).collect();
        let mut layout = Layout {
            names: names.clone(),
            ..Layout::default()
        };
        let mut missing_recipients = Vec::new();
        let mut duplicates = Vec::new();
        for column in self.spec.template_type.recipient_columns() {
            let key = column_key(column);
            let at: Vec<usize> = keys
                .iter()
                .enumerate()
                .filter(|(_, k)| **k == key)
                .map(|(i, _)| i)
                .collect();
            match at.as_slice() {
                [] => missing_recipients.push((*column).to_owned()),
                [i] => layout.recipient.push((*i, key)),
                [i, ..] => {
                    duplicates.push((*column).to_owned());
                    layout.recipient.push((*i, key));
                }
            }
        }
        let recipient_missing = match self.spec.template_type {
            // Letters need at least three of the address columns.
            TemplateType::Letter => layout.recipient.len() < 3,
            _ => !missing_recipients.is_empty(),
        };
        if recipient_missing {
            let needed = match self.spec.template_type {
                TemplateType::Letter => vec![
                    "address line 1".into(),
                    "address line 2".into(),
                    "address line 3".into(),
                ],
                _ => missing_recipients,
            };
            self.report
                .file_errors
                .push(FileError::MissingRecipientColumns(needed));
        }
        if !duplicates.is_empty() {
            self.report
                .file_errors
                .push(FileError::DuplicateRecipientColumns(duplicates));
        }
        let recipient_keys: Vec<String> = self
            .spec
            .template_type
            .recipient_columns()
            .iter()
            .map(|c| column_key(c))
            .collect();
        let mut missing = Vec::new();
        for placeholder in &self.spec.placeholders {
            let key = column_key(placeholder);
            if recipient_keys.contains(&key) {
                continue;
            }
            match keys.iter().position(|k| *k == key) {
                Some(i) => layout.placeholders.push((i, placeholder.clone())),
                None => missing.push(placeholder.clone()),
            }
        }
        if !missing.is_empty() {
            self.report
                .file_errors
                .push(FileError::MissingColumns(missing));
        }
        // As the app does: a file-level problem is reported, and the rows are still checked.
        self.layout = Some(layout);
    }

    fn cell_error(&mut self, row: usize, column: usize, code: &'static str, message: String) {
        if self.report.cell_errors.len() < CsvReport::MAX_CELL_ERRORS {
            let name = self
                .layout
                .as_ref()
                .and_then(|l| l.names.get(column).cloned())
                .unwrap_or_default();
            self.report.cell_errors.push(CellError {
                row,
                column: name,
                code,
                message,
            });
        }
    }

    #[cfg(feature = "phone")]
    fn phone(&mut self, value: &str) -> Result<(), (&'static str, String)> {
        self.phones
            .parse(value)
            .and_then(|n| {
                n.validate(
                    self.spec.allow_international_sms,
                    self.spec.allow_uk_landline,
                )
            })
            .map_err(|e| (e.code(), e.to_string()))
    }

    /// Built without the phone rules (a browser bundle that loads them only for text messages).
    #[cfg(not(feature = "phone"))]
    fn phone(&mut self, _value: &str) -> Result<(), (&'static str, String)> {
        Err((
            "phone_rules_unavailable",
            "Phone numbers cannot be checked by this build: use the one with the phone rules"
                .into(),
        ))
    }

    fn row(&mut self, cells: Vec<String>) {
        let row = self.report.rows;
        self.report.rows += 1;
        if self.report.rows > self.spec.max_rows {
            self.report.rows -= 1;
            let limit = self.spec.max_rows;
            self.fail(FileError::TooManyRows { limit });
            return;
        }
        let layout = self.layout.as_ref().expect("rows come after the header");
        let recipient = layout.recipient.clone();
        let placeholders = layout.placeholders.clone();
        let cell = |i: usize| cells.get(i).map(String::as_str).unwrap_or("");
        let mut missing = false;
        let mut bad = false;
        match self.spec.template_type {
            TemplateType::Email | TemplateType::Sms => {
                for (i, _) in &recipient {
                    let value = cell(*i);
                    if value.is_empty() {
                        missing = true;
                        self.cell_error(row, *i, "missing", "Missing".into());
                        continue;
                    }
                    let result = if self.spec.template_type == TemplateType::Email {
                        validate_email_address(value)
                            .map(|_| ())
                            .map_err(|e| ("invalid_email", e.to_string()))
                    } else {
                        self.phone(value)
                    };
                    if let Err((code, message)) = result {
                        bad = true;
                        self.cell_error(row, *i, code, message);
                    }
                }
            }
            TemplateType::Letter => {
                let order = |key: &str| {
                    if key == "postcode" {
                        8
                    } else {
                        key.trim_start_matches("addressline").parse().unwrap_or(9)
                    }
                };
                let mut columns: Vec<&(usize, String)> = recipient.iter().collect();
                columns.sort_by_key(|(_, key)| order(key));
                let lines: Vec<&str> = columns
                    .iter()
                    .map(|(i, _)| cell(*i))
                    .filter(|v| !v.is_empty())
                    .collect();
                let first = columns.first().map_or(0, |(i, _)| *i);
                let problem = if lines.is_empty() {
                    missing = true;
                    Some(("missing", "Missing".to_owned()))
                } else {
                    PostalAddress::from_lines(lines.iter().copied())
                        .validate()
                        .err()
                        .map(|e| (e.code(), e.to_string()))
                };
                if let Some((code, message)) = problem {
                    bad |= code != "missing";
                    self.cell_error(row, first, code, message);
                }
            }
        }
        for (i, _) in &placeholders {
            if cell(*i).is_empty() {
                missing = true;
                self.cell_error(row, *i, "missing", "Missing".into());
            }
        }
        // A complete row's text message must fit: the template filled in with its values.
        let message = match (&self.spec.sms_template, self.spec.template_type) {
            (Some(template), TemplateType::Sms) if !missing => {
                let value = |key: &str| {
                    placeholders
                        .iter()
                        .find(|(_, k)| k == key)
                        .map(|(i, _)| cell(*i))
                };
                check_message(&render_message(template, value)).err()
            }
            _ => None,
        };
        if let Some(e) = message {
            let column = placeholders
                .first()
                .or(recipient.first())
                .map_or(0, |(i, _)| *i);
            self.cell_error(row, column, e.code(), e.to_string());
            self.report.rows_with_bad_messages.push(row);
        }
        if bad {
            self.report.rows_with_bad_recipients.push(row);
        }
        if missing {
            self.report.rows_with_missing_data.push(row);
        }
    }

    /// Finishes the file and returns the report.
    pub fn finish(mut self) -> CsvReport {
        if !self.stopped {
            if !self.started {
                // Under three bytes: no BOM check was possible, so run it now.
                self.started = true;
                let rest = std::mem::take(&mut self.pending);
                let skip = usize::from(rest.starts_with(b"\xEF\xBB\xBF")) * 3;
                match std::str::from_utf8(&rest[skip..]) {
                    Ok(_) => self.parse(&rest[skip..], false),
                    Err(e) => self.fail(FileError::NotUtf8 {
                        offset: (skip + e.valid_up_to()) as u64,
                        row: 1,
                    }),
                }
            } else if !self.pending.is_empty() {
                // Bytes left over: the file ends inside a character.
                let row = self.records + 1;
                self.fail(FileError::NotUtf8 {
                    offset: self.offset,
                    row,
                });
            }
            if !self.stopped {
                self.parse(&[], true);
            }
        }
        if self.layout.is_none() && self.report.file_errors.is_empty() {
            self.report.file_errors.push(FileError::Empty);
        }
        self.report
    }
}

/// How many line breaks a run of `\r` and `\n` holds (`\r\n` is one).
fn line_breaks(run: &[u8]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < run.len() {
        if run[i] == b'\r' && run.get(i + 1) == Some(&b'\n') {
            i += 1;
        }
        n += 1;
        i += 1;
    }
    n
}

/// Checks a whole file in one call.
pub fn validate_csv(spec: CsvSpec, bytes: &[u8]) -> CsvReport {
    let mut v = CsvValidator::new(spec);
    v.feed(bytes);
    v.finish()
}
