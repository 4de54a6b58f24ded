//! Email logos: any bytes as a PNG.
#![no_main]

use libfuzzer_sys::fuzz_target;
use uploadkit_validators::logo::validate_email_logo;

fuzz_target!(|data: &[u8]| {
    let _ = validate_email_logo(data);
});
