//! `.xlsx` / `.xlsm` workbooks, read as the application reads them (openpyxl, values only, then
//! the admin's own sheet walk): the first sheet not hidden, from its first row not hidden; hidden
//! rows and columns skipped; a number keeps the kind its stored text has (`1` an int, `1.0` a
//! float); date-formatted numbers become dates; every cell of a merged range takes its top-left
//! value; columns to the right of the header's last cell are kept up to the 50th.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::BufRead;
use std::rc::Rc;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::csv_text::{CsvText, MAX_TEXT_BYTES};
use crate::value::{Date, Time, Value, parse_py_float, parse_py_int};
use crate::zipped::Zipped;
use crate::{ABSOLUTE_COLUMN_LIMIT, Format, MIN_COLUMN_LIMIT, ROW_LIMIT, SheetError};

const CONTENT_TYPES: &str = "[Content_Types].xml";
const WORKBOOK_TYPES: [&str; 4] = [
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
];
const SHARED_STRINGS_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml";
/// openpyxl reads the stylesheet from this fixed name.
const STYLES: &str = "xl/styles.xml";

pub(crate) fn convert(bytes: &[u8], format: Format) -> Result<String, SheetError> {
    let mut zip = Zipped::open(bytes, format)?;
    let parts = content_types(&zip.required(CONTENT_TYPES)?).map_err(|e| zip.damaged(e))?;
    let workbook_name = parts
        .iter()
        .find(|(_, kind)| WORKBOOK_TYPES.contains(&kind.as_str()))
        .map(|(name, _)| name.clone())
        .ok_or_else(|| zip.damaged("it has no workbook part"))?;
    let workbook = zip.required(&workbook_name)?;
    let rels_name = rels_name_for(&workbook_name);
    let rels = match zip.part(&rels_name)? {
        Some(xml) => relationships(&xml, &workbook_name).map_err(|e| zip.damaged(e))?,
        None => HashMap::new(),
    };
    let book = workbook_sheets(&workbook).map_err(|e| zip.damaged(e))?;
    // The first worksheet (not a chart sheet) whose state is not "hidden".
    let sheet_part = book
        .sheets
        .iter()
        .filter_map(|(rel_id, state)| rels.get(rel_id).map(|rel| (rel, state)))
        .find(|((_, kind), state)| {
            !kind.contains("chartsheet") && state.as_deref() != Some("hidden")
        })
        .map(|((target, _), _)| target.clone());
    let Some(sheet_part) = sheet_part else {
        return Ok(String::new());
    };
    let shared = match parts.iter().find(|(_, kind)| kind == SHARED_STRINGS_TYPE) {
        Some((name, _)) => match zip.part(name)? {
            Some(xml) => shared_strings(&xml).map_err(|e| zip.damaged(e))?,
            None => Vec::new(),
        },
        None => Vec::new(),
    };
    let styles = match zip.part(STYLES)? {
        Some(xml) => date_styles(&xml).map_err(|e| zip.damaged(e))?,
        None => DateStyles::default(),
    };
    // The sheet's XML, often many times the workbook's size, is read as it is unpacked.
    let mut sheet = zip
        .stream_part(&sheet_part, |xml| {
            read_sheet(xml, &shared, &styles, book.epoch_1904)
        })?
        .ok_or_else(|| zip.damaged(format!("it has no {sheet_part}")))?;
    sheet.settle_merges()?;
    sheet.to_csv()
}

/// `[Content_Types].xml`: each overridden part's name (without its leading `/`) and type.
fn content_types(xml: &[u8]) -> Result<Vec<(String, String)>, String> {
    let mut parts = Vec::new();
    each_element(xml, |e| {
        if e.local_name().as_ref() == b"Override"
            && let (Some(name), Some(kind)) = (attr(e, b"PartName")?, attr(e, b"ContentType")?)
        {
            parts.push((name.trim_start_matches('/').to_owned(), kind));
        }
        Ok(())
    })?;
    Ok(parts)
}

/// `xl/workbook.xml` → `xl/_rels/workbook.xml.rels`.
fn rels_name_for(part: &str) -> String {
    match part.rsplit_once('/') {
        Some((dir, file)) => format!("{dir}/_rels/{file}.rels"),
        None => format!("_rels/{part}.rels"),
    }
}

