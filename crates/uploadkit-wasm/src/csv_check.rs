//! Spreadsheets: the recipient-CSV rules, fed chunk by chunk from a `File`/`Blob`.

use serde_json::{Value, json};
use uploadkit_validators::csv::{CsvReport, CsvSpec, CsvValidator, TemplateType, check_size};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::js::to_js;

/// The slice size used when reading a file.
pub const DEFAULT_CHUNK_BYTES: u32 = 256 * 1024;

fn template_type(name: &str) -> Result<TemplateType, JsError> {
    match name {
        "email" => Ok(TemplateType::Email),
        "sms" if cfg!(feature = "phone") => Ok(TemplateType::Sms),
        "sms" => Err(JsError::new(
            "this package has no phone number rules: use the package built with them (pkg/phone)",
        )),
        "letter" => Ok(TemplateType::Letter),
        other => Err(JsError::new(&format!(
            "unknown template type {other:?}: use email, sms or letter"
        ))),
    }
}

fn report_json(report: &CsvReport) -> Value {
    let errors: Vec<Value> = report
        .cell_errors
        .iter()
        .map(|e| json!({"row": e.row, "column": e.column, "code": e.code, "message": e.message}))
        .collect();
    json!({
        "valid": report.is_valid(),
        "rows": report.rows,
        "summary": report.summary(),
        "fileErrors": report.file_errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "cellErrors": errors,
        "rowsWithBadRecipients": report.rows_with_bad_recipients,
        "rowsWithMissingData": report.rows_with_missing_data,
        "rowsWithBadMessages": report.rows_with_bad_messages,
    })
}

/// A spreadsheet check fed chunk by chunk.
#[wasm_bindgen]
pub struct CsvCheck {
    inner: Option<CsvValidator>,
}

#[wasm_bindgen]
impl CsvCheck {
    /// A check for a template type (`email`, `sms`, `letter`) and its placeholders; with
    /// `sms_template` (the text message's body) a row whose message is over 918 characters fails.
    #[wasm_bindgen(constructor)]
    pub fn new(
        template_type_name: &str,
        placeholders: Vec<String>,
        allow_international_sms: bool,
        allow_uk_landline: bool,
        sms_template: Option<String>,
    ) -> Result<CsvCheck, JsError> {
        let mut spec = CsvSpec::new(template_type(template_type_name)?, placeholders);
        spec.allow_international_sms = allow_international_sms;
        spec.allow_uk_landline = allow_uk_landline;
        spec.body = sms_template;
        Ok(Self {
            inner: Some(CsvValidator::new(spec)),
        })
    }

    /// Feeds the next bytes.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), JsError> {
        self.inner
            .as_mut()
            .ok_or_else(|| JsError::new("this check has finished"))?
            .feed(chunk);
        Ok(())
    }

    /// Ends the file; returns `{valid, rows, summary, fileErrors, cellErrors, …}`.
    pub fn finish(&mut self) -> Result<JsValue, JsError> {
        let report = self
            .inner
            .take()
            .ok_or_else(|| JsError::new("this check has finished"))?
            .finish();
        Ok(to_js(&report_json(&report)))
    }
}

/// Checks a spreadsheet `File`/`Blob`, reading it in slices of `chunk_bytes`; `sms_template` as
/// for [`CsvCheck::new`].
#[wasm_bindgen(js_name = validateCsvFile)]
pub async fn validate_csv_file(
    file: web_sys::Blob,
    template_type_name: String,
    placeholders: Vec<String>,
    chunk_bytes: Option<u32>,
    sms_template: Option<String>,
) -> Result<JsValue, JsError> {
    let mut check = CsvCheck::new(
        &template_type_name,
        placeholders,
        false,
        false,
        sms_template,
    )?;
    let size = file.size();
    if let Err(too_large) = check_size(size as u64) {
        // Refused before reading a byte.
        let mut report = CsvReport::default();
        report.file_errors.push(too_large);
        return Ok(to_js(&report_json(&report)));
    }
    let step = f64::from(chunk_bytes.unwrap_or(DEFAULT_CHUNK_BYTES).max(1));
    let mut start = 0.0;
    while start < size {
        let end = (start + step).min(size);
        let slice = file
            .slice_with_f64_and_f64(start, end)
            .map_err(|_| JsError::new("cannot read the file"))?;
        let buffer = JsFuture::from(slice.array_buffer())
            .await
            .map_err(|_| JsError::new("cannot read the file"))?;
        check.feed(&js_sys::Uint8Array::new(&buffer).to_vec())?;
        start = end;
    }
    check.finish()
}
