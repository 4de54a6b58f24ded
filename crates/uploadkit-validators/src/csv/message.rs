//! A message as a row makes it, the app's way: the template's placeholders filled in with the
//! row's values (a placeholder without a value stays as written, `((name))`), then for a text
//! message the app's clean-up (no space before `,` or `.`, whitespace collapsed on each line, at
//! most one blank line, ends trimmed) and its character count (after characters the network
//! cannot carry are downgraded: `…` counts three). A text message over 918 characters is too
//! long; any message with nothing left is empty.

use super::columns::column_key;
use super::row::CellValue;
use crate::whitespace::{normalise_whitespace, python_lines, remove_space_before_punctuation};

/// The longest text message, in characters (six 153-character fragments).
pub const SMS_CHAR_COUNT_LIMIT: usize = 918;

/// What a row's message is like (all clear by default: no body to check).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MessageCheck {
    /// A text message over [`SMS_CHAR_COUNT_LIMIT`] characters.
    pub too_long: bool,
    /// Nothing left once the placeholders are filled in.
    pub empty: bool,
    /// A text message's length in characters, as the app counts it (0 for other types).
    pub length: usize,
    /// A letter's QR code would hold too much data.
    pub qr_code_too_long: bool,
}

/// The values a conditional placeholder `((name??text))` shows its text for (the app's
/// `str2bool`).
fn shows(value: &str) -> bool {
    matches!(
        value.to_lowercase().as_str(),
        "yes" | "y" | "true" | "t" | "1" | "include" | "show"
    )
}

/// A list of values as plain text: `a, b and c` (empty values left out).
fn formatted_list(items: &[Option<String>]) -> String {
    let items: Vec<String> = items
        .iter()
        .flatten()
        .map(|v| crate::whitespace::strip(v))
        .filter(|v| !v.is_empty())
        .collect();
    match items.split_last() {
        None => String::new(),
        Some((only, [])) => only.clone(),
        Some((last, first)) => format!("{} and {last}", first.join(", ")),
    }
}

/// Fills in `template`'s placeholders from `value` (by key, compared as columns are).
///
/// ```
/// use uploadkit_validators::csv::{CellValue, render_message};
/// let name = CellValue::Text("Ada".into());
/// let late = CellValue::Text("yes".into());
/// let row = |key: &str| match key { "name" => Some(&name), "late" => Some(&late), _ => None };
/// assert_eq!(render_message("Hi ((Name)).((late?? You are late.))", row), "Hi Ada. You are late.");
/// assert_eq!(render_message("Hi ((nickname))", row), "Hi ((nickname))");
/// ```
pub fn render_message<'a>(template: &str, value: impl Fn(&str) -> Option<&'a CellValue>) -> String {
    render(template, value, false)
}

/// HTML-escapes text as the app's letters do (`&`, `<`, `>`).
fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Fills in placeholders; `html` escapes the text and values and marks a placeholder without a
/// value as the app's letter preview does.
fn render<'a>(template: &str, value: impl Fn(&str) -> Option<&'a CellValue>, html: bool) -> String {
    let literal = |s: &str| if html { escape_html(s) } else { s.to_owned() };
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("((") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("))") else { break };
        let inner = &after[..end];
        if inner.is_empty() || inner.contains(['(', ')']) {
            out.push_str(&literal(&rest[..start + 1]));
            rest = &rest[start + 1..];
            continue;
        }
        out.push_str(&literal(&rest[..start]));
        let (name, conditional) = match inner.split_once("??") {
            Some((name, text)) => (name, Some(text)),
            None => (inner, None),
        };
        let replacement = match value(&column_key(name)) {
            None | Some(CellValue::Empty) => None,
            Some(CellValue::Text(t)) => Some(t.clone()),
            Some(CellValue::List(items)) => Some(formatted_list(items)),
        };
        match (replacement, conditional) {
            // No value: the placeholder stays as written (marked up, in a letter's HTML).
            (None, Some(text)) if html => out.push_str(&format!(
                "<span class='placeholder-conditional'>&#40;&#40;{}??</span>{}&#41;&#41;",
                escape_html(name),
                escape_html(text)
            )),
            (None, None) if html => out.push_str(&format!(
                "<span class='placeholder'>&#40;&#40;{}&#41;&#41;</span>",
                escape_html(name)
            )),
            (None, _) => {
                out.push_str("((");
                out.push_str(inner);
                out.push_str("))");
            }
            (Some(v), Some(text)) => {
                if shows(&v) {
                    out.push_str(&literal(text));
                }
            }
            (Some(v), None) => out.push_str(&literal(&v)),
        }
        rest = &after[end + 2..];
    }
    out.push_str(&literal(rest));
    out
}

