//! Letter logos: SVG. The app refuses `<image` and `<text` anywhere (case-insensitive), and
//! uploadkit keeps those two rules and messages. Beyond them it admits only what a static logo
//! needs ([`super::svg_policy`]): the file is parsed as XML, namespaces and entities resolved
//! (only internal, flat entities are accepted), and every element, attribute and style judged
//! against an allow-list after CSS escapes and comments are decoded. Nothing may refer to
//! anything outside the file, run a script, or animate.

use quick_xml::NsReader;
use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};

use super::svg_policy::{
    ATTRIBUTES, ELEMENTS, INERT_NAMESPACES, SVG_NAMESPACE, XLINK_NAMESPACE, XML_NAMESPACE,
    refused_element,
};
use super::{LogoError, MAX_LOGO_BYTES};

/// The most entities a DOCTYPE may declare, and the longest value one may have.
const MAX_ENTITIES: usize = 64;
const MAX_ENTITY_BYTES: usize = 1024;
/// The deepest element nesting accepted.
const MAX_DEPTH: usize = 256;

fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    haystack.to_ascii_lowercase().contains(needle)
}

fn unsafe_(what: impl Into<String>) -> LogoError {
    LogoError::Unsafe(what.into())
}

/// Validates a letter logo.
///
/// ```
/// use uploadkit_validators::logo::{validate_letter_logo, LogoError};
/// assert!(validate_letter_logo(br#"<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0h1"/></svg>"#).is_ok());
/// assert_eq!(validate_letter_logo(b"<svg><TEXT>Hi</TEXT></svg>"), Err(LogoError::UnconvertedText));
/// assert!(validate_letter_logo(b"<svg><set attributeName=\"href\" to=\"&#106;avascript:alert(1)\"/></svg>").is_err());
/// ```
pub fn validate_letter_logo(bytes: &[u8]) -> Result<(), LogoError> {
    if bytes.is_empty() {
        return Err(LogoError::Empty);
    }
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(LogoError::TooLarge(bytes.len()));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| LogoError::NotSvg)?;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    // Characters XML 1.0 never allows: such a file is not XML, whatever a lenient parser makes
    // of it.
    if text.chars().any(|c| {
        (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{FFFE}' || c == '\u{FFFF}'
    }) {
        return Err(LogoError::NotSvg);
    }
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
    Judge::default().run(text)
}

#[derive(Default)]
struct Judge {
    entities: Vec<(String, String)>,
    root_seen: bool,
    /// The root element has ended: only comments, PIs and whitespace may follow.
    root_closed: bool,
    depth: usize,
    /// Inside a `<style>`: its text so far, judged whole at its end (so nothing can be split
    /// across text, CDATA and entity pieces).
    style: Option<String>,
}

