//! Uploads: ask the presign endpoint for a form, then POST the form and the file straight to S3
//! with `XMLHttpRequest` (the one browser API that reports upload progress), retrying network
//! failures and server errors with bounded, jittered backoff and never a refusal.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use uploadkit_core::s3::{RetryPolicy, UploadFailure, UploadOutcome, upload_outcome};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Blob, FormData, Headers, RequestInit, XmlHttpRequest};

use crate::js::{error_with_code, get_f64, get_string, global_fetch, property, sleep_ms};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** What to upload, as the presign endpoint's `POST /v1/uploads` takes it. */
export interface UploadRequest {
  kind: "csv" | "contact-list" | "email-logo" | "letter-logo" | "letter" | "letter-attachment" | "template-email-file";
  file_name: string;
  size: number;
  content_type?: string;
  service_id?: string;
}
/** A signed S3 POST form. */
export interface UploadForm {
  method: "POST";
  url: string;
  fields: Record<string, string>;
  key: string;
  bucket: string;
  expires_at: string;
  max_size: number;
}
/** How to upload. */
export interface UploadOptions {
  /** Called as bytes are sent: `(sent, total)`. */
  onProgress?: (sent: number, total: number) => void;
  /** Called before a retry: `(attempt, delayMs, message)`. */
  onRetry?: (attempt: number, delayMs: number, message: string) => void;
  /** Aborts the upload (and any wait before a retry). */
  signal?: AbortSignal;
  /** Attempts in all, the first included (default 4). */
  maxAttempts?: number;
  /** Ceiling of the first retry's delay in ms (default 500). */
  retryBaseMs?: number;
}
/** A stored object. */
export interface Uploaded {
  key: string;
  bucket: string;
  etag: string | null;
  size: number;
  attempts: number;
}
"#;

/// What one attempt's request came back with.
struct Answer {
    status: Option<u16>,
    body: String,
}

/// Asks the presign endpoint (`api_base`, e.g. `https://presign.example`) for an upload form.
/// Rejects with an `Error` whose `code` is the endpoint's error code and whose message is its
/// explanation.
#[wasm_bindgen(js_name = requestUpload, unchecked_return_type = "UploadForm")]
pub async fn request_upload(
    api_base: String,
    grant: String,
    #[wasm_bindgen(unchecked_param_type = "UploadRequest")] request: JsValue,
) -> Result<JsValue, JsValue> {
    let headers = Headers::new()?;
    headers.set("content-type", "application/json")?;
    headers.set("authorization", &format!("Bearer {grant}"))?;
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    init.set_body(&js_sys::JSON::stringify(&request)?.into());
    let url = format!("{}/v1/uploads", api_base.trim_end_matches('/'));
    let response: web_sys::Response = JsFuture::from(global_fetch(&url, &init))
        .await
        .map_err(|_| {
            error_with_code(
                "NetworkError",
                "The upload service could not be reached: check the connection and try again",
            )
        })?
        .dyn_into()?;
    let body = JsFuture::from(response.json()?)
        .await
        .unwrap_or(JsValue::NULL);
    if response.ok() {
        return Ok(body);
    }
    let code = get_string(&body, "error").unwrap_or_else(|| format!("HTTP{}", response.status()));
    let message = get_string(&body, "message")
        .unwrap_or_else(|| format!("The upload service refused ({})", response.status()));
    Err(error_with_code(&code, &message))
}

/// POSTs `file` with `form`'s fields to S3: progress, abort, retries; resolves with the stored
/// key and ETag, rejects with an `Error` carrying S3's `code` and a message for people.
#[wasm_bindgen(js_name = uploadFile, unchecked_return_type = "Uploaded")]
pub async fn upload_file(
    #[wasm_bindgen(unchecked_param_type = "UploadForm")] form: JsValue,
    file: Blob,
    #[wasm_bindgen(unchecked_param_type = "UploadOptions | undefined")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let url = get_string(&form, "url").ok_or_else(|| bad_form("url"))?;
    let key = get_string(&form, "key").ok_or_else(|| bad_form("key"))?;
    let bucket = get_string(&form, "bucket").unwrap_or_default();
    let fields = Reflect::get(&form, &"fields".into())?;
    if !fields.is_object() {
        return Err(bad_form("fields"));
    }
    let opt = |name: &str| property(&options, name);
    let signal: Option<AbortSignal> = opt("signal").dyn_into().ok();
    let on_progress: Option<Function> = opt("onProgress").dyn_into().ok();
    let on_retry: Option<Function> = opt("onRetry").dyn_into().ok();
    let defaults = RetryPolicy::default();
    let policy = RetryPolicy {
        max_attempts: get_f64(&opt("maxAttempts"))
            .map_or(defaults.max_attempts, |n| n.clamp(1.0, 10.0) as u32),
        base_ms: get_f64(&opt("retryBaseMs"))
            .map_or(defaults.base_ms, |n| n.clamp(0.0, 60_000.0) as u32),
        ..defaults
    };

    let mut attempt = 1;
    loop {
        check_aborted(signal.as_ref())?;
        let answer = send(&url, &fields, &file, on_progress.as_ref(), signal.as_ref()).await?;
        let failure = match upload_outcome(answer.status, &answer.body) {
            UploadOutcome::Stored { key: stored, etag } => {
                // A 2xx from somewhere that is not the store (a proxy, a captive portal) has no
                // PostResponse; an S3 answer names the key it stored.
                if stored.as_deref().is_some_and(|k| k != key) {
                    return Err(error_with_code(
                        "KeyMismatch",
                        "The storage service stored the file under an unexpected name",
                    ));
                }
                let result = Object::new();
                Reflect::set(&result, &"key".into(), &key.as_str().into())?;
                Reflect::set(&result, &"bucket".into(), &bucket.as_str().into())?;
                Reflect::set(
                    &result,
                    &"etag".into(),
                    &etag.map_or(JsValue::NULL, |e| e.into()),
                )?;
                Reflect::set(&result, &"size".into(), &file.size().into())?;
                Reflect::set(&result, &"attempts".into(), &attempt.into())?;
                return Ok(result.into());
            }
            UploadOutcome::Failed(failure) => failure,
        };
        let Some(delay) = policy.delay_ms(attempt, &failure, js_sys::Math::random()) else {
            return Err(failure_error(&failure, attempt));
        };
        if let Some(callback) = &on_retry {
            let _ = callback.call3(
                &JsValue::NULL,
                &attempt.into(),
                &delay.into(),
                &failure.message.as_str().into(),
            );
        }
        sleep_ms(delay, signal.as_ref()).await?;
        attempt += 1;
    }
}

