//! The adapter `tests/vectors/notify/recipient-csv/compare.py` runs: one case's spec in, the
//! verdict of uploadkit's spreadsheet check out, in the JSON shape of notifications-utils'
//! `RecipientCSV`. It maps the report's fields and decides nothing itself.
//!
//! `recipient_csv_verdict --spec FILE [--admin-newlines]`

use serde_json::Value;
use uploadkit_validators::csv::{
    CsvSpec, TemplateType, app_verdict, normalise_newlines, validate_csv,
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
    let permissions = &spec["permissions"];
    let mut csv_spec = CsvSpec::for_template(template_type, content, subject).keeping_rows();
    csv_spec.allow_international_sms = permissions["allow_international_sms"] == true;
    csv_spec.allow_uk_landline = permissions["allow_sms_to_uk_landline"] == true;
    csv_spec.allow_international_letters = permissions["allow_international_letters"] == true;
    let report = validate_csv(csv_spec, &text);
    println!("{}", app_verdict(&report, template_type));
}