/// The most data a letter's QR code may hold, in bytes (the app's `QR_CODE_MAX_BYTES`).
pub const QR_CODE_MAX_BYTES: usize = 504;

/// Whether a letter's QR code (a paragraph starting `qr:`) would hold more than
/// [`QR_CODE_MAX_BYTES`] once the row's values are in it, counted as the app counts: UTF-8
/// bytes of the HTML-escaped text (an `&` is five).
fn qr_code_too_long<'a>(template: &str, value: impl Fn(&str) -> Option<&'a CellValue>) -> bool {
    let text = render(template, value, true);
    let mut at_paragraph_start = true;
    for line in python_lines(&text) {
        if line.trim().is_empty() {
            at_paragraph_start = true;
            continue;
        }
        if std::mem::replace(&mut at_paragraph_start, false) {
            let data = line
                .trim_start()
                .get(..2)
                .filter(|p| p.eq_ignore_ascii_case("qr"))
                .and_then(|_| line.trim_start()[2..].trim_start().strip_prefix(':'))
                .map(str::trim_start);
            if data.is_some_and(|d| d.len() > QR_CODE_MAX_BYTES) {
                return true;
            }
        }
    }
    false
}

/// The app's whitespace clean-up of a text message, line by line.
fn normalise_sms(text: &str) -> String {
    let text = remove_space_before_punctuation(text);
    let mut joined = python_lines(&text)
        .into_iter()
        .map(normalise_whitespace)
        .collect::<Vec<_>>()
        .join("\n");
    // At most two line breaks in a row.
    while joined.contains("\n\n\n") {
        joined = joined.replace("\n\n\n", "\n\n");
    }
    joined.trim().to_owned()
}

/// The characters a cleaned text message counts once the network's character set is applied:
/// each character counts one, except `…`, which becomes `...`.
fn sms_length(text: &str) -> usize {
    text.chars().map(|c| if c == '…' { 3 } else { 1 }).sum()
}

/// Checks the message a row makes from `template`.
///
/// ```
/// use uploadkit_validators::csv::{CellValue, TemplateType, check_message};
/// let long = CellValue::Text("a".repeat(919));
/// let row = |key: &str| (key == "body").then_some(&long);
/// assert!(check_message(TemplateType::Sms, "((body))", row).too_long);
/// let no = CellValue::Text("no".into());
/// let row = |key: &str| (key == "show").then_some(&no);
/// assert!(check_message(TemplateType::Email, "((show??Hello))", row).empty);
/// ```
pub fn check_message<'a>(
    template_type: super::TemplateType,
    template: &str,
    value: impl Fn(&str) -> Option<&'a CellValue>,
) -> MessageCheck {
    if template_type == super::TemplateType::Sms {
        let length = sms_length(&normalise_sms(&render_message(template, value)));
        return MessageCheck {
            too_long: length > SMS_CHAR_COUNT_LIMIT,
            empty: length == 0,
            length,
            qr_code_too_long: false,
        };
    }
    // Emails and letters: only a body that starts and ends with a placeholder can be empty.
    let empty = template.is_empty()
        || (template.starts_with("((")
            && template.ends_with("))")
            && render_message(template, &value).trim().is_empty());
    MessageCheck {
        too_long: false,
        empty,
        length: 0,
        qr_code_too_long: template_type == super::TemplateType::Letter
            && qr_code_too_long(template, &value),
    }
}
