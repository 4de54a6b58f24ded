//! Logos: email logos (PNG) and letter logos (SVG), by the app's rules.

use uploadkit_validators::logo::{self, LogoError};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::js::Obj;

fn logo_result(result: Result<Obj, LogoError>) -> JsValue {
    match result {
        Ok(details) => details.set("ok", true).into(),
        Err(e) => Obj::new()
            .set("ok", false)
            .set("message", e.to_string())
            .into(),
    }
}

/// Checks an email logo's bytes: `{ok, width, height, willResize, willPad}` or `{ok: false, message}`.
#[wasm_bindgen(js_name = validateEmailLogo)]
pub fn validate_email_logo(bytes: &[u8]) -> JsValue {
    logo_result(logo::validate_email_logo(bytes).map(|l| {
        Obj::new()
            .set("width", l.width)
            .set("height", l.height)
            .set("willResize", l.will_resize)
            .set("willPad", l.will_pad)
    }))
}

/// Checks a letter logo's bytes: `{ok}` or `{ok: false, message}`.
#[wasm_bindgen(js_name = validateLetterLogo)]
pub fn validate_letter_logo(bytes: &[u8]) -> JsValue {
    logo_result(logo::validate_letter_logo(bytes).map(|()| Obj::new()))
}

/// Checks a logo `File`/`Blob` for an upload kind (`email-logo` or `letter-logo`): the size is
/// checked before anything is read, so an oversize file is refused without loading it.
#[wasm_bindgen(js_name = validateLogoFile)]
pub async fn validate_logo_file(file: web_sys::Blob, kind: String) -> Result<JsValue, JsError> {
    let email = match kind.as_str() {
        "email-logo" => true,
        "letter-logo" => false,
        other => {
            return Err(JsError::new(&format!(
                "unknown logo kind {other:?}: use email-logo or letter-logo"
            )));
        }
    };
    let size = file.size() as usize;
    if size > logo::MAX_LOGO_BYTES {
        return Ok(logo_result(Err(LogoError::TooLarge(size))));
    }
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|_| JsError::new("cannot read the file"))?;
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    Ok(if email {
        validate_email_logo(&bytes)
    } else {
        validate_letter_logo(&bytes)
    })
}
