//! Letter logos: SVG. The app refuses `<image` and `<text` anywhere (case-insensitive); uploadkit
//! also refuses what makes an SVG active or leaky when served: scripts, event handlers,
//! `javascript:` URLs, and references to anything outside the file.

use quick_xml::Reader;
use quick_xml::events::Event;

use super::{LogoError, MAX_LOGO_BYTES};

fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    haystack.to_ascii_lowercase().contains(needle)
}

/// Whether a reference leaves the file (anything but a `#fragment` or a `data:` URL).
fn is_external(value: &str) -> bool {
    let v: String = value
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    !(v.is_empty() || v.starts_with('#') || v.starts_with("data:"))
}

fn css_is_unsafe(css: &str) -> Option<&'static str> {
    let lower = css.to_ascii_lowercase();
    if lower.contains("@import") {
        return Some("a stylesheet import");
    }
    let mut rest = lower.as_str();
    while let Some(at) = rest.find("url(") {
        let inner = rest[at + 4..].trim_start_matches(['\'', '"', ' ']);
        if is_external(inner.split([')', '\'', '"']).next().unwrap_or("")) {
            return Some("a reference to an external resource");
        }
        rest = &rest[at + 4..];
    }
    lower.contains("expression(").then_some("a script")
}

/// Validates a letter logo.
///
/// ```
/// use uploadkit_validators::logo::{validate_letter_logo, LogoError};
/// assert!(validate_letter_logo(br#"<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0h1"/></svg>"#).is_ok());
/// assert_eq!(validate_letter_logo(b"<svg><TEXT>Hi</TEXT></svg>"), Err(LogoError::UnconvertedText));
/// ```
pub fn validate_letter_logo(bytes: &[u8]) -> Result<(), LogoError> {
    if bytes.is_empty() {
        return Err(LogoError::Empty);
    }
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(LogoError::TooLarge(bytes.len()));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| LogoError::NotSvg)?;
    if !contains_ignore_case(text, "<svg") {
        return Err(LogoError::NotSvg);
    }
    // The app's two rules, as it applies them: substrings, any case.
    if contains_ignore_case(text, "<image") {
        return Err(LogoError::EmbeddedImage);
    }
    if contains_ignore_case(text, "<text") {
        return Err(LogoError::UnconvertedText);
    }
    let mut reader = Reader::from_str(text);
    let mut root_seen = false;
    let mut in_style = false;
    loop {
        let event = reader.read_event().map_err(|_| LogoError::NotSvg)?;
        let element = match &event {
            Event::Start(e) | Event::Empty(e) => Some(e.clone()),
            Event::Text(t) if in_style => {
                if let Some(what) = css_is_unsafe(&String::from_utf8_lossy(t.as_ref())) {
                    return Err(LogoError::Unsafe(what.into()));
                }
                None
            }
            Event::End(e) => {
                if e.local_name().as_ref().eq_ignore_ascii_case(b"style") {
                    in_style = false;
                }
                None
            }
            Event::DocType(_) => {
                return Err(LogoError::Unsafe("a document type declaration".into()));
            }
            Event::Eof => break,
            _ => None,
        };
        let Some(e) = element else { continue };
        let name = String::from_utf8_lossy(e.local_name().as_ref()).to_ascii_lowercase();
        if !root_seen {
            if name != "svg" {
                return Err(LogoError::NotSvg);
            }
            root_seen = true;
        }
        match name.as_str() {
            "script" => return Err(LogoError::Unsafe("a script".into())),
            "foreignobject" => {
                return Err(LogoError::Unsafe("embedded HTML (foreignObject)".into()));
            }
            "style" => in_style = matches!(event, Event::Start(_)),
            _ => {}
        }
        for attr in e.attributes() {
            let attr = attr.map_err(|_| LogoError::NotSvg)?;
            let key = String::from_utf8_lossy(attr.key.local_name().as_ref()).to_ascii_lowercase();
            let value = String::from_utf8_lossy(&attr.value).into_owned();
            if key.starts_with("on") {
                return Err(LogoError::Unsafe(format!("an event handler ({key})")));
            }
            let squashed: String = value
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect::<String>()
                .to_ascii_lowercase();
            if squashed.contains("javascript:") {
                return Err(LogoError::Unsafe("a javascript: URL".into()));
            }
            if matches!(key.as_str(), "href" | "src") && is_external(&value) {
                return Err(LogoError::Unsafe(
                    "a reference to an external resource".into(),
                ));
            }
            if key == "style"
                && let Some(what) = css_is_unsafe(&value)
            {
                return Err(LogoError::Unsafe(what.into()));
            }
        }
    }
    if root_seen {
        Ok(())
    } else {
        Err(LogoError::NotSvg)
    }
}
