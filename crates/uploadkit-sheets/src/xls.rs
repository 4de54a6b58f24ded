//! `.xls` workbooks (Excel 97–2003, BIFF8), read as the application reads them: xlrd (with
//! formatting information, as pyexcel-xls asks for it) under pyexcel-xls. The first worksheet not
//! hidden; its grid runs from A1 to the last cell any record names (formatted blank ones and
//! merged ranges included); whole numbers become ints; a number whose cell format is a date
//! becomes a date (only the date when the time is midnight, seconds rounded as xlrd rounds
//! them); booleans are `1` / `0`; error cells `#N/A`; merged cells keep only their top-left
//! value; hidden rows and columns are read like any other.
//!
//! The container is opened with the `cfb` crate; the records are read here, each checked
//! against its length, so a damaged or hostile file is refused, never trusted for a size.

use std::collections::{BTreeMap, HashMap};
use std::io::{Cursor, Read};

use crate::csv_text::pyexcel_csv;
use crate::value::{Date, Time, Value, integral_float_text};
use crate::{Format, SheetError};

/// The first bytes of a zip archive (an .xlsx, .xlsm or .ods).
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
/// BIFF8's grid: 65,536 rows of 256 columns; xlrd refuses a cell outside it.
const MAX_ROWS: u32 = 65_536;
const MAX_COLUMNS: u32 = 256;

// Record types (MS-XLS 2.3).
const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const FILEPASS: u16 = 0x002F;
const DATEMODE: u16 = 0x0022;
const FORMAT: u16 = 0x041E;
const XF: u16 = 0x00E0;
const SST: u16 = 0x00FC;
const CONTINUE: u16 = 0x003C;
const BOUNDSHEET: u16 = 0x0085;
const NUMBER: u16 = 0x0203;
const RK: u16 = 0x027E;
const MULRK: u16 = 0x00BD;
const LABELSST: u16 = 0x00FD;
const LABEL: u16 = 0x0204;
const RSTRING: u16 = 0x00D6;
const BOOLERR: u16 = 0x0205;
const FORMULA: u16 = 0x0006;
const STRING: u16 = 0x0207;
const SHRFMLA: u16 = 0x04BC;
const ARRAY: u16 = 0x0221;
const TABLEOP: u16 = 0x0236;
const BLANK: u16 = 0x0201;
const MULBLANK: u16 = 0x00BE;
const MERGEDCELLS: u16 = 0x00E5;

pub(crate) fn convert(bytes: &[u8]) -> Result<String, SheetError> {
    if bytes.starts_with(ZIP_MAGIC) {
        return Err(SheetError::ZipNamedXls);
    }
    let stream = workbook_stream(bytes)?;
    let book = Globals::read(&stream)?;
    let Some(sheet) = book.sheets.iter().find(|s| s.visible) else {
        return Ok(String::new());
    };
    let grid = Grid::read(&stream, sheet.offset, &book)?;
    pyexcel_csv(|| (0..grid.rows).map(|r| Ok(grid.row(r))))
}

fn damaged(detail: impl Into<String>) -> SheetError {
    SheetError::Damaged {
        format: Format::Xls,
        detail: detail.into(),
    }
}

/// The `Workbook` stream of the OLE container.
fn workbook_stream(bytes: &[u8]) -> Result<Vec<u8>, SheetError> {
    let not_xls = || damaged("it is not an Excel 97–2003 workbook");
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(|_| not_xls())?;
    if file.open_stream("/Book").is_ok() && file.open_stream("/Workbook").is_err() {
        return Err(damaged(
            "it is an Excel 5.0/95 workbook; save it as .xlsx or as an Excel 97–2003 workbook",
        ));
    }
    let mut stream = Vec::new();
    file.open_stream("/Workbook")
        .map_err(|_| not_xls())?
        // A stream cannot hold more than the file it is in.
        .take(bytes.len() as u64)
        .read_to_end(&mut stream)
        .map_err(|_| not_xls())?;
    Ok(stream)
}

/// The BIFF records from an offset: (type, data).
struct Records<'a> {
    stream: &'a [u8],
    at: usize,
}

impl<'a> Records<'a> {
    fn new(stream: &'a [u8], at: usize) -> Self {
        Records { stream, at }
    }

