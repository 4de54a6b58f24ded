//! Agreement with the reference application on every case of its oracle vectors that the
//! validators cover: emails, postcodes and phone numbers (parse, normalised form, UK and
//! international flags, and validation under the four permission combinations). Prints the
//! agreement per kind. The reference ran phonenumbers 9.0.43, the metadata the phone rules carry.

use serde_json::Value;
use uploadkit_validators::email::validate_email_address;
use uploadkit_validators::phone::parse_phone_number;
use uploadkit_validators::postcode::format_postcode_or_none;

fn oracle() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/vectors/notify/notify_oracle_vectors.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

struct Tally {
    name: &'static str,
    cases: usize,
    disagreements: Vec<String>,
}

impl Tally {
    fn check(&mut self, input: &str, got: String, want: String) {
        self.cases += 1;
        if got != want {
            self.disagreements
                .push(format!("{:?}: got {got}, want {want}", input));
        }
    }

    fn report(&self) -> String {
        format!(
            "{}: {}/{} agree",
            self.name,
            self.cases - self.disagreements.len(),
            self.cases
        )
    }
}

#[test]
fn validators_agree_with_the_reference_app() {
    let oracle = oracle();
    let mut email = Tally {
        name: "email",
        cases: 0,
        disagreements: vec![],
    };
    for case in oracle["email"].as_array().unwrap() {
        let input = case["input"].as_str().unwrap();
        let got = match validate_email_address(input) {
            Ok(n) => format!("ok {n}"),
            Err(e) => format!("error {e}"),
        };
        let want = if case["ok"].as_bool().unwrap() {
            format!("ok {}", case["normalised"].as_str().unwrap())
        } else {
            format!("error {}", case["error"].as_str().unwrap())
        };
        email.check(input, got, want);
    }

    let mut postcode = Tally {
        name: "postcode",
        cases: 0,
        disagreements: vec![],
    };
    for case in oracle["postcode"].as_array().unwrap() {
        let input = case["input"].as_str().unwrap();
        postcode.check(
            input,
            format!("{:?}", format_postcode_or_none(input)),
            format!("{:?}", case["formatted_or_none"].as_str()),
        );
    }

    let mut phone = Tally {
        name: "phone",
        cases: 0,
        disagreements: vec![],
    };
    for case in oracle["phone"].as_array().unwrap() {
        let input = case["input"].as_str().unwrap();
        let parse = &case["parse"];
        let parsed = parse_phone_number(input);
        let got = match &parsed {
            Ok(n) => format!(
                "ok {} uk={} intl={}",
                n.normalised(),
                n.is_uk(),
                n.is_international()
            ),
            Err(e) => format!("{} {e}", e.code()),
        };
        let want = if parse["ok"].as_bool().unwrap() {
            format!(
                "ok {} uk={} intl={}",
                parse["normalised"].as_str().unwrap(),
                parse["uk"],
                parse["international"]
            )
        } else {
            format!(
                "{} {}",
                parse["code"].as_str().unwrap(),
                parse["message"].as_str().unwrap()
            )
        };
        phone.check(input, got, want);
        if let Ok(n) = parsed {
            for intl in [false, true] {
                for landline in [false, true] {
                    let key = format!(
                        "validate(intl={},landline={})",
                        if intl { "True" } else { "False" },
                        if landline { "True" } else { "False" }
                    );
                    let Some(want) = case[&key].as_str() else {
                        continue;
                    };
                    let got = match n.validate(intl, landline) {
                        Ok(()) => "ok".to_owned(),
                        Err(e) => e.code().to_owned(),
                    };
                    phone.check(input, format!("{key} {got}"), format!("{key} {want}"));
                }
            }
        }
    }

    for tally in [&email, &postcode, &phone] {
        println!("{}", tally.report());
    }
    let all: Vec<&String> = [&email, &postcode, &phone]
        .iter()
        .flat_map(|t| t.disagreements.iter())
        .collect();
    assert!(
        all.is_empty(),
        "{} disagreements:\n{}",
        all.len(),
        all.iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert_eq!((email.cases, postcode.cases), (50, 35));
}

/// Postal addresses: every case agrees on validity, postcode, printed lines, postage and every
/// flag, under the case's permission to send abroad.
#[test]
fn postal_addresses_agree_with_the_reference_app() {
    use uploadkit_validators::postal::Zone;
    use uploadkit_validators::postal_address::PostalAddress;
    let oracle = oracle();
    let mut tally = Tally {
        name: "postal addresses",
        cases: 0,
        disagreements: vec![],
    };
    for case in oracle["postal_address"].as_array().unwrap() {
        let input = case["input"].as_str().unwrap();
        let allow = case["allow_international_letters"].as_bool().unwrap();
        let address = PostalAddress::parse(input, allow);
        let postage = match address.zone() {
            Zone::Uk => "united-kingdom",
            Zone::Europe => "europe",
            Zone::RestOfWorld => "rest-of-world",
        };
        let got = format!(
            "valid={} postcode={:?} lines={:?} international={} postage={postage} bfpo={} nfa={} invalid_chars={}",
            address.validate().is_ok(),
            address.postcode(),
            address.lines(),
            address.is_international(),
            address.is_bfpo(),
            address.has_no_fixed_abode(),
            address.has_invalid_characters()
        );
        let want_lines: Vec<String> =
            serde_json::from_value(case["normalised_lines"].clone()).unwrap();
        let want = format!(
            "valid={} postcode={:?} lines={:?} international={} postage={} bfpo={} nfa={} invalid_chars={}",
            case["valid"],
            case["postcode"].as_str(),
            want_lines,
            case["international"],
            case["postage"].as_str().unwrap(),
            case["is_bfpo"],
            case["has_no_fixed_abode"],
            case["has_invalid_characters"]
        );
        tally.check(input, got, want);
    }
    println!("{}", tally.report());
    assert_eq!(tally.cases, 156);
    assert!(tally.disagreements.is_empty(), "{:#?}", tally.disagreements);
}
