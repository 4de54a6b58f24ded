//! libphonenumber's reading of a number: `parse` (country code, international prefix, national
//! prefix, leading zeros), possible lengths, the region a number belongs to and its type — the
//! algorithms of libphonenumber's Python port (`phonenumbers`), which the app calls, over the
//! same metadata ([`super::metadata`], exported from the version the app pins). The
//! `phonenumber` crate's parser departs from them in ways the app's verdicts show (it strips a
//! national prefix even when what is left is too short to be a number, refuses 16- and
//! 17-digit national numbers, takes a leading `44` for the calling code where libphonenumber
//! does not, matches patterns only at their start) and its metadata lags the app's.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use regex::Regex;

use super::metadata::{CODES, NON_GEOGRAPHIC, REGIONS};

/// A number-type description: the lengths and the pattern of national significant numbers.
#[derive(Debug)]
pub(super) struct Desc {
    /// The pattern, as libphonenumber's Python port writes it.
    pub pattern: &'static str,
    /// Possible lengths (empty: the general description's).
    pub lengths: &'static [u8],
    /// Lengths of numbers diallable only locally.
    pub local: &'static [u8],
}

/// One region's (or non-geographic entity's) metadata.
#[derive(Debug)]
pub(super) struct Region {
    pub id: &'static str,
    pub code: u16,
    pub international_prefix: Option<&'static str>,
    pub national_prefix_for_parsing: Option<&'static str>,
    /// The national prefix transform rule, with groups written `${1}`.
    pub transform_rule: Option<&'static str>,
    pub leading_digits: Option<&'static str>,
    pub same_mobile_and_fixed_line: bool,
    pub general: Desc,
    /// In [`TYPE_ORDER`]'s order.
    pub types: [Option<Desc>; 10],
}

/// libphonenumber's number types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NumberType {
    PremiumRate,
    TollFree,
    SharedCost,
    Voip,
    PersonalNumber,
    Pager,
    Uan,
    Voicemail,
    FixedLine,
    Mobile,
    FixedLineOrMobile,
    Unknown,
}

/// The order libphonenumber tests a number's types in, which is the order of [`Region::types`].
const TYPE_ORDER: [NumberType; 10] = [
    NumberType::PremiumRate,
    NumberType::TollFree,
    NumberType::SharedCost,
    NumberType::Voip,
    NumberType::PersonalNumber,
    NumberType::Pager,
    NumberType::Uan,
    NumberType::Voicemail,
    NumberType::FixedLine,
    NumberType::Mobile,
];

impl Region {
    /// The description of a number type.
    pub fn desc(&self, kind: NumberType) -> Option<&Desc> {
        let i = TYPE_ORDER.iter().position(|t| *t == kind)?;
        self.types[i].as_ref()
    }
}

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

/// How a metadata pattern is anchored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Anchor {
    /// The whole text (libphonenumber's `fullmatch`).
    Whole,
    /// Its start (`re.match`).
    Start,
}

/// A metadata pattern, compiled once (a file of many countries' numbers compiles each pattern
/// it needs once). Shared by `Arc`: a cloned `Regex` starts a new match cache, which costs more
/// than the match.
fn compiled(pattern: &str, anchor: Anchor) -> Option<Arc<Regex>> {
    type Compiled = HashMap<(usize, usize, Anchor), Option<Arc<Regex>>>;
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
            Regex::new(&anchored).ok().map(Arc::new)
        })
        .clone()
}

fn matches(pattern: &str, text: &str, anchor: Anchor) -> bool {
    compiled(pattern, anchor).is_some_and(|r| r.is_match(text))
}

/// `_match_national_number`: the general pattern, whole.
fn matches_general(meta: &Region, nsn: &str) -> bool {
    matches(meta.general.pattern, nsn, Anchor::Whole)
}

/// `_is_number_matching_desc`: a possible length and the whole pattern.
fn desc_matches(desc: &Desc, nsn: &str) -> bool {
    (desc.lengths.is_empty() || desc.lengths.iter().any(|&l| usize::from(l) == nsn.len()))
        && matches(desc.pattern, nsn, Anchor::Whole)
}

/// `_test_number_length` for any type: by the general description's lengths.
fn test_number_length(nsn: &str, meta: &Region) -> Possibility {
    let lengths = meta.general.lengths;
    let length = nsn.len();
    let has = |set: &[u8]| set.iter().any(|&l| usize::from(l) == length);
    let (Some(&min), Some(&max)) = (lengths.first(), lengths.last()) else {
        return Possibility::InvalidLength;
    };
    let (min, max) = (usize::from(min), usize::from(max));
    if has(meta.general.local) {
        Possibility::LocalOnly
    } else if length == min {
        Possibility::Possible
    } else if length < min {
        Possibility::TooShort
    } else if length > max {
        Possibility::TooLong
    } else if has(lengths) {
        Possibility::Possible
    } else {
        Possibility::InvalidLength
    }
}