    /// The next record, or an error if the stream ends inside one (or before an EOF record).
    fn next_record(&mut self) -> Result<(u16, &'a [u8]), SheetError> {
        let truncated = || damaged("a record is cut short");
        let head = self
            .stream
            .get(self.at..self.at + 4)
            .ok_or_else(truncated)?;
        let kind = u16::from_le_bytes([head[0], head[1]]);
        let len = usize::from(u16::from_le_bytes([head[2], head[3]]));
        let start = self.at + 4;
        let data = self.stream.get(start..start + len).ok_or_else(truncated)?;
        self.at = start + len;
        Ok((kind, data))
    }

    /// The next record if it is of this type.
    fn next_if(&mut self, kind: u16) -> Option<&'a [u8]> {
        let at = self.at;
        match self.next_record() {
            Ok((k, data)) if k == kind => Some(data),
            _ => {
                self.at = at;
                None
            }
        }
    }
}

fn u16_at(data: &[u8], i: usize) -> Result<u16, SheetError> {
    data.get(i..i + 2)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
        .ok_or_else(|| damaged("a record is shorter than its fields"))
}

fn u32_at(data: &[u8], i: usize) -> Result<u32, SheetError> {
    data.get(i..i + 4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .ok_or_else(|| damaged("a record is shorter than its fields"))
}

fn f64_at(data: &[u8], i: usize) -> Result<f64, SheetError> {
    data.get(i..i + 8)
        .map(|b| f64::from_le_bytes(b.try_into().expect("eight bytes")))
        .ok_or_else(|| damaged("a record is shorter than its fields"))
}

/// xlrd's `unpack_unicode`: a character count (one or two bytes), an options byte, optional
/// rich-text and phonetic sizes, then the characters, compressed (Latin-1) or UTF-16.
fn unicode(data: &[u8], pos: usize, len_bytes: usize) -> Result<String, SheetError> {
    let chars = if len_bytes == 1 {
        usize::from(
            *data
                .get(pos)
                .ok_or_else(|| damaged("a string is cut short"))?,
        )
    } else {
        usize::from(u16_at(data, pos)?)
    };
    if chars == 0 {
        return Ok(String::new());
    }
    let mut at = pos + len_bytes;
    let options = *data
        .get(at)
        .ok_or_else(|| damaged("a string is cut short"))?;
    at += 1;
    if options & 0x08 != 0 {
        at += 2;
    }
    if options & 0x04 != 0 {
        at += 4;
    }
    if options & 0x01 != 0 {
        let raw = data.get(at..).unwrap_or_default();
        utf16(&raw[..raw.len().min(2 * chars)])
    } else {
        let raw = data.get(at..).unwrap_or_default();
        Ok(raw[..raw.len().min(chars)]
            .iter()
            .map(|b| char::from(*b))
            .collect())
    }
}

/// Strict UTF-16LE, as Python's codec decodes it (an unpaired surrogate or an odd byte fails).
fn utf16(raw: &[u8]) -> Result<String, SheetError> {
    let unreadable = || SheetError::UnreadableText {
        format: Format::Xls,
    };
    if !raw.len().is_multiple_of(2) {
        return Err(unreadable());
    }
    let units = raw
        .chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]));
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .map_err(|_| unreadable())
}

/// What the workbook's globals say: shared strings, which cell formats are dates, the date
/// system, and the worksheets in order.
struct Globals {
    strings: Vec<String>,
    /// For each XF (cell format) index, how xlrd types a number in it.
    xf_kinds: Vec<NumberKind>,
    epoch_1904: bool,
    sheets: Vec<SheetEntry>,
}

struct SheetEntry {
    offset: usize,
    visible: bool,
}