fn bad_form(field: &str) -> JsValue {
    error_with_code(
        "BadForm",
        &format!("The upload form has no {field:?}: pass the object requestUpload returned"),
    )
}

fn failure_error(failure: &UploadFailure, attempts: u32) -> JsValue {
    let message = if failure.retryable && attempts > 1 {
        format!("{} (tried {attempts} times)", failure.message)
    } else {
        failure.message.clone()
    };
    error_with_code(&failure.code, &message)
}

fn aborted() -> JsValue {
    error_with_code("AbortError", "The upload was cancelled")
}

fn check_aborted(signal: Option<&AbortSignal>) -> Result<(), JsValue> {
    if signal.is_some_and(AbortSignal::aborted) {
        Err(aborted())
    } else {
        Ok(())
    }
}

/// One attempt: fields in the form's order, the file last (S3 ignores anything after it).
async fn send(
    url: &str,
    fields: &JsValue,
    file: &Blob,
    on_progress: Option<&Function>,
    signal: Option<&AbortSignal>,
) -> Result<Answer, JsValue> {
    let data = FormData::new()?;
    for entry in Object::entries(fields.unchecked_ref()).iter() {
        let pair: js_sys::Array = entry.unchecked_into();
        let value = pair.get(1).as_string().unwrap_or_default();
        data.append_with_str(&pair.get(0).as_string().unwrap_or_default(), &value)?;
    }
    data.append_with_blob("file", file)?;

    let xhr = XmlHttpRequest::new()?;
    xhr.open("POST", url)?;
    let settled: Rc<RefCell<Option<Answer>>> = Rc::new(RefCell::new(None));
    let was_aborted = Rc::new(RefCell::new(false));
    let resolver: Rc<RefCell<Option<Function>>> = Rc::new(RefCell::new(None));
    let promise = Promise::new(&mut |resolve, _reject| {
        *resolver.borrow_mut() = Some(resolve);
    });
    let done = {
        let xhr = xhr.clone();
        let settled = settled.clone();
        Closure::<dyn FnMut()>::new(move || {
            let status = xhr.status().unwrap_or(0);
            *settled.borrow_mut() = Some(Answer {
                // Status 0 is the browser's "no answer": network failure or CORS refusal.
                status: (status != 0).then_some(status),
                body: xhr.response_text().ok().flatten().unwrap_or_default(),
            });
            if let Some(resolve) = resolver.borrow_mut().take() {
                let _ = resolve.call0(&JsValue::NULL);
            }
        })
    };
    xhr.set_onloadend(Some(done.as_ref().unchecked_ref()));
    let progress = on_progress.map(|callback| {
        let callback = callback.clone();
        Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
            let _ = callback.call2(&JsValue::NULL, &e.loaded().into(), &e.total().into());
        })
    });
    if let Some(progress) = &progress {
        xhr.upload()?
            .set_onprogress(Some(progress.as_ref().unchecked_ref()));
    }
    let abort_listener = signal.map(|signal| {
        let xhr = xhr.clone();
        let was_aborted = was_aborted.clone();
        let listener = Closure::<dyn FnMut()>::new(move || {
            *was_aborted.borrow_mut() = true;
            let _ = xhr.abort();
        });
        let _ = signal.add_event_listener_with_callback("abort", listener.as_ref().unchecked_ref());
        (signal.clone(), listener)
    });
    xhr.send_with_opt_form_data(Some(&data))?;
    JsFuture::from(promise).await?;
    xhr.set_onloadend(None);
    drop(done);
    if let Some((signal, listener)) = &abort_listener {
        let _ =
            signal.remove_event_listener_with_callback("abort", listener.as_ref().unchecked_ref());
    }
    if progress.is_some()
        && let Ok(upload) = xhr.upload()
    {
        upload.set_onprogress(None);
    }
    drop(progress);
    if *was_aborted.borrow() {
        return Err(aborted());
    }
    settled
        .borrow_mut()
        .take()
        .ok_or_else(|| error_with_code("NetworkError", "The upload ended without an answer"))
}
