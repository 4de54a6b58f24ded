//! `.ods` workbooks, read as the application reads them (pyexcel-odsr): `content.xml` is cut
//! into tables and rows by pattern, line by line, and each row parsed on its own. Hence its
//! habits, kept here: the first table even if hidden; a row repeated by
//! `table:number-rows-repeated` read once; covered (merged) cells dropped, so later cells move
//! left; a string cell's text is its paragraphs' text joined by newlines, with `<text:s/>` and
//! `<text:tab/>` lost; a table or row that spans lines is not seen at all.

use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};

use crate::csv_text::pyexcel_csv;
use crate::pattern::find_element;
use crate::value::{Date, Time, Value, integral_float_text, parse_py_float};
use crate::zipped::Zipped;
use crate::{Format, SheetError};

const TABLE_NS: &[u8] = b"urn:oasis:names:tc:opendocument:xmlns:table:1.0";
const OFFICE_NS: &[u8] = b"urn:oasis:names:tc:opendocument:xmlns:office:1.0";
const DOCUMENT_CLOSE: &[u8] = b"</office:document-content>";
/// Most cells one row may expand to by `table:number-columns-repeated` (a spreadsheet has at
/// most 16,384 columns); the empty filler cells programs write to the sheet's edge are not
/// expanded at all.
const ROW_CELL_LIMIT: usize = 16_384;

/// The root element's start tag, whose namespace declarations every row is parsed under.
const DOCUMENT_OPEN: &[u8] = b"<office:document-content";

