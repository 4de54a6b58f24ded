//! libphonenumber's reading of a number, over the metadata the `phonenumber` crate carries:
//! `parse` (country code, international prefix, national prefix, leading zeros), possible
//! lengths, the region a number belongs to and its type — the algorithms of libphonenumber's
//! Python port (`phonenumbers`), which the app calls. The crate's own parser departs from them
//! in ways the app's verdicts show: it strips a national prefix even when what is left is too
//! short to be a number (`0770090`), refuses 16- and 17-digit national numbers, takes a
//! leading `44` for the country code where libphonenumber does not (`447700900`), and matches
//! patterns only at their start.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use phonenumber::Type;
use phonenumber::metadata::{Database, Descriptor, Metadata};
use regex::{Regex, RegexBuilder};

/// libphonenumber's shortest and longest national significant numbers.
const MIN_NSN: usize = 2;
const MAX_NSN: usize = 17;
/// The longest country calling code.
const MAX_COUNTRY_CODE_DIGITS: usize = 3;

/// A number as libphonenumber holds it: calling code, national number and the zeros before it
/// (Italian numbers, and UK ones whose national prefix could not be stripped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Number {
    pub code: u16,
    pub national: u64,
    zeros: usize,
}

impl Number {
    /// The national significant number, leading zeros included.
    pub fn nsn(&self) -> String {
        format!("{}{}", "0".repeat(self.zeros), self.national)
    }

    /// E.164 without the `+`.
    pub fn e164(&self) -> String {
        format!("{}{}", self.code, self.nsn())
    }
}

/// libphonenumber's `ValidationResult`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Possibility {
    Possible,
    LocalOnly,
    InvalidCountryCode,
    TooShort,
    TooLong,
    InvalidLength,
}

fn database() -> &'static Database {
    &phonenumber::metadata::DATABASE
}

/// How a metadata pattern is anchored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Anchor {
    /// The whole text (libphonenumber's `fullmatch`).
    Whole,
    /// Its start (`re.match`).
    Start,
}

/// A metadata pattern, compiled once. The crate recompiles patterns its 100-entry cache has
/// evicted, so a file of many countries' numbers would mostly recompile.
fn compiled(pattern: &str, anchor: Anchor) -> Option<Regex> {
    type Compiled = HashMap<(usize, usize, Anchor), Option<Regex>>;
    static COMPILED: OnceLock<Mutex<Compiled>> = OnceLock::new();
    let mut compiled = COMPILED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    // Patterns live in the static database (or are literals): an address and a length name one
    // for the process's life.
    compiled
        .entry((pattern.as_ptr() as usize, pattern.len(), anchor))
        .or_insert_with(|| {
            let anchored = match anchor {
                Anchor::Whole => format!("^(?:{pattern})$"),
                Anchor::Start => format!("^(?:{pattern})"),
            };
            // The metadata's patterns are laid out over several lines, as the crate reads them.
            RegexBuilder::new(&anchored)
                .ignore_whitespace(true)
                .build()
                .ok()
        })
        .clone()
}

fn matches(pattern: &str, text: &str, anchor: Anchor) -> bool {
    compiled(pattern, anchor).is_some_and(|r| r.is_match(text))
}

/// `_match_national_number`: the general pattern, whole.
fn matches_general(meta: &Metadata, nsn: &str) -> bool {
    matches(
        meta.descriptors().general().national_number().as_str(),
        nsn,
        Anchor::Whole,
    )
}

/// `_is_number_matching_desc`: a possible length and the whole pattern.
fn desc_matches(desc: &Descriptor, nsn: &str) -> bool {
    let lengths = desc.possible_length();
    (lengths.is_empty() || lengths.contains(&(nsn.len() as u16)))
        && matches(desc.national_number().as_str(), nsn, Anchor::Whole)
}

/// The number-type descriptors a region's possible lengths are gathered from, as
/// libphonenumber's metadata builder gathers them for the general description.
fn type_descriptors(meta: &Metadata) -> [Option<&Descriptor>; 10] {
    let d = meta.descriptors();
    [
        d.fixed_line(),
        d.mobile(),
        d.toll_free(),
        d.premium_rate(),
        d.shared_cost(),
        d.personal_number(),
        d.voip(),
        d.pager(),
        d.uan(),
        d.voicemail(),
    ]
}

