//! Letter logos: any bytes as an SVG; whatever is accepted has no tag of active or embedded
//! content anywhere outside its comments and CDATA sections, which an HTML parser and an XML
//! parser both read as inert (the validator refuses the comments they would read differently).
#![no_main]

use libfuzzer_sys::fuzz_target;
use uploadkit_validators::logo::validate_letter_logo;

/// The text with `<!--…-->` and `<![CDATA[…]]>` sections removed.
fn outside_comments(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    loop {
        let comment = rest.find("<!--").map(|i| (i, "-->"));
        let cdata = rest.find("<![cdata[").map(|i| (i, "]]>"));
        let next = match (comment, cdata) {
            (Some(a), Some(b)) => Some(if a.0 < b.0 { a } else { b }),
            (a, b) => a.or(b),
        };
        let Some((at, end)) = next else {
            out.push_str(rest);
            return out;
        };
        out.push_str(&rest[..at]);
        match rest[at..].find(end) {
            Some(close) => rest = &rest[at + close + end.len()..],
            None => return out,
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if validate_letter_logo(data).is_ok() {
        let text = outside_comments(&String::from_utf8_lossy(data).to_ascii_lowercase());
        for marker in ["<script", "<foreignobject", "<set", "<animate", "<iframe", "<object", "<embed"] {
            assert!(!text.contains(marker), "accepted a logo with {marker}");
        }
    }
});