pub(crate) fn convert(bytes: &[u8]) -> Result<String, SheetError> {
    let mut zip = Zipped::open(bytes, Format::Ods)?;
    let content = zip
        .part("content.xml")?
        .ok_or_else(|| zip.damaged("it has no content.xml"))?;
    // pyexcel-odsr's `(<office:document-content[^>]*>)`.
    let open_tag = find(&content, DOCUMENT_OPEN)
        .and_then(|start| {
            let end = content[start..].iter().position(|b| *b == b'>')?;
            Some(&content[start..=start + end])
        })
        .ok_or_else(|| zip.damaged("content.xml has no office:document-content"))?;
    // Its patterns: a table and a row each on one line (see `pattern::find_element`).
    let Some((start, end)) = find_element(&content, 0, b"<table:table", b":table>") else {
        return Ok(String::new());
    };
    let table = &content[start..end];
    let damaged = |detail: String| SheetError::Damaged {
        format: Format::Ods,
        detail,
    };
    pyexcel_csv(|| {
        let mut at = 0;
        std::iter::from_fn(move || {
            let (start, end) = find_element(table, at, b"<table:table-row", b":table-row>")?;
            at = end;
            Some(read_row(open_tag, &table[start..end]).map_err(damaged))
        })
    })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A cell as pyexcel-odsr reads it: its text or value attribute, and its value type.
#[derive(Clone)]
struct RawCell {
    value: Option<String>,
    kind: String,
}

/// One row fragment, wrapped in the document's own namespace declarations, parsed into cells.
fn read_row(open_tag: &[u8], row: &[u8]) -> Result<Vec<Value>, String> {
    let mut block = Vec::with_capacity(open_tag.len() + row.len() + DOCUMENT_CLOSE.len());
    block.extend_from_slice(open_tag);
    block.extend_from_slice(row);
    block.extend_from_slice(DOCUMENT_CLOSE);
    let mut reader = NsReader::from_reader(&block[..]);
    let mut buf = Vec::new();
    let mut cells: Vec<Value> = Vec::new();
    // Open cells (innermost last), each with its text so far.
    let mut open: Vec<OpenCell> = Vec::new();
    let mut depth = 0usize;
    loop {
        let (ns, event) = reader
            .read_resolved_event_into(&mut buf)
            .map_err(|e| e.to_string())?;
        let is_cell = |local: &[u8]| {
            matches!(ns, ResolveResult::Bound(Namespace(n)) if n == TABLE_NS)
                && local == b"table-cell"
        };
        match event {
            Event::Start(e) => {
                depth += 1;
                if is_cell(e.local_name().as_ref()) {
                    open.push(OpenCell::new(&reader, &e, depth)?);
                } else {
                    for cell in &mut open {
                        cell.enter(depth);
                    }
                }
            }
            Event::Empty(e) => {
                if is_cell(e.local_name().as_ref()) {
                    let cell = OpenCell::new(&reader, &e, depth + 1)?;
                    push_cell(&mut cells, cell)?;
                } else {
                    // An empty child still counts as a paragraph (an empty one).
                    for cell in &mut open {
                        cell.enter(depth + 1);
                        cell.leave(depth + 1);
                    }
                }
            }
            Event::End(_) => {
                if open.last().is_some_and(|c| c.depth == depth) {
                    let cell = open.pop().expect("checked above");
                    push_cell(&mut cells, cell)?;
                } else {
                    for cell in &mut open {
                        cell.leave(depth);
                    }
                }
                depth = depth.saturating_sub(1);
            }
            Event::Text(t) => {
                let text = t.xml10_content().map_err(|e| e.to_string())?;
                for cell in &mut open {
                    cell.text(&text);
                }
            }
            Event::CData(t) => {
                let text = String::from_utf8_lossy(&t).into_owned();
                for cell in &mut open {
                    cell.text(&text);
                }
            }
            Event::GeneralRef(r) => {
                let text = match r.resolve_char_ref().map_err(|e| e.to_string())? {
                    Some(c) => c.to_string(),
                    None => {
                        let name = r.decode().map_err(|e| e.to_string())?;
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(|| format!("unknown entity &{name};"))?
                            .to_owned()
                    }
                };
                for cell in &mut open {
                    cell.text(&text);
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if depth != 0 {
        return Err("a row's XML is not well formed".into());
    }
    Ok(cells)
}

struct OpenCell {
    depth: usize,
    raw: RawCell,
    repeat: usize,
    /// The text of each child element (`"".join(child.itertext())`).
    children: Vec<String>,
    /// Whether text now falls inside a child element.
    in_child: bool,
}

impl OpenCell {
    fn new(reader: &NsReader<&[u8]>, e: &BytesStart<'_>, depth: usize) -> Result<Self, String> {
        let mut kind = None;
        let mut values: Vec<(Vec<u8>, String)> = Vec::new();
        let mut repeat = None;
        for a in e.attributes() {
            let a = a.map_err(|e| e.to_string())?;
            let (ns, local) = reader.resolver().resolve_attribute(a.key);
            let value = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|e| e.to_string())?
                .into_owned();
            match ns {
                ResolveResult::Bound(Namespace(n)) if n == OFFICE_NS => {
                    if local.as_ref() == b"value-type" {
                        kind = Some(value);
                    } else {
                        values.push((local.as_ref().to_vec(), value));
                    }
                }
                ResolveResult::Bound(Namespace(n))
                    if n == TABLE_NS && local.as_ref() == b"number-columns-repeated" =>
                {
                    // Python's `int()`: an unreadable count fails the whole read.
                    repeat = Some(
                        value
                            .trim()
                            .parse::<usize>()
                            .map_err(|_| format!("{value} is not a column count"))?,
                    );
                }
                _ => {}
            }
        }
        let attr = |name: &[u8]| {
            values
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        let raw = match kind.as_deref() {
            None => RawCell {
                value: Some(String::new()),
                kind: "string".into(),
            },
            Some("string") => RawCell {
                value: None,
                kind: "string".into(),
            },
            Some("currency") => {
                let value = attr(b"value").ok_or("a currency cell has no value")?;
                let currency = attr(b"currency").ok_or("a currency cell has no currency")?;
                RawCell {
                    value: Some(format!("{value} {currency}")),
                    kind: "currency".into(),
                }
            }
            Some(other) => {
                let token: &[u8] = match other {
                    "date" => b"date-value",
                    "time" | "timedelta" => b"time-value",
                    "boolean" => b"boolean-value",
                    _ => b"value",
                };
                RawCell {
                    value: attr(token),
                    kind: other.to_owned(),
                }
            }
        };
        Ok(OpenCell {
            depth,
            raw,
            repeat: repeat.filter(|n| *n > 0).unwrap_or(1),
            children: Vec::new(),
            in_child: false,
        })
    }

    fn enter(&mut self, depth: usize) {
        if depth == self.depth + 1 {
            self.children.push(String::new());
            self.in_child = true;
        }
    }

    fn leave(&mut self, depth: usize) {
        if depth == self.depth + 1 {
            self.in_child = false;
        }
    }

    fn text(&mut self, text: &str) {
        if self.in_child
            && let Some(last) = self.children.last_mut()
        {
            last.push_str(text);
        }
    }
}

fn push_cell(cells: &mut Vec<Value>, cell: OpenCell) -> Result<(), String> {
    let OpenCell {
        raw,
        repeat,
        children,
        ..
    } = cell;
    let raw = if raw.value.is_none() && raw.kind == "string" {
        RawCell {
            value: Some(children.join("\n")),
            kind: raw.kind,
        }
    } else {
        raw
    };
    let value = convert_cell(&raw)?;
    if value.is_empty() {
        // Empty cells only matter before a later non-empty one; cap them all the same.
        let room = ROW_CELL_LIMIT.saturating_sub(cells.len());
        cells.extend(std::iter::repeat_n(value, repeat.min(room + 1)));
    } else {
        if cells.len() + repeat > ROW_CELL_LIMIT {
            return Err(format!("a row has more than {ROW_CELL_LIMIT} cells"));
        }
        cells.extend(std::iter::repeat_n(value, repeat));
    }
    Ok(())
}

/// pyexcel-odsr's `__convert_cell`: typed values converted (floats that are whole become ints),
/// strings and currencies as they are.
fn convert_cell(raw: &RawCell) -> Result<Value, String> {
    let missing = || format!("a {} cell has no value", raw.kind);
    Ok(match raw.kind.as_str() {
        "float" | "percentage" => {
            let text = raw.value.as_deref().ok_or_else(missing)?;
            let f = parse_py_float(text).ok_or_else(|| format!("{text} is not a number"))?;
            if raw.kind == "float" {
                if !f.is_finite() {
                    return Err(format!("{text} is not a finite number"));
                }
                integral_float_text(f).map_or(Value::Float(f), Value::Int)
            } else {
                Value::Float(f)
            }
        }
        "date" => date_value(raw.value.as_deref().ok_or_else(missing)?)?,
        "time" | "timedelta" => time_value(raw.value.as_deref().ok_or_else(missing)?),
        "boolean" => match raw.value.as_deref() {
            Some("true") => Value::Bool(true),
            Some("false") => Value::Bool(false),
            Some(other) => Value::Text(other.to_owned()),
            None => Value::Empty,
        },
        _ => raw.value.clone().map_or(Value::Empty, Value::Text),
    })
}

/// pyexcel-io's `date_value`: `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SS`, or with a fraction (the
/// first 26 characters); anything else fails the read, as it does there.
fn date_value(v: &str) -> Result<Value, String> {
    let bad = || format!("Bad date value {v}");
    let len = v.chars().count();
    let date = |s: &str| -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        Date::new(
            s[..4].parse().ok()?,
            s[5..7].parse().ok()?,
            s[8..10].parse().ok()?,
        )
    };
    let time = |s: &str| -> Option<Time> {
        let b = s.as_bytes();
        if b.len() < 8 || b[2] != b':' || b[5] != b':' {
            return None;
        }
        let (hour, minute, second) = (
            s[..2].parse().ok()?,
            s[3..5].parse().ok()?,
            s[6..8].parse().ok()?,
        );
        let micro = match &s[8..] {
            "" => 0,
            f => {
                let digits = f.strip_prefix('.')?;
                if digits.is_empty()
                    || digits.len() > 6
                    || !digits.bytes().all(|d| d.is_ascii_digit())
                {
                    return None;
                }
                digits.parse::<u32>().ok()? * 10u32.pow(6 - digits.len() as u32)
            }
        };
        (hour < 24 && minute < 60 && second < 60).then_some(Time {
            hour,
            minute,
            second,
            micro,
        })
    };
    let split = |s: &'_ str| -> Option<(Date, String)> {
        s.split_once('T')
            .and_then(|(d, t)| Some((date(d)?, t.to_owned())))
    };
    match len {
        10 => date(v).map(Value::Date).ok_or_else(bad),
        19 => split(v)
            .and_then(|(d, t)| {
                (t.len() == 8)
                    .then(|| time(&t))
                    .flatten()
                    .map(|t| Value::DateTime(d, t))
            })
            .ok_or_else(bad),
        n if n > 19 => {
            let end = v.char_indices().nth(26).map_or(v.len(), |(i, _)| i);
            split(&v[..end])
                .and_then(|(d, t)| {
                    (t.len() > 9)
                        .then(|| time(&t))
                        .flatten()
                        .map(|t| Value::DateTime(d, t))
                })
                .ok_or_else(bad)
        }
        _ => Err(bad()),
    }
}

/// pyexcel-io's `time_value`: `PT{h}H{m}M{s}S` from the start (a fraction of a second does not
/// match); under 24 hours a time of day, else a duration; anything else no value.
fn time_value(v: &str) -> Value {
    let parse = || -> Option<(u64, u64, u64)> {
        let rest = v.strip_prefix("PT")?;
        let (h, rest) = rest.split_once('H')?;
        let (m, rest) = rest.split_once('M')?;
        let s_end = rest.find(|c: char| !c.is_ascii_digit())?;
        if !rest[s_end..].starts_with('S') {
            return None;
        }
        let digits = |s: &str| {
            (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse().ok())
                .flatten()
        };
        Some((digits(h)?, digits(m)?, digits(&rest[..s_end])?))
    };
    match parse() {
        Some((h, m, s)) if h < 24 => {
            if m < 60 && s < 60 {
                Value::Time(Time {
                    hour: h as u32,
                    minute: m as u32,
                    second: s as u32,
                    micro: 0,
                })
            } else {
                Value::Empty
            }
        }
        Some((h, m, s)) => Value::Duration(i128::from(h * 3600 + m * 60 + s) * 1_000_000),
        None => Value::Empty,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPEN: &[u8] = br#"<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">"#;

    fn row(xml: &str) -> Vec<String> {
        read_row(OPEN, xml.as_bytes())
            .unwrap()
            .iter()
            .map(Value::to_text)
            .collect()
    }

    #[test]
    fn cells_are_read_as_pyexcel_odsr_reads_them() {
        assert_eq!(
            row(
                r#"<table:table-row><table:table-cell office:value-type="string"><text:p>a<text:s/>b</text:p><text:p>c<text:tab/>d</text:p></table:table-cell><table:covered-table-cell/><table:table-cell office:value-type="float" office:value="7700900123" table:number-columns-repeated="2"/><table:table-cell/><table:table-cell office:value-type="float" office:value="1.5"/></table:table-row>"#
            ),
            vec!["ab\ncd", "7700900123", "7700900123", "", "1.5"]
        );
        assert_eq!(
            row(
                r#"<table:table-row><table:table-cell office:value-type="boolean" office:boolean-value="true"/><table:table-cell office:value-type="date" office:date-value="2024-01-15T10:30:15.5"/><table:table-cell office:value-type="time" office:time-value="PT10H30M00S"/><table:table-cell office:value-type="percentage" office:value="0.15"/><table:table-cell office:value-type="currency" office:value="3" office:currency="GBP"/></table:table-row>"#
            ),
            vec![
                "True",
                "2024-01-15 10:30:15.500000",
                "10:30:00",
                "0.15",
                "3 GBP"
            ]
        );
    }

    #[test]
    fn dates_and_times_as_pyexcel_io_reads_them() {
        assert_eq!(date_value("2024-01-15").unwrap().to_text(), "2024-01-15");
        assert_eq!(
            date_value("2024-01-15T00:00:00").unwrap().to_text(),
            "2024-01-15 00:00:00"
        );
        assert!(date_value("2024-1-15").is_err());
        assert_eq!(time_value("PT25H00M00S").to_text(), "1 day, 1:00:00");
        assert_eq!(time_value("PT10H30M15.5S"), Value::Empty);
    }

    #[test]
    fn repeats_are_bounded() {
        let huge = r#"<table:table-row><table:table-cell office:value-type="string" table:number-columns-repeated="1000000000"><text:p>x</text:p></table:table-cell></table:table-row>"#;
        assert!(read_row(OPEN, huge.as_bytes()).is_err());
        let filler = r#"<table:table-row><table:table-cell table:number-columns-repeated="1000000000"/></table:table-row>"#;
        assert!(read_row(OPEN, filler.as_bytes()).unwrap().len() <= ROW_CELL_LIMIT + 1);
    }
}
