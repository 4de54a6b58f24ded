//! The wasm API in headless Chromium (`cargo test --target wasm32-unknown-unknown`).

use js_sys::{Array, Reflect, Uint8Array};
use uploadkit_wasm::{
    CsvCheck, UploadClient, request_upload, upload_file, validate_csv_file, validate_email_logo,
    validate_letter_logo, validate_logo_file,
};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

fn options(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap()
}

fn blob(bytes: &[u8]) -> web_sys::Blob {
    let parts = Array::new();
    parts.push(&Uint8Array::from(bytes));
    web_sys::Blob::new_with_u8_array_sequence(&parts).unwrap()
}

const CSV: &[u8] = b"phone number,name\n07723456789,Ada\n+44 123,Bo\n07723456788,\n";

#[wasm_bindgen_test]
fn a_check_fed_in_pieces_reports_rows_and_cells() {
    let mut check = CsvCheck::new(options(
        r#"{"templateType": "sms", "template": "Hi ((name))"}"#,
    ))
    .unwrap();
    for piece in CSV.chunks(5) {
        check.feed(piece).unwrap();
    }
    let report = check.finish().unwrap();
    assert_eq!(get(&report, "rowCount").as_f64(), Some(3.0));
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
    let sms = options(r#"{"templateType": "sms", "placeholders": ["name"]}"#);
    let report = validate_csv_file(blob(CSV), sms.clone(), Some(7))
        .await
        .unwrap();
    assert_eq!(get(&report, "rowCount").as_f64(), Some(3.0));
    // The preview: every row here is among the first five, the bad ones with their problems.
    let rows = Array::from(&get(&report, "rows"));
    assert_eq!(rows.length(), 3);
    assert_eq!(
        get(&rows.get(0), "recipient").as_string().as_deref(),
        Some("447723456789")
    );
    assert_eq!(get(&rows.get(0), "rowNumber").as_f64(), Some(2.0));
    assert_eq!(
        get(&get(&rows.get(0), "personalisation"), "name")
            .as_string()
            .as_deref(),
        Some("Ada")
    );
    assert_eq!(get(&rows.get(1), "hasError").as_bool(), Some(true));
    let summary = get(&report, "summary").as_string().unwrap();
    assert!(
        summary.starts_with("There is a problem with your data"),
        "{summary}"
    );
    let junk = validate_csv_file(blob(b"\x00\x01binary"), sms, None)
        .await
        .unwrap();
    let problems = Array::from(&get(&junk, "fileErrors"));
    assert_eq!(
        get(&problems.get(0), "code").as_string().as_deref(),
        Some("binary")
    );
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

fn code(error: &JsValue) -> String {
    get(error, "code").as_string().unwrap_or_default()
}

fn message(error: &JsValue) -> String {
    get(error, "message").as_string().unwrap_or_default()
}

fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o.into()
}

/// A form whose URL nothing listens on (port 9, discard, is closed here).
fn unreachable_form() -> JsValue {
    object(&[
        ("url", "http://127.0.0.1:9/bucket".into()),
        ("key", "k.csv".into()),
        ("bucket", "bucket".into()),
        ("fields", object(&[("key", "k.csv".into())])),
    ])
}

#[wasm_bindgen_test]
async fn an_unreachable_presign_endpoint_is_a_network_error() {
    let request = object(&[("kind", "csv".into())]);
    let error = request_upload("http://127.0.0.1:9".into(), "grant".into(), request)
        .await
        .unwrap_err();
    assert_eq!(code(&error), "NetworkError");
    assert!(message(&error).contains("could not be reached"));
}

#[wasm_bindgen_test]
async fn a_form_without_a_url_is_refused_before_sending() {
    let error = upload_file(object(&[]), blob(b"x"), JsValue::UNDEFINED)
        .await
        .unwrap_err();
    assert_eq!(code(&error), "BadForm");
    assert!(message(&error).contains("\"url\""));
}

#[wasm_bindgen_test]
async fn network_failures_are_retried_then_reported() {
    let retries = std::rc::Rc::new(std::cell::Cell::new(0));
    let counter = retries.clone();
    let on_retry = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
        counter.set(counter.get() + 1);
    });
    let options = object(&[
        ("maxAttempts", 3.into()),
        ("retryBaseMs", 1.into()),
        ("onRetry", on_retry.as_ref().clone()),
    ]);
    let error = upload_file(unreachable_form(), blob(b"a,b\n"), options)
        .await
        .unwrap_err();
    assert_eq!(code(&error), "NetworkError");
    assert_eq!(
        get(&error, "name").as_string().as_deref(),
        Some("UploadError")
    );
    assert!(
        message(&error).contains("tried 3 times"),
        "{}",
        message(&error)
    );
    assert_eq!(retries.get(), 2, "two retries after the first attempt");
}

