//! The streaming CSV check.

use csv_core::{ReadFieldResult, Reader};

use super::columns::{column_key, placeholders};
use super::message::{QR_CODE_MAX_BYTES, SMS_CHAR_COUNT_LIMIT, check_message};
use super::report::{CellError, CsvReport, FileError, Recipient, RowReport};
use super::row::{CellValue, RowValues};
use crate::email::validate_email_address;
#[cfg(feature = "phone")]
use crate::phone::PhoneCache;
use crate::postal_address::PostalAddress;

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
    /// The template's body: when set, each row's message (the body with the row's values in
    /// it) is checked: a text message over 918 characters, or any message with nothing in it,
    /// fails its row.
    pub body: Option<String>,
    /// Keep each row's details (recipient, personalisation) in [`CsvReport::row_reports`]
    /// (a preview, or sending from the result); off, the report's size does not grow with the
    /// file's valid rows.
    pub keep_rows: bool,
    /// Without `keep_rows`, keep the details of the first this many rows and of every row with
    /// an error: what a page needs for a preview and a complete error table.
    pub preview_rows: usize,
    /// The service may text international numbers.
    pub allow_international_sms: bool,
    /// The service may text UK landlines.
    pub allow_uk_landline: bool,
    /// The service may send letters abroad.
    pub allow_international_letters: bool,
    /// The row limit.
    pub max_rows: usize,
    /// The most bytes the check reads: the app's upload limit ([`MAX_CSV_BYTES`]). The CSV text
    /// the app makes of a workbook that met that limit may be longer; checking such text, raise
    /// this (the workbook reader bounds it).
    pub max_bytes: u64,
}

impl CsvSpec {
    /// A spec for a template: its placeholders (the subject's, then the body's, each once, as
    /// the app lists them) and its body, so each row's message is checked too.
    ///
    /// ```
    /// use uploadkit_validators::csv::{CsvSpec, TemplateType};
    /// let spec = CsvSpec::for_template(TemplateType::Email, "Dear ((Name)), ((ref))", "About ((ref))");
    /// assert_eq!(spec.placeholders, ["ref", "Name"]);
    /// ```
    pub fn for_template(template_type: TemplateType, body: &str, subject: &str) -> Self {
        let mut names = placeholders(subject);
        for name in placeholders(body) {
            if !names.iter().any(|n| column_key(n) == column_key(&name)) {
                names.push(name);
            }
        }
        let mut spec = Self::new(template_type, names);
        spec.body = Some(body.to_owned());
        spec
    }

    /// The same spec, keeping each row's details in the report.
    pub fn keeping_rows(mut self) -> Self {
        self.keep_rows = true;
        self
    }

    /// A spec with the app's defaults: UK mobiles and UK addresses only, 100,000 rows.
    pub fn new(template_type: TemplateType, placeholders: Vec<String>) -> Self {
        Self {
            template_type,
            placeholders,
            body: None,
            keep_rows: false,
            preview_rows: 0,
            allow_international_sms: false,
            allow_uk_landline: false,
            allow_international_letters: false,
            max_rows: MAX_ROWS,
            max_bytes: MAX_CSV_BYTES,
        }
    }
}

/// The header row, as the rows are read under it.
#[derive(Debug, Default)]
struct Layout {
    /// The headers as written (leading spaces skipped, as the app's reader skips them).
    names: Vec<String>,
    /// The keys of the template type's recipient columns (letters: every address column).
    recipient_columns: Vec<String>,
    /// The keys of the template's placeholders that are not recipient columns.
    placeholder_keys: Vec<String>,
    /// A recipient column appears more than once (the app then reports no missing recipient).
    duplicate_recipients: bool,
}

