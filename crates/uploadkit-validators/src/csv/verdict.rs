//! The report in the JSON the app's own verdict takes (feature `json`): what `uploadkit validate
//! --json` prints and what the differential harness compares.

use serde_json::{Map, Value, json};

use super::{CellValue, CsvReport, FileError, Recipient, TemplateType, column_key};

/// Whether a column (by key) is one of a letter's address columns.
fn address_column(key: &str) -> bool {
    key == "postcode" || key.starts_with("addressline")
}

/// A cell's value as the app's JSON has it: text, null or a list.
fn cell_json(value: &CellValue) -> Value {
    value.to_json()
}

impl CellValue {
    /// The value as JSON, as the app's row holds it: `null` when empty, a string, or (for a
    /// column whose header appears more than once) a list of them.
    ///
    /// ```
    /// use uploadkit_validators::csv::CellValue;
    /// assert_eq!(CellValue::Text("Ann".into()).to_json(), "Ann");
    /// assert!(CellValue::Empty.to_json().is_null());
    /// ```
    pub fn to_json(&self) -> Value {
        match self {
            CellValue::Empty => Value::Null,
            CellValue::Text(t) => Value::from(t.as_str()),
            CellValue::List(items) => Value::from(
                items
                    .iter()
                    .map(|i| i.as_deref().map_or(Value::Null, Value::from))
                    .collect::<Vec<_>>(),
            ),
        }
    }
}

/// The report as the app's `RecipientCSV` would describe the file, in the JSON shape of the
/// differential corpus (`tests/vectors/notify/recipient-csv/README.md`): file-level fields, each
/// error row with its cells and flags, each valid row with its recipient and personalisation.
/// Rows come from [`CsvReport::row_reports`], so the spec needs `keep_rows`.
///
/// ```
/// use uploadkit_validators::csv::{CsvSpec, TemplateType, app_verdict, validate_csv};
/// let spec = CsvSpec::for_template(TemplateType::Sms, "Hi ((name))", "").keeping_rows();
/// let report = validate_csv(spec, b"phone number,name\n07700 900123,\n");
/// let verdict = app_verdict(&report, TemplateType::Sms);
/// assert_eq!(verdict["rows_with_errors"][0]["cell_errors"]["name"], "Missing");
/// ```
pub fn app_verdict(report: &CsvReport, template_type: TemplateType) -> Value {
    let mut missing = Vec::new();
    let mut duplicates = Vec::new();
    let mut has_recipient_columns = true;
    let mut too_many_rows = false;
    for e in &report.file_errors {
        match e {
            FileError::MissingRecipientColumns(columns) => {
                has_recipient_columns = false;
                if template_type != TemplateType::Letter {
                    missing.extend(columns.iter().cloned());
                }
            }
            FileError::MissingColumns(columns) => missing.extend(columns.iter().cloned()),
            FileError::DuplicateRecipientColumns(columns) => {
                duplicates.extend(columns.iter().cloned())
            }
            FileError::TooManyRows { .. } => too_many_rows = true,
            _ => {}
        }
    }
    // The app's missing columns are a set: written in sorted order, as its verdicts are.
    missing.sort();
    let mut rows = Vec::new();
    let mut recipients = Vec::new();
    for detail in &report.row_reports {
        let row = detail.index;
        if !detail.has_error {
            let recipient = match &detail.recipient {
                Recipient::Normalised(r) => Value::from(r.as_str()),
                Recipient::Address(lines) => Value::from(lines.clone()),
                Recipient::Raw(value) => cell_json(value),
            };
            let personalisation: Map<String, Value> = detail
                .personalisation
                .iter()
                .map(|(k, v)| (k.clone(), cell_json(v)))
                .collect();
            recipients.push(
                json!({"index": row, "recipient": recipient, "personalisation": personalisation}),
            );
            continue;
        }
        let mut cells = Map::new();
        // RecipientCSV reports a letter's address as a whole, not as a cell.
        let mut address_error = Value::Null;
        for e in &detail.cell_errors {
            let key = column_key(&e.column);
            match e.code {
                "message_too_long" | "message_empty" | "qr_code_too_long" => {}
                _ if template_type == TemplateType::Letter && address_column(&key) => {
                    address_error = Value::String(e.message.clone());
                }
                _ => {
                    cells.insert(key, Value::String(e.message.clone()));
                }
            }
        }
        rows.push(json!({
            "index": row,
            "cell_errors": cells,
            "message_too_long": detail.message_too_long,
            "message_empty": detail.message_empty,
            "qr_code_too_long": detail.qr_code_too_long,
            "bad_postal_address": !address_error.is_null(),
            "address_error": address_error,
        }));
    }
    json!({
        "has_errors": !report.file_errors.is_empty() || !rows.is_empty(),
        "too_many_rows": too_many_rows,
        "missing_column_headers": missing,
        "duplicate_recipient_column_headers": duplicates,
        "has_recipient_columns": has_recipient_columns,
        "column_headers": report.column_headers,
        "row_count": report.rows,
        "rows_with_errors_count": rows.len(),
        "rows_with_errors": rows,
        "recipients": recipients,
    })
}