/// The regions of a calling code, main region first.
fn regions_of(code: u16) -> Option<&'static [&'static str]> {
    CODES
        .binary_search_by_key(&code, |(c, _)| *c)
        .ok()
        .map(|i| CODES[i].1)
}

/// The metadata of a region by its code (`GB`).
pub(super) fn region(id: &str) -> Option<&'static Region> {
    REGIONS
        .binary_search_by(|r| r.id.cmp(id))
        .ok()
        .map(|i| &REGIONS[i])
}

/// The metadata of a non-geographic entity.
fn non_geographic(code: u16) -> Option<&'static Region> {
    NON_GEOGRAPHIC
        .binary_search_by_key(&code, |r| r.code)
        .ok()
        .map(|i| &NON_GEOGRAPHIC[i])
}

/// `metadata_for_region_or_calling_code`.
fn region_or_entity(id: &str, code: u16) -> Option<&'static Region> {
    if id == "001" {
        non_geographic(code)
    } else {
        region(id)
    }
}

/// The metadata of a calling code's main region, or of its non-geographic entity.
fn metadata_for_code(code: u16) -> Option<&'static Region> {
    region_or_entity(regions_of(code)?.first()?, code)
}

/// `is_possible_number_with_reason`: by the lengths of the calling code's main region.
pub(super) fn possibility(number: &Number) -> Possibility {
    match metadata_for_code(number.code) {
        Some(meta) => test_number_length(&number.nsn(), meta),
        None => Possibility::InvalidCountryCode,
    }
}

/// `_maybe_strip_national_prefix_carrier_code`: the number without its national prefix (or as
/// the region's transform rule writes it), or `None` when there is none to strip or stripping
/// would turn a number the region knows into one it does not.
fn strip_national_prefix(number: &str, meta: &Region) -> Option<String> {
    let prefix = meta.national_prefix_for_parsing.filter(|p| !p.is_empty())?;
    if number.is_empty() {
        return None;
    }
    let pattern = compiled(prefix, Anchor::Start)?;
    let captures = pattern.captures(number)?;
    let viable_original = matches_general(meta, number);
    let groups = pattern.captures_len() - 1;
    let rule = meta.transform_rule.filter(|r| !r.is_empty());
    let stripped = match rule {
        Some(rule) if groups > 0 && captures.get(groups).is_some() => {
            pattern.replace(number, rule).into_owned()
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
        regions_of(code).map(|_| (code, &number[n..]))
    })
}

/// `_maybe_extract_country_code` on digits with an optional leading `+`: the calling code
/// (0 when the number has none of its own) and the national number.
fn extract_country_code(
    number: &str,
    meta: Option<&Region>,
) -> Result<(u16, String), ExtractError> {
    if number.is_empty() {
        return Ok((0, String::new()));
    }
    let (source, full) = match number.strip_prefix('+') {
        Some(_) => (Source::Plus, number.trim_start_matches('+')),
        None => {
            let idd = meta
                .and_then(|m| m.international_prefix)
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
        let code = meta.code;
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
pub(super) fn parse(digits: &str, default: Option<&'static Region>) -> Option<Number> {
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
        if default.is_none_or(|d| d.code != code) {
            meta = Some(metadata_for_code(code)?);
        }
        code
    } else {
        national = digits.trim_start_matches('+').to_owned();
        default?.code
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
fn number_type(meta: &Region, nsn: &str) -> NumberType {
    if !desc_matches(&meta.general, nsn) {
        return NumberType::Unknown;
    }
    let is = |kind: NumberType| meta.desc(kind).is_some_and(|d| desc_matches(d, nsn));
    if let Some(kind) = TYPE_ORDER[..8].iter().copied().find(|k| is(*k)) {
        return kind;
    }
    if is(NumberType::FixedLine) {
        return if meta.same_mobile_and_fixed_line || is(NumberType::Mobile) {
            NumberType::FixedLineOrMobile
        } else {
            NumberType::FixedLine
        };
    }
    if !meta.same_mobile_and_fixed_line && is(NumberType::Mobile) {
        NumberType::Mobile
    } else {
        NumberType::Unknown
    }
}

/// `region_code_for_number`, as metadata: the calling code's only region, or the first whose
/// leading digits match, or whose patterns know the number.
pub(super) fn region_of(number: &Number) -> Option<&'static Region> {
    let nsn = number.nsn();
    let regions = regions_of(number.code)?;
    if let [only] = regions {
        return region_or_entity(only, number.code);
    }
    regions
        .iter()
        .filter_map(|r| region(r))
        .find(|meta| match meta.leading_digits {
            Some(pattern) => matches(pattern, &nsn, Anchor::Start),
            None => number_type(meta, &nsn) != NumberType::Unknown,
        })
}

/// `number_type`: the type by the metadata of the number's region (`Unknown` when no region
/// claims it, which is also what makes it invalid).
pub(super) fn type_of(number: &Number) -> NumberType {
    region_of(number).map_or(NumberType::Unknown, |meta| number_type(meta, &number.nsn()))
}
