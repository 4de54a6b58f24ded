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

/// A plain JS object built field by field (the results this package hands over).
pub(crate) struct Obj(js_sys::Object);

impl Obj {
    pub(crate) fn new() -> Self {
        Obj(js_sys::Object::new())
    }

    /// Sets a field (on a fresh plain object, which cannot fail).
    pub(crate) fn set(self, key: &str, value: impl Into<JsValue>) -> Self {
        let _ = Reflect::set(&self.0, &key.into(), &value.into());
        self
    }
}

impl From<Obj> for JsValue {
    fn from(o: Obj) -> JsValue {
        o.0.into()
    }
}

/// A JS array of the values.
pub(crate) fn array<T: Into<JsValue>>(items: impl IntoIterator<Item = T>) -> JsValue {
    items
        .into_iter()
        .map(Into::into)
        .collect::<js_sys::Array>()
        .into()
}

/// A property of an options object (`undefined` when it is not an object or has none).
pub(crate) fn property(value: &JsValue, key: &str) -> JsValue {
    if value.is_object() {
        Reflect::get(value, &key.into()).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
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
    property(value, key).as_string()
}

/// A number, if `value` is one.
pub(crate) fn get_f64(value: &JsValue) -> Option<f64> {
    value.as_f64().filter(|n| n.is_finite())
}