impl Judge {
    fn run(mut self, text: &str) -> Result<(), LogoError> {
        let mut reader = NsReader::from_str(text);
        loop {
            let event = reader.read_event().map_err(|_| LogoError::NotSvg)?;
            match event {
                Event::DocType(d) => {
                    if self.root_seen {
                        return Err(LogoError::NotSvg);
                    }
                    let raw = String::from_utf8_lossy(d.as_ref()).into_owned();
                    self.doctype(&raw)?;
                }
                Event::Start(e) => {
                    if self.root_closed {
                        return Err(LogoError::NotSvg);
                    }
                    self.element(&reader, &e)?;
                    self.depth += 1;
                    if self.depth > MAX_DEPTH {
                        return Err(unsafe_("elements nested too deeply"));
                    }
                    if local_name(&e) == "style" {
                        self.style = Some(String::new());
                    }
                }
                Event::Empty(e) => {
                    if self.root_closed {
                        return Err(LogoError::NotSvg);
                    }
                    self.element(&reader, &e)?;
                    self.root_closed = self.depth == 0;
                }
                Event::End(_) => {
                    self.depth = self.depth.saturating_sub(1);
                    self.root_closed = self.depth == 0;
                    if let Some(css) = self.style.take() {
                        check_css(&css)?;
                    }
                }
                Event::Text(t) => {
                    let raw = t.decode().map_err(|_| LogoError::NotSvg)?;
                    // Nothing but whitespace outside the root element.
                    if self.depth == 0 && !raw.trim().is_empty() {
                        return Err(LogoError::NotSvg);
                    }
                    if let Some(css) = &mut self.style {
                        css.push_str(&raw);
                    }
                }
                Event::CData(c) => {
                    if self.depth == 0 {
                        return Err(LogoError::NotSvg);
                    }
                    if let Some(css) = &mut self.style {
                        css.push_str(&String::from_utf8_lossy(c.as_ref()));
                    }
                }
                Event::GeneralRef(r) => {
                    if self.depth == 0 {
                        return Err(LogoError::NotSvg);
                    }
                    let name = r.decode().map_err(|_| LogoError::NotSvg)?;
                    let value = self.entity(&name)?;
                    if let Some(css) = &mut self.style {
                        css.push_str(&value);
                    }
                }
                Event::PI(pi) => {
                    let target = String::from_utf8_lossy(pi.target()).to_ascii_lowercase();
                    if target == "xml-stylesheet" {
                        return Err(unsafe_("a stylesheet from another file"));
                    }
                    // An HTML parser ends `<?…` at the first `>`: what follows would be markup
                    // to it and text to XML. No logo needs markup characters in one.
                    if pi.as_ref().contains(&b'>') || pi.as_ref().contains(&b'<') {
                        return Err(unsafe_("a processing instruction HTML reads differently"));
                    }
                }
                Event::Decl(d) => {
                    if d.as_ref().contains(&b'>') || d.as_ref().contains(&b'<') {
                        return Err(unsafe_("a processing instruction HTML reads differently"));
                    }
                }
                Event::Comment(c) => {
                    // XML forbids `--` in a comment; HTML also ends one at `--!>` and at a
                    // leading `>` or `->`. Refusing those leaves both parsers one comment.
                    let c = c.as_ref();
                    if c.windows(2).any(|w| w == b"--")
                        || c.starts_with(b">")
                        || c.starts_with(b"->")
                        || c.ends_with(b"-")
                    {
                        return Err(unsafe_("a comment HTML reads differently"));
                    }
                }
                Event::Eof => break,
            }
        }
        // Every element closed: a lenient parser stops at the end of the input without asking.
        if self.root_seen && self.root_closed {
            Ok(())
        } else {
            Err(LogoError::NotSvg)
        }
    }

