//! The spreadsheet reader in the browser, as its own small package so that a page loads it only
//! when someone picks a workbook: `.xlsx`, `.xlsm`, `.xls`, `.ods` or `.tsv` bytes in, the CSV
//! text the application makes of them out (see `uploadkit_sheets`). Check that text with the
//! main package's spreadsheet check, and upload it: it is what the application stores.
//!
//! ```js
//! import init, { spreadsheetToCsv } from "./pkg/sheets/uploadkit_sheets_wasm.js";
//! await init();
//! const csvText = spreadsheetToCsv(new Uint8Array(await file.arrayBuffer()), file.name);
//! ```

use wasm_bindgen::prelude::*;

/// The CSV text the application makes of a spreadsheet, chosen by the file name's extension.
///
/// Throws an `Error` named `ValidationError` when the file cannot be read: its `code` says why
/// (`Encrypted`, `NotAWorkbook`, `ZipNamedXls`, `Damaged`, `UnreadableText`, `NotUtf8`,
/// `TooManyRows`, `TooManyColumns`, `AllRowsHidden`, `TooManyCells`, `TooLarge`,
/// `UnsupportedExtension`), its message what to
/// do, and `appMessage` what the application itself says of such a file.
#[wasm_bindgen(js_name = spreadsheetToCsv)]
pub fn spreadsheet_to_csv(bytes: &[u8], file_name: &str) -> Result<String, JsValue> {
    uploadkit_sheets::to_csv_text(bytes, file_name).map_err(|e| validation_error(&e))
}

/// Whether the application reads a file of this name as a workbook or TSV (so it must be turned
/// into CSV text first), rather than as CSV.
#[wasm_bindgen(js_name = needsConversion)]
pub fn needs_conversion(file_name: &str) -> bool {
    uploadkit_sheets::Format::from_file_name(file_name).is_ok_and(|f| !f.is_csv())
}

fn validation_error(e: &uploadkit_sheets::SheetError) -> JsValue {
    let error = js_sys::Error::new(&e.to_string());
    error.set_name("ValidationError");
    let set = |key: &str, value: JsValue| {
        let _ = js_sys::Reflect::set(&error, &key.into(), &value);
    };
    set("code", e.code().into());
    set(
        "appMessage",
        e.app_message().map_or(JsValue::NULL, JsValue::from),
    );
    error.into()
}
