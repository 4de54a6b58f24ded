use super::*;

fn sms(placeholders: &[&str]) -> CsvSpec {
    CsvSpec::new(
        TemplateType::Sms,
        placeholders.iter().map(|s| (*s).to_owned()).collect(),
    )
}

#[test]
fn feeding_byte_by_byte_gives_the_same_report() {
    let file = "\u{FEFF}Phone Number,NAME,date\n07700900460,Ada,today\n+44 123,Bo,\n\n\"07700 900461\",\"Cy, Jr\",now\n07700900462,ü,then";
    let whole = validate_csv(sms(&["name", "date"]), file.as_bytes());
    let mut v = CsvValidator::new(sms(&["name", "date"]));
    for b in file.as_bytes() {
        v.feed(std::slice::from_ref(b));
    }
    assert_eq!(v.finish(), whole);
    // The blank line is a row, as the app counts it: row 2, with nothing in it.
    assert_eq!(whole.rows, 5);
    assert_eq!(whole.rows_with_bad_recipients, vec![1]);
    assert_eq!(whole.rows_with_missing_data, vec![1, 2]);
    assert!(whole.file_errors.is_empty(), "{:?}", whole.file_errors);
    let codes: Vec<(usize, &str, &str)> = whole
        .cell_errors
        .iter()
        .map(|e| (e.row, e.column.as_str(), e.code))
        .collect();
    assert_eq!(
        codes,
        vec![
            (1, "Phone Number", "too_short"),
            (1, "date", "missing"),
            (2, "Phone Number", "missing"),
            (2, "NAME", "missing"),
            (2, "date", "missing"),
        ]
    );
    assert!(whole.cell_errors.iter().all(|e| !e.column.is_empty()));
}

#[test]
fn invalid_utf8_names_the_byte_and_row() {
    let mut file = b"phone number\n07700900460\n0770".to_vec();
    file.push(0xFF);
    let report = validate_csv(sms(&[]), &file);
    assert_eq!(
        report.file_errors,
        vec![FileError::NotUtf8 { offset: 29, row: 3 }]
    );
    assert!(report.summary().unwrap().contains("byte 29, row 3"));
    // A file cut inside a multi-byte character.
    let report = validate_csv(sms(&[]), b"phone number\n\xE2\x82");
    assert!(
        matches!(report.file_errors[..], [FileError::NotUtf8 { row: 2, .. }]),
        "{:?}",
        report.file_errors
    );
}

#[test]
fn junk_empty_and_headers() {
    // Empty, then what the app says of a file without a header row.
    let empty = vec![
        FileError::Empty,
        FileError::MissingRecipientColumns(vec!["phone number".into()]),
    ];
    assert_eq!(validate_csv(sms(&[]), b"").file_errors, empty);
    assert_eq!(validate_csv(sms(&[]), b" \n\n").file_errors, empty);
    let junk: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    assert_eq!(
        validate_csv(sms(&[]), &junk).file_errors,
        vec![FileError::Binary { offset: 0 }]
    );
    let mut late_nul = b"phone number\n07700900460\n".to_vec();
    late_nul.extend_from_slice(b"\x00\x01\x02");
    assert_eq!(
        validate_csv(sms(&[]), &late_nul).file_errors,
        vec![FileError::Binary { offset: 25 }]
    );
    let report = validate_csv(sms(&["name"]), b"mobile,name\n07700900460,a\n");
    assert_eq!(
        report.file_errors,
        vec![FileError::MissingRecipientColumns(vec![
            "phone number".into()
        ])]
    );
    assert_eq!(
        report.summary().unwrap(),
        "Your file needs a column called ‘phone number’"
    );
    let report = validate_csv(sms(&["name", "date"]), b"phone number\n07700900460\n");
    assert_eq!(
        report.file_errors,
        vec![FileError::MissingColumns(vec![
            "name".into(),
            "date".into()
        ])]
    );
    let report = validate_csv(
        sms(&[]),
        b"phone number,Phone_Number\n07700900460,07700900461\n",
    );
    // Each spelling, as the app lists them.
    assert_eq!(
        report.file_errors,
        vec![FileError::DuplicateRecipientColumns(vec![
            "phone number".into(),
            "Phone_Number".into()
        ])]
    );
    let email = validate_csv(
        CsvSpec::new(TemplateType::Email, vec![]),
        b"Email-Address\nnot an email\nada@example.gov.uk\n",
    );
    assert_eq!(email.rows_with_bad_recipients, vec![0]);
    assert_eq!(email.cell_errors[0].message, "Not a valid email address");
}

#[test]
fn rows_past_100000_are_counted_not_checked() {
    let email = || CsvSpec::new(TemplateType::Email, vec![]);
    let mut file = String::from("email address\n");
    for _ in 0..MAX_ROWS {
        file.push_str("ada@example.gov.uk\n");
    }
    assert!(validate_csv(email(), file.as_bytes()).is_valid());
    file.push_str("not an address\n");
    let report = validate_csv(email(), file.as_bytes());
    // The app's count includes the rows it will not check.
    assert_eq!(report.rows, MAX_ROWS + 1);
    assert!(report.rows_with_bad_recipients.is_empty());
    assert_eq!(
        report.file_errors,
        vec![FileError::TooManyRows { limit: MAX_ROWS }]
    );
    assert!(report.summary().unwrap().contains("up to 100000 rows"));
}