#[wasm_bindgen_test]
async fn an_aborted_upload_is_not_sent() {
    let controller = web_sys::AbortController::new().unwrap();
    controller.abort();
    let options = object(&[("signal", controller.signal().into())]);
    let error = upload_file(unreachable_form(), blob(b"a"), options)
        .await
        .unwrap_err();
    assert_eq!(code(&error), "AbortError");
    assert_eq!(
        get(&error, "name").as_string().as_deref(),
        Some("AbortError")
    );
}

#[wasm_bindgen_test]
async fn an_oversize_logo_is_refused_without_reading_it() {
    let big = vec![0u8; 2 * 1024 * 1024 + 1];
    let result = validate_logo_file(blob(&big), "email-logo".into())
        .await
        .unwrap();
    assert_eq!(get(&result, "ok").as_bool(), Some(false));
    assert!(
        get(&result, "message")
            .as_string()
            .unwrap()
            .contains("the limit is 2097152 bytes")
    );
    assert!(
        validate_logo_file(blob(b"x"), "banner".into())
            .await
            .is_err()
    );
}

#[wasm_bindgen_test]
async fn a_text_message_template_limits_each_row() {
    let file = format!("phone number,note\n07700900460,{}\n", "x".repeat(918));
    let report = validate_csv_file(
        blob(file.as_bytes()),
        options(r#"{"templateType": "sms", "template": "Hi ((note))"}"#),
        None,
    )
    .await
    .unwrap();
    let errors = Array::from(&get(&report, "cellErrors"));
    assert_eq!(errors.length(), 1);
    assert_eq!(
        get(&errors.get(0), "code").as_string().as_deref(),
        Some("message_too_long")
    );
    let rows = Array::from(&get(&report, "rows"));
    assert_eq!(get(&rows.get(0), "messageTooLong").as_bool(), Some(true));
}

#[wasm_bindgen_test]
async fn a_client_takes_a_grant_function_and_says_what_went_wrong() {
    // No endpoint: refused at once, by name.
    let error = UploadClient::new(object(&[("grant", "g".into())]))
        .err()
        .unwrap();
    assert_eq!(
        get(&error, "name").as_string().as_deref(),
        Some("ValidationError")
    );
    // A grant function is called for each form; here the endpoint is unreachable.
    let calls = std::rc::Rc::new(std::cell::Cell::new(0));
    let counter = calls.clone();
    let grant = wasm_bindgen::closure::Closure::<dyn FnMut() -> JsValue>::new(move || {
        counter.set(counter.get() + 1);
        JsValue::from_str("a-grant")
    });
    let client = UploadClient::new(object(&[
        ("endpoint", "http://127.0.0.1:9".into()),
        ("grant", grant.as_ref().clone()),
    ]))
    .unwrap();
    let file = blob(b"email address\na@b.gov.uk\n");
    let params = object(&[("kind", "csv".into()), ("fileName", "list.csv".into())]);
    let error = client.upload(file, params).await.unwrap_err();
    assert_eq!(calls.get(), 1);
    assert_eq!(
        get(&error, "name").as_string().as_deref(),
        Some("UploadError")
    );
    assert_eq!(code(&error), "NetworkError");
}