impl Globals {
    fn read(stream: &[u8]) -> Result<Self, SheetError> {
        let mut records = Records::new(stream, 0);
        let (kind, data) = records.next_record()?;
        if kind != BOF || u16_at(data, 0)? != 0x0600 {
            return Err(damaged(
                "it is not an Excel 97–2003 (BIFF8) workbook; save it as .xlsx",
            ));
        }
        let mut formats: HashMap<u16, bool> = HashMap::new();
        let mut xf_formats: Vec<u16> = Vec::new();
        let mut globals = Globals {
            strings: Vec::new(),
            xf_kinds: Vec::new(),
            epoch_1904: false,
            sheets: Vec::new(),
        };
        loop {
            let (kind, data) = records.next_record()?;
            match kind {
                EOF => break,
                FILEPASS => {
                    return Err(SheetError::Encrypted {
                        format: Format::Xls,
                    });
                }
                DATEMODE => globals.epoch_1904 = u16_at(data, 0)? == 1,
                FORMAT => {
                    let key = u16_at(data, 0)?;
                    formats.insert(key, is_date_format(&unicode(data, 2, 2)?));
                }
                XF => xf_formats.push(u16_at(data, 2)?),
                SST => {
                    let mut parts = vec![data];
                    while let Some(more) = records.next_if(CONTINUE) {
                        parts.push(more);
                    }
                    globals.strings = shared_strings(&parts)?;
                }
                BOUNDSHEET => {
                    let offset = u32_at(data, 0)? as usize;
                    let (visibility, sheet_type) = (data.get(4).copied(), data.get(5).copied());
                    // Macro sheets, charts and modules are not worksheets; xlrd lists them apart.
                    if sheet_type == Some(0) {
                        globals.sheets.push(SheetEntry {
                            offset,
                            visible: visibility == Some(0),
                        });
                    }
                }
                _ => {}
            }
        }
        // A format the file defines, else one of xlrd's standard codes, else (xlrd's fallback for
        // a format it does not know) text.
        globals.xf_kinds = xf_formats
            .into_iter()
            .map(|key| match formats.get(&key) {
                Some(true) => NumberKind::Date,
                Some(false) => NumberKind::Number,
                None => builtin_kind(key),
            })
            .collect();
        Ok(globals)
    }
}

/// xlrd's `unpack_SST_table`: strings that run on into CONTINUE records, where each record a
/// string continues in starts with a new options byte (compressed or UTF-16).
fn shared_strings(parts: &[&[u8]]) -> Result<Vec<String>, SheetError> {
    let cut = || damaged("the shared strings are cut short");
    let count = u32_at(parts[0], 4)? as usize;
    // Each string takes at least three bytes: never trust the count for a size.
    let total: usize = parts.iter().map(|p| p.len()).sum();
    let mut strings = Vec::with_capacity(count.min(total / 3));
    let (mut part, mut data, mut pos) = (0usize, parts[0], 8usize);
    for i in 0..count {
        let chars = usize::from(u16_at(data, pos)?);
        let mut options = *data.get(pos + 2).ok_or_else(cut)?;
        pos += 3;
        let mut runs = 0usize;
        let mut phonetic = 0usize;
        if options & 0x08 != 0 {
            runs = usize::from(u16_at(data, pos)?);
            pos += 2;
        }
        if options & 0x04 != 0 {
            phonetic = u32_at(data, pos)? as usize;
            pos += 4;
        }
        let mut text = String::new();
        let mut got = 0usize;
        loop {
            let need = chars - got;
            let rest = data.get(pos..).ok_or_else(cut)?;
            if options & 0x01 != 0 {
                let avail = (rest.len() / 2).min(need);
                text.push_str(&utf16(&rest[..2 * avail])?);
                pos += 2 * avail;
                got += avail;
            } else {
                let avail = rest.len().min(need);
                text.extend(rest[..avail].iter().map(|b| char::from(*b)));
                pos += avail;
                got += avail;
            }
            if got == chars {
                break;
            }
            part += 1;
            data = parts.get(part).ok_or_else(cut)?;
            options = *data.first().ok_or_else(cut)?;
            pos = 1;
        }
        // Rich-text runs (four bytes each) may themselves run on into the next record.
        for _ in 0..runs {
            if pos == data.len() {
                part += 1;
                data = parts.get(part).ok_or_else(cut)?;
                pos = 0;
            }
            pos += 4;
        }
        pos = pos.checked_add(phonetic).ok_or_else(cut)?;
        if pos >= data.len() {
            pos -= data.len();
            part += 1;
            match parts.get(part) {
                Some(next) => data = next,
                None if i + 1 == count => {}
                None => return Err(cut()),
            }
        }
        strings.push(text);
    }
    Ok(strings)
}

