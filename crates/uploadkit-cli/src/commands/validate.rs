//! `uploadkit validate`: files checked as the upload page and the app check them.

use clap::Args;
use serde_json::Value;
use uploadkit_core::catalogue::UploadKind;

use crate::error::CliError;

/// `uploadkit validate`.
#[derive(Args)]
pub(crate) struct ValidateArgs {
    /// email-logo, letter-logo, csv or contact-list.
    #[arg(long)]
    pub(crate) kind: UploadKind,
    #[command(flatten)]
    pub(crate) sheet: SheetArgs,
    /// The files.
    #[arg(required = true)]
    pub(crate) files: Vec<std::path::PathBuf>,
}

/// What a spreadsheet is checked against.
#[derive(Debug, clap::Args)]
pub(crate) struct SheetArgs {
    /// Spreadsheets: email, sms or letter.
    #[arg(long, default_value = "sms")]
    pub(crate) template_type: String,
    /// Spreadsheets: the template's body; its placeholders need columns and each row's message
    /// is checked (length, empty, QR code).
    #[arg(long)]
    pub(crate) template: Option<String>,
    /// Spreadsheets: a file holding the template's body.
    #[arg(long, conflicts_with = "template")]
    pub(crate) template_file: Option<std::path::PathBuf>,
    /// Spreadsheets: the template's subject (emails and letters; its placeholders count too).
    #[arg(long, default_value = "")]
    pub(crate) subject: String,
    /// Spreadsheets without a template: a placeholder that needs a column (repeatable).
    #[arg(long = "placeholder")]
    pub(crate) placeholders: Vec<String>,
    /// The service may text international numbers.
    #[arg(long)]
    pub(crate) allow_international_sms: bool,
    /// The service may text UK landlines.
    #[arg(long)]
    pub(crate) allow_uk_landline: bool,
    /// The service may send letters abroad.
    #[arg(long)]
    pub(crate) allow_international_letters: bool,
    /// Print the full report (every row's errors, recipients and personalisation) as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

/// Runs `validate`.
pub(crate) fn run(args: ValidateArgs) -> Result<String, CliError> {
    validate(args.kind, &args.sheet, &args.files)
}

fn validate(
    kind: UploadKind,
    sheet: &SheetArgs,
    files: &[std::path::PathBuf],
) -> Result<String, CliError> {
    use uploadkit_validators::logo::{LogoKind, check_logo};
    let logo = match kind {
        UploadKind::EmailLogo => LogoKind::Email,
        UploadKind::LetterLogo => LogoKind::Letter,
        UploadKind::Csv | UploadKind::ContactList => return validate_sheets(sheet, files),
        other => return Err(CliError::NotALogo(other)),
    };
    let mut lines = Vec::new();
    let mut refused = false;
    for file in files {
        let bytes = std::fs::read(file).map_err(|e| CliError::Unreadable(file.clone(), e))?;
        match check_logo(logo, &bytes) {
            Ok(()) => lines.push(format!("ok {}", file.display())),
            Err(e) => {
                refused = true;
                lines.push(format!("refused {}: {e}", file.display()));
            }
        }
    }
    let out = lines.join("\n");
    if refused {
        Err(CliError::Refused(out))
    } else {
        Ok(out)
    }
}

/// A `--template-type` value: email, sms or letter.
pub(crate) fn parse_template_type(
    name: &str,
) -> Result<uploadkit_validators::csv::TemplateType, CliError> {
    use uploadkit_validators::csv::TemplateType;
    match name {
        "email" => Ok(TemplateType::Email),
        "sms" => Ok(TemplateType::Sms),
        "letter" => Ok(TemplateType::Letter),
        other => Err(CliError::BadTemplateType(other.to_owned())),
    }
}

/// `uploadkit validate --kind csv`: each file as the admin app reads an upload (its newlines
/// normalised), checked by the same streaming check as the browser.
fn validate_sheets(sheet: &SheetArgs, files: &[std::path::PathBuf]) -> Result<String, CliError> {
    use uploadkit_validators::csv::{
        CsvReport, CsvSpec, FileError, MAX_CSV_BYTES, app_verdict, normalise_newlines, validate_csv,
    };
    let template_type = parse_template_type(&sheet.template_type)?;
    let body = match (&sheet.template, &sheet.template_file) {
        (Some(text), _) => Some(text.clone()),
        (None, Some(path)) => {
            Some(std::fs::read_to_string(path).map_err(|e| CliError::Unreadable(path.clone(), e))?)
        }
        (None, None) => None,
    };
    let mut spec = match &body {
        Some(body) => CsvSpec::for_template(template_type, body, &sheet.subject),
        None => CsvSpec::new(template_type, sheet.placeholders.clone()),
    };
    spec.allow_international_sms = sheet.allow_international_sms;
    spec.allow_uk_landline = sheet.allow_uk_landline;
    spec.allow_international_letters = sheet.allow_international_letters;
    spec.keep_rows = sheet.json;
    let (mut unusable, mut invalid) = (false, false);
    let mut outputs = Vec::new();
    for file in files {
        let bytes = std::fs::read(file).map_err(|e| CliError::Unreadable(file.clone(), e))?;
        // As the admin app reads an upload: a workbook (or TSV) becomes its CSV text; a CSV is
        // only re-lined. A workbook it cannot read is unusable, with the reason.
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        let mut spec = spec.clone();
        let bytes = match uploadkit_sheets::Format::from_file_name(&name) {
            // The app's 10 MB limit is the upload's; the text it makes of a workbook may be
            // longer (the reader bounds it).
            Ok(format) if !format.is_csv() && bytes.len() as u64 <= MAX_CSV_BYTES => {
                match uploadkit_sheets::convert(&bytes, format) {
                    Ok(text) => {
                        spec.max_bytes = u64::MAX;
                        text.into_bytes()
                    }
                    Err(e) => {
                        unusable = true;
                        outputs.push(if sheet.json {
                            serde_json::json!({
                                "file": file.display().to_string(),
                                "summary": e.to_string(),
                                "code": e.code(),
                                "app_message": e.app_message(),
                            })
                            .to_string()
                        } else {
                            format!("unusable {}: {e}", file.display())
                        });
                        continue;
                    }
                }
            }
            _ => match std::str::from_utf8(&bytes) {
                Ok(text) => normalise_newlines(text).into_bytes(),
                Err(_) => bytes,
            },
        };
        let report = validate_csv(spec, &bytes);
        unusable |= report.file_errors.iter().any(|e| {
            matches!(
                e,
                FileError::Empty
                    | FileError::TooLarge { .. }
                    | FileError::NotUtf8 { .. }
                    | FileError::Binary { .. }
            )
        });
        invalid |= !report.is_valid();
        if sheet.json {
            let mut verdict = app_verdict(&report, template_type);
            verdict["file"] = Value::from(file.display().to_string());
            verdict["summary"] = report.summary().map_or(Value::Null, Value::from);
            // One file: pretty; several: one JSON object per line.
            outputs.push(
                if files.len() == 1 {
                    serde_json::to_string_pretty(&verdict)
                } else {
                    serde_json::to_string(&verdict)
                }
                .expect("JSON values serialise"),
            );
            continue;
        }
        let mut lines = vec![match report.summary() {
            None => format!(
                "valid {}: {} {}",
                file.display(),
                report.rows,
                if report.rows == 1 { "row" } else { "rows" }
            ),
            Some(summary) => format!("invalid {}: {summary}", file.display()),
        }];
        // Rows as the spreadsheet numbers them: the header is row 1.
        for e in &report.cell_errors {
            lines.push(format!("  row {}, {}: {}", e.row + 2, e.column, e.message));
        }
        let shown = report.cell_errors.len();
        let total: usize = report.rows_with_errors.len();
        if shown == CsvReport::MAX_CELL_ERRORS {
            lines.push(format!(
                "  (the first {shown} problems; {total} rows have errors: --json lists them all)"
            ));
        }
        outputs.push(lines.join("\n"));
    }
    let out = outputs.join("\n");
    if unusable {
        Err(CliError::Unusable(out))
    } else if invalid {
        Err(CliError::Refused(out))
    } else {
        Ok(out)
    }
}
