//! The app's own recipient-CSV cases (`test_bad_or_missing_data`): which rows have a bad
//! recipient and which have missing data. The vectors do not carry the test's template, so
//! every column that is not a recipient column is treated as a placeholder. Letter cases go
//! through the postal-address rules and are reported separately.

use serde_json::Value;
use uploadkit_validators::csv::{CsvSpec, TemplateType, column_key, validate_csv};

fn cases() -> Vec<Value> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/vectors/notify/notify_utils_test_recipient_csv.json"
    );
    let all: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    all.into_iter()
        .filter(|c| {
            c["nodeid"]
                .as_str()
                .unwrap()
                .contains("::test_bad_or_missing_data[")
        })
        .collect()
}

fn rows(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_u64().unwrap() as usize)
        .collect()
}

#[test]
fn bad_and_missing_rows_match_the_app() {
    let cases = cases();
    assert_eq!(cases.len(), 16);
    let mut agree = [0usize; 2];
    let mut total = [0usize; 2];
    let mut failures = Vec::new();
    for case in &cases {
        let p = &case["params"];
        let contents = p["file_contents"].as_str().unwrap();
        let template_type = match p["template_type"].as_str().unwrap() {
            "email" => TemplateType::Email,
            "sms" => TemplateType::Sms,
            _ => TemplateType::Letter,
        };
        let recipient: Vec<String> = template_type
            .recipient_columns()
            .iter()
            .map(|c| column_key(c))
            .collect();
        let header = contents
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("");
        let placeholders = header
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty() && !recipient.contains(&column_key(c)))
            .map(str::to_owned)
            .collect();
        let report = validate_csv(
            CsvSpec::new(template_type, placeholders),
            contents.as_bytes(),
        );
        let got = (
            report.rows_with_bad_recipients.clone(),
            report.rows_with_missing_data.clone(),
        );
        let want = (
            rows(&p["rows_with_bad_recipients"]),
            rows(&p["rows_with_missing_data"]),
        );
        let kind = usize::from(template_type == TemplateType::Letter);
        total[kind] += 1;
        if got == want {
            agree[kind] += 1;
        } else {
            failures.push(format!("{}: got {got:?}, want {want:?}", case["nodeid"]));
        }
    }
    println!("recipient CSV (sms/email): {}/{} agree", agree[0], total[0]);
    println!("recipient CSV (letter): {}/{} agree", agree[1], total[1]);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
