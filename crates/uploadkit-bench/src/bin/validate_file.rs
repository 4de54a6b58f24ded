//! Validates one spreadsheet natively, as the browser does, and prints the median time of five
//! runs as JSON: `validate_file PATH email|sms`.

use std::time::Instant;

use uploadkit_validators::csv::{CsvSpec, CsvValidator, TemplateType};

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(kind)) = (args.next(), args.next()) else {
        eprintln!("usage: validate_file PATH email|sms");
        std::process::exit(2);
    };
    let template = match kind.as_str() {
        "email" => TemplateType::Email,
        "sms" => TemplateType::Sms,
        other => {
            eprintln!("unknown template type {other:?}: use email or sms");
            std::process::exit(2);
        }
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            std::process::exit(1);
        }
    };
    let mut times = Vec::new();
    let mut summary = (0, 0);
    for _ in 0..5 {
        let started = Instant::now();
        // Fed in the browser's slice size, so the work is the same.
        let mut check = CsvValidator::new(CsvSpec::new(template, vec![]));
        for chunk in bytes.chunks(256 * 1024) {
            check.feed(chunk);
        }
        let report = check.finish();
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        summary = (report.rows, report.rows_with_bad_recipients.len());
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{{\"ms\": {:.2}, \"rows\": {}, \"bad\": {}}}",
        times[times.len() / 2],
        summary.0,
        summary.1
    );
}
