//! The logo CDN's rules, shared by the native logo route and the edge worker: which paths are
//! logos, what they are served with, conditional and range requests. Pure functions; the
//! adapters fetch and cache.

use uploadkit_core::catalogue::LETTER_LOGO_PREFIX;
use uploadkit_core::encode::percent_decode;
use uploadkit_core::s3::ObjectKey;

/// Why a path is refused before anything reaches the origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LogoRefusal {
    /// Malformed: bad escapes, encoded slashes, control characters, dot segments, over-long.
    #[error("bad logo path")]
    BadPath,
    /// Not where logos live, or not an image type logos have.
    #[error("not a logo")]
    NotALogo,
}

impl LogoRefusal {
    /// The HTTP status.
    pub fn status(self) -> u16 {
        match self {
            Self::BadPath => 400,
            Self::NotALogo => 404,
        }
    }
}

/// Seconds a permanent logo is cached: a year (they never change and are never deleted).
pub const PERMANENT_MAX_AGE: u32 = 31_536_000;
/// Seconds a `temp-` logo is cached by default: they are replaced within days.
pub const TEMPORARY_MAX_AGE: u32 = 300;
/// Seconds a missing logo's 404 is cached.
pub const NOT_FOUND_MAX_AGE: u32 = 60;

/// A logo's key: an email logo at the bucket root or a letter logo under
/// `letters/static/images/letter-template/`, PNG or SVG.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoKey {
    key: ObjectKey,
    content_type: &'static str,
    temporary: bool,
}

impl LogoKey {
    /// Reads a request path as sent (percent-encoded, with its leading `/`).
    ///
    /// ```
    /// use uploadkit_api::logo::{LogoKey, LogoRefusal};
    /// let k = LogoKey::from_path("/temp-crest%20v2.png").unwrap();
    /// assert_eq!((k.key().as_str(), k.content_type(), k.is_temporary()), ("temp-crest v2.png", "image/png", true));
    /// assert!(LogoKey::from_path("/letters/static/images/letter-template/hmrc.svg").is_ok());
    /// assert_eq!(LogoKey::from_path("/a%2Fb.png"), Err(LogoRefusal::BadPath));
    /// assert_eq!(LogoKey::from_path("/../secret.png"), Err(LogoRefusal::BadPath));
    /// assert_eq!(LogoKey::from_path("/service-1/report.csv"), Err(LogoRefusal::NotALogo));
    /// ```
    pub fn from_path(path: &str) -> Result<Self, LogoRefusal> {
        let raw = path.strip_prefix('/').unwrap_or(path);
        if raw.is_empty() {
            return Err(LogoRefusal::NotALogo);
        }
        // An encoded slash would let a key name a different path than it appears to.
        if raw.to_ascii_lowercase().contains("%2f") || raw.contains('\\') {
            return Err(LogoRefusal::BadPath);
        }
        let decoded = percent_decode(raw).ok_or(LogoRefusal::BadPath)?;
        let key = ObjectKey::new(decoded).map_err(|_| LogoRefusal::BadPath)?;
        let name = match key.as_str().strip_prefix(LETTER_LOGO_PREFIX) {
            Some(name) => name,
            None => key.as_str(),
        };
        if name.is_empty() || name.contains('/') {
            return Err(LogoRefusal::NotALogo);
        }
        let extension = name
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .ok_or(LogoRefusal::NotALogo)?;
        let content_type = match extension.as_str() {
            "png" => "image/png",
            "svg" => "image/svg+xml",
            _ => return Err(LogoRefusal::NotALogo),
        };
        let temporary = name.starts_with("temp-");
        Ok(Self {
            key,
            content_type,
            temporary,
        })
    }

    /// The object key.
    pub fn key(&self) -> &ObjectKey {
        &self.key
    }

