//! The app's verdict on 20,000 generated phone numbers (tests/vectors/notify/phone-numbers: a
//! seeded generator's numbers, with what notifications-utils 127.0.0's `PhoneNumber` said of
//! each under phonenumbers 9.0.43): the error, or the normalised number, its UK and
//! international flags and `validate` under the four permission combinations. The spreadsheet
//! cache must give the same answers as a single parse.

use serde_json::Value;
use uploadkit_validators::phone::{ParsedPhone, PhoneCache, PhoneError, parse_phone_number};

fn describe(parsed: &Result<ParsedPhone, PhoneError>) -> Value {
    match parsed {
        Err(e) => Value::from(e.code()),
        Ok(n) => {
            let mut out = vec![
                Value::from(n.normalised()),
                Value::from(n.is_uk()),
                Value::from(n.is_international()),
            ];
            for (intl, landline) in [(false, false), (false, true), (true, false), (true, true)] {
                out.push(Value::from(match n.validate(intl, landline) {
                    Ok(()) => "ok",
                    Err(e) => e.code(),
                }));
            }
            Value::from(out)
        }
    }
}

#[test]
fn every_generated_number_gets_the_apps_verdict() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/vectors/notify/phone-numbers/verdicts.jsonl"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(header["notifications_utils"], "127.0.0");
    let mut cache = PhoneCache::default();
    let (mut cases, mut wrong) = (0, Vec::new());
    for line in lines {
        let case: Value = serde_json::from_str(line).unwrap();
        let case = case.as_array().unwrap();
        let input = case[0].as_str().unwrap();
        let want = if case.len() == 2 {
            case[1].clone()
        } else {
            Value::from(case[1..].to_vec())
        };
        let single = parse_phone_number(input);
        let got = describe(&single);
        if got != want {
            wrong.push(format!("{input:?}: got {got}, the app says {want}"));
        }
        assert_eq!(cache.parse(input), single, "the cache on {input:?}");
        cases += 1;
    }
    println!("phone numbers: {}/{cases} agree", cases - wrong.len());
    assert_eq!(cases, 20_000);
    assert!(
        wrong.is_empty(),
        "{} disagree:\n{}",
        wrong.len(),
        wrong
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
