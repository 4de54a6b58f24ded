//! `uploadkit validate` on spreadsheets: the app's verdict from the command line, its exit
//! statuses, and `--json` agreeing with the app's own verdicts on corpus files of every kind.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn validate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_uploadkit"))
        .arg("validate")
        .args(args)
        .env_clear()
        .output()
        .unwrap()
}

fn scratch(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("uploadkit-validate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn a_spreadsheet_gets_the_apps_words_and_exit_status() {
    let good = scratch("good.csv", b"phone number,name\n07700 900123,Ada\n");
    let out = validate(&[
        "--kind",
        "csv",
        "--template",
        "Hi ((name))",
        good.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).starts_with("valid "), "{}", stdout(&out));

    // A blank line is a row, so the rows after it keep their spreadsheet numbers.
    let bad = scratch(
        "bad.csv",
        b"phone number,name\n07700 900123,\n\n+44 123,Bo\nseven,Cy\n",
    );
    let out = validate(&[
        "--kind",
        "csv",
        "--template",
        "Hi ((name))",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("There is a problem with your data"), "{text}");
    assert!(text.contains("row 2, name: Missing"), "{text}");
    assert!(text.contains("row 3, phone number: Missing"), "{text}");
    assert!(
        text.contains("row 4, phone number: Mobile number is too short"),
        "{text}"
    );
    assert!(
        text.contains("row 5, phone number: Mobile numbers can only include"),
        "{text}"
    );

    // A file that is no spreadsheet at all, or empty: exit 2, with the reason.
    let binary = scratch("binary.csv", b"PK\x03\x04\x00\x00");
    let out = validate(&["--kind", "csv", binary.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stdout(&out).contains("binary data at byte 4"),
        "{}",
        stdout(&out)
    );
    let empty = scratch("empty.csv", b" \n");
    let out = validate(&["--kind", "csv", empty.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stdout(&out).contains("Your file is empty"),
        "{}",
        stdout(&out)
    );

    // A template type the app does not have.
    let out = validate(&[
        "--kind",
        "csv",
        "--template-type",
        "fax",
        good.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("use email, sms or letter"));
    std::fs::remove_dir_all(good.parent().unwrap()).unwrap();
}

/// Corpus files of each kind, checked from the command line with their templates and
/// permissions as flags: `--json` is the app's verdict on them.
#[test]
fn json_is_the_apps_verdict_on_corpus_files() {
    let root =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/notify/recipient-csv");
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("manifest.json")).unwrap())
            .unwrap();
    let cases = manifest
        .as_array()
        .or_else(|| manifest["cases"].as_array())
        .unwrap();
    let wanted = [
        "012", "067", "107", "151", "156", "167", "176", "190", "210", "230", "262", "290",
    ];
    let mut checked = 0;
    for case in cases
        .iter()
        .filter(|c| wanted.contains(&c["id"].as_str().unwrap()))
    {
        let id = case["id"].as_str().unwrap();
        let file = root.join(case["file"].as_str().unwrap());
        let permissions = &case["permissions"];
        let mut args: Vec<String> = vec![
            "--kind".into(),
            "csv".into(),
            "--json".into(),
            "--template-type".into(),
            case["template_type"].as_str().unwrap().into(),
            "--template".into(),
            case["template"]["content"].as_str().unwrap().into(),
            "--subject".into(),
            case["template"]["subject"].as_str().unwrap_or("").into(),
        ];
        for (permission, flag) in [
            ("allow_international_sms", "--allow-international-sms"),
            ("allow_sms_to_uk_landline", "--allow-uk-landline"),
            (
                "allow_international_letters",
                "--allow-international-letters",
            ),
        ] {
            if permissions[permission] == true {
                args.push(flag.into());
            }
        }
        args.push(file.to_str().unwrap().into());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = validate(&args);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{id}: {:?}",
            out.status
        );
        let got: Value = serde_json::from_slice(&out.stdout).unwrap();
        // The admin's verdict where its newline normalisation changes it, else the raw one.
        let admin = root.join(format!("expected_admin/{id}.json"));
        let expected = if admin.exists() {
            admin
        } else {
            root.join(format!("expected/{id}.json"))
        };
        let want: Value =
            serde_json::from_str(&std::fs::read_to_string(expected).unwrap()).unwrap();
        for field in [
            "has_errors",
            "too_many_rows",
            "duplicate_recipient_column_headers",
            "has_recipient_columns",
            "column_headers",
            "row_count",
            "rows_with_errors",
            "recipients",
        ] {
            assert_eq!(got[field], want[field], "case {id}, {field}");
        }
        let sorted = |v: &Value| {
            let mut names: Vec<String> = serde_json::from_value(v.clone()).unwrap();
            names.sort();
            names
        };
        assert_eq!(
            sorted(&got["missing_column_headers"]),
            sorted(&want["missing_column_headers"]),
            "case {id}"
        );
        checked += 1;
    }
    assert_eq!(checked, wanted.len());
}

/// Workbooks are read as the admin app reads them, then checked: a valid .xlsx, .xls and .ods
/// pass, a password-protected one is unusable with its reason.
#[test]
fn workbooks_are_read_as_the_app_reads_them() {
    let root =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/notify/spreadsheets/files");
    let template = "Hello ((name)), your reference is ((ref)).";
    for file in ["001.xlsx", "003.xls", "004.ods", "005.tsv"] {
        let path = root.join(file);
        let args = [
            "--kind",
            "csv",
            "--template-type",
            "sms",
            "--template",
            template,
        ];
        let out = validate(&[&args[..], &[path.to_str().unwrap()]].concat());
        assert_eq!(out.status.code(), Some(0), "{file}: {}", stdout(&out));
        assert!(stdout(&out).contains("7 rows"), "{file}: {}", stdout(&out));
    }
    let locked = root.join("051.xlsx");
    let out = validate(&[
        "--kind",
        "csv",
        "--template-type",
        "sms",
        locked.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stdout(&out).contains("protected by a password"),
        "{}",
        stdout(&out)
    );
}