/// xlrd's `is_date_format_string`: quoted text, escaped characters and the characters
/// `$-+/(): ` dropped, then bracketed codes; a date if it then has date letters (`ymdhs`) and no
/// digit placeholders (`0#?`), or more date letters than placeholders.
fn is_date_format(format: &str) -> bool {
    let mut kept = String::new();
    let (mut quoted, mut escaped) = (false, false);
    for c in format.chars() {
        if escaped {
            escaped = false;
        } else if quoted {
            quoted = c != '"';
        } else if c == '"' {
            quoted = true;
        } else if matches!(c, '\\' | '_' | '*') {
            escaped = true;
        } else if !"$-+/(): ".contains(c) {
            kept.push(c);
        }
    }
    // `\[[^]]*\]` removed.
    let mut reduced = String::new();
    let mut rest = kept.as_str();
    while let Some(open) = rest.find('[') {
        reduced.push_str(&rest[..open]);
        match rest[open..].find(']') {
            Some(close) => rest = &rest[open + close + 1..],
            None => {
                rest = &rest[open..];
                break;
            }
        }
    }
    reduced.push_str(rest);
    if matches!(
        reduced.as_str(),
        "0.00E+00" | "##0.0E+0" | "General" | "GENERAL" | "general" | "@"
    ) {
        return false;
    }
    let dates = reduced
        .chars()
        .filter(|c| "ymdhsYMDHS".contains(*c))
        .count();
    let numbers = reduced.chars().filter(|c| "0#?".contains(*c)).count();
    match (dates, numbers) {
        (0, _) => false,
        (_, 0) => true,
        (d, n) => d > n,
    }
}

/// How xlrd types a number in a cell, by its format.
#[derive(Clone, Copy, PartialEq, Debug)]
enum NumberKind {
    /// A number: whole ones become ints.
    Number,
    /// A date, time or datetime.
    Date,
    /// "Text": the float is written as Python writes floats (`1.0`).
    Text,
}

/// A built-in format the file need not define, as xlrd's table of standard format codes has it.
fn builtin_kind(key: u16) -> NumberKind {
    match key {
        14..=22 | 27..=36 | 45..=47 | 50..=58 | 71..=81 => NumberKind::Date,
        0..=13 | 37..=44 | 48 | 49 | 59..=62 | 67..=70 => NumberKind::Number,
        _ => NumberKind::Text,
    }
}

/// One cell as xlrd holds it.
#[derive(Clone)]
enum Cell {
    /// Text, a boolean (as `1`/`0`), an error (`#N/A`) or a formatted blank (``).
    Text(String),
    /// A number and its XF index.
    Number(f64, u16),
}

/// The chosen sheet's cells, sparse, and the grid they span.
struct Grid<'a> {
    cells: BTreeMap<(u32, u32), Cell>,
    rows: usize,
    columns: u32,
    book: &'a Globals,
}

impl<'a> Grid<'a> {
    fn read(stream: &[u8], offset: usize, book: &'a Globals) -> Result<Self, SheetError> {
        let mut grid = Grid {
            cells: BTreeMap::new(),
            rows: 0,
            columns: 0,
            book,
        };
        let mut records = Records::new(stream, offset);
        let (kind, _) = records.next_record()?;
        if kind != BOF {
            return Err(damaged("a sheet does not start where the workbook says"));
        }
        loop {
            let (kind, data) = records.next_record()?;
            let cell_at = |data: &[u8]| -> Result<(u32, u32, u16), SheetError> {
                Ok((
                    u32::from(u16_at(data, 0)?),
                    u32::from(u16_at(data, 2)?),
                    u16_at(data, 4)?,
                ))
            };
            match kind {
                EOF => break,
                NUMBER => {
                    let (r, c, xf) = cell_at(data)?;
                    grid.put(r, c, Cell::Number(f64_at(data, 6)?, xf))?;
                }
                RK => {
                    let (r, c, xf) = cell_at(data)?;
                    grid.put(r, c, Cell::Number(rk(u32_at(data, 6)?), xf))?;
                }
                MULRK => {
                    let (r, first) = (u32::from(u16_at(data, 0)?), u32::from(u16_at(data, 2)?));
                    let last = u32::from(u16_at(data, data.len().saturating_sub(2))?);
                    for (i, c) in (first..=last).enumerate() {
                        let at = 4 + 6 * i;
                        grid.put(
                            r,
                            c,
                            Cell::Number(rk(u32_at(data, at + 2)?), u16_at(data, at)?),
                        )?;
                    }
                }
                LABELSST => {
                    let (r, c, _) = cell_at(data)?;
                    let index = u32_at(data, 6)? as usize;
                    let text = book
                        .strings
                        .get(index)
                        .ok_or_else(|| damaged("a cell names a shared string that is not there"))?;
                    grid.put(r, c, Cell::Text(text.clone()))?;
                }
                LABEL | RSTRING => {
                    let (r, c, _) = cell_at(data)?;
                    grid.put(r, c, Cell::Text(unicode(data, 6, 2)?))?;
                }
                BOOLERR => {
                    let (r, c, _) = cell_at(data)?;
                    let value = *data.get(6).ok_or_else(|| damaged("a cell is cut short"))?;
                    let is_error = data.get(7).copied().unwrap_or(0) != 0;
                    grid.put(r, c, Cell::Text(bool_or_error(value, is_error)))?;
                }
                FORMULA => {
                    let (r, c, xf) = cell_at(data)?;
                    let result = data
                        .get(6..14)
                        .ok_or_else(|| damaged("a formula is cut short"))?;
                    let cell = if result[6..8] == [0xFF, 0xFF] {
                        match result[0] {
                            // A text result: in the STRING record after it (after an optional
                            // shared-formula, array or table record).
                            0 => {
                                let mut next = records.next_record()?;
                                if matches!(next.0, SHRFMLA | ARRAY | TABLEOP) {
                                    next = records.next_record()?;
                                }
                                if next.0 != STRING {
                                    return Err(damaged("a text formula has no STRING record"));
                                }
                                Cell::Text(unicode(next.1, 0, 2)?)
                            }
                            1 => Cell::Text(bool_or_error(result[2], false)),
                            2 => Cell::Text(bool_or_error(result[2], true)),
                            3 => Cell::Text(String::new()),
                            _ => return Err(damaged("a formula has an unknown kind of result")),
                        }
                    } else {
                        Cell::Number(f64_at(result, 0)?, xf)
                    };
                    grid.put(r, c, cell)?;
                }
                BLANK => {
                    let (r, c, _) = cell_at(data)?;
                    grid.blank(r, c, c)?;
                }
                MULBLANK => {
                    let (r, first) = (u32::from(u16_at(data, 0)?), u32::from(u16_at(data, 2)?));
                    let last = u32::from(u16_at(data, data.len().saturating_sub(2))?);
                    grid.blank(r, first, last)?;
                }
                MERGEDCELLS => {
                    let count = usize::from(u16_at(data, 0)?);
                    for i in 0..count {
                        let at = 2 + 8 * i;
                        let last_row = u32::from(u16_at(data, at + 2)?);
                        let last_col = u32::from(u16_at(data, at + 6)?);
                        // xlrd widens the grid to cover every merged range.
                        grid.reach(last_row, last_col)?;
                    }
                }
                _ => {}
            }
        }
        Ok(grid)
    }