#[test]
fn permissions_and_summaries() {
    let file = b"phone number\n020 7946 0991\n+1 202 555 0104\n";
    assert_eq!(
        validate_csv(sms(&[]), file).rows_with_bad_recipients,
        vec![0, 1]
    );
    let mut spec = sms(&[]);
    spec.allow_uk_landline = true;
    spec.allow_international_sms = true;
    assert!(validate_csv(spec, file).is_valid());
    let report = validate_csv(sms(&["name"]), b"phone number,name\n123,\n07700900460,\n");
    assert_eq!(
        report.summary().unwrap(),
        "There is a problem with your data: 1 row with an invalid recipient and 2 rows with missing data"
    );
}

#[test]
fn a_file_over_10_mib_stops_at_the_limit() {
    let mut v = CsvValidator::new(CsvSpec::new(TemplateType::Email, vec![]));
    v.feed(b"email address,notes\n");
    let row = format!("ada@example.gov.uk,{}\n", "x".repeat(200));
    let row = row.as_bytes();
    let mut fed = 20u64;
    while fed <= MAX_CSV_BYTES {
        v.feed(row);
        fed += row.len() as u64;
    }
    let report = v.finish();
    assert_eq!(
        report.file_errors,
        vec![FileError::TooLarge {
            size: fed,
            limit: MAX_CSV_BYTES
        }]
    );
    assert!(
        report
            .summary()
            .unwrap()
            .starts_with("The file must be smaller than 10MB")
    );
}

#[test]
fn a_text_message_over_918_characters_fails_its_row() {
    let mut spec = sms(&["note", "urgent"]);
    spec.body = Some("Dear customer, ((note))((urgent?? Reply today.))".into());
    let long = "x".repeat(900);
    let file = format!(
        "phone number,note,urgent\n07700900460,short,yes\n07700900461,{long},yes\n07700900462,{long},no\n"
    );
    let report = validate_csv(spec, file.as_bytes());
    // 15 + 900 + 13 = 928 characters with the conditional text, 915 without it.
    assert_eq!(report.rows_with_bad_messages, vec![1]);
    assert_eq!(report.cell_errors.len(), 1);
    assert_eq!(report.cell_errors[0].code, "message_too_long");
    assert_eq!(
        report.cell_errors[0].message,
        "Message is too long: it has 928 characters and the limit is 918"
    );
    assert_eq!(
        report.summary().unwrap(),
        "There is a problem with your data: 1 row has a message that is too long or empty"
    );
}

#[test]
fn a_binary_file_gets_one_verdict_however_it_is_chunked() {
    // Found by the `csv` fuzz target: the rows before a NUL were reported when the file came in
    // small chunks and not when it came whole.
    let file = b"email \x17address,name\na@b.cootAnn\nnot an e\x00emm";
    let whole = validate_csv(CsvSpec::new(TemplateType::Email, vec![]), file);
    for size in [1, 2, 7, 40] {
        let mut check = CsvValidator::new(CsvSpec::new(TemplateType::Email, vec![]));
        for chunk in file.chunks(size) {
            check.feed(chunk);
        }
        assert_eq!(check.finish(), whole, "chunks of {size}");
    }
    assert_eq!(whole.file_errors, vec![FileError::Binary { offset: 40 }]);
    assert_eq!(whole.rows, 0);
}

#[test]
fn blank_rows_are_counted_as_the_app_counts_them_except_at_the_end() {
    let report = validate_csv(
        CsvSpec::new(TemplateType::Email, vec![]),
        b"email address\nada@example.gov.uk\n\nbob@example.gov.uk\n,\n\n",
    );
    // The blank line is row 1 (its recipient is missing); the ones at the end are stripped.
    assert_eq!(report.rows, 3);
    assert_eq!(report.rows_with_missing_data, vec![1]);
    assert!(report.rows_with_bad_recipients.is_empty());
}

#[test]
fn only_what_the_app_trims_is_not_a_row() {
    // The app trims white space from the start of the file and white space and commas from its
    // end. A first line of commas is its header; a quoted empty field is a row, even at the end.
    let report = validate_csv(
        CsvSpec::new(TemplateType::Email, vec![]),
        b"\n  \n,,\nemail address\nada@example.gov.uk\n\"\"\n,\n",
    );
    assert_eq!(report.column_headers, vec![String::new()]);
    assert_eq!(report.rows, 3);
    let quoted_only = validate_csv(CsvSpec::new(TemplateType::Email, vec![]), b"\"\"\r\n");
    assert_eq!(quoted_only.column_headers, vec![String::new()]);
    assert_eq!(quoted_only.rows, 0);
}