/// A relationships part: id → (target part name, relationship type).
fn relationships(xml: &[u8], source: &str) -> Result<HashMap<String, (String, String)>, String> {
    let base = source.rsplit_once('/').map_or("", |(dir, _)| dir);
    let mut rels = HashMap::new();
    each_element(xml, |e| {
        if e.local_name().as_ref() == b"Relationship"
            && let (Some(id), Some(target)) = (attr(e, b"Id")?, attr(e, b"Target")?)
        {
            let kind = attr(e, b"Type")?.unwrap_or_default();
            rels.insert(id, (resolve_target(base, &target), kind));
        }
        Ok(())
    })?;
    Ok(rels)
}

/// A relationship target made a part name: absolute from the package root, else relative to
/// the source part's folder, with `..` and `.` resolved.
fn resolve_target(base: &str, target: &str) -> String {
    let mut segments: Vec<&str> = if target.starts_with('/') {
        Vec::new()
    } else {
        base.split('/').filter(|s| !s.is_empty()).collect()
    };
    for segment in target.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    segments.join("/")
}

struct Book {
    /// (relationship id, state) of each sheet, in order.
    sheets: Vec<(String, Option<String>)>,
    epoch_1904: bool,
}

fn workbook_sheets(xml: &[u8]) -> Result<Book, String> {
    let mut book = Book {
        sheets: Vec::new(),
        epoch_1904: false,
    };
    each_element(xml, |e| {
        match e.local_name().as_ref() {
            b"sheet" => {
                let id = e
                    .attributes()
                    .flatten()
                    .find(|a| a.key.local_name().as_ref() == b"id")
                    .map(|a| String::from_utf8_lossy(&a.value).into_owned());
                if let Some(id) = id {
                    book.sheets.push((id, attr(e, b"state")?));
                }
            }
            b"workbookPr" => {
                book.epoch_1904 = attr(e, b"date1904")?.is_some_and(|v| xml_bool(&v));
            }
            _ => {}
        }
        Ok(())
    })?;
    Ok(book)
}

/// The shared strings: each `<si>`'s text as openpyxl's `Text.content` gives it (its plain
/// `<t>` then each run's `<t>`; phonetic runs left out), then `x005F_` removed.
fn shared_strings(xml: &[u8]) -> Result<Vec<Rc<str>>, String> {
    let mut reader = Reader::from_reader(xml);
    let mut strings = Vec::new();
    let mut buf = Vec::new();
    loop {
        match reader
            .read_event_into(&mut buf)
            .map_err(|e| e.to_string())?
        {
            Event::Start(e) if e.local_name().as_ref() == b"si" => {
                let text = rich_text(&mut reader, b"si")?;
                strings.push(Rc::from(text.replace("x005F_", "")));
            }
            Event::Empty(e) if e.local_name().as_ref() == b"si" => strings.push(Rc::from("")),
            Event::Eof => return Ok(strings),
            _ => {}
        }
        buf.clear();
    }
}

/// The text of a rich-text element (`<si>` or `<is>`) the reader has just entered: `<t>`
/// children of it or of its `<r>` runs, not of `<rPh>`.
fn rich_text<R: BufRead>(reader: &mut Reader<R>, end: &[u8]) -> Result<String, String> {
    let mut out = String::new();
    let mut path: Vec<Vec<u8>> = Vec::new();
    let mut buf = Vec::new();
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| e.to_string())?;
        let in_text = || {
            path.last().is_some_and(|n| n == b"t")
                && (path.len() == 1 || (path.len() == 2 && path[0] == b"r"))
        };
        match event {
            Event::Start(e) => path.push(e.local_name().as_ref().to_vec()),
            Event::End(e) => {
                if path.is_empty() && e.local_name().as_ref() == end {
                    return Ok(out);
                }
                path.pop();
            }
            Event::Text(t) if in_text() => {
                out.push_str(&t.xml10_content().map_err(|e| e.to_string())?);
            }
            Event::CData(t) if in_text() => {
                out.push_str(&String::from_utf8_lossy(&t));
            }
            Event::GeneralRef(r) if in_text() => push_entity(&mut out, &r)?,
            Event::Eof => return Err("a rich-text element is not closed".into()),
            _ => {}
        }
        buf.clear();
    }
}

