//! The wasm API in headless Chromium (`cargo test --target wasm32-unknown-unknown`).

use js_sys::{Array, Reflect, Uint8Array};
use uploadkit_wasm::{CsvCheck, validate_csv_file, validate_email_logo, validate_letter_logo};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

fn blob(bytes: &[u8]) -> web_sys::Blob {
    let parts = Array::new();
    parts.push(&Uint8Array::from(bytes));
    web_sys::Blob::new_with_u8_array_sequence(&parts).unwrap()
}

const CSV: &[u8] = b"phone number,name\n07723456789,Ada\n+44 123,Bo\n07723456788,\n";

#[wasm_bindgen_test]
fn a_check_fed_in_pieces_reports_rows_and_cells() {
    let mut check = CsvCheck::new("sms", vec!["name".into()], false, false).unwrap();
    for piece in CSV.chunks(5) {
        check.feed(piece).unwrap();
    }
    let report = check.finish().unwrap();
    assert_eq!(get(&report, "rows").as_f64(), Some(3.0));
    assert_eq!(get(&report, "valid").as_bool(), Some(false));
    let errors = Array::from(&get(&report, "cellErrors"));
    assert_eq!(errors.length(), 2);
    assert_eq!(
        get(&errors.get(0), "column").as_string().as_deref(),
        Some("phone number")
    );
    assert_eq!(
        get(&errors.get(1), "message").as_string().as_deref(),
        Some("Missing")
    );
    assert!(
        check.feed(b"more").is_err(),
        "a finished check refuses more input"
    );
}

#[wasm_bindgen_test]
async fn a_file_is_read_in_slices() {
    let report = validate_csv_file(blob(CSV), "sms".into(), vec!["name".into()], Some(7))
        .await
        .unwrap();
    assert_eq!(get(&report, "rows").as_f64(), Some(3.0));
    let summary = get(&report, "summary").as_string().unwrap();
    assert!(
        summary.starts_with("There is a problem with your data"),
        "{summary}"
    );
    let junk = validate_csv_file(blob(b"\x00\x01binary"), "sms".into(), vec![], None)
        .await
        .unwrap();
    assert!(
        get(&junk, "summary")
            .as_string()
            .unwrap()
            .contains("Notify cannot read this file")
    );
}

#[wasm_bindgen_test]
fn logos() {
    let not_png = validate_email_logo(b"GIF89a....");
    assert_eq!(get(&not_png, "ok").as_bool(), Some(false));
    assert_eq!(
        get(&not_png, "message").as_string().as_deref(),
        Some("Logo must be a PNG file")
    );
    let text = validate_letter_logo(b"<svg><text>Dept</text></svg>");
    assert_eq!(
        get(&text, "message").as_string().as_deref(),
        Some("This SVG has text which has not been converted to paths and may not render well")
    );
    assert_eq!(
        get(
            &validate_letter_logo(b"<svg><path d='M0 0h1'/></svg>"),
            "ok"
        )
        .as_bool(),
        Some(true)
    );
}
