//! Spreadsheets: the recipient-CSV rules, fed chunk by chunk from a `File`/`Blob`, reporting in
//! full as a typed, camelCase object.

#[cfg(feature = "app-verdict")]
use uploadkit_validators::csv::app_verdict;
use uploadkit_validators::csv::{
    CellValue, CsvReport, CsvSpec, CsvValidator, Recipient, TemplateType, check_size, column_key,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::js::{Obj, array, get_f64, property, validation_error};

/// The slice size used when reading a file.
pub const DEFAULT_CHUNK_BYTES: u32 = 256 * 1024;

/// The most converted text checked: what the spreadsheet reader may make of a workbook.
const WORKBOOK_TEXT_BYTES: u64 = 64 << 20;

/// Rows shown in full (recipient and placeholders) when the options do not say.
const DEFAULT_PREVIEW_ROWS: usize = 5;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** What a recipient spreadsheet is checked against: the template, as the app has it. */
export interface CsvCheckOptions {
  /** The template's type. */
  templateType: "email" | "sms" | "letter";
  /** The template's body. Its ((placeholders)) are the columns the file needs, and each row's
   *  message is checked (a text message over 918 characters, or an empty message, fails). */
  template?: string;
  /** An email's or a letter's subject: its placeholders are needed too. */
  subject?: string;
  /** Columns needed besides the template's placeholders. */
  placeholders?: string[];
  /** The service may text international numbers. */
  allowInternationalSms?: boolean;
  /** The service may text UK landlines. */
  allowSmsToUkLandlines?: boolean;
  /** The service may send letters abroad. */
  allowInternationalLetters?: boolean;
  /** Rows reported in full besides those with errors: the first this many (default 5). */
  previewRows?: number;
  /** Report every row in full (for sending from the result). */
  allRows?: boolean;
  /** The text is what `@uploadkit/sheets` made of a workbook: the 10 MB limit was the
   *  workbook's, and the text may be longer. */
  fromWorkbook?: boolean;
}

/** A problem with the whole file. */
export interface FileProblem {
  /** `empty`, `too_large`, `not_utf8`, `binary`, `missing_recipient_columns`,
   *  `missing_columns`, `duplicate_recipient_columns` or `too_many_rows`. */
  code: string;
  /** The app's sentence for it. */
  message: string;
}

/** A bad cell. */
export interface CellProblem {
  /** The column, as its header is written. */
  column: string;
  /** A stable name for the problem (`missing`, `invalid_phone`, `message_too_long`, …). */
  code: string;
  /** The app's message. */
  message: string;
}

/** One row, as the app reads it. */
export interface RowReport {
  /** 0-based, as the app counts rows (the first row under the header is 0). */
  index: number;
  /** The row number a spreadsheet program shows (the header is row 1). */
  rowNumber: number;
  hasError: boolean;
  /** Normalised as the app normalises it (a phone number in E.164 without `+`, an email
   *  address, a letter's address lines), or the cell as written when it is not valid. */
  recipient: string | string[] | null;
  /** The recipient's and the template's columns, by the app's column key. */
  personalisation: Record<string, string | (string | null)[] | null>;
  /** Every problem in the row. */
  errors: CellProblem[];
  messageTooLong: boolean;
  messageEmpty: boolean;
  qrCodeTooLong: boolean;
}

/** The verdict on a spreadsheet. */
export interface CsvReport {
  /** Nothing stops it being sent. */
  valid: boolean;
  /** The app's one-sentence summary of what is wrong, or null. */
  summary: string | null;
  /** Rows under the header, as the app counts them. */
  rowCount: number;
  fileErrors: FileProblem[];
  /** The header row, each name once. */
  columnHeaders: string[];
  /** The recipient's columns, by the app's column key (their values are in `personalisation`). */
  recipientColumns: string[];
  /** How many rows have a problem. */
  rowsWithErrors: number;
  /** The first 1,000 bad cells, with their row index. */
  cellErrors: (CellProblem & { row: number; rowNumber: number })[];
  /** The first rows (see `previewRows`) and every row with a problem, in order. */
  rows: RowReport[];
}
"#;

/// The spec a `CsvCheckOptions` object asks for.
fn spec_from(options: &JsValue) -> Result<CsvSpec, JsValue> {
    let field = |key: &str| property(options, key);
    let text = |key: &str| field(key).as_string();
    let flag = |key: &str| field(key).as_bool().unwrap_or(false);
    let template_type = match text("templateType").as_deref() {
        Some("email") => TemplateType::Email,
        Some("sms") if cfg!(feature = "phone") => TemplateType::Sms,
        Some("sms") => {
            return Err(validation_error(
                "NoPhoneRules",
                "this package has no phone number rules: use the package built with them (pkg/phone)",
            ));
        }
        Some("letter") => TemplateType::Letter,
        other => {
            return Err(validation_error(
                "BadOptions",
                &format!("templateType must be \"email\", \"sms\" or \"letter\", not {other:?}"),
            ));
        }
    };
    let body = text("template");
    let mut spec = CsvSpec::for_template(
        template_type,
        body.as_deref().unwrap_or(""),
        text("subject").as_deref().unwrap_or(""),
    );
    // Without a template there is no message to check, only columns.
    if body.is_none() {
        spec.body = None;
    }
    let extras = field("placeholders");
    let extras = if js_sys::Array::is_array(&extras) {
        js_sys::Array::from(&extras)
            .iter()
            .filter_map(|v| v.as_string())
            .collect()
    } else {
        Vec::new()
    };
    for extra in &extras {
        let name = extra.trim();
        if !name.is_empty() {
            let key = column_key(name);
            if !spec.placeholders.iter().any(|p| column_key(p) == key) {
                spec.placeholders.push(name.to_owned());
            }
        }
    }
    spec.allow_international_sms = flag("allowInternationalSms");
    spec.allow_uk_landline = flag("allowSmsToUkLandlines");
    spec.allow_international_letters = flag("allowInternationalLetters");
    spec.keep_rows = flag("allRows");
    if flag("fromWorkbook") {
        spec.max_bytes = WORKBOOK_TEXT_BYTES;
    }
    spec.preview_rows = get_f64(&field("previewRows")).map_or(DEFAULT_PREVIEW_ROWS, |n| {
        n.clamp(0.0, usize::MAX as f64) as usize
    });
    Ok(spec)
}

/// A cell's value for JS: `null` when empty, a string, or a list (a repeated column).
fn cell_js(value: &CellValue) -> JsValue {
    match value {
        CellValue::Empty => JsValue::NULL,
        CellValue::Text(t) => t.into(),
        CellValue::List(items) => array(
            items
                .iter()
                .map(|i| i.as_deref().map_or(JsValue::NULL, JsValue::from)),
        ),
    }
}

fn report_js(report: &CsvReport, template_type: TemplateType) -> JsValue {
    let row_number = |index: usize| (index + 2) as f64;
    let problem = |e: &uploadkit_validators::csv::CellError| {
        Obj::new()
            .set("column", e.column.as_str())
            .set("code", e.code)
            .set("message", e.message.as_str())
    };
    let cell_errors = report.cell_errors.iter().map(|e| {
        problem(e)
            .set("row", e.row as f64)
            .set("rowNumber", row_number(e.row))
    });
    let rows = report.row_reports.iter().map(|r| {
        let recipient = match &r.recipient {
            Recipient::Normalised(value) => JsValue::from(value.as_str()),
            Recipient::Address(lines) => array(lines.iter().map(String::as_str)),
            Recipient::Raw(value) => cell_js(value),
        };
        let personalisation = r
            .personalisation
            .iter()
            .fold(Obj::new(), |o, (k, v)| o.set(k, cell_js(v)));
        Obj::new()
            .set("index", r.index as f64)
            .set("rowNumber", row_number(r.index))
            .set("hasError", r.has_error)
            .set("recipient", recipient)
            .set("personalisation", personalisation)
            .set("errors", array(r.cell_errors.iter().map(problem)))
            .set("messageTooLong", r.message_too_long)
            .set("messageEmpty", r.message_empty)
            .set("qrCodeTooLong", r.qr_code_too_long)
    });
    let file_errors = report.file_errors.iter().map(|e| {
        Obj::new()
            .set("code", e.code())
            .set("message", e.to_string())
    });
    Obj::new()
        .set("valid", report.is_valid())
        .set(
            "summary",
            report.summary().map_or(JsValue::NULL, JsValue::from),
        )
        .set("rowCount", report.rows as f64)
        .set("fileErrors", array(file_errors))
        .set(
            "columnHeaders",
            array(report.column_headers.iter().map(String::as_str)),
        )
        .set(
            "recipientColumns",
            array(
                template_type
                    .recipient_columns()
                    .iter()
                    .map(|c| column_key(c)),
            ),
        )
        .set("rowsWithErrors", report.rows_with_errors.len() as f64)
        .set("cellErrors", array(cell_errors))
        .set("rows", array(rows))
        .into()
}

/// A spreadsheet check fed chunk by chunk.
///
/// ```js
/// const check = new CsvCheck({ templateType: "sms", template: "Hi ((name))" });
/// for (const chunk of chunks) check.feed(chunk);
/// const report = check.finish();
/// ```
#[wasm_bindgen]
pub struct CsvCheck {
    inner: Option<CsvValidator>,
    template_type: TemplateType,
}

#[wasm_bindgen]
impl CsvCheck {
    /// A check against a template (see `CsvCheckOptions`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "CsvCheckOptions")] options: JsValue,
    ) -> Result<CsvCheck, JsValue> {
        let spec = spec_from(&options)?;
        Ok(Self {
            template_type: spec.template_type,
            inner: Some(CsvValidator::new(spec)),
        })
    }

    /// Feeds the next bytes.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), JsValue> {
        self.validator()?.feed(chunk);
        Ok(())
    }

    /// Ends the file and returns the verdict.
    #[wasm_bindgen(unchecked_return_type = "CsvReport")]
    pub fn finish(&mut self) -> Result<JsValue, JsValue> {
        let report = self.take()?.finish();
        Ok(report_js(&report, self.template_type))
    }

    /// Ends the file and returns the verdict in the app's own shape (notifications-utils'
    /// `RecipientCSV` fields, snake_case), to compare with the app or hand to a server. In the
    /// package built with the phone rules.
    #[cfg(feature = "app-verdict")]
    #[wasm_bindgen(js_name = finishAsAppVerdict)]
    pub fn finish_as_app_verdict(&mut self) -> Result<JsValue, JsValue> {
        let report = self.take()?.finish();
        Ok(
            js_sys::JSON::parse(&app_verdict(&report, self.template_type).to_string())
                .unwrap_or(JsValue::NULL),
        )
    }

    fn validator(&mut self) -> Result<&mut CsvValidator, JsValue> {
        self.inner
            .as_mut()
            .ok_or_else(|| validation_error("Finished", "this check has finished"))
    }

    fn take(&mut self) -> Result<CsvValidator, JsValue> {
        self.inner
            .take()
            .ok_or_else(|| validation_error("Finished", "this check has finished"))
    }
}