/// `_test_number_length` for any type: by the union of the region's types' lengths, local-only
/// lengths being those that are no full length.
fn test_number_length(nsn: &str, meta: &Metadata) -> Possibility {
    let mut lengths: Vec<u16> = Vec::new();
    let mut local: Vec<u16> = Vec::new();
    for descriptor in type_descriptors(meta).into_iter().flatten() {
        lengths.extend(descriptor.possible_length());
        local.extend(descriptor.possible_local_length());
    }
    lengths.sort_unstable();
    lengths.dedup();
    let length = nsn.len() as u16;
    let (Some(&min), Some(&max)) = (lengths.first(), lengths.last()) else {
        return Possibility::InvalidLength;
    };
    if local.contains(&length) && !lengths.contains(&length) {
        Possibility::LocalOnly
    } else if length == min {
        Possibility::Possible
    } else if length < min {
        Possibility::TooShort
    } else if length > max {
        Possibility::TooLong
    } else if lengths.contains(&length) {
        Possibility::Possible
    } else {
        Possibility::InvalidLength
    }
}

/// The metadata of a calling code's main region, or of its non-geographic entity.
fn metadata_for_code(code: u16) -> Option<&'static Metadata> {
    let db = database();
    let regions = db.region(&code)?;
    match regions.first() {
        Some(&"001") | None => db.by_code(&code)?.into_iter().next(),
        Some(region) => db.by_id(*region),
    }
}

/// The metadata of a region by its code (`GB`).
pub(super) fn region(id: &str) -> Option<&'static Metadata> {
    database().by_id(id)
}

/// `is_possible_number_with_reason`: by the lengths of the calling code's main region.
pub(super) fn possibility(number: &Number) -> Possibility {
    match metadata_for_code(number.code) {
        Some(meta) => test_number_length(&number.nsn(), meta),
        None => Possibility::InvalidCountryCode,
    }
}

/// The region's national prefix for parsing (which defaults to its national prefix).
fn national_prefix_for_parsing(meta: &Metadata) -> Option<&str> {
    meta.national_prefix_for_parsing()
        .map(|p| p.as_str())
        .or(meta.national_prefix())
        .filter(|p| !p.is_empty())
}

/// `_maybe_strip_national_prefix_carrier_code`: the number without its national prefix (or as
/// the region's transform rule writes it), or `None` when there is none to strip or stripping
/// would turn a number the region knows into one it does not.
fn strip_national_prefix(number: &str, meta: &Metadata) -> Option<String> {
    let prefix = national_prefix_for_parsing(meta)?;
    if number.is_empty() {
        return None;
    }
    let pattern = compiled(prefix, Anchor::Start)?;
    let captures = pattern.captures(number)?;
    let viable_original = matches_general(meta, number);
    let groups = pattern.captures_len() - 1;
    let rule = meta
        .national_prefix_transform_rule()
        .filter(|r| !r.is_empty());
    let stripped = match rule {
        Some(rule) if groups > 0 && captures.get(groups).is_some() => {
            // The metadata writes groups as `$1`; `${1}` keeps a digit after it literal.
            let rule = Regex::new(r"\$(\d)")
                .map(|r| r.replace_all(rule, "$${$1}").into_owned())
                .ok()?;
            pattern.replace(number, rule.as_str()).into_owned()
        }
        _ => number[captures.get(0)?.end()..].to_owned(),
    };
    if viable_original && !matches_general(meta, &stripped) {
        return None;
    }
    Some(stripped)
}

/// How a number was read: after a `+`, after the international prefix, or neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Plus,
    Idd,
    Default,
}

/// Why `_maybe_extract_country_code` raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ExtractError {
    InvalidCountryCode,
    TooShortAfterIdd,
}

/// `_extract_country_code`: the leading digits that are a calling code, and the rest.
fn leading_country_code(number: &str) -> Option<(u16, &str)> {
    if number.starts_with('0') {
        return None;
    }
    (1..=MAX_COUNTRY_CODE_DIGITS.min(number.len())).find_map(|n| {
        let code: u16 = number[..n].parse().ok()?;
        database().region(&code).map(|_| (code, &number[n..]))
    })
}

/// `_maybe_extract_country_code` on digits with an optional leading `+`: the calling code
/// (0 when the number has none of its own) and the national number.
fn extract_country_code(
    number: &str,
    meta: Option<&Metadata>,
) -> Result<(u16, String), ExtractError> {
    if number.is_empty() {
        return Ok((0, String::new()));
    }
    let (source, full) = match number.strip_prefix('+') {
        Some(_) => (Source::Plus, number.trim_start_matches('+')),
        None => {
            let idd = meta
                .and_then(Metadata::international_prefix)
                .map(|p| p.as_str())
                .and_then(|p| compiled(p, Anchor::Start))
                .and_then(|re| re.find(number).map(|m| m.end()));
            match idd {
                // A calling code never starts with 0: then it was no international prefix.
                Some(end) if !number[end..].starts_with('0') => (Source::Idd, &number[end..]),
                _ => (Source::Default, number),
            }
        }
    };
    if source != Source::Default {
        if full.len() <= MIN_NSN {
            return Err(ExtractError::TooShortAfterIdd);
        }
        return leading_country_code(full)
            .map(|(code, rest)| (code, rest.to_owned()))
            .ok_or(ExtractError::InvalidCountryCode);
    }
    if let Some(meta) = meta {
        let code = meta.country_code();
        if let Some(rest) = full.strip_prefix(&code.to_string()) {
            let national = strip_national_prefix(rest, meta).unwrap_or_else(|| rest.to_owned());
            if (!matches_general(meta, full) && matches_general(meta, &national))
                || test_number_length(full, meta) == Possibility::TooLong
            {
                return Ok((code, national));
            }
        }
    }
    Ok((0, String::new()))
}