    /// Only internal, flat entity declarations: no external id on the DOCTYPE or an entity,
    /// no parameter entities, no entity that refers to another (no expansion bombs), nothing
    /// else (an `ATTLIST` could add attributes, such as event handlers, to elements).
    fn doctype(&mut self, raw: &str) -> Result<(), LogoError> {
        let (head, subset) = match raw.split_once('[') {
            Some((head, rest)) => (head, rest.rsplit_once(']').map_or(rest, |(s, _)| s)),
            None => (raw, ""),
        };
        if head.contains("SYSTEM") || head.contains("PUBLIC") {
            return Err(unsafe_(
                "a document type that refers to another file (remove the DOCTYPE line)",
            ));
        }
        let mut rest = subset.trim();
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix("<!--") {
                let end = after.find("-->").ok_or(LogoError::NotSvg)?;
                rest = after[end + 3..].trim_start();
                continue;
            }
            let after = rest
                .strip_prefix("<!ENTITY")
                .ok_or_else(|| unsafe_("a document type declaration other than entities"))?;
            let after = after.trim_start();
            if after.starts_with('%') {
                return Err(unsafe_("a parameter entity"));
            }
            let name_end = after
                .find(|c: char| c.is_whitespace())
                .ok_or(LogoError::NotSvg)?;
            let (name, after) = (&after[..name_end], after[name_end..].trim_start());
            let quote = after.chars().next().ok_or(LogoError::NotSvg)?;
            if quote != '"' && quote != '\'' {
                return Err(unsafe_("an external entity"));
            }
            let close = after[1..].find(quote).ok_or(LogoError::NotSvg)?;
            let value = &after[1..=close];
            let after = after[close + 2..].trim_start();
            rest = after
                .strip_prefix('>')
                .ok_or_else(|| unsafe_("an external entity"))?
                .trim_start();
            if value.contains(['&', '%', '<']) || value.len() > MAX_ENTITY_BYTES {
                return Err(unsafe_(
                    "an entity that expands to markup or other entities",
                ));
            }
            if self.entities.len() >= MAX_ENTITIES {
                return Err(unsafe_("too many entities"));
            }
            self.entities.push((name.to_owned(), value.to_owned()));
        }
        Ok(())
    }

    /// A named entity's value: one of the five predefined ones, or one the DOCTYPE declared.
    fn named_entity(&self, name: &str) -> Option<&str> {
        resolve_predefined_entity(name).or_else(|| {
            self.entities
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        })
    }

    /// A general entity's value in text: a character reference or a named entity.
    fn entity(&self, name: &str) -> Result<String, LogoError> {
        if let Some(number) = name.strip_prefix('#') {
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16),
                None => number.parse(),
            }
            .map_err(|_| LogoError::NotSvg)?;
            return char::from_u32(code)
                .map(String::from)
                .ok_or(LogoError::NotSvg);
        }
        self.named_entity(name)
            .map(str::to_owned)
            .ok_or(LogoError::NotSvg)
    }

    fn element(&mut self, reader: &NsReader<&[u8]>, e: &BytesStart<'_>) -> Result<(), LogoError> {
        let local = local_name(e);
        let (ns, _) = reader.resolver().resolve_element(e.name());
        let ns = &ns;
        let prefixed = e.name().prefix().is_some();
        if !self.root_seen {
            if local != "svg" {
                return Err(LogoError::NotSvg);
            }
            self.root_seen = true;
        }
        // Unprefixed, an element is SVG to an HTML parser whatever its `xmlns` says, so its
        // name must be allowed; prefixed, it must be SVG's or an editor's inert metadata.
        let svg_element = ELEMENTS.contains(&local.as_str());
        let inert = match namespace(ns)? {
            Some(SVG_NAMESPACE) | None => false,
            Some(other) => prefixed && INERT_NAMESPACES.contains(&other),
        };
        let allowed = if prefixed {
            inert || (matches!(namespace(ns)?, Some(SVG_NAMESPACE)) && svg_element)
        } else {
            svg_element
        };
        if !allowed {
            return Err(unsafe_(refused_element(&local)));
        }
        for attr in e.attributes() {
            let attr = attr.map_err(|_| LogoError::NotSvg)?;
            let (attr_ns, attr_local) = reader.resolver().resolve_attribute(attr.key);
            let name = String::from_utf8_lossy(attr_local.as_ref()).to_ascii_lowercase();
            // A raw `<` in an attribute value is not well-formed XML.
            if attr.value.contains(&b'<') {
                return Err(LogoError::NotSvg);
            }
            let raw_key = attr.key.as_ref();
            if raw_key == b"xmlns" || raw_key.starts_with(b"xmlns:") {
                continue;
            }
            if name.starts_with("on") {
                return Err(unsafe_(format!("an event handler ({name})")));
            }
            let value = attr
                .decoded_and_normalized_value_with(
                    XmlVersion::Implicit1_0,
                    reader.decoder(),
                    16,
                    |n| self.named_entity(n),
                )
                .map_err(|_| LogoError::NotSvg)?;
            let is_href = match namespace(&attr_ns)? {
                // An editor's metadata element keeps its own attributes; their values are
                // still judged below.
                None if inert => name == "href",
                None => {
                    if !(ATTRIBUTES.contains(&name.as_str())
                        || name.starts_with("data-")
                        || name.starts_with("aria-"))
                    {
                        return Err(unsafe_(format!(
                            "an attribute a logo does not need ({name})"
                        )));
                    }
                    name == "href"
                }
                Some(XLINK_NAMESPACE) => name == "href",
                Some(XML_NAMESPACE) => false,
                Some(other) if INERT_NAMESPACES.contains(&other) => false,
                Some(_) => {
                    return Err(unsafe_(format!(
                        "an attribute a logo does not need ({name})"
                    )));
                }
            };
            if is_href && !value.trim().starts_with('#') {
                return Err(unsafe_("a reference to an external resource"));
            }
            if name == "style" {
                check_css(&value)?;
            } else {
                check_value(&value)?;
            }
        }
        Ok(())
    }
}

