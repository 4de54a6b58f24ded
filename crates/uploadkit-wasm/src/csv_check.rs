//! Spreadsheets: the recipient-CSV rules, fed chunk by chunk from a `File`/`Blob`, reporting in
//! full as a typed, camelCase object.

use serde_json::{Map, Value, json};
#[cfg(feature = "app-verdict")]
use uploadkit_validators::csv::app_verdict;
use uploadkit_validators::csv::{
    CsvReport, CsvSpec, CsvValidator, Recipient, TemplateType, check_size, column_key,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::js::{from_js, to_js, validation_error};

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

/// What the options object holds, read once.
struct Options {
    spec: CsvSpec,
}

impl Options {
    fn read(options: &JsValue) -> Result<Self, JsValue> {
        let o: Value = from_js(options)?;
        let text = |key: &str| o.get(key).and_then(Value::as_str);
        let flag = |key: &str| o.get(key).and_then(Value::as_bool).unwrap_or(false);
        let template_type = match text("templateType") {
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
                    &format!(
                        "templateType must be \"email\", \"sms\" or \"letter\", not {other:?}"
                    ),
                ));
            }
        };
        let body = text("template");
        let mut spec = CsvSpec::for_template(
            template_type,
            body.unwrap_or(""),
            text("subject").unwrap_or(""),
        );
        // Without a template there is no message to check, only columns.
        if body.is_none() {
            spec.body = None;
        }
        for extra in o
            .get("placeholders")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(name) = extra.as_str().map(str::trim).filter(|n| !n.is_empty()) {
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
        spec.preview_rows = o
            .get("previewRows")
            .and_then(Value::as_f64)
            .map_or(DEFAULT_PREVIEW_ROWS, |n| {
                n.clamp(0.0, usize::MAX as f64) as usize
            });
        Ok(Options { spec })
    }
}

fn report_json(report: &CsvReport, template_type: TemplateType) -> Value {
    let row_number = |index: usize| index + 2;
    let cell_errors: Vec<Value> = report
        .cell_errors
        .iter()
        .map(|e| {
            json!({"row": e.row, "rowNumber": row_number(e.row), "column": e.column, "code": e.code, "message": e.message})
        })
        .collect();
    let rows: Vec<Value> = report
        .row_reports
        .iter()
        .map(|r| {
            let recipient = match &r.recipient {
                Recipient::Normalised(value) => Value::from(value.as_str()),
                Recipient::Address(lines) => Value::from(lines.clone()),
                Recipient::Raw(value) => value.to_json(),
            };
            let personalisation: Map<String, Value> = r
                .personalisation
                .iter()
                .map(|(k, v)| (k.clone(), v.to_json()))
                .collect();
            let errors: Vec<Value> = r
                .cell_errors
                .iter()
                .map(|e| json!({"column": e.column, "code": e.code, "message": e.message}))
                .collect();
            json!({
                "index": r.index,
                "rowNumber": row_number(r.index),
                "hasError": r.has_error,
                "recipient": recipient,
                "personalisation": personalisation,
                "errors": errors,
                "messageTooLong": r.message_too_long,
                "messageEmpty": r.message_empty,
                "qrCodeTooLong": r.qr_code_too_long,
            })
        })
        .collect();
    json!({
        "valid": report.is_valid(),
        "summary": report.summary(),
        "rowCount": report.rows,
        "fileErrors": report
            .file_errors
            .iter()
            .map(|e| json!({"code": e.code(), "message": e.to_string()}))
            .collect::<Vec<_>>(),
        "columnHeaders": report.column_headers,
        "recipientColumns": template_type
            .recipient_columns()
            .iter()
            .map(|c| column_key(c))
            .collect::<Vec<_>>(),
        "rowsWithErrors": report.rows_with_errors.len(),
        "cellErrors": cell_errors,
        "rows": rows,
    })
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
        let Options { spec } = Options::read(&options)?;
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
        Ok(to_js(&report_json(&report, self.template_type)))
    }

    /// Ends the file and returns the verdict in the app's own shape (notifications-utils'
    /// `RecipientCSV` fields, snake_case), to compare with the app or hand to a server. In the
    /// package built with the phone rules.
    #[cfg(feature = "app-verdict")]
    #[wasm_bindgen(js_name = finishAsAppVerdict)]
    pub fn finish_as_app_verdict(&mut self) -> Result<JsValue, JsValue> {
        let report = self.take()?.finish();
        Ok(to_js(&app_verdict(&report, self.template_type)))
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
        return Ok(to_js(&report_json(&report, check.template_type)));
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
