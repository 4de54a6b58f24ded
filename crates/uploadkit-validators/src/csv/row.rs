//! A data row as the app holds it (`RecipientCSV._get_rows` and `Row`): each column's value
//! cleaned of whitespace, empty cells as no value, repeated placeholder columns gathered into a
//! list, a repeated recipient column taking its last value, and columns compared by key.

use super::columns::column_key;
use crate::whitespace::strip;

/// A cell's value as the app reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellValue {
    /// An empty cell, or a column the row is too short to reach.
    Empty,
    /// The cell's text, whitespace cleaned as the app cleans it.
    Text(String),
    /// The values of a column whose header appears more than once (empty ones as `None`).
    List(Vec<Option<String>>),
}

impl CellValue {
    /// The text, when the value is one non-empty text.
    pub fn text(&self) -> Option<&str> {
        match self {
            Self::Text(t) => Some(t),
            _ => None,
        }
    }
}

/// A row's values by column key, in column order.
///
/// ```
/// use uploadkit_validators::csv::{CellValue, RowValues};
/// let headers = ["Phone number".to_owned(), "name".to_owned(), "name".to_owned()];
/// let row = RowValues::build(&headers, |key| key == "phonenumber", &[" 07700 900123".into(), "Ada".into()]);
/// assert_eq!(row.get("phonenumber"), Some(&CellValue::Text("07700 900123".into())));
/// assert_eq!(row.get("name"), Some(&CellValue::List(vec![Some("Ada".into()), None])));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowValues {
    values: Vec<(String, CellValue)>,
}

/// A value as the app's dictionary holds it before keys are compared: `None`, a string or a
/// list.
#[derive(Debug, Clone)]
enum Raw {
    None,
    Text(String),
    List(Vec<Option<String>>),
}

impl Raw {
    fn truthy(&self) -> bool {
        !matches!(self, Raw::None)
    }
}

impl From<Option<String>> for Raw {
    fn from(value: Option<String>) -> Self {
        value.map_or(Raw::None, Raw::Text)
    }
}

/// The app's `insert_or_append_to_dict`, on a dictionary keyed by the header as written.
fn insert_or_append(dict: &mut Vec<(String, Raw)>, name: &str, value: Option<String>) {
    if name.is_empty() && value.is_none() {
        return;
    }
    match dict.iter_mut().find(|(n, _)| n == name) {
        Some((_, existing)) if existing.truthy() => {
            *existing = match std::mem::replace(existing, Raw::None) {
                Raw::List(mut items) => {
                    items.push(value);
                    Raw::List(items)
                }
                Raw::Text(first) => Raw::List(vec![Some(first), value]),
                Raw::None => Raw::from(value),
            };
        }
        Some((_, existing)) => *existing = Raw::from(value),
        None => dict.push((name.to_owned(), Raw::from(value))),
    }
}

impl RowValues {
    /// Reads a row's cells (as the CSV reader gave them) under the file's header row;
    /// `is_recipient` says which column keys are recipient columns.
    pub fn build(
        headers: &[String],
        is_recipient: impl Fn(&str) -> bool,
        cells: &[String],
    ) -> Self {
        let mut dict: Vec<(String, Raw)> = Vec::with_capacity(headers.len());
        for (name, cell) in headers.iter().zip(cells) {
            let value = Some(strip(cell)).filter(|v| !v.is_empty());
            if is_recipient(&column_key(name)) {
                match dict.iter_mut().find(|(n, _)| n == name) {
                    Some((_, existing)) => *existing = Raw::from(value),
                    None => dict.push((name.clone(), Raw::from(value))),
                }
            } else {
                insert_or_append(&mut dict, name, value);
            }
        }
        for name in headers.iter().skip(cells.len()) {
            insert_or_append(&mut dict, name, None);
        }
        // Then keys are compared as the app compares them: a later column of the same key
        // replaces the earlier one's value, in the earlier one's place.
        let mut values: Vec<(String, CellValue)> = Vec::with_capacity(dict.len());
        for (name, raw) in dict {
            let key = column_key(&name);
            let value = match raw {
                Raw::None => CellValue::Empty,
                Raw::Text(t) => CellValue::Text(t),
                Raw::List(items) => CellValue::List(items),
            };
            match values.iter_mut().find(|(k, _)| *k == key) {
                Some((_, existing)) => *existing = value,
                None => values.push((key, value)),
            }
        }
        Self { values }
    }

    /// A column's value by key (`None`: the row has no such column).
    pub fn get(&self, key: &str) -> Option<&CellValue> {
        self.values.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Every column key with its value, in column order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &CellValue)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v))
    }
}
