//! The adapter `tests/vectors/notify/recipient-csv/compare.py` runs: one case's spec in, the
//! verdict of uploadkit's spreadsheet check out, in the JSON shape of notifications-utils'
//! `RecipientCSV`. It maps the report's fields and decides nothing itself.
//!
//! `recipient_csv_verdict --spec FILE [--admin-newlines]`

use serde_json::{Map, Value, json};
use uploadkit_validators::csv::{
    CellValue, CsvReport, CsvSpec, FileError, Recipient, TemplateType, column_key,
    normalise_newlines, placeholders, validate_csv,
};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let spec_path = args
        .iter()
        .position(|a| a == "--spec")
        .and_then(|i| args.get(i + 1))
        .expect("--spec FILE");
    let admin_newlines = args.iter().any(|a| a == "--admin-newlines");
    let spec: Value =
        serde_json::from_str(&std::fs::read_to_string(spec_path).expect("the spec")).expect("JSON");
    let text = std::fs::read(spec["csv"].as_str().expect("csv")).expect("the file");
    // The admin app's newline normalisation, done by the project's own function (on text that
    // is UTF-8; other bytes go to the check as they are, which reports them).
    let text = match (admin_newlines, std::str::from_utf8(&text)) {
        (true, Ok(s)) => normalise_newlines(s).into_bytes(),
        _ => text,
    };
    let template_type = match spec["template_type"].as_str() {
        Some("email") => TemplateType::Email,
        Some("letter") => TemplateType::Letter,
        _ => TemplateType::Sms,
    };
    let content = spec["content"].as_str().unwrap_or("");
    let subject = spec["subject"].as_str().unwrap_or("");
    let mut names = placeholders(subject);
    for name in placeholders(content) {
        if !names.iter().any(|n| column_key(n) == column_key(&name)) {
            names.push(name);
        }
    }
    let permissions = &spec["permissions"];
    let mut csv_spec = CsvSpec::new(template_type, names);
    csv_spec.allow_international_sms = permissions["allow_international_sms"] == true;
    csv_spec.allow_uk_landline = permissions["allow_sms_to_uk_landline"] == true;
    csv_spec.allow_international_letters = permissions["allow_international_letters"] == true;
    csv_spec.body = Some(content.to_owned());
    csv_spec.keep_rows = true;
    let report = validate_csv(csv_spec, &text);
    println!("{}", verdict(&report, template_type));
}

/// Whether a column (by key) is one of a letter's address columns.
fn address_column(key: &str) -> bool {
    key == "postcode" || key.starts_with("addressline")
}

/// A cell's value as the app's JSON has it: text, null or a list.
fn cell_json(value: &CellValue) -> Value {
    match value {
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

fn verdict(report: &CsvReport, template_type: TemplateType) -> Value {
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
