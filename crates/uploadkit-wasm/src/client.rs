//! An upload client made once with its endpoint, grant and retry settings, as browser S3
//! clients are (aws4fetch's `AwsClient`): `new UploadClient({ endpoint, grant })`, then
//! `client.upload(file, { kind, onProgress, signal })`. Everything it takes and gives is
//! camelCase; the presign API's own field names stay inside.

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::js::{get_f64, get_string, property, validation_error};
use crate::upload::{request_upload, upload_file};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** How an `UploadClient` reaches the presign endpoint. */
export interface UploadClientOptions {
  /** The presign endpoint's base URL, e.g. `https://presign.example` (`""`: this origin). */
  endpoint: string;
  /** The upload grant your application issued, or a function returning one (called before
   *  each form is requested, so a short-lived grant can be fetched fresh). */
  grant: string | (() => string | Promise<string>);
  /** Attempts in all for each upload, the first included (default 4). */
  maxAttempts?: number;
  /** Ceiling of the first retry's delay in ms (default 500). */
  retryBaseMs?: number;
}
/** What to upload as. */
export interface UploadParams {
  kind: "csv" | "contact-list" | "email-logo" | "letter-logo" | "letter" | "letter-attachment" | "template-email-file";
  /** The name to give (default: the `File`'s own name). For a workbook uploaded as its CSV text,
   *  the workbook's name, which the app stores as the original file name. */
  fileName?: string;
  /** The declared type (default: the kind's own). */
  contentType?: string;
  /** The service, for kinds whose keys carry it (when the grant does not fix it). */
  serviceId?: string;
  /** Called as bytes are sent: `(sent, total)`. */
  onProgress?: (sent: number, total: number) => void;
  /** Called before a retry: `(attempt, delayMs, message)`. */
  onRetry?: (attempt: number, delayMs: number, message: string) => void;
  /** Cancels the upload: it rejects with an `AbortError`. */
  signal?: AbortSignal;
}
"#;

/// A client for the presign endpoint and the uploads it signs.
///
/// ```js
/// const client = new UploadClient({ endpoint: "https://presign.example", grant: () => fetchGrant() });
/// const stored = await client.upload(file, { kind: "csv", onProgress: (sent, total) => {} });
/// ```
#[wasm_bindgen]
pub struct UploadClient {
    endpoint: String,
    grant: JsValue,
    max_attempts: Option<f64>,
    retry_base_ms: Option<f64>,
}

#[wasm_bindgen]
impl UploadClient {
    /// A client (see `UploadClientOptions`); a missing endpoint or grant is a `ValidationError`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "UploadClientOptions")] options: JsValue,
    ) -> Result<UploadClient, JsValue> {
        // An empty endpoint is the page's own origin.
        let endpoint = get_string(&options, "endpoint")
            .ok_or_else(|| validation_error("BadOptions", "an UploadClient needs an endpoint"))?;
        let grant = property(&options, "grant");
        if !(grant.is_string() || grant.is_function()) {
            return Err(validation_error(
                "BadOptions",
                "an UploadClient needs a grant: a string, or a function returning one",
            ));
        }
        let number = |key: &str| get_f64(&property(&options, key));
        Ok(UploadClient {
            endpoint,
            max_attempts: number("maxAttempts"),
            retry_base_ms: number("retryBaseMs"),
            grant,
        })
    }

    /// A signed form for one upload: `{ kind, fileName, size, contentType?, serviceId? }`.
    #[wasm_bindgen(js_name = requestUpload, unchecked_return_type = "Promise<UploadForm>")]
    pub async fn request_upload(&self, params: JsValue) -> Result<JsValue, JsValue> {
        let grant = self.grant().await?;
        let request = Object::new();
        for (from, to) in [
            ("kind", "kind"),
            ("fileName", "file_name"),
            ("size", "size"),
            ("contentType", "content_type"),
            ("serviceId", "service_id"),
        ] {
            let value = property(&params, from);
            if !value.is_undefined() {
                Reflect::set(&request, &to.into(), &value)?;
            }
        }
        request_upload(self.endpoint.clone(), grant, request.into()).await
    }

    /// Asks for a form and uploads `file` with it (progress, retries, abort); resolves with
    /// `{ key, bucket, etag, size, attempts }`.
    #[wasm_bindgen(unchecked_return_type = "Promise<Uploaded>")]
    pub async fn upload(
        &self,
        file: web_sys::Blob,
        #[wasm_bindgen(unchecked_param_type = "UploadParams")] params: JsValue,
    ) -> Result<JsValue, JsValue> {
        let get = |key: &str| property(&params, key);
        let file_name = get_string(&params, "fileName")
            .or_else(|| get_string(&file, "name"))
            .ok_or_else(|| validation_error("BadOptions", "a Blob has no name: give fileName"))?;
        let request = Object::new();
        Reflect::set(&request, &"kind".into(), &get("kind"))?;
        Reflect::set(&request, &"fileName".into(), &file_name.into())?;
        Reflect::set(&request, &"size".into(), &file.size().into())?;
        for key in ["contentType", "serviceId"] {
            let value = get(key);
            if !value.is_undefined() {
                Reflect::set(&request, &key.into(), &value)?;
            }
        }
        let form = self.request_upload(request.into()).await?;
        let options = Object::new();
        for key in ["onProgress", "onRetry", "signal"] {
            Reflect::set(&options, &key.into(), &get(key))?;
        }
        if let Some(n) = self.max_attempts {
            Reflect::set(&options, &"maxAttempts".into(), &n.into())?;
        }
        if let Some(n) = self.retry_base_ms {
            Reflect::set(&options, &"retryBaseMs".into(), &n.into())?;
        }
        upload_file(form, file, options.into()).await
    }

    /// The grant: the string, or what the function returns (awaited when it is a promise).
    async fn grant(&self) -> Result<String, JsValue> {
        let value = match self.grant.dyn_ref::<Function>() {
            Some(f) => {
                let returned = f.call0(&JsValue::NULL)?;
                match returned.dyn_into::<Promise>() {
                    Ok(promise) => JsFuture::from(promise).await?,
                    Err(value) => value,
                }
            }
            None => self.grant.clone(),
        };
        value
            .as_string()
            .filter(|g| !g.is_empty())
            .ok_or_else(|| validation_error("BadGrant", "the grant function returned no grant"))
    }
}
