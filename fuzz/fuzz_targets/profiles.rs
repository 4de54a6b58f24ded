//! `~/.aws/config` and `~/.aws/credentials`: any text as either file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use uploadkit_core::credentials::{FileContents, ProfileSet};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (config, credentials) = text.split_once('\u{0}').unwrap_or((&text, ""));
    let _ = ProfileSet::parse(
        Some(FileContents { path: "config", text: config }),
        Some(FileContents { path: "credentials", text: credentials }),
    );
});
