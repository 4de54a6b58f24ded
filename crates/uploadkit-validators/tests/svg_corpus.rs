//! The letter-logo check against a corpus of hostile SVGs, grouped by technique
//! (`tests/vectors/svg/hostile/{technique}/`), each of which must be refused, and real-world
//! logos from common editors (`tests/vectors/svg/logos/`), each of which must pass.

use std::path::PathBuf;

use uploadkit_validators::logo::{LogoError, validate_letter_logo};

fn corpus(sub: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/vectors/svg")
        .join(sub);
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{}", dir.display());
    files
}

/// Every file of a technique is refused; a structural one may be refused as not an SVG, any
/// other must be refused for what it contains.
fn all_refused(technique: &str) {
    let files = corpus(&format!("hostile/{technique}"));
    let accepted: Vec<&str> = files
        .iter()
        .filter(|(_, bytes)| validate_letter_logo(bytes).is_ok())
        .map(|(name, _)| name.as_str())
        .collect();
    assert!(accepted.is_empty(), "{technique}: accepted {accepted:?}");
    for (name, bytes) in &files {
        let error = validate_letter_logo(bytes).unwrap_err();
        if !matches!(technique, "structure" | "doctype") {
            assert!(
                matches!(error, LogoError::Unsafe(_)),
                "{technique}/{name}: {error}"
            );
        }
    }
}

macro_rules! technique {
    ($($test:ident => $dir:literal),* $(,)?) => {
        $(#[test] fn $test() { all_refused($dir); })*
    };
}

technique! {
    scripts => "script",
    event_handlers => "event-handler",
    javascript_urls => "javascript-url",
    animation => "animation",
    off_document_urls => "external-url",
    stylesheet_imports => "import",
    external_hrefs => "external-href",
    embedded_documents => "embedded",
    doctypes_and_entities => "doctype",
    active_css => "css-active",
    structure => "structure",
}

#[test]
fn the_corpus_has_at_least_a_hundred_hostile_files() {
    let groups = std::fs::read_dir(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/svg/hostile"),
    )
    .unwrap()
    .count();
    let total: usize = [
        "script",
        "event-handler",
        "javascript-url",
        "animation",
        "external-url",
        "import",
        "external-href",
        "embedded",
        "doctype",
        "css-active",
        "structure",
    ]
    .iter()
    .map(|g| corpus(&format!("hostile/{g}")).len())
    .sum();
    assert_eq!(groups, 11, "every technique folder has a test above");
    assert!(total >= 100, "{total}");
}

#[test]
fn real_world_logos_pass() {
    for (name, bytes) in corpus("logos") {
        assert_eq!(validate_letter_logo(&bytes), Ok(()), "{name}");
    }
}