    /// The grid reaches this cell (xlrd refuses one outside BIFF8's).
    fn reach(&mut self, row: u32, col: u32) -> Result<(), SheetError> {
        if row >= MAX_ROWS || col >= MAX_COLUMNS {
            return Err(damaged("a cell lies outside the sheet"));
        }
        self.rows = self.rows.max(row as usize + 1);
        self.columns = self.columns.max(col + 1);
        Ok(())
    }

    fn put(&mut self, row: u32, col: u32, cell: Cell) -> Result<(), SheetError> {
        self.reach(row, col)?;
        self.cells.insert((row, col), cell);
        Ok(())
    }

    /// Formatted blank cells: they widen the grid, and empty what was there before them.
    fn blank(&mut self, row: u32, first: u32, last: u32) -> Result<(), SheetError> {
        if last < first {
            return Err(damaged("a blank-cells record ends before it starts"));
        }
        self.reach(row, last)?;
        for cell in self
            .cells
            .range_mut((row, first)..=(row, last))
            .map(|(_, c)| c)
        {
            *cell = Cell::Text(String::new());
        }
        Ok(())
    }

    /// One row as pyexcel-xls hands it over: every column of the grid, empty ones as `""`.
    fn row(&self, row: usize) -> Vec<Value> {
        let row = row as u32;
        let mut values = vec![Value::Text(String::new()); self.columns as usize];
        for ((_, col), cell) in self.cells.range((row, 0)..(row + 1, 0)) {
            values[*col as usize] = match cell {
                Cell::Text(t) => Value::Text(t.clone()),
                Cell::Number(f, xf) => self.number(*f, *xf),
            };
        }
        values
    }

    fn number(&self, f: f64, xf: u16) -> Value {
        // An XF the file does not have: xlrd fails; read it as a plain number.
        let kind = self
            .book
            .xf_kinds
            .get(usize::from(xf))
            .copied()
            .unwrap_or(NumberKind::Number);
        match kind {
            // xlrd raises for a date it cannot place; the cell keeps its number instead.
            NumberKind::Date => xl_date(f, self.book.epoch_1904)
                .unwrap_or_else(|| integral_float_text(f).map_or(Value::Float(f), Value::Int)),
            NumberKind::Number => integral_float_text(f).map_or(Value::Float(f), Value::Int),
            NumberKind::Text => Value::Float(f),
        }
    }
}

