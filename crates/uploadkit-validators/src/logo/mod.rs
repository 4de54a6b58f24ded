//! Logos: email logos are PNGs, letter logos are SVGs; both at most 2 MiB.

mod png_logo;
mod svg_logo;
pub mod svg_policy;

pub use png_logo::{EmailLogo, MAX_PIXELS_PER_SIDE, validate_email_logo};
pub use svg_logo::validate_letter_logo;

/// Which logo a file is meant to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoKind {
    /// An email logo: a PNG.
    Email,
    /// A letter logo: an SVG.
    Letter,
}

/// Checks a logo by its bytes alone (the name and the declared type are not trusted): the check
/// the browser runs before an upload and the server runs before a logo is made permanent.
///
/// ```
/// use uploadkit_validators::logo::{check_logo, LogoError, LogoKind};
/// // An HTML page named `.png` is not a PNG, whatever its name says.
/// assert_eq!(check_logo(LogoKind::Email, b"<html><script>alert(1)</script></html>"), Err(LogoError::NotPng));
/// assert_eq!(check_logo(LogoKind::Letter, b"\x89PNG\r\n\x1a\n"), Err(LogoError::NotSvg));
/// ```
pub fn check_logo(kind: LogoKind, bytes: &[u8]) -> Result<(), LogoError> {
    match kind {
        LogoKind::Email => validate_email_logo(bytes).map(|_| ()),
        LogoKind::Letter => validate_letter_logo(bytes),
    }
}

/// The largest logo, in bytes (2 MiB).
pub const MAX_LOGO_BYTES: usize = 2 * 1024 * 1024;

/// Why a logo was refused, in the app's words where the app has them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogoError {
    /// Over 2 MiB.
    #[error(
        "The file must be smaller than 2MB (the limit is 2097152 bytes; this file is {0} bytes)"
    )]
    TooLarge(usize),
    /// Empty.
    #[error("Your file is empty – check your file and try again")]
    Empty,
    /// Not a PNG (by its bytes).
    #[error("Logo must be a PNG file")]
    NotPng,
    /// A PNG that does not decode.
    #[error("Notify cannot read this file")]
    Unreadable,
    /// Under 108 pixels high.
    #[error("Logo must be at least 108 pixels high")]
    TooShort,
    /// Dimensions no logo has (a decompression bomb).
    #[error("Logo is {width} × {height} pixels: it must be at most 10000 pixels on each side")]
    TooManyPixels {
        /// Declared width.
        width: u32,
        /// Declared height.
        height: u32,
    },
    /// Not an SVG.
    #[error("Branding must be an SVG file")]
    NotSvg,
    /// Has `<image`.
    #[error("This SVG has an embedded raster image in it and will not render well")]
    EmbeddedImage,
    /// Has `<text`.
    #[error("This SVG has text which has not been converted to paths and may not render well")]
    UnconvertedText,
    /// Active or external content.
    #[error("This SVG contains {0}, which is not allowed in a logo")]
    Unsafe(String),
}

#[cfg(test)]
mod tests;
