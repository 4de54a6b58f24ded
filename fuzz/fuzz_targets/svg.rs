//! Letter logos: any bytes as an SVG; whatever is accepted has none of the markers of active
//! or external content in its raw text either.
#![no_main]

use libfuzzer_sys::fuzz_target;
use uploadkit_validators::logo::validate_letter_logo;

fuzz_target!(|data: &[u8]| {
    if validate_letter_logo(data).is_ok() {
        let text = String::from_utf8_lossy(data).to_ascii_lowercase();
        for marker in ["<script", "<foreignobject", "<set", "<animate", "@import", "<iframe"] {
            assert!(!text.contains(marker), "accepted a logo containing {marker}");
        }
    }
});