/// An RK number: 30 bits of a float's top or of an integer, maybe divided by 100.
fn rk(raw: u32) -> f64 {
    let value = if raw & 0x02 != 0 {
        f64::from((raw as i32) >> 2)
    } else {
        f64::from_bits(u64::from(raw & 0xFFFF_FFFC) << 32)
    };
    if raw & 0x01 != 0 {
        value / 100.0
    } else {
        value
    }
}

/// A BOOLERR value as pyexcel-xls writes it: a boolean as `1`/`0`, any error as `#N/A`.
fn bool_or_error(value: u8, is_error: bool) -> String {
    if is_error {
        "#N/A".into()
    } else {
        value.to_string()
    }
}

/// xlrd's `xldate_as_tuple` then pyexcel-xls's choice of date, time or datetime; `None` where
/// xlrd raises (negative, before 1900-03-01 in the 1900 system, or too large).
fn xl_date(serial: f64, epoch_1904: bool) -> Option<Value> {
    if serial == 0.0 {
        return Some(Value::DateTime(
            Date {
                year: 1900,
                month: 1,
                day: 1,
            },
            Time {
                hour: 0,
                minute: 0,
                second: 0,
                micro: 0,
            },
        ));
    }
    if serial < 0.0 || !serial.is_finite() {
        return None;
    }
    let mut days = serial.trunc();
    let seconds = ((serial - days) * 86_400.0).round_ties_even() as u64;
    let time = if seconds >= 86_400 {
        days += 1.0;
        Time::from_micros(0)
    } else {
        Time::from_micros(seconds * 1_000_000)
    };
    let too_large = if epoch_1904 {
        2_958_466.0 - 1462.0
    } else {
        2_958_466.0
    };
    if days >= too_large {
        return None;
    }
    if days == 0.0 {
        return Some(Value::Time(time));
    }
    if days < 61.0 && !epoch_1904 {
        return None;
    }
    let epoch = Date::excel_epoch(epoch_1904);
    let date = Date::from_unix_days(epoch.unix_days() + days as i64);
    Some(if time == Time::from_micros(0) {
        Value::Date(date)
    } else {
        Value::DateTime(date, time)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_as_xlrd_makes_them() {
        let text = |s: f64| xl_date(s, false).map(|v| v.to_text());
        assert_eq!(text(45306.0).as_deref(), Some("2024-01-15"));
        assert_eq!(text(45306.4375).as_deref(), Some("2024-01-15 10:30:00"));
        assert_eq!(text(0.4375).as_deref(), Some("10:30:00"));
        assert_eq!(text(0.0).as_deref(), Some("1900-01-01 00:00:00"));
        assert_eq!(text(30.0), None);
        assert_eq!(text(-1.0), None);
        assert_eq!(
            xl_date(1.0, true).map(|v| v.to_text()).as_deref(),
            Some("1904-01-02")
        );
    }

    #[test]
    fn formats_are_judged_as_xlrd_judges_them() {
        for date in [
            "dd/mm/yyyy",
            "hh:mm",
            "[$-809]dd mmmm yyyy",
            "m/d/yy h:mm",
            "yyyy\"年\"m\"月\"",
        ] {
            assert!(is_date_format(date), "{date}");
        }
        for number in [
            "General",
            "0.00",
            "#,##0",
            "0%",
            "\"days\" 0",
            "@",
            "0.00E+00",
            "\\d0",
        ] {
            assert!(!is_date_format(number), "{number}");
        }
        assert_eq!(builtin_kind(14), NumberKind::Date);
        assert_eq!(builtin_kind(0), NumberKind::Number);
        assert_eq!(builtin_kind(23), NumberKind::Text);
    }

    #[test]
    fn rk_numbers() {
        assert_eq!(rk((42 << 2) | 0x02), 42.0);
        assert_eq!(rk((12345 << 2) | 0x03), 123.45);
        assert_eq!(rk((1.5f64.to_bits() >> 32) as u32), 1.5);
    }

    #[test]
    fn a_zip_named_xls_is_said_so() {
        assert_eq!(convert(b"PK\x03\x04rest"), Err(SheetError::ZipNamedXls));
        assert!(matches!(
            convert(b"not a workbook"),
            Err(SheetError::Damaged { .. })
        ));
    }
}
