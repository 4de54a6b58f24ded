//! Posting a kit-built form to S3 as a browser would: fields in order, the file last.

use reqwest::blocking::multipart::{Form, Part};

/// Status and body of a form POST.
pub struct PostResult {
    /// HTTP status.
    pub status: u16,
    /// Response body (S3's XML).
    pub body: String,
}

/// Posts `fields` then `file` (named `file_name`) to `url`.
pub fn post_form(
    url: &str,
    fields: &[(String, String)],
    file_name: &str,
    file: &[u8],
) -> PostResult {
    let mut form = Form::new();
    for (k, v) in fields {
        form = form.text(k.clone(), v.clone());
    }
    form = form.part(
        "file",
        Part::bytes(file.to_vec()).file_name(file_name.to_owned()),
    );
    let r = reqwest::blocking::Client::new()
        .post(url)
        .multipart(form)
        .send()
        .unwrap();
    PostResult {
        status: r.status().as_u16(),
        body: r.text().unwrap_or_default(),
    }
}

/// The fields with one replaced (or added when absent).
pub fn with_field(fields: &[(String, String)], name: &str, value: &str) -> Vec<(String, String)> {
    let mut out = fields.to_vec();
    match out.iter_mut().find(|(k, _)| k == name) {
        Some(slot) => slot.1 = value.to_owned(),
        None => {
            let at = out
                .iter()
                .position(|(k, _)| k == "policy")
                .unwrap_or(out.len());
            out.insert(at, (name.to_owned(), value.to_owned()));
        }
    }
    out
}

/// The fields with the last hex digit of `x-amz-signature` changed.
pub fn with_tampered_signature(fields: &[(String, String)]) -> Vec<(String, String)> {
    let sig = &fields
        .iter()
        .find(|(k, _)| k == "x-amz-signature")
        .expect("a signed form")
        .1;
    let last = if sig.ends_with('0') { '1' } else { '0' };
    with_field(
        fields,
        "x-amz-signature",
        &format!("{}{last}", &sig[..sig.len() - 1]),
    )
}

/// The `fields` of a presign API answer (`{"fields": {…}}`), in order.
pub fn form_fields(form: &serde_json::Value) -> Vec<(String, String)> {
    form["fields"]
        .as_object()
        .expect("the answer has fields")
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                v.as_str().expect("field values are strings").to_owned(),
            )
        })
        .collect()
}