fn push_entity(out: &mut String, r: &quick_xml::events::BytesRef<'_>) -> Result<(), String> {
    if let Some(c) = r.resolve_char_ref().map_err(|e| e.to_string())? {
        out.push(c);
        return Ok(());
    }
    let name = r.decode().map_err(|e| e.to_string())?;
    match quick_xml::escape::resolve_predefined_entity(&name) {
        Some(s) => {
            out.push_str(s);
            Ok(())
        }
        None => Err(format!("unknown entity &{name};")),
    }
}

/// Which cell styles show numbers as dates or durations.
#[derive(Default)]
struct DateStyles {
    dates: HashSet<usize>,
    durations: HashSet<usize>,
}

/// The stylesheet's cell formats (`cellXfs`), each judged by its number format's code as
/// openpyxl judges it.
fn date_styles(xml: &[u8]) -> Result<DateStyles, String> {
    let mut custom: HashMap<u32, String> = HashMap::new();
    let mut xf_formats: Vec<u32> = Vec::new();
    let mut in_cell_xfs = false;
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| e.to_string())?;
        match &event {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                b"numFmt" => {
                    if let (Some(id), Some(code)) = (attr(e, b"numFmtId")?, attr(e, b"formatCode")?)
                        && let Ok(id) = id.trim().parse()
                    {
                        custom.insert(id, code);
                    }
                }
                b"cellXfs" => in_cell_xfs = matches!(event, Event::Start(_)),
                b"xf" if in_cell_xfs => {
                    let id = attr(e, b"numFmtId")?
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(0);
                    xf_formats.push(id);
                }
                _ => {}
            },
            Event::End(e) if e.local_name().as_ref() == b"cellXfs" => in_cell_xfs = false,
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    let mut styles = DateStyles::default();
    for (index, id) in xf_formats.into_iter().enumerate() {
        let code = custom
            .get(&id)
            .map(String::as_str)
            .or_else(|| builtin_format(id));
        if let Some(code) = code {
            if is_date_format(code) {
                styles.dates.insert(index);
            }
            if is_duration_format(code) {
                styles.durations.insert(index);
            }
        }
    }
    Ok(styles)
}

/// The built-in number formats that can be dates or durations (openpyxl's `BUILTIN_FORMATS`);
/// the others hold no date letters and need not be listed.
fn builtin_format(id: u32) -> Option<&'static str> {
    Some(match id {
        14 => "mm-dd-yy",
        15 => "d-mmm-yy",
        16 => "d-mmm",
        17 => "mmm-yy",
        18 => "h:mm AM/PM",
        19 => "h:mm:ss AM/PM",
        20 => "h:mm",
        21 => "h:mm:ss",
        22 => "m/d/yy h:mm",
        45 => "mm:ss",
        46 => "[h]:mm:ss",
        47 => "mmss.0",
        _ => return None,
    })
}

/// openpyxl's `is_date_format`: the first section, with quoted literals and bracketed codes
/// (other than `[h]`, `[mm]`, `[ss]`…) removed, holds a date or time letter not escaped by `\`
/// or `_`.
fn is_date_format(code: &str) -> bool {
    let first = code.split(';').next().unwrap_or("");
    let stripped = strip_literals(first);
    let chars: Vec<char> = stripped.chars().collect();
    chars
        .iter()
        .enumerate()
        .any(|(i, c)| "dmhysDMHYS".contains(*c) && !(i > 0 && matches!(chars[i - 1], '_' | '\\')))
}