    /// The content type it is served as (never the origin's).
    pub fn content_type(&self) -> &'static str {
        self.content_type
    }

    /// A `temp-` logo, deleted after 7 days.
    pub fn is_temporary(&self) -> bool {
        self.temporary
    }

    /// `Cache-Control`: immutable for a year for permanent logos, `temporary_max_age` for others.
    pub fn cache_control(&self, temporary_max_age: u32) -> String {
        if self.temporary {
            format!("public, max-age={temporary_max_age}")
        } else {
            format!("public, max-age={PERMANENT_MAX_AGE}, immutable")
        }
    }

    /// Every header a logo is served with, `ETag` included when the origin gave one.
    ///
    /// ```
    /// use uploadkit_api::logo::LogoKey;
    /// let h = LogoKey::from_path("/crest.svg").unwrap().headers(Some("\"abc\""), 300);
    /// assert!(h.contains(&("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox".into())));
    /// assert!(h.contains(&("x-content-type-options", "nosniff".into())));
    /// ```
    pub fn headers(
        &self,
        etag: Option<&str>,
        temporary_max_age: u32,
    ) -> Vec<(&'static str, String)> {
        let mut headers = vec![
            ("content-type", self.content_type.to_owned()),
            ("cache-control", self.cache_control(temporary_max_age)),
            ("x-content-type-options", "nosniff".to_owned()),
            ("cross-origin-resource-policy", "cross-origin".to_owned()),
            ("accept-ranges", "bytes".to_owned()),
        ];
        if self.content_type == "image/svg+xml" {
            // An SVG opened directly must not run script or load anything.
            headers.push((
                "content-security-policy",
                "default-src 'none'; style-src 'unsafe-inline'; sandbox".to_owned(),
            ));
        }
        if let Some(etag) = etag {
            headers.push(("etag", etag.to_owned()));
        }
        headers
    }
}

/// Whether `If-None-Match` matches `etag` (weak comparison, as RFC 9110 asks for it).
///
/// ```
/// use uploadkit_api::logo::none_match;
/// assert!(none_match("W/\"abc\", \"def\"", "\"abc\""));
/// assert!(none_match("*", "\"abc\""));
/// assert!(!none_match("\"xyz\"", "\"abc\""));
/// ```
pub fn none_match(if_none_match: &str, etag: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let etag = bare(etag);
    if_none_match
        .split(',')
        .any(|candidate| candidate.trim() == "*" || bare(candidate) == etag)
}

/// What a `Range` header asks of a body of `len` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeAnswer {
    /// The whole body (no range, or one this CDN answers in full: several ranges, bad syntax).
    Full,
    /// `206` with bytes `start..=end`.
    Partial {
        /// First byte.
        start: u64,
        /// Last byte, inclusive.
        end: u64,
    },
    /// `416`.
    Unsatisfiable,
}

/// Reads a `Range` header against a body of `len` bytes (one range; others get the whole body,
/// which RFC 9110 allows).
///
/// ```
/// use uploadkit_api::logo::{range, RangeAnswer};
/// assert_eq!(range("bytes=0-9", 100), RangeAnswer::Partial { start: 0, end: 9 });
/// assert_eq!(range("bytes=90-", 100), RangeAnswer::Partial { start: 90, end: 99 });
/// assert_eq!(range("bytes=-10", 100), RangeAnswer::Partial { start: 90, end: 99 });
/// assert_eq!(range("bytes=100-", 100), RangeAnswer::Unsatisfiable);
/// assert_eq!(range("bytes=0-1,5-6", 100), RangeAnswer::Full);
/// ```
pub fn range(header: &str, len: u64) -> RangeAnswer {
    let Some(spec) = header.trim().strip_prefix("bytes=") else {
        return RangeAnswer::Full;
    };
    if spec.contains(',') {
        return RangeAnswer::Full;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return RangeAnswer::Full;
    };
    let number = |s: &str| s.trim().parse::<u64>().ok();
    let (start, end) = match (first.trim().is_empty(), last.trim().is_empty()) {
        (true, false) => {
            let Some(suffix) = number(last) else {
                return RangeAnswer::Full;
            };
            if suffix == 0 || len == 0 {
                return RangeAnswer::Unsatisfiable;
            }
            (len.saturating_sub(suffix), len - 1)
        }
        (false, _) => {
            let Some(start) = number(first) else {
                return RangeAnswer::Full;
            };
            let end = if last.trim().is_empty() {
                len.saturating_sub(1)
            } else {
                match number(last) {
                    Some(end) if end >= start => end.min(len.saturating_sub(1)),
                    _ => return RangeAnswer::Full,
                }
            };
            if start >= len {
                return RangeAnswer::Unsatisfiable;
            }
            (start, end)
        }
        (true, true) => return RangeAnswer::Full,
    };
    RangeAnswer::Partial { start, end }
}

