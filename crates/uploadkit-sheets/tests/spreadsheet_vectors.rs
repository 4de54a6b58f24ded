//! The 60 spreadsheet uploads of `tests/vectors/notify/spreadsheets`: each workbook must become
//! exactly the CSV text the admin app makes of it (or fail where the app's reader fails), and
//! that text must get the app's verdict from the validator.

use serde_json::Value;
use uploadkit_sheets::to_csv_text;
use uploadkit_validators::csv::{CsvSpec, TemplateType, app_verdict, validate_csv};

fn corpus() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/notify/spreadsheets")
}

fn verdict(case: &Value, text: &str) -> Value {
    let template_type = match case["template_type"].as_str() {
        Some("email") => TemplateType::Email,
        Some("letter") => TemplateType::Letter,
        _ => TemplateType::Sms,
    };
    let template = &case["template"];
    let mut spec = CsvSpec::for_template(
        template_type,
        template["content"].as_str().unwrap_or(""),
        template["subject"].as_str().unwrap_or(""),
    )
    .keeping_rows();
    let permissions = &case["permissions"];
    spec.allow_international_sms = permissions["allow_international_sms"] == true;
    spec.allow_uk_landline = permissions["allow_sms_to_uk_landline"] == true;
    spec.allow_international_letters = permissions["allow_international_letters"] == true;
    app_verdict(&validate_csv(spec, text.as_bytes()), template_type)
}

#[test]
fn every_upload_converts_and_is_judged_as_the_app_does() {
    let dir = corpus();
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    let cases = manifest["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 60);
    let mut failures = Vec::new();
    let (mut converted_ok, mut verdict_ok) = (0, 0);
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let file = case["file"].as_str().unwrap();
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join(case["expected"].as_str().unwrap())).unwrap(),
        )
        .unwrap();
        let got = to_csv_text(&bytes, file);
        match (&case["expected_csv"], got) {
            (Value::Null, Err(e)) => {
                let want = expected["conversion_exception"].as_str().unwrap();
                if e.app_exception() == Some(want) && e.app_message().is_some() {
                    converted_ok += 1;
                    verdict_ok += 1;
                } else {
                    failures.push(format!(
                        "{id}: raised {e:?} ({:?}), the app raises {want}",
                        e.app_exception()
                    ));
                }
            }
            (Value::Null, Ok(text)) => failures.push(format!(
                "{id}: converted to {text:?}, the app's reader fails"
            )),
            (_, Err(e)) => failures.push(format!("{id}: {e}")),
            (_, Ok(text)) => {
                let want = std::fs::read_to_string(dir.join("expected").join(format!("{id}.csv")))
                    .unwrap();
                if text == want {
                    converted_ok += 1;
                } else {
                    failures.push(format!("{id}: converted\n  got  {text:?}\n  want {want:?}"));
                }
                let got = verdict(case, &text);
                let mut want_verdict = expected.clone();
                // The corpus's own format version, not a field of the verdict.
                want_verdict
                    .as_object_mut()
                    .unwrap()
                    .remove("verdict_version");
                if got == want_verdict {
                    verdict_ok += 1;
                } else {
                    want_verdict["_id"] = id.into();
                    failures.push(format!(
                        "{id}: verdict\n  got  {got}\n  want {want_verdict}"
                    ));
                }
            }
        }
    }
    println!("conversion {converted_ok}/60, verdict {verdict_ok}/60");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