/// Checks a spreadsheet `File`/`Blob` (CSV text) against a template, reading it in slices of
/// `chunkBytes` (default 256 KiB) so the file is never held twice. A file over the app's size
/// limit is refused before a byte is read.
#[wasm_bindgen(js_name = validateCsvFile, unchecked_return_type = "Promise<CsvReport>")]
pub async fn validate_csv_file(
    file: web_sys::Blob,
    #[wasm_bindgen(unchecked_param_type = "CsvCheckOptions")] options: JsValue,
    chunk_bytes: Option<u32>,
) -> Result<JsValue, JsValue> {
    let mut check = CsvCheck::new(options)?;
    let size = file.size();
    if let Err(too_large) = check_size(size as u64) {
        let mut report = CsvReport::default();
        report.file_errors.push(too_large);
        return Ok(report_js(&report, check.template_type));
    }
    let step = f64::from(chunk_bytes.unwrap_or(DEFAULT_CHUNK_BYTES).max(1));
    let mut start = 0.0;
    while start < size {
        let end = (start + step).min(size);
        let slice = file
            .slice_with_f64_and_f64(start, end)
            .map_err(|_| validation_error("Unreadable", "cannot read the file"))?;
        let buffer = JsFuture::from(slice.array_buffer())
            .await
            .map_err(|_| validation_error("Unreadable", "cannot read the file"))?;
        check.feed(&js_sys::Uint8Array::new(&buffer).to_vec())?;
        start = end;
    }
    check.finish()
}