/// What a logo request asks, from its method and headers.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogoRequest<'a> {
    /// `GET` or `HEAD` (anything else is a 405).
    pub method: &'a str,
    /// `If-None-Match`, if sent.
    pub if_none_match: Option<&'a str>,
    /// `Range`, if sent.
    pub range: Option<&'a str>,
}

/// What is known of the stored logo: its length and `ETag`.
#[derive(Debug, Clone, Copy)]
pub struct LogoObject<'a> {
    /// Its length in bytes.
    pub len: u64,
    /// Its `ETag`, if the origin gave one.
    pub etag: Option<&'a str>,
}

/// Which bytes of the logo a reply carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoBody {
    /// None (`HEAD`, 304, 405, 416).
    Empty,
    /// The whole object.
    Whole,
    /// Bytes `start..=end`.
    Slice {
        /// First byte.
        start: u64,
        /// Last byte, inclusive.
        end: u64,
    },
}

/// A logo reply: status, headers and which bytes go in the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoReply {
    /// The HTTP status.
    pub status: u16,
    /// The headers.
    pub headers: Vec<(&'static str, String)>,
    /// The body.
    pub body: LogoBody,
}

impl LogoReply {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The 405 for a method a logo is not served with (anything but `GET` and `HEAD`): adapters ask
/// before they fetch anything.
///
/// ```
/// use uploadkit_api::logo::refuse_method;
/// assert!(refuse_method("GET").is_none());
/// assert_eq!(refuse_method("POST").unwrap().status, 405);
/// ```
pub fn refuse_method(method: &str) -> Option<LogoReply> {
    (!matches!(method, "GET" | "HEAD")).then(|| LogoReply {
        status: 405,
        headers: vec![
            ("allow", "GET, HEAD".to_owned()),
            ("cache-control", "no-store".to_owned()),
        ],
        body: LogoBody::Empty,
    })
}

/// The one decision on how a logo is answered, made for the native logo route and the edge
/// worker alike: 405 for other methods, 304 when `If-None-Match` matches, 206 or 416 for a
/// `Range`, else 200; `HEAD` as `GET` without a body; the logo's headers (type, cache,
/// `nosniff`, CSP sandbox for SVG, CORP, `ETag`) and the exact `Content-Length` on every reply.
///
/// ```
/// use uploadkit_api::logo::{logo_reply, LogoBody, LogoKey, LogoObject, LogoRequest};
/// let key = LogoKey::from_path("/crest.png").unwrap();
/// let object = LogoObject { len: 1000, etag: Some("\"v1\"") };
/// let get = |range, inm| logo_reply(&key, &LogoRequest { method: "GET", range, if_none_match: inm }, object, 300);
/// assert_eq!(get(None, None).status, 200);
/// assert_eq!(get(None, Some("\"v1\"")).status, 304);
/// let part = get(Some("bytes=0-9"), None);
/// assert_eq!((part.status, part.body, part.header("content-length")), (206, LogoBody::Slice { start: 0, end: 9 }, Some("10")));
/// assert_eq!(get(Some("bytes=5000-"), None).status, 416);
/// ```
pub fn logo_reply(
    key: &LogoKey,
    request: &LogoRequest<'_>,
    object: LogoObject<'_>,
    temporary_max_age: u32,
) -> LogoReply {
    if let Some(refusal) = refuse_method(request.method) {
        return refusal;
    }
    let head = request.method == "HEAD";
    let mut headers = key.headers(object.etag, temporary_max_age);
    let reply = |status, mut headers: Vec<(&'static str, String)>, body: LogoBody, len: u64| {
        headers.push(("content-length", len.to_string()));
        LogoReply {
            status,
            headers,
            body: if head { LogoBody::Empty } else { body },
        }
    };
    if let (Some(etag), Some(condition)) = (object.etag, request.if_none_match)
        && none_match(condition, etag)
    {
        let mut reply = reply(304, headers, LogoBody::Empty, 0);
        // A 304 carries no body and says nothing of its length.
        reply.headers.retain(|(k, _)| *k != "content-length");
        return reply;
    }
    match request.range.map(|spec| range(spec, object.len)) {
        None | Some(RangeAnswer::Full) => reply(200, headers, LogoBody::Whole, object.len),
        Some(RangeAnswer::Partial { start, end }) => {
            headers.push((
                "content-range",
                format!("bytes {start}-{end}/{}", object.len),
            ));
            reply(
                206,
                headers,
                LogoBody::Slice { start, end },
                end - start + 1,
            )
        }
        Some(RangeAnswer::Unsatisfiable) => {
            headers.push(("content-range", format!("bytes */{}", object.len)));
            let mut reply = reply(416, headers, LogoBody::Empty, 0);
            reply.body = LogoBody::Empty;
            reply
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_paths_never_reach_the_origin() {
        let long = format!("/{}.png", "a".repeat(1100));
        for (path, refusal) in [
            ("/a%2fb.png", LogoRefusal::BadPath),
            ("/..%2Fx.png", LogoRefusal::BadPath),
            ("/a/../b.png", LogoRefusal::BadPath),
            ("/%2e%2e/b.png", LogoRefusal::BadPath),
            ("/a%00.png", LogoRefusal::BadPath),
            ("/a%0a.png", LogoRefusal::BadPath),
            ("/bad%zz.png", LogoRefusal::BadPath),
            ("/a\\b.png", LogoRefusal::BadPath),
            (long.as_str(), LogoRefusal::BadPath),
            ("/", LogoRefusal::NotALogo),
            ("/crest.gif", LogoRefusal::NotALogo),
            ("/crest.png.html", LogoRefusal::NotALogo),
            ("/crest", LogoRefusal::NotALogo),
            ("/service-1-notify/upload.csv", LogoRefusal::NotALogo),
            (
                "/letters/static/images/letter-template/sub/x.svg",
                LogoRefusal::NotALogo,
            ),
            (
                "/letters/static/images/letter-template/",
                LogoRefusal::NotALogo,
            ),
        ] {
            assert_eq!(LogoKey::from_path(path), Err(refusal), "{path}");
        }
        assert_eq!(LogoRefusal::BadPath.status(), 400);
        assert_eq!(LogoRefusal::NotALogo.status(), 404);
    }

    #[test]
    fn cache_lifetimes() {
        let permanent = LogoKey::from_path("/crest.PNG").unwrap();
        assert_eq!(permanent.content_type(), "image/png");
        assert_eq!(
            permanent.cache_control(300),
            "public, max-age=31536000, immutable"
        );
        let temporary =
            LogoKey::from_path("/letters/static/images/letter-template/temp-x.svg").unwrap();
        assert_eq!(temporary.cache_control(5), "public, max-age=5");
        assert!(
            !permanent
                .headers(None, 300)
                .iter()
                .any(|(k, _)| *k == "content-security-policy")
        );
    }

    #[test]
    fn ranges() {
        assert_eq!(
            range("bytes=0-1000", 10),
            RangeAnswer::Partial { start: 0, end: 9 }
        );
        assert_eq!(range("bytes=5-2", 10), RangeAnswer::Full);
        assert_eq!(range("bytes=-0", 10), RangeAnswer::Unsatisfiable);
        assert_eq!(range("items=0-1", 10), RangeAnswer::Full);
        assert_eq!(range("bytes=x-1", 10), RangeAnswer::Full);
    }
}