fn local_name(e: &BytesStart<'_>) -> String {
    String::from_utf8_lossy(e.local_name().as_ref()).to_ascii_lowercase()
}

fn namespace<'a>(ns: &'a ResolveResult<'_>) -> Result<Option<&'a str>, LogoError> {
    match ns {
        ResolveResult::Unbound => Ok(None),
        ResolveResult::Bound(Namespace(uri)) => std::str::from_utf8(uri)
            .map(Some)
            .map_err(|_| LogoError::NotSvg),
        // A prefix nobody declared: not well-formed XML with namespaces.
        ResolveResult::Unknown(_) => Err(LogoError::NotSvg),
    }
}

/// A value with CSS comments removed, CSS escapes decoded, whitespace and control characters
/// dropped and letters lower-cased: the form in which `java\73 cript:` and `u/**/rl(` show.
fn squash(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = ' ';
                for c in chars.by_ref() {
                    if prev == '*' && c == '/' {
                        break;
                    }
                    prev = c;
                }
            }
            '\\' => {
                let mut hex = String::new();
                while hex.len() < 6
                    && let Some(h) = chars.peek().filter(|h| h.is_ascii_hexdigit())
                {
                    hex.push(*h);
                    chars.next();
                }
                if hex.is_empty() {
                    if let Some(next) = chars.next() {
                        out.push(next);
                    }
                } else {
                    if chars.peek().is_some_and(|c| c.is_whitespace()) {
                        chars.next();
                    }
                    let decoded = u32::from_str_radix(&hex, 16)
                        .ok()
                        .and_then(char::from_u32)
                        .unwrap_or('\u{FFFD}');
                    out.push(decoded);
                }
            }
            c => out.push(c),
        }
    }
    out.chars()
        .filter(|c| !c.is_whitespace() && !c.is_control() && *c != '\u{FEFF}')
        .collect::<String>()
        .to_lowercase()
}

/// A stylesheet or `style` attribute: no imports, no references outside the file, nothing
/// that runs.
fn check_css(css: &str) -> Result<(), LogoError> {
    let squashed = squash(css);
    if squashed.contains("@import") {
        return Err(unsafe_("a stylesheet import"));
    }
    if squashed.contains("expression(")
        || squashed.contains("behavior:")
        || squashed.contains("-moz-binding")
    {
        return Err(unsafe_("a script"));
    }
    check_squashed(&squashed)
}

/// Any other attribute value (presentation attributes are CSS values too).
fn check_value(value: &str) -> Result<(), LogoError> {
    check_squashed(&squash(value))
}

fn check_squashed(squashed: &str) -> Result<(), LogoError> {
    if squashed.contains("javascript:") || squashed.contains("vbscript:") {
        return Err(unsafe_("a javascript: URL"));
    }
    for function in ["image-set(", "image(", "src(", "cross-fade("] {
        if squashed.contains(function) {
            return Err(unsafe_("a reference to an external resource"));
        }
    }
    let mut rest = squashed;
    while let Some(at) = rest.find("url(") {
        let inner = rest[at + 4..].trim_start_matches(['\'', '"']);
        if !inner.starts_with('#') {
            return Err(unsafe_("a reference to an external resource"));
        }
        rest = &rest[at + 4..];
    }
    Ok(())
}