impl Layout {
    /// The header first written for a key.
    fn name_of(&self, key: &str) -> String {
        self.names
            .iter()
            .find(|n| column_key(n) == key)
            .cloned()
            .unwrap_or_default()
    }
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
    /// The current row's errors, for its row report.
    row_errors: Vec<CellError>,
    /// The next byte starts a field after a delimiter (where the app's reader skips spaces).
    at_field_start: bool,
    /// The last byte taken was a `\r` ending a record or a blank line, so a `\n` next is its.
    after_cr: bool,
    /// The current record holds a quote: even with empty fields it is not what the app's
    /// whole-file trim removes (white space at the start; white space and commas at the end).
    record_has_quote: bool,
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
            at_field_start: false,
            row_errors: Vec::new(),
            after_cr: false,
            record_has_quote: false,
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
        if self.fed > self.spec.max_bytes {
            self.fail(FileError::TooLarge {
                size: self.fed,
                limit: self.spec.max_bytes,
            });
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
                        // Spaces alone on a line are an empty row too; before a field, the
                        // app's reader skips them.
                        b' ' => self.after_cr = false,
                        _ => break,
                    }
                    input = &input[1..];
                    self.offset += 1;
                }
                if input.is_empty() && !eof {
                    return;
                }
                self.at_record_start = false;
                self.at_field_start = false;
                self.after_cr = false;
            }
            if self.at_field_start {
                // The app's reader skips spaces at the start of a field (so a quote after them
                // still opens a quoted field).
                let spaces = input.iter().take_while(|&&b| b == b' ').count();
                input = &input[spaces..];
                self.offset += spaces as u64;
                if input.is_empty() && !eof {
                    return;
                }
                self.at_field_start = false;
            }
            if input.is_empty() && !eof {
                return;
            }
            let before = input;
            let (result, read, written) = self.reader.read_field(input, &mut out);
            if !self.record_has_quote {
                self.record_has_quote = before[..read].contains(&b'"');
            }
            input = &input[read..];
            self.offset += read as u64;
            self.field.extend_from_slice(&out[..written]);
            match result {
                ReadFieldResult::InputEmpty | ReadFieldResult::End => return,
                ReadFieldResult::OutputFull => {}
                ReadFieldResult::Field { record_end } => {
                    // The input was checked as UTF-8 and fields end on delimiters (ASCII).
                    let text = String::from_utf8_lossy(&self.field);
                    self.record.push(text.into_owned());
                    self.field.clear();
                    self.at_field_start = !record_end;
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
        let quoted = std::mem::take(&mut self.record_has_quote);
        // The app trims white space from the start of the file, and white space and commas from
        // its end: a record of those alone is no row there. Elsewhere it is an empty row, and
        // before the header one with a comma is the header.
        let trimmed_at_start = !quoted && record.len() == 1;
        let trimmed_at_end = !quoted;
        let blank = record
            .iter()
            .all(|f| f.chars().all(crate::whitespace::is_app_whitespace));
        let skip = match self.layout {
            None => trimmed_at_start,
            Some(_) => trimmed_at_end,
        };
        if blank && skip {
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
        let template_type = self.spec.template_type;
        let recipient_columns: Vec<String> = template_type
            .recipient_columns()
            .iter()
            .map(|c| column_key(c))
            .collect();
        let mut layout = Layout {
            names: names.clone(),
            ..Layout::default()
        };
        layout.recipient_columns = recipient_columns.clone();
        // Each header as written whose key is a recipient column's and appears more than once.
        let mut duplicates: Vec<String> = Vec::new();
        for (name, key) in names.iter().zip(&keys) {
            let repeated =
                recipient_columns.contains(key) && keys.iter().filter(|k| *k == key).count() > 1;
            if repeated && !duplicates.contains(name) {
                duplicates.push(name.clone());
            }
        }
        let has_recipient_columns = match template_type {
            // Three of address lines 1-6 and postcode, or three of lines 1-7.
            TemplateType::Letter => {
                let count = |wanted: &[&str]| {
                    wanted
                        .iter()
                        .filter(|c| keys.contains(&column_key(c)))
                        .count()
                };
                let lines = &template_type.recipient_columns()[..6];
                let with_postcode = [lines, &["postcode"]].concat();
                let with_line_7 = [lines, &["address line 7"]].concat();
                count(&with_postcode) >= 3 || count(&with_line_7) >= 3
            }
            _ => recipient_columns.iter().all(|c| keys.contains(c)),
        };
        if !has_recipient_columns {
            let needed = match template_type {
                TemplateType::Letter => vec![
                    "address line 1".into(),
                    "address line 2".into(),
                    "address line 3".into(),
                ],
                _ => template_type
                    .recipient_columns()
                    .iter()
                    .map(|c| (*c).to_owned())
                    .collect(),
            };
            self.report
                .file_errors
                .push(FileError::MissingRecipientColumns(needed));
        }
        if !duplicates.is_empty() {
            layout.duplicate_recipients = true;
            self.report
                .file_errors
                .push(FileError::DuplicateRecipientColumns(duplicates));
        }
        let mut missing = Vec::new();
        for placeholder in &self.spec.placeholders {
            let key = column_key(placeholder);
            if recipient_columns.contains(&key) || layout.placeholder_keys.contains(&key) {
                continue;
            }
            layout.placeholder_keys.push(key.clone());
            if !keys.contains(&key) {
                missing.push(placeholder.clone());
            }
        }
        if !missing.is_empty() {
            self.report
                .file_errors
                .push(FileError::MissingColumns(missing));
        }
        let mut headers: Vec<String> = Vec::new();
        for name in &names {
            if !headers.contains(name) {
                headers.push(name.clone());
            }
        }
        self.report.column_headers = headers;
        // As the app does: a file-level problem is reported, and the rows are still checked.
        self.layout = Some(layout);
    }

    /// Records a bad cell: in the row's own errors (all of them) and, up to the display cap,
    /// in the report's list.
    fn cell_error(&mut self, row: usize, column: String, code: &'static str, message: String) {
        let error = CellError {
            row,
            column,
            code,
            message,
        };
        if self.report.cell_errors.len() < CsvReport::MAX_CELL_ERRORS {
            self.report.cell_errors.push(error.clone());
        }
        self.row_errors.push(error);
    }

    #[cfg(feature = "phone")]
    fn phone(&mut self, value: &str) -> Result<String, (&'static str, String)> {
        self.phones
            .parse(value)
            .and_then(|n| {
                n.validate(
                    self.spec.allow_international_sms,
                    self.spec.allow_uk_landline,
                )?;
                Ok(n.normalised().to_owned())
            })
            .map_err(|e| (e.code(), e.to_string()))
    }

    /// Built without the phone rules (a browser bundle that loads them only for text messages).
    #[cfg(not(feature = "phone"))]
    fn phone(&mut self, _value: &str) -> Result<String, (&'static str, String)> {
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
            // The app counts every row but checks only the first `max_rows`.
            if self.report.rows == self.spec.max_rows + 1 {
                let limit = self.spec.max_rows;
                self.report
                    .file_errors
                    .push(FileError::TooManyRows { limit });
            }
            return;
        }
        // Held apart while the row is checked, so recording errors can borrow the validator.
        let layout = self.layout.take().expect("rows come after the header");
        self.check_row(row, &layout, &cells);
        self.layout = Some(layout);
    }

    fn check_row(&mut self, row: usize, layout: &Layout, cells: &[String]) {
        let template_type = self.spec.template_type;
        let recipient_columns = &layout.recipient_columns;
        let placeholder_keys = &layout.placeholder_keys;
        let values = RowValues::build(
            &layout.names,
            |k| recipient_columns.iter().any(|c| c == k),
            cells,
        );
        let duplicate_recipients = layout.duplicate_recipients;
        let mut missing = false;
        let mut bad = false;
        let mut has_cell_error = false;
        let mut recipient = Recipient::Raw(CellValue::Empty);
        match template_type {
            TemplateType::Email | TemplateType::Sms => {
                let key = &recipient_columns[0];
                let value = values.get(key);
                if let Some(value) = value {
                    recipient = Recipient::Raw(value.clone());
                }
                match value {
                    None => {}
                    Some(CellValue::Text(text)) => {
                        let result = if template_type == TemplateType::Email {
                            validate_email_address(text)
                                .map(|v| v.to_lowercase())
                                .map_err(|e| ("invalid_email", e.to_string()))
                        } else {
                            self.phone(text)
                        };
                        match result {
                            Ok(normalised) => recipient = Recipient::Normalised(normalised),
                            Err((code, message)) => {
                                bad = true;
                                has_cell_error = true;
                                self.cell_error(row, layout.name_of(key), code, message);
                            }
                        }
                    }
                    // No value (or several): missing, unless the file repeats the column.
                    Some(_) if duplicate_recipients => {}
                    Some(_) => {
                        missing = true;
                        has_cell_error = true;
                        self.cell_error(row, layout.name_of(key), "missing", "Missing".into());
                    }
                }
            }
            TemplateType::Letter => {
                // The app's `PostalAddress.from_personalisation`: lines 1-6 then line 7 if the
                // file has that column, else the postcode column.
                let last = if values.get("addressline7").is_some() {
                    "addressline7"
                } else {
                    "postcode"
                };
                let keys: Vec<String> = (1..=6)
                    .map(|n| format!("addressline{n}"))
                    .chain([last.to_owned()])
                    .collect();
                let lines: Vec<String> = keys
                    .iter()
                    .map(|key| match values.get(key) {
                        Some(CellValue::Text(t)) => t.clone(),
                        Some(CellValue::List(items)) => python_list(items),
                        _ => String::new(),
                    })
                    .collect();
                let address = PostalAddress::from_lines(
                    lines.iter().map(String::as_str),
                    self.spec.allow_international_letters,
                );
                recipient = Recipient::Address(address.lines());
                if let Err(e) = address.validate() {
                    bad = true;
                    has_cell_error = true;
                    let first = recipient_columns
                        .iter()
                        .find(|k| values.get(k).is_some())
                        .cloned()
                        .unwrap_or_default();
                    self.cell_error(row, layout.name_of(&first), e.code(), e.to_string());
                }
            }
        }
        for key in placeholder_keys {
            if values.get(key) == Some(&CellValue::Empty) {
                missing = true;
                has_cell_error = true;
                self.cell_error(row, layout.name_of(key), "missing", "Missing".into());
            }
        }
        let message = self
            .spec
            .body
            .as_deref()
            .map(|body| check_message(template_type, body, |key| values.get(key)));
        let message = message.unwrap_or_default();
        if message.too_long || message.empty {
            let (code, text) = if message.too_long {
                (
                    "message_too_long",
                    format!(
                        "Message is too long: it has {} characters and the limit is {SMS_CHAR_COUNT_LIMIT}",
                        message.length
                    ),
                )
            } else {
                ("message_empty", "Message is empty".to_owned())
            };
            let column = placeholder_keys
                .first()
                .or(recipient_columns.first())
                .cloned()
                .unwrap_or_default();
            self.cell_error(row, layout.name_of(&column), code, text);
            self.report.rows_with_bad_messages.push(row);
        }
        if bad {
            self.report.rows_with_bad_recipients.push(row);
        }
        if missing {
            self.report.rows_with_missing_data.push(row);
        }
        if message.qr_code_too_long {
            let column = placeholder_keys.first().cloned().unwrap_or_default();
            self.cell_error(
                row,
                layout.name_of(&column),
                "qr_code_too_long",
                format!("The QR code would hold more than {QR_CODE_MAX_BYTES} bytes of data"),
            );
            self.report.rows_with_bad_messages.push(row);
        }
        let has_error =
            has_cell_error || message.too_long || message.empty || message.qr_code_too_long;
        if has_error {
            self.report.rows_with_errors.push(row);
        }
        let keep = self.spec.keep_rows
            || (self.spec.preview_rows > 0 && (row < self.spec.preview_rows || has_error));
        if !keep {
            self.row_errors.clear();
        } else {
            let personalisation = values
                .iter()
                .filter(|(k, _)| {
                    recipient_columns
                        .iter()
                        .chain(placeholder_keys)
                        .any(|p| p == k)
                })
                .map(|(k, v)| (k.to_owned(), v.clone()))
                .collect();
            self.report.row_reports.push(RowReport {
                index: row,
                has_error,
                message_too_long: message.too_long,
                message_empty: message.empty,
                qr_code_too_long: message.qr_code_too_long,
                cell_errors: std::mem::take(&mut self.row_errors),
                recipient,
                personalisation,
            });
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
            // No header row: what the app then says of the columns, after the file's own problem.
            self.header(Vec::new());
            self.report.file_errors.insert(0, FileError::Empty);
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

/// A list of cell values as the app's `str()` writes one into an address line.
fn python_list(items: &[Option<String>]) -> String {
    let items: Vec<String> = items
        .iter()
        .map(|i| match i {
            None => "None".to_owned(),
            Some(s) if s.contains('\'') && !s.contains('"') => format!("\"{s}\""),
            Some(s) => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
        })
        .collect();
    format!("[{}]", items.join(", "))
}

/// Checks a whole file in one call.
pub fn validate_csv(spec: CsvSpec, bytes: &[u8]) -> CsvReport {
    let mut v = CsvValidator::new(spec);
    v.feed(bytes);
    v.finish()
}
