//! Percent-encoding and hex, exactly as SigV4 and S3 define them.
//!
//! SigV4 encodes every byte except the RFC 3986 unreserved set (`A-Z a-z 0-9 - _ . ~`), with
//! upper-case hex. Object keys keep `/` as the path separator; query components do not.

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";
const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";

/// Whether SigV4 leaves this byte as it is.
#[inline]
const fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Appends `input` to `out`, percent-encoding every byte outside the unreserved set; `/` is
/// kept when `keep_slash` is set (paths), encoded otherwise (query components).
///
/// ```
/// let mut out = String::new();
/// uploadkit_core::encode::uri_encode_into(&mut out, "a b/ü+", true);
/// assert_eq!(out, "a%20b/%C3%BC%2B");
/// ```
pub fn uri_encode_into(out: &mut String, input: &str, keep_slash: bool) {
    let bytes = input.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if is_unreserved(b) || (keep_slash && b == b'/') {
            continue;
        }
        // A run of kept bytes only ever starts after an encoded byte, so when it is non-empty
        // it starts and ends on character boundaries.
        if start < i {
            out.push_str(&input[start..i]);
        }
        out.push('%');
        out.push(HEX_UPPER[usize::from(b >> 4)] as char);
        out.push(HEX_UPPER[usize::from(b & 0xf)] as char);
        start = i + 1;
    }
    out.push_str(&input[start..]);
}

/// Percent-encodes `input` into a new string; see [`uri_encode_into`].
///
/// ```
/// assert_eq!(uploadkit_core::encode::uri_encode("k=v&x", false), "k%3Dv%26x");
/// ```
pub fn uri_encode(input: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(input.len() + input.len() / 2);
    uri_encode_into(&mut out, input, keep_slash);
    out
}

/// Decodes `%XX` escapes; other bytes pass through. Returns `None` for a malformed escape or
/// a result that is not UTF-8.
///
/// ```
/// assert_eq!(uploadkit_core::encode::percent_decode("%E1%88%B4=x").as_deref(), Some("ሴ=x"));
/// assert_eq!(uploadkit_core::encode::percent_decode("%G1"), None);
/// ```
pub fn percent_decode(input: &str) -> Option<String> {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hi = hex_value(*bytes.get(i + 1)?)?;
            let lo = hex_value(*bytes.get(i + 2)?)?;
            out.push(hi << 4 | lo);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

const fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Appends the lower-case hex form of `bytes` to `out`.
///
/// ```
/// let mut s = String::new();
/// uploadkit_core::encode::hex_into(&mut s, &[0x0f, 0xa0]);
/// assert_eq!(s, "0fa0");
/// ```
pub fn hex_into(out: &mut String, bytes: &[u8]) {
    out.reserve(bytes.len() * 2);
    for &b in bytes {
        out.push(HEX_LOWER[usize::from(b >> 4)] as char);
        out.push(HEX_LOWER[usize::from(b & 0xf)] as char);
    }
}

/// The lower-case hex form of `bytes`.
///
/// ```
/// assert_eq!(uploadkit_core::encode::hex(&[0xde, 0xad]), "dead");
/// ```
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    hex_into(&mut s, bytes);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reserved_byte_is_encoded_in_query_components() {
        for b in 0u8..0x80 {
            let s = (b as char).to_string();
            let enc = uri_encode(&s, false);
            if is_unreserved(b) {
                assert_eq!(enc, s);
            } else {
                assert_eq!(enc, format!("%{b:02X}"));
            }
        }
    }

    #[test]
    fn slash_is_kept_only_in_paths() {
        assert_eq!(uri_encode("a//b", true), "a//b");
        assert_eq!(uri_encode("a//b", false), "a%2F%2Fb");
    }

    #[test]
    fn multibyte_characters_are_encoded_byte_by_byte() {
        assert_eq!(uri_encode("/ሴ", true), "/%E1%88%B4");
        assert_eq!(uri_encode("ü-é", false), "%C3%BC-%C3%A9");
    }

    #[test]
    fn decode_rejects_truncated_escapes() {
        assert_eq!(percent_decode("abc%4"), None);
        assert_eq!(percent_decode("%FF"), None);
        assert_eq!(percent_decode("a+b").as_deref(), Some("a+b"));
    }
}