/// openpyxl's `STRIP_RE`: `".*?"` and `\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]` removed, left to right.
fn strip_literals(code: &str) -> String {
    let mut out = String::new();
    let mut rest = code;
    while let Some(c) = rest.chars().next() {
        if c == '"' {
            if let Some(end) = rest[1..].find('"') {
                rest = &rest[end + 2..];
                continue;
            }
        } else if c == '[' {
            let keeps = ["[h]", "[hh]", "[m]", "[mm]", "[s]", "[ss]"]
                .iter()
                .any(|k| rest.starts_with(k));
            if !keeps && let Some(end) = rest.find(']') {
                rest = &rest[end + 1..];
                continue;
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// openpyxl's `is_timedelta_format`: `[h]`, `[m]` or `[s]` style elapsed-time codes.
fn is_duration_format(code: &str) -> bool {
    let lower = code.to_ascii_lowercase();
    ["[h]", "[hh]", "[m]", "[mm]", "[s]", "[ss]"]
        .iter()
        .any(|k| lower.contains(k))
}

/// One worksheet's cells and the facts the admin's walk uses.
struct Sheet {
    cells: BTreeMap<(u32, u32), Value>,
    hidden_rows: HashSet<u32>,
    /// Hidden columns, as openpyxl keys them: only the first column of each `<col>` range.
    hidden_columns: HashSet<u32>,
    merges: Vec<Range>,
}

#[derive(Clone, Copy)]
struct Range {
    min_row: u32,
    min_col: u32,
    max_row: u32,
    max_col: u32,
}

fn read_sheet<R: BufRead>(
    xml: R,
    shared: &[Rc<str>],
    styles: &DateStyles,
    epoch_1904: bool,
) -> Result<Sheet, String> {
    let mut sheet = Sheet {
        cells: BTreeMap::new(),
        hidden_rows: HashSet::new(),
        hidden_columns: HashSet::new(),
        merges: Vec::new(),
    };
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let (mut row, mut col) = (0u32, 0u32);
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| e.to_string())?;
        let (e, empty) = match &event {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::Eof => break,
            _ => {
                buf.clear();
                continue;
            }
        };
        match e.local_name().as_ref() {
            b"row" => {
                row = match attr(e, b"r")? {
                    Some(r) => {
                        parse_index(&r).ok_or_else(|| format!("{r} is not a valid row number"))?
                    }
                    None => row + 1,
                };
                col = 0;
                if attr(e, b"hidden")?.is_some_and(|v| xml_bool(&v)) {
                    sheet.hidden_rows.insert(row);
                }
            }
            b"c" => {
                let e = e.to_owned();
                match attr(&e, b"r")? {
                    Some(r) => {
                        let (r, c) = parse_cell_ref(&r)
                            .ok_or_else(|| format!("{r} is not a cell reference"))?;
                        (row, col) = (r, c);
                    }
                    None => col += 1,
                }
                let parts = if empty {
                    CellParts::default()
                } else {
                    cell_parts(&mut reader)?
                };
                let value = cell_value(&e, parts, shared, styles, epoch_1904)?;
                sheet.cells.insert((row, col), value);
            }
            b"col" => {
                let min = attr(e, b"min")?.and_then(|v| parse_index(&v));
                if let (Some(min), true) = (min, attr(e, b"hidden")?.is_some_and(|v| xml_bool(&v)))
                {
                    sheet.hidden_columns.insert(min);
                }
            }
            b"mergeCell" => {
                if let Some(range) = attr(e, b"ref")?.and_then(|r| parse_range(&r)) {
                    sheet.merges.push(range);
                }
            }
            _ => {}
        }
        buf.clear();
    }
    Ok(sheet)
}

/// Most cells merged ranges may cover within a sheet's cells: far beyond any real workbook, and
/// a bound on the work a few bytes of `<mergeCell>` can ask for.
const MERGED_CELL_LIMIT: u64 = 2_000_000;

impl Sheet {
    /// The merged ranges, each cut to the part of the sheet that has cells; openpyxl then
    /// empties every merged cell but the top-left one.
    fn settle_merges(&mut self) -> Result<(), SheetError> {
        let max_row = self.cells.keys().next_back().map_or(0, |(r, _)| *r);
        let max_col = self.cells.keys().map(|(_, c)| *c).max().unwrap_or(0);
        let mut clipped = Vec::new();
        let mut covered = 0u64;
        for m in &self.merges {
            if m.min_row > max_row || m.min_col > max_col {
                continue;
            }
            let m = Range {
                max_row: m.max_row.min(max_row),
                max_col: m.max_col.min(max_col),
                ..*m
            };
            covered += u64::from(m.max_row - m.min_row + 1) * u64::from(m.max_col - m.min_col + 1);
            if covered > MERGED_CELL_LIMIT {
                return Err(SheetError::TooManyCells {
                    what: "merged ranges",
                    limit: MERGED_CELL_LIMIT,
                });
            }
            clipped.push(m);
        }
        for m in &clipped {
            for r in m.min_row..=m.max_row {
                for ((_, c), v) in self.cells.range_mut((r, m.min_col)..=(r, m.max_col)) {
                    if (r, *c) != (m.min_row, m.min_col) {
                        *v = Value::Empty;
                    }
                }
            }
        }
        self.merges = clipped;
        Ok(())
    }
}

#[derive(Default)]
struct CellParts {
    /// The `<v>` text, if the cell has one that is not empty.
    v: Option<String>,
    /// The `<is>` inline string's text, if the cell has one.
    inline: Option<String>,
}

/// The children of a `<c>` the reader has just entered.
fn cell_parts<R: BufRead>(reader: &mut Reader<R>) -> Result<CellParts, String> {
    let mut parts = CellParts::default();
    let mut buf = Vec::new();
    let mut depth = 0usize;
    loop {
        match reader
            .read_event_into(&mut buf)
            .map_err(|e| e.to_string())?
        {
            Event::Start(e) if depth == 0 && e.local_name().as_ref() == b"v" => {
                let mut text = String::new();
                let mut inner = Vec::new();
                loop {
                    match reader
                        .read_event_into(&mut inner)
                        .map_err(|e| e.to_string())?
                    {
                        Event::Text(t) => {
                            text.push_str(&t.xml10_content().map_err(|e| e.to_string())?)
                        }
                        Event::GeneralRef(r) => push_entity(&mut text, &r)?,
                        Event::CData(t) => text.push_str(&String::from_utf8_lossy(&t)),
                        Event::End(_) => break,
                        Event::Eof => return Err("a <v> is not closed".into()),
                        _ => {}
                    }
                    inner.clear();
                }
                // openpyxl: `findtext(v) or None` — an empty value is no value.
                if parts.v.is_none() && !text.is_empty() {
                    parts.v = Some(text);
                }
            }
            Event::Start(e) if depth == 0 && e.local_name().as_ref() == b"is" => {
                let text = rich_text(reader, b"is")?;
                parts.inline.get_or_insert(text);
            }
            Event::Empty(e) if depth == 0 && e.local_name().as_ref() == b"is" => {
                parts.inline.get_or_insert_with(String::new);
            }
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                if depth == 0 {
                    return Ok(parts);
                }
                depth -= 1;
            }
            Event::Eof => return Err("a cell is not closed".into()),
            _ => {}
        }
        buf.clear();
    }
}

/// A cell's value as openpyxl's reader makes it with `data_only=True`.
fn cell_value(
    e: &BytesStart<'_>,
    parts: CellParts,
    shared: &[Rc<str>],
    styles: &DateStyles,
    epoch_1904: bool,
) -> Result<Value, String> {
    let kind = attr(e, b"t")?.unwrap_or_else(|| "n".into());
    let style: usize = match attr(e, b"s")? {
        Some(s) => s
            .trim()
            .parse()
            .map_err(|_| format!("{s} is not a style number"))?,
        None => 0,
    };
    if kind == "inlineStr" {
        return Ok(parts.inline.map_or(Value::Empty, Value::Text));
    }
    let Some(v) = parts.v else {
        return Ok(Value::Empty);
    };
    Ok(match kind.as_str() {
        "n" => {
            let number = cast_number(&v).ok_or_else(|| format!("{v} is not a number"))?;
            if styles.dates.contains(&style) {
                let serial = match &number {
                    Number::Int(digits) => digits.parse::<f64>().unwrap_or(f64::INFINITY),
                    Number::Float(f) => *f,
                };
                let converted = if styles.durations.contains(&style) {
                    excel_duration(serial)
                } else {
                    excel_date(serial, epoch_1904)
                };
                // openpyxl warns and keeps the cell as an error when the date is out of range.
                converted.unwrap_or_else(|| Value::Text("#VALUE!".into()))
            } else {
                match number {
                    Number::Int(digits) => Value::Int(digits),
                    Number::Float(f) => Value::Float(f),
                }
            }
        }
        "s" => {
            let index: usize = v
                .trim()
                .parse()
                .map_err(|_| format!("{v} is not a string index"))?;
            Value::Shared(
                shared
                    .get(index)
                    .cloned()
                    .ok_or_else(|| format!("string {index} is not in the table"))?,
            )
        }
        "b" => Value::Bool(parse_py_int(&v).ok_or_else(|| format!("{v} is not a boolean"))? != "0"),
        "d" => iso_datetime(&v).unwrap_or(Value::Empty),
        _ => Value::Text(v),
    })
}

enum Number {
    Int(String),
    Float(f64),
}

/// openpyxl's `_cast_number`: a float if the text has `.`, `e` or `E`, else an int.
fn cast_number(v: &str) -> Option<Number> {
    if v.contains(['.', 'e', 'E']) {
        parse_py_float(v).map(Number::Float)
    } else {
        parse_py_int(v).map(Number::Int)
    }
}

const DAY_MS: f64 = 86_400_000.0;

/// openpyxl's `from_excel`: days since 1899-12-30 (or 1904-01-01), the fraction rounded to the
/// millisecond; a serial below 1 is a time of day, and serials below 60 are shifted by Excel's
/// fictitious 1900-02-29. `None` outside the years Python's `datetime` holds.
fn excel_date(serial: f64, epoch_1904: bool) -> Option<Value> {
    if !serial.is_finite() {
        return None;
    }
    let mut day = serial.floor();
    let fraction = serial - day;
    let ms = (fraction * DAY_MS).round_ties_even() as i64;
    let (extra_days, ms) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let time = Time::from_micros(ms as u64 * 1000);
    if (0.0..1.0).contains(&serial) && extra_days == 0 {
        return Some(Value::Time(time));
    }
    if !epoch_1904 && serial > 0.0 && serial < 60.0 {
        day += 1.0;
    }
    if day.abs() > 4e6 {
        return None;
    }
    let epoch = Date::excel_epoch(epoch_1904);
    let date = Date::from_unix_days(epoch.unix_days() + day as i64 + extra_days);
    date.in_python_range()
        .then_some(Value::DateTime(date, time))
}

/// openpyxl's `from_excel(…, timedelta=True)`: days as a duration, rounded to the millisecond.
fn excel_duration(days: f64) -> Option<Value> {
    let us = days * 86_400_000_000.0;
    if !us.is_finite() || us.abs() > 8.64e19 {
        return None;
    }
    let us = us.round_ties_even() as i128;
    let ms = (us.rem_euclid(1_000_000) as f64 / 1000.0).round_ties_even() as i128 * 1000;
    Some(Value::Duration(us.div_euclid(1_000_000) * 1_000_000 + ms))
}

/// openpyxl's `from_ISO8601` for `t="d"` cells: a date, a time or both.
fn iso_datetime(v: &str) -> Option<Value> {
    let (date_part, time_part) = match v.split_once('T') {
        Some((d, t)) => (Some(d).filter(|d| !d.is_empty()), Some(t)),
        None if v.contains(':') => (None, Some(v)),
        None => (Some(v), None),
    };
    let date = match date_part {
        Some(d) => {
            let mut it = d.splitn(3, '-');
            let (y, m, dd) = (
                it.next()?.parse().ok()?,
                it.next()?.parse().ok()?,
                it.next()?.parse().ok()?,
            );
            Some(Date::new(y, m, dd)?)
        }
        None => None,
    };
    let time = match time_part {
        Some(t) => {
            let t = t.trim_end_matches('Z');
            let mut it = t.splitn(3, ':');
            let hour: u32 = it.next()?.parse().ok()?;
            let minute: u32 = it.next()?.parse().ok()?;
            let (second, micro) = match it.next() {
                Some(s) => match s.split_once('.') {
                    Some((s, f)) => (
                        s.parse().ok()?,
                        (format!("0.{f}").parse::<f64>().ok()? * 1e6) as u32,
                    ),
                    None => (s.parse().ok()?, 0),
                },
                None => (0, 0),
            };
            (hour < 24 && minute < 60 && second < 60).then_some(Time {
                hour,
                minute,
                second,
                micro,
            })
        }
        None => None,
    };
    match (date, time) {
        (Some(d), Some(t)) => Some(Value::DateTime(d, t)),
        (Some(d), None) => Some(Value::Date(d)),
        (None, Some(t)) => Some(Value::Time(t)),
        (None, None) => None,
    }
}

impl Sheet {
    fn row_visible(&self, r: u32) -> bool {
        !self.hidden_rows.contains(&r)
    }

    fn column_visible(&self, c: u32) -> bool {
        !self.hidden_columns.contains(&c)
    }

    /// The admin's walk over the sheet (its `_xlsx_rows`), written as CSV.
    fn to_csv(&self) -> Result<String, SheetError> {
        let row_limit = ROW_LIMIT as u32;
        let header_row = (1..=row_limit)
            .find(|r| self.row_visible(*r))
            .ok_or(SheetError::AllRowsHidden)?;
        let header_last = self
            .cells
            .iter()
            .filter(|((r, c), v)| *r == header_row && self.column_visible(*c) && !v.is_blank())
            .map(|((_, c), _)| *c as usize)
            .max()
            .unwrap_or(0);
        if header_last > ABSOLUTE_COLUMN_LIMIT {
            return Err(SheetError::TooManyColumns {
                column: header_last,
                limit: ABSOLUTE_COLUMN_LIMIT,
            });
        }
        let column_limit = header_last.max(1).max(MIN_COLUMN_LIMIT) as u32;

        let (mut max_row, mut max_col) = (1u32, 1u32);
        for ((r, c), v) in &self.cells {
            if *c <= column_limit
                && self.column_visible(*c)
                && self.row_visible(*r)
                && !v.is_blank()
            {
                if *r > row_limit {
                    return Err(SheetError::TooManyRows { limit: ROW_LIMIT });
                }
                max_row = max_row.max(*r);
                max_col = max_col.max(*c);
            }
        }

        let mut merged: HashMap<(u32, u32), &Value> = HashMap::new();
        for m in &self.merges {
            if m.min_row > max_row || m.min_col > max_col {
                continue;
            }
            let top_left = self
                .cells
                .get(&(m.min_row, m.min_col))
                .unwrap_or(&Value::Empty);
            for r in m.min_row..=m.max_row.min(max_row) {
                for c in m.min_col..=m.max_col.min(max_col) {
                    merged.insert((r, c), top_left);
                }
            }
        }

        // Every row is as wide as the grid: its commas and line ends alone are a floor on the
        // text, checked before any is written.
        let rows = (header_row..=max_row)
            .filter(|r| self.row_visible(*r))
            .count() as u64;
        let columns = (1..=max_col).filter(|c| self.column_visible(*c)).count() as u64;
        if rows * (columns.saturating_sub(1) + 2) > MAX_TEXT_BYTES as u64 {
            return Err(SheetError::TooLarge {
                part: "CSV text".into(),
                limit: MAX_TEXT_BYTES as u64,
            });
        }
        let mut out = CsvText::default();
        let mut row = Vec::new();
        for r in (header_row..=max_row).filter(|r| self.row_visible(*r)) {
            row.clear();
            for c in (1..=max_col).filter(|c| self.column_visible(*c)) {
                let value = merged
                    .get(&(r, c))
                    .copied()
                    .or_else(|| self.cells.get(&(r, c)))
                    .unwrap_or(&Value::Empty);
                row.push(value);
            }
            out.push_row(row.iter().copied())?;
        }
        Ok(out.finish())
    }
}

/// Calls `visit` with every start or empty element of an XML part.
fn each_element(
    xml: &[u8],
    mut visit: impl FnMut(&BytesStart<'_>) -> Result<(), String>,
) -> Result<(), String> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    loop {
        match reader
            .read_event_into(&mut buf)
            .map_err(|e| e.to_string())?
        {
            Event::Start(e) | Event::Empty(e) => visit(&e)?,
            Event::Eof => return Ok(()),
            _ => {}
        }
        buf.clear();
    }
}

/// An unprefixed attribute's value, unescaped.
fn attr(e: &BytesStart<'_>, name: &[u8]) -> Result<Option<String>, String> {
    for a in e.attributes() {
        let a = a.map_err(|e| e.to_string())?;
        if a.key.as_ref() == name {
            return a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map(|v| Some(v.into_owned()))
                .map_err(|e| e.to_string());
        }
    }
    Ok(None)
}

/// An XML Schema boolean.
fn xml_bool(v: &str) -> bool {
    matches!(v.trim(), "1" | "true")
}

/// A 1-based row or column number (openpyxl also takes `3.0`).
fn parse_index(v: &str) -> Option<u32> {
    let v = v.trim();
    v.parse::<u32>()
        .ok()
        .or_else(|| {
            v.parse::<f64>()
                .ok()
                .filter(|f| f.fract() == 0.0 && *f >= 1.0 && *f < 4e9)
                .map(|f| f as u32)
        })
        .filter(|n| *n >= 1)
}

/// `B12` → (12, 2); `$` signs allowed.
fn parse_cell_ref(r: &str) -> Option<(u32, u32)> {
    let r = r.trim().replace('$', "");
    let split = r.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = r.split_at(split);
    if letters.is_empty() || letters.len() > 3 || !letters.bytes().all(|b| b.is_ascii_alphabetic())
    {
        return None;
    }
    let col = letters.bytes().fold(0u32, |n, b| {
        n * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1)
    });
    let row: u32 = digits.parse().ok().filter(|r| *r >= 1)?;
    Some((row, col))
}

