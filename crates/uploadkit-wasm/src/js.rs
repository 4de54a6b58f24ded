//! Small bridges to the JS globals both a page and a Web Worker have.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, RequestInit};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch)]
    fn fetch_with_init(input: &str, init: &RequestInit) -> Promise;
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &Function, ms: u32) -> JsValue;
}

/// `fetch` from whichever global scope this runs in (window or worker).
pub(crate) fn global_fetch(url: &str, init: &RequestInit) -> Promise {
    fetch_with_init(url, init)
}

/// Waits `ms`, or rejects with `AbortError` as soon as `signal` aborts.
pub(crate) async fn sleep_ms(ms: u32, signal: Option<&AbortSignal>) -> Result<(), JsValue> {
    let promise = Promise::new(&mut |resolve, reject| {
        set_timeout(&resolve, ms);
        if let Some(signal) = signal {
            let _ = signal.add_event_listener_with_callback("abort", &reject);
        }
    });
    JsFuture::from(promise)
        .await
        .map(drop)
        .map_err(|_| error_with_code("AbortError", "The upload was cancelled"))
}

/// A JSON value as a JS value.
pub(crate) fn to_js(value: &serde_json::Value) -> JsValue {
    // serde_json's output is always valid JSON.
    js_sys::JSON::parse(&value.to_string()).unwrap_or(JsValue::NULL)
}

/// A JS value (an options object) as JSON.
pub(crate) fn from_js(value: &JsValue) -> Result<serde_json::Value, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(serde_json::Value::Null);
    }
    let text = js_sys::JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| validation_error("BadOptions", "the options must be a plain object"))?;
    serde_json::from_str(&text)
        .map_err(|_| validation_error("BadOptions", "the options must be a plain object"))
}

/// An `Error` named `ValidationError` (bad input: a file, options), with a `code`.
pub(crate) fn validation_error(code: &str, message: &str) -> JsValue {
    named_error("ValidationError", code, message)
}

/// An `Error` with a `name` callers can branch on (`AbortError`, `ValidationError`,
/// `UploadError`) and a `code` for the precise reason.
pub(crate) fn named_error(name: &str, code: &str, message: &str) -> JsValue {
    let error = js_sys::Error::new(message);
    error.set_name(name);
    let _ = Reflect::set(&error, &"code".into(), &code.into());
    error.into()
}

/// An `Error` for a failed upload step: named `AbortError` when it was cancelled, otherwise
/// `UploadError`; its `code` is S3's (or `NetworkError`, `AbortError`, …).
pub(crate) fn error_with_code(code: &str, message: &str) -> JsValue {
    let name = if code == "AbortError" {
        "AbortError"
    } else {
        "UploadError"
    };
    named_error(name, code, message)
}

/// A string property, if there is one.
pub(crate) fn get_string(value: &JsValue, key: &str) -> Option<String> {
    if !value.is_object() {
        return None;
    }
    Reflect::get(value, &key.into()).ok()?.as_string()
}

/// A number, if `value` is one.
pub(crate) fn get_f64(value: &JsValue) -> Option<f64> {
    value.as_f64().filter(|n| n.is_finite())
}
