//! S3 and STS answers: any body with any status, as an upload outcome and as an STS response.
#![no_main]

use libfuzzer_sys::fuzz_target;
use uploadkit_core::credentials::sts::parse_response;
use uploadkit_core::s3::upload_outcome;

fuzz_target!(|data: &[u8]| {
    let Some((&status, body)) = data.split_first() else {
        return;
    };
    let body = String::from_utf8_lossy(body);
    let status = 100 + u16::from(status) * 2;
    let _ = upload_outcome(Some(status), &body);
    let _ = upload_outcome(None, &body);
    let _ = uploadkit_core::xml::text(&body, "Code");
    let _ = parse_response("AssumeRole", status, &body);
});
