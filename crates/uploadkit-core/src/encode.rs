//! Percent-encoding and hex, exactly as SigV4 and S3 define them.
//!
//! SigV4 encodes every byte except the RFC 3986 unreserved set (`A-Z a-z 0-9 - _ . ~`), with
//! upper-case hex. Object keys keep `/` as the path separator; query components do not.

/// `%00%01…%FF`: the escape of byte `b` is `PERCENT[3 * b..3 * b + 3]`.
const PERCENT: &str = concat!(
    "%00%01%02%03%04%05%06%07%08%09%0A%0B%0C%0D%0E%0F%10%11%12%13%14%15%16%17%18%19%1A%1B%1C%1D%1E%1F",
    "%20%21%22%23%24%25%26%27%28%29%2A%2B%2C%2D%2E%2F%30%31%32%33%34%35%36%37%38%39%3A%3B%3C%3D%3E%3F",
    "%40%41%42%43%44%45%46%47%48%49%4A%4B%4C%4D%4E%4F%50%51%52%53%54%55%56%57%58%59%5A%5B%5C%5D%5E%5F",
    "%60%61%62%63%64%65%66%67%68%69%6A%6B%6C%6D%6E%6F%70%71%72%73%74%75%76%77%78%79%7A%7B%7C%7D%7E%7F",
    "%80%81%82%83%84%85%86%87%88%89%8A%8B%8C%8D%8E%8F%90%91%92%93%94%95%96%97%98%99%9A%9B%9C%9D%9E%9F",
    "%A0%A1%A2%A3%A4%A5%A6%A7%A8%A9%AA%AB%AC%AD%AE%AF%B0%B1%B2%B3%B4%B5%B6%B7%B8%B9%BA%BB%BC%BD%BE%BF",
    "%C0%C1%C2%C3%C4%C5%C6%C7%C8%C9%CA%CB%CC%CD%CE%CF%D0%D1%D2%D3%D4%D5%D6%D7%D8%D9%DA%DB%DC%DD%DE%DF",
    "%E0%E1%E2%E3%E4%E5%E6%E7%E8%E9%EA%EB%EC%ED%EE%EF%F0%F1%F2%F3%F4%F5%F6%F7%F8%F9%FA%FB%FC%FD%FE%FF",
);

/// `000102…ff`: the hex of byte `b` is `HEX_PAIRS[2 * b..2 * b + 2]`.
const HEX_PAIRS: &str = concat!(
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
    "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f",
    "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f",
    "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f",
    "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf",
    "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf",
    "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
);

/// Whether SigV4 leaves this byte as it is.
#[inline]
const fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// [`is_unreserved`] as a table, bit 0; bit 1 also keeps `/` (paths). One load per byte.
const KEEP: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        if is_unreserved(b as u8) {
            table[b] = 0b11;
        }
        b += 1;
    }
    table[b'/' as usize] = 0b10;
    table
};

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
    out.reserve(bytes.len());
    let mask = if keep_slash { 0b10 } else { 0b01 };
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if KEEP[usize::from(b)] & mask != 0 {
            continue;
        }
        // A run of kept bytes only ever starts after an encoded byte, so when it is non-empty
        // it starts and ends on character boundaries.
        if start < i {
            out.push_str(&input[start..i]);
        }
        let at = 3 * usize::from(b);
        out.push_str(&PERCENT[at..at + 3]);
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
        let at = 2 * usize::from(b);
        out.push_str(&HEX_PAIRS[at..at + 2]);
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
    fn tables_match_formatting() {
        for b in 0..=255u8 {
            let at = 3 * usize::from(b);
            assert_eq!(&PERCENT[at..at + 3], format!("%{b:02X}"));
            assert_eq!(hex(&[b]), format!("{b:02x}"));
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
