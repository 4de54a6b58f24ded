//! The canonical request and the string to sign, written once for both uses: into a `String`
//! when a caller wants to see it, straight into SHA-256 when signing.

use std::borrow::Cow;

use sha2::{Digest, Sha256};

use super::request::{SigningSettings, UriEncoding};
use crate::encode::{hex_into, uri_encode, uri_encode_into};

/// The signing algorithm's name.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// Something the canonical request is written to.
pub(crate) trait Sink {
    fn put(&mut self, s: &str);
}

impl Sink for String {
    fn put(&mut self, s: &str) {
        self.push_str(s);
    }
}

impl Sink for Sha256 {
    fn put(&mut self, s: &str) {
        self.update(s.as_bytes());
    }
}

/// The canonical URI of a wire path under the service's rules.
///
/// ```
/// use uploadkit_core::sigv4::{canonical_uri, SigningSettings};
/// assert_eq!(canonical_uri("/a%20b//c", &SigningSettings::S3), "/a%20b//c");
/// assert_eq!(canonical_uri("/a%20b//./c", &SigningSettings::STANDARD), "/a%2520b/c");
/// ```
pub fn canonical_uri<'p>(wire_path: &'p str, settings: &SigningSettings) -> Cow<'p, str> {
    let path: Cow<'p, str> = if settings.normalize_path {
        Cow::Owned(normalize_path(wire_path))
    } else if wire_path.is_empty() {
        Cow::Borrowed("/")
    } else {
        Cow::Borrowed(wire_path)
    };
    match settings.uri_encoding {
        UriEncoding::Single => path,
        UriEncoding::Double => Cow::Owned(uri_encode(&path, true)),
    }
}

/// Removes empty, `.` and `..` segments, keeping a trailing slash (RFC 3986 §5.2.4 as SigV4
/// applies it).
fn normalize_path(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let mut out = String::with_capacity(path.len() + 1);
    for s in &segments {
        out.push('/');
        out.push_str(s);
    }
    if out.is_empty() || (path.ends_with('/') && !segments.is_empty()) {
        out.push('/');
    }
    out
}

/// Encodes and sorts query parameters into the canonical query string.
///
/// ```
/// use uploadkit_core::sigv4::canonical_query;
/// assert_eq!(canonical_query(&[("b", "2"), ("a", "x y"), ("a", "1")]), "a=1&a=x%20y&b=2");
/// ```
pub fn canonical_query(pairs: &[(&str, &str)]) -> String {
    let mut encoded: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (uri_encode(k, false), uri_encode(v, false)))
        .collect();
    encoded.sort_unstable();
    join_query(&encoded)
}

