//! Rows to CSV text as Python's `csv.writer` writes them, and the row shaping pyexcel applies to
//! the .xls, .ods and .tsv readers (column limit, trailing empty cells dropped).

use crate::value::Value;
use crate::{ABSOLUTE_COLUMN_LIMIT, MIN_COLUMN_LIMIT, ROW_LIMIT, SheetError};

/// The most CSV text a spreadsheet may become: several times what a 10 MB upload holds, short of
/// what a few bytes of sheet XML could ask for (a cell far away makes a grid of empty fields).
pub(crate) const MAX_TEXT_BYTES: usize = 64 << 20;

/// CSV text being written row by row, counting rows against the application's limit.
#[derive(Default)]
pub(crate) struct CsvText {
    text: String,
    rows: usize,
}

impl CsvText {
    /// Appends one row: fields joined by `,`, CRLF after it; a field is quoted (quotes doubled)
    /// only if it holds `,`, `"`, CR or LF, and a row of one empty field is written `""` so that
    /// it is not read back as no fields at all.
    pub(crate) fn push_row<'a>(
        &mut self,
        row: impl IntoIterator<Item = &'a Value>,
    ) -> Result<(), SheetError> {
        // `rows_to_csv` refuses the row after the limit (its index is checked before writing).
        if self.rows > ROW_LIMIT {
            return Err(SheetError::TooManyRows { limit: ROW_LIMIT });
        }
        self.rows += 1;
        let mut fields = 0;
        let mut only_empty = true;
        for value in row {
            if fields > 0 {
                self.text.push(',');
            }
            fields += 1;
            let field = value.to_text();
            only_empty &= field.is_empty();
            if field.contains([',', '"', '\r', '\n']) {
                self.text.push('"');
                self.text.push_str(&field.replace('"', "\"\""));
                self.text.push('"');
            } else {
                self.text.push_str(&field);
            }
        }
        if fields == 1 && only_empty {
            self.text.push_str("\"\"");
        }
        self.text.push_str("\r\n");
        if self.text.len() > MAX_TEXT_BYTES {
            return Err(SheetError::TooLarge {
                part: "CSV text".into(),
                limit: MAX_TEXT_BYTES as u64,
            });
        }
        Ok(())
    }

    pub(crate) fn finish(self) -> String {
        self.text
    }
}

/// pyexcel's `SheetReader.to_array` for one row: cells past `column_limit` are not read, and
/// trailing empty cells (`None` or `""`) are dropped.
pub(crate) fn shape_row(
    cells: impl IntoIterator<Item = Value>,
    column_limit: Option<usize>,
) -> Vec<Value> {
    let mut row = Vec::new();
    let mut pending = Vec::new();
    for (index, cell) in cells.into_iter().enumerate() {
        if column_limit.is_some_and(|limit| index >= limit) {
            break;
        }
        let empty = cell.is_empty();
        pending.push(cell);
        if !empty {
            row.append(&mut pending);
        }
    }
    row
}

/// The column limit the admin derives from a pyexcel sheet's header row: none when the header is
/// blank, otherwise the last non-blank header column, at least [`MIN_COLUMN_LIMIT`].
pub(crate) fn column_limit_from_header(header: &[Value]) -> Result<Option<usize>, SheetError> {
    let Some(last) = header.iter().rposition(|cell| !cell.is_blank()) else {
        return Ok(None);
    };
    if last >= ABSOLUTE_COLUMN_LIMIT {
        return Err(SheetError::TooManyColumns {
            column: last + 1,
            limit: ABSOLUTE_COLUMN_LIMIT,
        });
    }
    Ok(Some((last + 1).max(MIN_COLUMN_LIMIT)))
}

/// The admin's pyexcel path: read the header row to find the column limit, then write every
/// row shaped by it. `rows` yields each row's cells from the first.
pub(crate) fn pyexcel_csv<R, C>(mut rows: impl FnMut() -> R) -> Result<String, SheetError>
where
    R: Iterator<Item = Result<C, SheetError>>,
    C: IntoIterator<Item = Value>,
{
    let header = match rows().next() {
        Some(cells) => shape_row(cells?, None),
        None => Vec::new(),
    };
    let limit = column_limit_from_header(&header)?;
    let mut out = CsvText::default();
    for cells in rows() {
        out.push_row(&shape_row(cells?, limit))?;
    }
    Ok(out.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Value {
        Value::Text(s.into())
    }

    #[test]
    fn rows_are_written_as_csv_writer_writes_them() {
        let mut out = CsvText::default();
        out.push_row(&[text("a,b"), text("say \"hi\""), Value::Empty, text("x\ny")])
            .unwrap();
        out.push_row(&[Value::Empty]).unwrap();
        out.push_row(&[]).unwrap();
        out.push_row(&[Value::Bool(true), Value::Float(1.0), Value::Int("7".into())])
            .unwrap();
        assert_eq!(
            out.finish(),
            "\"a,b\",\"say \"\"hi\"\"\",,\"x\ny\"\r\n\"\"\r\n\r\nTrue,1.0,7\r\n"
        );
    }

    #[test]
    fn trailing_empty_cells_go_and_the_limit_cuts() {
        let row = vec![text("a"), text(""), text("b"), text(""), Value::Empty];
        assert_eq!(
            shape_row(row.clone(), None),
            vec![text("a"), text(""), text("b")]
        );
        assert_eq!(shape_row(row, Some(2)), vec![text("a")]);
    }

    #[test]
    fn the_header_sets_the_column_limit() {
        assert_eq!(column_limit_from_header(&[]).unwrap(), None);
        assert_eq!(column_limit_from_header(&[text(" ")]).unwrap(), None);
        assert_eq!(
            column_limit_from_header(&[text("a"), text("b")]).unwrap(),
            Some(50)
        );
        let wide: Vec<Value> = (0..60).map(|i| text(&i.to_string())).collect();
        assert_eq!(column_limit_from_header(&wide).unwrap(), Some(60));
        let too_wide: Vec<Value> = (0..1001).map(|i| text(&i.to_string())).collect();
        assert_eq!(
            column_limit_from_header(&too_wide),
            Err(SheetError::TooManyColumns {
                column: 1001,
                limit: 1000
            })
        );
    }
}