/// `B2:C3` (or a single cell) as a range.
fn parse_range(r: &str) -> Option<Range> {
    let (a, b) = r.split_once(':').unwrap_or((r, r));
    let (r1, c1) = parse_cell_ref(a)?;
    let (r2, c2) = parse_cell_ref(b)?;
    Some(Range {
        min_row: r1.min(r2),
        min_col: c1.min(c2),
        max_row: r1.max(r2),
        max_col: c1.max(c2),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_formats_are_judged_as_openpyxl_judges_them() {
        for date in [
            "mm-dd-yy",
            "yyyy-mm-dd",
            "[$-809]dd/mm/yyyy",
            "h:mm AM/PM",
            "[h]:mm:ss",
            "d\"x\"m",
        ] {
            assert!(is_date_format(date), "{date}");
        }
        for not_date in [
            "General",
            "0.00",
            "#,##0",
            "\"days\"0",
            "[Red]0",
            "0_y",
            "0\\d",
            "@",
        ] {
            assert!(!is_date_format(not_date), "{not_date}");
        }
        assert!(is_duration_format("[h]:mm:ss"));
        assert!(!is_duration_format("h:mm:ss"));
    }

    #[test]
    fn serials_become_dates_as_openpyxl_makes_them() {
        let text = |v: Option<Value>| v.map(|v| v.to_text());
        assert_eq!(
            text(excel_date(45306.0, false)).as_deref(),
            Some("2024-01-15 00:00:00")
        );
        assert_eq!(
            text(excel_date(45306.4375, false)).as_deref(),
            Some("2024-01-15 10:30:00")
        );
        assert_eq!(text(excel_date(0.4375, false)).as_deref(), Some("10:30:00"));
        assert_eq!(
            text(excel_date(1.0, false)).as_deref(),
            Some("1900-01-01 00:00:00")
        );
        assert_eq!(
            text(excel_date(61.0, false)).as_deref(),
            Some("1900-03-01 00:00:00")
        );
        assert_eq!(text(excel_date(0.0, true)).as_deref(), Some("00:00:00"));
        assert_eq!(text(excel_date(1e12, false)), None);
        assert_eq!(
            text(excel_duration(1.5)).as_deref(),
            Some("1 day, 12:00:00")
        );
    }

    #[test]
    fn references_and_targets() {
        assert_eq!(parse_cell_ref("B12"), Some((12, 2)));
        assert_eq!(parse_cell_ref("$AA$3"), Some((3, 27)));
        assert_eq!(parse_cell_ref("12"), None);
        assert_eq!(
            resolve_target("xl", "worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(
            resolve_target("xl", "/xl/worksheets/s.xml"),
            "xl/worksheets/s.xml"
        );
        assert_eq!(resolve_target("xl", "../x.xml"), "x.xml");
        assert_eq!(
            rels_name_for("xl/workbook.xml"),
            "xl/_rels/workbook.xml.rels"
        );
    }
}
