//! A text message as a row makes it: the template with the row's values in its placeholders,
//! checked against the app's limit of 918 characters (six 153-character fragments).

use super::columns::column_key;

/// The longest text message, in characters.
pub const SMS_CHAR_COUNT_LIMIT: usize = 918;

/// Why a row's message cannot be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    /// Over the limit.
    #[error("Message is too long: it has {0} characters and the limit is 918")]
    TooLong(usize),
    /// Nothing left once the placeholders are filled in.
    #[error("Message is empty")]
    Empty,
}

impl MessageError {
    /// The error code.
    pub fn code(self) -> &'static str {
        match self {
            Self::TooLong(_) => "message_too_long",
            Self::Empty => "message_empty",
        }
    }
}

/// The values a conditional placeholder `((name??text))` shows its text for (the app's
/// `str2bool`).
fn shows(value: &str) -> bool {
    matches!(
        value.trim().to_lowercase().as_str(),
        "yes" | "y" | "true" | "t" | "1" | "include" | "show"
    )
}

/// Fills in `template`'s placeholders from `value` (by column name, compared as columns are).
///
/// ```
/// use uploadkit_validators::csv::render_message;
/// let row = |name: &str| match name { "name" => Some("Ada"), "late" => Some("yes"), _ => None };
/// assert_eq!(render_message("Hi ((Name)).((late?? You are late.))", row), "Hi Ada. You are late.");
/// ```
pub fn render_message<'a>(template: &str, value: impl Fn(&str) -> Option<&'a str>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("((") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("))") else { break };
        let inner = &after[..end];
        if inner.is_empty() || inner.contains(['(', ')']) {
            out.push_str(&rest[..start + 1]);
            rest = &rest[start + 1..];
            continue;
        }
        out.push_str(&rest[..start]);
        let (name, conditional) = match inner.split_once("??") {
            Some((name, text)) => (name, Some(text)),
            None => (inner, None),
        };
        let filled = value(&column_key(name)).unwrap_or("");
        match conditional {
            Some(text) if shows(filled) => out.push_str(text),
            Some(_) => {}
            None => out.push_str(filled),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

/// Checks a rendered message's length (surrounding whitespace does not count).
///
/// ```
/// use uploadkit_validators::csv::{check_message, MessageError};
/// assert_eq!(check_message(&"a".repeat(918)), Ok(()));
/// assert_eq!(check_message(&"a".repeat(919)), Err(MessageError::TooLong(919)));
/// assert_eq!(check_message("  "), Err(MessageError::Empty));
/// ```
pub fn check_message(message: &str) -> Result<(), MessageError> {
    let count = message.trim().chars().count();
    if count == 0 {
        Err(MessageError::Empty)
    } else if count > SMS_CHAR_COUNT_LIMIT {
        Err(MessageError::TooLong(count))
    } else {
        Ok(())
    }
}