/// Joins already-encoded, already-sorted pairs with `=` and `&`.
pub(crate) fn join_query(pairs: &[(String, String)]) -> String {
    let len = pairs.iter().map(|(k, v)| k.len() + v.len() + 2).sum();
    let mut out = String::with_capacity(len);
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

/// Canonical headers: names lower-cased, values trimmed with inner whitespace runs collapsed,
/// repeated names joined with `,` in their order, all sorted by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanonicalHeaders<'a> {
    entries: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

impl<'a> CanonicalHeaders<'a> {
    /// Canonicalises a header list.
    ///
    /// ```
    /// use uploadkit_core::sigv4::CanonicalHeaders;
    /// let h = CanonicalHeaders::new(&[("Host", "h"), ("My-H", " a \n  b "), ("my-h", "c")]);
    /// assert_eq!(h.signed_headers(), "host;my-h");
    /// ```
    pub fn new(headers: &[(&'a str, &'a str)]) -> Self {
        let mut entries: Vec<(Cow<'a, str>, Cow<'a, str>)> = Vec::with_capacity(headers.len());
        for &(name, value) in headers {
            let name = lower(name);
            let value = normalize_value(value);
            if let Some((_, existing)) = entries.iter_mut().find(|(n, _)| *n == name) {
                let joined = existing.to_mut();
                joined.push(',');
                joined.push_str(&value);
            } else {
                entries.push((name, value));
            }
        }
        // Stable, so equal names (impossible after grouping) could not reorder values.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        Self { entries }
    }

    /// Adds one header that is already canonical (lower-case name, normalised value) and
    /// not yet present.
    pub(crate) fn insert_canonical(&mut self, name: &'a str, value: Cow<'a, str>) {
        let at = self.entries.partition_point(|(n, _)| n.as_ref() < name);
        self.entries.insert(at, (Cow::Borrowed(name), value));
    }

    /// The `;`-joined list of names.
    pub fn signed_headers(&self) -> String {
        let mut out = String::new();
        for (i, (name, _)) in self.entries.iter().enumerate() {
            if i > 0 {
                out.push(';');
            }
            out.push_str(name);
        }
        out
    }

    pub(crate) fn write<S: Sink>(&self, sink: &mut S) {
        for (name, value) in &self.entries {
            sink.put(name);
            sink.put(":");
            sink.put(value);
            sink.put("\n");
        }
    }
}

fn lower(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

fn normalize_value(value: &str) -> Cow<'_, str> {
    let trimmed = value.trim_matches(|c: char| c.is_ascii_whitespace());
    let needs_collapse = trimmed
        .as_bytes()
        .windows(2)
        .any(|w| w[0].is_ascii_whitespace() && w[1].is_ascii_whitespace())
        || trimmed
            .bytes()
            .any(|b| b.is_ascii_whitespace() && b != b' ');
    if !needs_collapse {
        return Cow::Borrowed(trimmed);
    }
    let mut out = String::with_capacity(trimmed.len());
    for (i, word) in trimmed.split_ascii_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
    Cow::Owned(out)
}

/// Writes the six lines of a canonical request.
pub(crate) fn write_canonical_request<S: Sink>(
    sink: &mut S,
    method: &str,
    uri: &str,
    query: &str,
    headers: &CanonicalHeaders<'_>,
    signed_headers: &str,
    payload_hash: &str,
) {
    sink.put(method);
    sink.put("\n");
    sink.put(uri);
    sink.put("\n");
    sink.put(query);
    sink.put("\n");
    headers.write(sink);
    sink.put("\n");
    sink.put(signed_headers);
    sink.put("\n");
    sink.put(payload_hash);
}

/// The credential scope, `YYYYMMDD/region/service/aws4_request`.
pub fn credential_scope(date: &[u8; 8], region: &str, service: &str) -> String {
    let mut out = String::with_capacity(8 + region.len() + service.len() + 15);
    out.extend(date.iter().map(|&b| char::from(b)));
    out.push('/');
    out.push_str(region);
    out.push('/');
    out.push_str(service);
    out.push_str("/aws4_request");
    out
}

/// The string to sign for a canonical request hash (raw SHA-256 bytes).
pub fn string_to_sign(amz_date: &str, scope: &str, canonical_hash: &[u8; 32]) -> String {
    let mut out = String::with_capacity(ALGORITHM.len() + amz_date.len() + scope.len() + 67);
    out.push_str(ALGORITHM);
    out.push('\n');
    out.push_str(amz_date);
    out.push('\n');
    out.push_str(scope);
    out.push('\n');
    hex_into(&mut out, canonical_hash);
    out
}

/// Appends `key=value` to a query being built, for a value that needs no encoding (hex,
/// digits, the algorithm name, an `X-Amz-Date`).
pub(crate) fn push_raw_param(out: &mut String, key: &str, value: &str) {
    debug_assert!(
        value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    );
    if !out.is_empty() {
        out.push('&');
    }
    out.push_str(key);
    out.push('=');
    out.push_str(value);
}

/// Appends `key=value` to a query being built, encoding the value.
pub(crate) fn push_param(out: &mut String, key: &str, value: &str) {
    if !out.is_empty() {
        out.push('&');
    }
    out.push_str(key);
    out.push('=');
    uri_encode_into(out, value, false);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_keeps_meaningful_trailing_slashes() {
        assert_eq!(normalize_path("//example//"), "/example/");
        assert_eq!(normalize_path("/example/.."), "/");
        assert_eq!(normalize_path("/./"), "/");
        assert_eq!(normalize_path("/a/./b"), "/a/b");
        assert_eq!(normalize_path(""), "/");
    }

    #[test]
    fn standard_services_encode_the_wire_path_again_like_botocore() {
        // botocore's SigV4Auth gives this canonical URI for the URL path `/example%20space/`.
        let uri = canonical_uri("/example%20space/", &SigningSettings::STANDARD);
        assert_eq!(uri, "/example%2520space/");
        assert_eq!(
            canonical_uri("/example%20space/", &SigningSettings::S3),
            "/example%20space/"
        );
    }

    #[test]
    fn header_values_fold_whitespace() {
        assert_eq!(normalize_value("  a   b\n  c "), "a b c");
        assert!(matches!(normalize_value(" plain "), Cow::Borrowed("plain")));
    }
}
