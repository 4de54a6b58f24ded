//! Email logos: PNG by their bytes, read header-first so a decompression bomb is refused before
//! anything is allocated, then decoded in full to prove the file is readable.

use super::{LogoError, MAX_LOGO_BYTES};

/// Widest a logo is shown; wider logos are resized by the server.
pub const DISPLAY_WIDTH: u32 = 640;
/// Lowest a logo may be.
pub const MIN_HEIGHT: u32 = 108;
/// Largest side accepted before decoding.
pub const MAX_PIXELS_PER_SIDE: u32 = 10_000;

const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

/// An accepted email logo and what the server will do to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmailLogo {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Wider than 640 px: the server resizes it to 640 wide.
    pub will_resize: bool,
    /// Shorter than 108 px once resized: the server pads it.
    pub will_pad: bool,
}

/// Width and height from the IHDR chunk, its CRC checked; no allocation.
fn header(bytes: &[u8]) -> Result<(u32, u32), LogoError> {
    if bytes.len() < 8 || bytes[..8] != SIGNATURE {
        return Err(LogoError::NotPng);
    }
    // Signature, then IHDR: length 13, type, 13 bytes of data, CRC.
    let ihdr = bytes.get(8..33).ok_or(LogoError::Unreadable)?;
    if ihdr[..8] != [0, 0, 0, 13, b'I', b'H', b'D', b'R'] {
        return Err(LogoError::Unreadable);
    }
    let crc = u32::from_be_bytes([ihdr[21], ihdr[22], ihdr[23], ihdr[24]]);
    if crc32fast::hash(&ihdr[4..21]) != crc {
        return Err(LogoError::Unreadable);
    }
    let width = u32::from_be_bytes([ihdr[8], ihdr[9], ihdr[10], ihdr[11]]);
    let height = u32::from_be_bytes([ihdr[12], ihdr[13], ihdr[14], ihdr[15]]);
    Ok((width, height))
}

/// Validates an email logo.
///
/// ```
/// use uploadkit_validators::logo::{validate_email_logo, LogoError};
/// assert_eq!(validate_email_logo(b"GIF89a"), Err(LogoError::NotPng));
/// ```
pub fn validate_email_logo(bytes: &[u8]) -> Result<EmailLogo, LogoError> {
    if bytes.is_empty() {
        return Err(LogoError::Empty);
    }
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(LogoError::TooLarge(bytes.len()));
    }
    let (width, height) = header(bytes)?;
    if width == 0 || height == 0 {
        return Err(LogoError::Unreadable);
    }
    if width > MAX_PIXELS_PER_SIDE || height > MAX_PIXELS_PER_SIDE {
        return Err(LogoError::TooManyPixels { width, height });
    }
    // Decode every row: a truncated or corrupt file fails here. The limit covers the largest
    // image the header check lets through.
    let mut decoder = png::Decoder::new_with_limits(
        std::io::Cursor::new(bytes),
        png::Limits {
            bytes: 8 * (MAX_PIXELS_PER_SIDE as usize) * (MAX_PIXELS_PER_SIDE as usize),
        },
    );
    decoder.set_transformations(png::Transformations::IDENTITY);
    let mut reader = decoder.read_info().map_err(|_| LogoError::Unreadable)?;
    let mut row_count = 0u32;
    while reader
        .next_row()
        .map_err(|_| LogoError::Unreadable)?
        .is_some()
    {
        row_count += 1;
    }
    if row_count < height && !reader.info().interlaced {
        return Err(LogoError::Unreadable);
    }
    reader.finish().map_err(|_| LogoError::Unreadable)?;
    if height < MIN_HEIGHT {
        return Err(LogoError::TooShort);
    }
    let will_resize = width > DISPLAY_WIDTH;
    let shown_height = if will_resize {
        u64::from(height) * u64::from(DISPLAY_WIDTH) / u64::from(width)
    } else {
        u64::from(height)
    };
    Ok(EmailLogo {
        width,
        height,
        will_resize,
        will_pad: shown_height < u64::from(MIN_HEIGHT),
    })
}
