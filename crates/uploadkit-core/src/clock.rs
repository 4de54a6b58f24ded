//! Timestamps in the forms SigV4 and POST policies use. The core never reads a clock: callers
//! pass the instant to sign at, which is what makes signatures reproducible.

use time::{Date, OffsetDateTime, UtcOffset};

/// A signing instant, held in UTC with whole-second precision (SigV4 has no finer unit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SigningTime(OffsetDateTime);

impl SigningTime {
    /// Converts any instant to a signing time (UTC, sub-seconds dropped).
    ///
    /// ```
    /// use uploadkit_core::clock::SigningTime;
    /// let t = SigningTime::from_unix(1_440_938_160).unwrap();
    /// assert_eq!(t.amz_date(), "20150830T123600Z");
    /// ```
    pub fn new(at: OffsetDateTime) -> Self {
        let utc = at.to_offset(UtcOffset::UTC);
        Self(utc.replace_nanosecond(0).unwrap_or(utc))
    }

    /// A signing time from seconds since the Unix epoch, `None` if out of range.
    pub fn from_unix(secs: i64) -> Option<Self> {
        OffsetDateTime::from_unix_timestamp(secs).ok().map(Self)
    }

    /// The instant as an [`OffsetDateTime`] in UTC.
    pub fn as_datetime(self) -> OffsetDateTime {
        self.0
    }

    /// Seconds since the Unix epoch.
    pub fn unix(self) -> i64 {
        self.0.unix_timestamp()
    }

    /// The calendar date in UTC.
    pub fn date(self) -> Date {
        self.0.date()
    }

    /// `YYYYMMDD`, the date part of a credential scope.
    pub fn scope_date(self) -> [u8; 8] {
        let d = self.0.date();
        let mut out = [b'0'; 8];
        write_digits(&mut out[0..4], d.year().unsigned_abs());
        write_digits(&mut out[4..6], u32::from(u8::from(d.month())));
        write_digits(&mut out[6..8], u32::from(d.day()));
        out
    }

    /// `YYYYMMDDTHHMMSSZ`, the `X-Amz-Date` form.
    pub fn amz_date(self) -> String {
        self.amz_date_buf().as_str().to_owned()
    }

    /// The `X-Amz-Date` form on the stack.
    pub fn amz_date_buf(self) -> AmzDate {
        let mut out = [b'0'; 16];
        out[..8].copy_from_slice(&self.scope_date());
        out[8] = b'T';
        write_digits(&mut out[9..11], u32::from(self.0.hour()));
        write_digits(&mut out[11..13], u32::from(self.0.minute()));
        write_digits(&mut out[13..15], u32::from(self.0.second()));
        out[15] = b'Z';
        AmzDate(out)
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`, the form of a POST policy's `expiration` (as botocore writes it).
    pub fn iso8601(self) -> String {
        let d = self.amz_date_buf();
        let b = d.as_str().as_bytes();
        let mut out = String::with_capacity(20);
        for (i, &c) in b.iter().enumerate() {
            match i {
                4 | 6 => {
                    out.push('-');
                    out.push(char::from(c));
                }
                11 | 13 => {
                    out.push(':');
                    out.push(char::from(c));
                }
                _ => out.push(char::from(c)),
            }
        }
        out
    }

    /// This instant plus `secs` seconds, `None` on overflow.
    pub fn plus_seconds(self, secs: u32) -> Option<Self> {
        self.0
            .checked_add(time::Duration::seconds(i64::from(secs)))
            .map(Self)
    }
}

/// `YYYYMMDDTHHMMSSZ` without an allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AmzDate([u8; 16]);

impl AmzDate {
    /// The text.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits, 'T' and 'Z' are ever written.
        std::str::from_utf8(&self.0).expect("ASCII")
    }
}

impl From<OffsetDateTime> for SigningTime {
    fn from(at: OffsetDateTime) -> Self {
        Self::new(at)
    }
}

fn write_digits(out: &mut [u8], mut value: u32) {
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

/// Parses an RFC 3339 / ISO 8601 instant such as `2015-08-30T12:36:00Z` (the form of
/// `AWS_CREDENTIAL_EXPIRATION`, STS and the metadata services).
///
/// ```
/// let t = uploadkit_core::clock::parse_rfc3339("2015-08-30T12:36:00Z").unwrap();
/// assert_eq!(t.unix(), 1_440_938_160);
/// ```
pub fn parse_rfc3339(text: &str) -> Option<SigningTime> {
    OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339)
        .ok()
        .map(SigningTime::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_match_aws() {
        let t = parse_rfc3339("2013-05-24T00:00:00Z").unwrap();
        assert_eq!(t.amz_date(), "20130524T000000Z");
        assert_eq!(&t.scope_date(), b"20130524");
        assert_eq!(
            t.plus_seconds(86_400).unwrap().iso8601(),
            "2013-05-25T00:00:00Z"
        );
    }

    #[test]
    fn offsets_are_converted_to_utc() {
        let t = parse_rfc3339("2015-08-30T13:36:00+01:00").unwrap();
        assert_eq!(t.amz_date(), "20150830T123600Z");
    }
}