/// `phonenumbers.parse` of the digits (with an optional leading `+`) libphonenumber reads from
/// a viable number, with a default region or none; `None` where it raises.
pub(super) fn parse(digits: &str, default: Option<&'static Metadata>) -> Option<Number> {
    // Without a default region only a number with its own calling code can be read.
    if default.is_none() && !digits.starts_with('+') {
        return None;
    }
    let (code, mut national, mut meta) = match extract_country_code(digits, default) {
        Ok(found) => (found.0, found.1, default),
        Err(ExtractError::InvalidCountryCode) if digits.starts_with('+') => {
            let found = extract_country_code(digits.trim_start_matches('+'), default).ok()?;
            if found.0 == 0 {
                return None;
            }
            (found.0, found.1, default)
        }
        Err(_) => return None,
    };
    let code = if code != 0 {
        if default.is_none_or(|d| d.country_code() != code) {
            meta = Some(metadata_for_code(code)?);
        }
        code
    } else {
        national = digits.trim_start_matches('+').to_owned();
        default?.country_code()
    };
    if national.len() < MIN_NSN {
        return None;
    }
    if let Some(meta) = meta
        && let Some(stripped) = strip_national_prefix(&national, meta)
        && !matches!(
            test_number_length(&stripped, meta),
            Possibility::TooShort | Possibility::LocalOnly | Possibility::InvalidLength
        )
    {
        national = stripped;
    }
    if !(MIN_NSN..=MAX_NSN).contains(&national.len()) {
        return None;
    }
    let zeros = if national.len() > 1 && national.starts_with('0') {
        national
            .bytes()
            .take_while(|&b| b == b'0')
            .count()
            .min(national.len() - 1)
    } else {
        0
    };
    Some(Number {
        code,
        national: national.parse().ok()?,
        zeros,
    })
}

/// `_number_type_helper`: the type of a national significant number under a region's metadata.
fn number_type(meta: &Metadata, nsn: &str) -> Type {
    let d = meta.descriptors();
    if !matches_general(meta, nsn) {
        return Type::Unknown;
    }
    let is = |desc: Option<&Descriptor>| desc.is_some_and(|desc| desc_matches(desc, nsn));
    let ordered = [
        (d.premium_rate(), Type::PremiumRate),
        (d.toll_free(), Type::TollFree),
        (d.shared_cost(), Type::SharedCost),
        (d.voip(), Type::Voip),
        (d.personal_number(), Type::PersonalNumber),
        (d.pager(), Type::Pager),
        (d.uan(), Type::Uan),
        (d.voicemail(), Type::Voicemail),
    ];
    if let Some((_, kind)) = ordered.into_iter().find(|(desc, _)| is(*desc)) {
        return kind;
    }
    if is(d.fixed_line()) {
        let same = d.fixed_line().map(|f| f.national_number().as_str())
            == d.mobile().map(|m| m.national_number().as_str());
        return if same || is(d.mobile()) {
            Type::FixedLineOrMobile
        } else {
            Type::FixedLine
        };
    }
    if is(d.mobile()) {
        Type::Mobile
    } else {
        Type::Unknown
    }
}

/// `region_code_for_number`, as metadata: the calling code's only region, or the first whose
/// leading digits match, or whose patterns know the number.
pub(super) fn region_of(number: &Number) -> Option<&'static Metadata> {
    let db = database();
    let nsn = number.nsn();
    let regions = db.region(&number.code)?;
    if let [only] = regions.as_slice() {
        return if *only == "001" {
            db.by_code(&number.code)?.into_iter().next()
        } else {
            db.by_id(*only)
        };
    }
    regions
        .into_iter()
        .filter_map(|r| db.by_id(r))
        .find(|meta| match meta.leading_digits() {
            Some(pattern) => matches(pattern.as_str(), &nsn, Anchor::Start),
            None => number_type(meta, &nsn) != Type::Unknown,
        })
}

/// `number_type`: the type by the metadata of the number's region (`Unknown` when no region
/// claims it, which is also what makes it invalid).
pub(super) fn type_of(number: &Number) -> Type {
    region_of(number).map_or(Type::Unknown, |meta| number_type(meta, &number.nsn()))
}
