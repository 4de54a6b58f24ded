//! `uploadkit`: presigned URLs and browser POST forms for the application's S3 buckets.

mod credentials;

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use uploadkit_core::catalogue::{
    Catalogue, CatalogueError, FileName, InvalidPart, ServiceId, UploadError, UploadId, UploadKind,
    UploadPlan, UploadRequest,
};
use uploadkit_core::clock::{SigningTime, parse_rfc3339};
use uploadkit_core::credentials::{Credentials, InvalidCredentials};
use uploadkit_core::local::{LOCAL_ACCESS_KEY_ID, LOCAL_ENDPOINT, LOCAL_SECRET_ACCESS_KEY};
use uploadkit_core::s3::{
    AddressingStyle, BucketName, Condition, CustomEndpoint, Encryption, InvalidBucketName,
    InvalidEndpoint, InvalidObjectKey, KeyRule, Method, ObjectKey, PolicyError, PostPolicy,
    PresignExtras, PresignedPost, S3Target, attachment, presign_url_with,
};
use uploadkit_core::sigv4::{MAX_PRESIGN_SECONDS, Signer, SigningError};

use crate::credentials::CredentialsError;

#[derive(Parser)]
#[command(
    name = "uploadkit",
    version,
    about = "Presigned S3 URLs and browser upload forms for the application's buckets"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once per run, so the variants' size difference costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Sign a URL or an upload form.
    #[command(subcommand)]
    Presign(Presign),
    /// List the bucket catalogue as configured by the environment.
    Buckets,
    /// Run the local stack: an embedded S3 store with the nine buckets, the presign API, the
    /// upload page and the logo route, on 127.0.0.1 with no AWS account.
    Local(LocalArgs),
    /// Serve the presign API for a deployment: buckets, region and endpoint from the
    /// environment, credentials from the standard chain (refreshed before they expire), the
    /// grant key from UPLOADKIT_GRANT_KEY, browser origins from UPLOADKIT_ALLOWED_ORIGINS.
    Serve(ServeArgs),
    /// Create the catalogue's buckets (idempotently) with default encryption AES256, the
    /// lifecycle rule that expires `delete-after-7-days=True` objects after 7 days, and CORS for
    /// browser uploads; reports each step, including what the server does not support.
    Provision {
        #[command(flatten)]
        signing: SigningArgs,
        /// A browser origin allowed to upload directly (repeatable; without one, CORS is left
        /// as it is).
        #[arg(long = "origin")]
        origins: Vec<String>,
        /// Read each bucket and print what would change, writing nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Who the credentials belong to (STS GetCallerIdentity through the credential chain): the
    /// account, the ARN, which provider gave them, and when they expire.
    Whoami {
        /// The profile to use (skips the environment's keys, as botocore does).
        #[arg(long)]
        profile: Option<String>,
        /// The region whose STS endpoint answers (default: the chain's region, eu-west-1).
        #[arg(long)]
        region: Option<String>,
    },
    /// Check every catalogue bucket: exists, region, default encryption, the temporary-upload
    /// lifecycle rule (and a tag filter that would never match), CORS for the origins, and a
    /// presigned round trip; each problem with the command that fixes it. Exits 1 on any.
    Doctor {
        #[command(flatten)]
        signing: SigningArgs,
        /// A browser origin that must be allowed to upload (repeatable).
        #[arg(long = "origin")]
        origins: Vec<String>,
    },
    /// Mint an upload grant for local use (applications mint their own with any JWT library),
    /// signed with UPLOADKIT_GRANT_KEY or, when unset, the local stack's development key.
    Grant {
        /// The service the grant is for (a UUID).
        #[arg(long)]
        service_id: String,
        /// An upload kind it allows (repeatable).
        #[arg(long = "kind")]
        kinds: Vec<UploadKind>,
        /// Allow downloading the MOU documents.
        #[arg(long)]
        downloads: bool,
        /// A report it may download (a UUID; repeatable).
        #[arg(long = "report")]
        reports: Vec<String>,
        /// The key id to put in the header, for a service with several keys.
        #[arg(long)]
        kid: Option<String>,
        /// Validity in seconds.
        #[arg(long, default_value_t = 3600)]
        ttl: u32,
    },
    /// Re-check an uploaded spreadsheet on the server and mark it: valid=True with the counts, or
    /// valid=False with the reason (CopyObject onto itself with its metadata replaced).
    Revalidate {
        #[command(flatten)]
        signing: SigningArgs,
        /// csv or contact-list.
        #[arg(long, default_value = "csv")]
        kind: UploadKind,
        /// The object key.
        #[arg(long)]
        key: String,
        /// email, sms or letter.
        #[arg(long, default_value = "sms")]
        template_type: String,
        /// A template placeholder that needs a column (repeatable).
        #[arg(long = "placeholder")]
        placeholders: Vec<String>,
        /// Recorded as template_id when valid.
        #[arg(long)]
        template_id: Option<String>,
    },
    /// Check files as the upload page and the server do, by their bytes. Spreadsheets may be
    /// .csv, .tsv, .xlsx, .xlsm, .xls or .ods, read as the app reads them. Logos: prints `ok FILE`
    /// or `refused FILE: WHY`. Spreadsheets (csv, contact-list): the app's verdict (its summary
    /// and each bad row), or with --json the full report. Exits 0 when all pass, 1 when any is
    /// refused, 2 when a file cannot be read or used (binary, not UTF-8, too large, empty).
    Validate {
        /// email-logo, letter-logo, csv or contact-list.
        #[arg(long)]
        kind: UploadKind,
        #[command(flatten)]
        sheet: SheetArgs,
        /// The files.
        #[arg(required = true)]
        files: Vec<std::path::PathBuf>,
    },
    /// Copy a temporary logo to its permanent name, dropping its deletion tag; never overwrites.
    PromoteLogo {
        #[command(flatten)]
        signing: SigningArgs,
        /// The temporary key, e.g. temp-….png or letters/static/images/letter-template/temp-….svg.
        #[arg(long)]
        key: String,
        /// Added before the extension: NAME-SLUG.png.
        #[arg(long)]
        slug: Option<String>,
    },
}

#[derive(Args)]
struct ServeArgs {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
    /// The profile to use (skips the environment's keys, as botocore does).
    #[arg(long)]
    profile: Option<String>,
    /// A page folder to serve beside the API.
    #[arg(long)]
    www: Option<std::path::PathBuf>,
    /// Also serve the logo route (`/{key}` from the logo bucket, as the logo CDN does) on this
    /// address.
    #[arg(long, env = "UPLOADKIT_CDN_LISTEN")]
    cdn_listen: Option<String>,
    /// Request logs as `text` or `json` lines on standard output.
    #[arg(long, env = "UPLOADKIT_LOG_FORMAT", default_value = "text")]
    log_format: uploadkit_server::observe::LogFormat,
    /// What to log: `info` (a line per request), `warn`, `off`, or any tracing filter.
    #[arg(long, env = "UPLOADKIT_LOG", default_value = "info")]
    log: String,
    /// Do not count or time requests (`/metrics` then reports credentials only).
    #[arg(long, env = "UPLOADKIT_NO_METRICS")]
    no_metrics: bool,
}

#[derive(Args)]
struct LocalArgs {
    /// Where the store keeps objects (kept across restarts).
    #[arg(long, default_value = ".uploadkit/local")]
    data_dir: std::path::PathBuf,
    /// The upload page's folder.
    #[arg(long, default_value = "www")]
    www: std::path::PathBuf,
    /// The S3 store's port.
    #[arg(long, default_value_t = 9000)]
    store_port: u16,
    /// The upload page and presign API's port.
    #[arg(long, default_value_t = 8080)]
    app_port: u16,
    /// The logo route's port.
    #[arg(long, default_value_t = 9001)]
    cdn_port: u16,
}

#[derive(Subcommand)]
enum Presign {
    /// A presigned URL for GET, PUT, HEAD or DELETE on one object.
    Url {
        #[command(flatten)]
        target: TargetArgs,
        /// The object key.
        #[arg(long)]
        key: String,
        /// The HTTP method.
        #[arg(long, default_value = "GET")]
        method: Method,
        #[command(flatten)]
        extras: ExtraArgs,
    },
    /// A browser POST form: prints {"url", "fields", "expires_at"}.
    Post {
        #[command(flatten)]
        target: TargetArgs,
        /// The exact object key, or with --key-prefix a prefix any key must start with.
        #[arg(long)]
        key: String,
        /// Treat --key as a prefix (the form's key becomes PREFIX${filename}).
        #[arg(long)]
        key_prefix: bool,
        /// A form field NAME=VALUE; each also becomes an exact-match condition.
        #[arg(long = "field", value_name = "NAME=VALUE")]
        fields: Vec<String>,
        /// An extra policy condition as JSON, e.g. '["content-length-range", 1, 1048576]'.
        #[arg(long = "condition", value_name = "JSON")]
        conditions: Vec<String>,
    },
    /// A POST form for an upload kind of the catalogue, with its key layout and rules.
    Upload {
        #[command(flatten)]
        signing: SigningArgs,
        /// csv, contact-list, email-logo, letter-logo, letter, letter-attachment, template-email-file.
        #[arg(long)]
        kind: UploadKind,
        /// The service's id (a UUID); logos need none.
        #[arg(long)]
        service_id: Option<String>,
        /// The name of the file being uploaded.
        #[arg(long)]
        file_name: String,
        /// Its size in bytes.
        #[arg(long)]
        size: u64,
        /// The content type the browser reports.
        #[arg(long)]
        content_type: Option<String>,
        /// The new object's id (a UUID); a random one when omitted.
        #[arg(long)]
        upload_id: Option<String>,
    },
}

/// What a presigned URL may carry besides the object (signed exactly as botocore signs them).
#[derive(Args)]
struct ExtraArgs {
    /// GET: save the download as this file name (sets response-content-disposition).
    #[arg(long, conflicts_with = "response_content_disposition")]
    download_name: Option<String>,
    /// GET: the Content-Disposition S3 answers with.
    #[arg(long)]
    response_content_disposition: Option<String>,
    /// GET: the Content-Type S3 answers with.
    #[arg(long)]
    response_content_type: Option<String>,
    /// GET: the Cache-Control S3 answers with.
    #[arg(long)]
    response_cache_control: Option<String>,
    /// GET, HEAD, DELETE: this version of the object.
    #[arg(long)]
    version_id: Option<String>,
    /// PUT: the body's SHA-256 (base64); S3 refuses other bytes. Sent as a signed header.
    #[arg(long)]
    checksum_sha256: Option<String>,
    /// PUT: encrypt with SSE-KMS under this key (id, ARN or alias). Sent as signed headers.
    #[arg(long, conflicts_with = "sse_s3")]
    sse_kms_key_id: Option<String>,
    /// PUT: require SSE-S3 (AES256). Sent as a signed header.
    #[arg(long)]
    sse_s3: bool,
}

#[derive(Args)]
struct TargetArgs {
    /// A bucket of the catalogue, by id (csv-upload, logo, mou, …) or configured name.
    #[arg(long)]
    bucket: String,
    /// Allow a bucket outside the catalogue.
    #[arg(long)]
    any_bucket: bool,
    #[command(flatten)]
    signing: SigningArgs,
}

#[derive(Args)]
struct SigningArgs {
    /// Validity in seconds (1 to 604800; never past the credentials' expiry).
    #[arg(long, default_value_t = 3600)]
    expires: u64,
    /// The region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's region, eu-west-1).
    #[arg(long)]
    region: Option<String>,
    /// Virtual-hosted, path-style or automatic addressing (default: the profile's `s3`
    /// `addressing_style`, else auto).
    #[arg(long)]
    addressing: Option<AddressingStyle>,
    /// A custom S3 endpoint (default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's
    /// `services` section, the profile's endpoint_url).
    #[arg(long)]
    endpoint: Option<String>,
    /// Sign at this RFC 3339 instant instead of now, for reproducible output.
    #[arg(long)]
    at: Option<String>,
    /// The profile to use (skips the environment's keys, as botocore does).
    #[arg(long)]
    profile: Option<String>,
    /// Use the embedded local store's endpoint and development keys (no AWS account).
    #[arg(long)]
    local: bool,
}

/// What a spreadsheet is checked against.
#[derive(Debug, clap::Args)]
struct SheetArgs {
    /// Spreadsheets: email, sms or letter.
    #[arg(long, default_value = "sms")]
    template_type: String,
    /// Spreadsheets: the template's body; its placeholders need columns and each row's message
    /// is checked (length, empty, QR code).
    #[arg(long)]
    template: Option<String>,
    /// Spreadsheets: a file holding the template's body.
    #[arg(long, conflicts_with = "template")]
    template_file: Option<std::path::PathBuf>,
    /// Spreadsheets: the template's subject (emails and letters; its placeholders count too).
    #[arg(long, default_value = "")]
    subject: String,
    /// Spreadsheets without a template: a placeholder that needs a column (repeatable).
    #[arg(long = "placeholder")]
    placeholders: Vec<String>,
    /// The service may text international numbers.
    #[arg(long)]
    allow_international_sms: bool,
    /// The service may text UK landlines.
    #[arg(long)]
    allow_uk_landline: bool,
    /// The service may send letters abroad.
    #[arg(long)]
    allow_international_letters: bool,
    /// Print the full report (every row's errors, recipients and personalisation) as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error(transparent)]
    Credentials(#[from] CredentialsError),
    #[error(transparent)]
    Catalogue(#[from] CatalogueError),
    #[error(transparent)]
    Bucket(#[from] InvalidBucketName),
    #[error(transparent)]
    Key(#[from] InvalidObjectKey),
    #[error(transparent)]
    Endpoint(#[from] InvalidEndpoint),
    #[error(transparent)]
    Signing(#[from] SigningError),
    #[error(transparent)]
    Presign(#[from] uploadkit_core::s3::PresignError),
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error(transparent)]
    Upload(#[from] UploadError),
    #[error(transparent)]
    Part(#[from] InvalidPart),
    #[error(transparent)]
    InvalidCredentials(#[from] InvalidCredentials),
    #[error(transparent)]
    Server(#[from] uploadkit_server::ServerError),
    #[error(transparent)]
    S3(#[from] uploadkit_server::s3ops::S3Error),
    #[error(transparent)]
    Fetch(#[from] uploadkit_server::credentials::FetchError),
    #[error("unknown template type {0:?}: use email, sms or letter")]
    BadTemplateType(String),
    #[error("{0} uploads are not spreadsheets; revalidate takes csv or contact-list")]
    NotASpreadsheet(UploadKind),
    #[error("UPLOADKIT_GRANT_KEY must be at least 32 bytes")]
    WeakGrantKey,
    #[error("{0}")]
    Refused(String),
    #[error(
        "{0} is a permanent logo, which is never deleted (old emails and letters still point at it)"
    )]
    NeverDeleted(String),
    #[error(
        "a grant needs at least one --kind, --downloads or --report: this one would allow nothing"
    )]
    EmptyGrant,
    #[error("{0}: {1}")]
    Unreadable(std::path::PathBuf, std::io::Error),
    #[error("validate checks logos and spreadsheets, not {0} uploads")]
    NotALogo(UploadKind),
    /// A file that cannot be used at all: the verdict on standard output, exit 2.
    #[error("{0}")]
    Unusable(String),
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    #[error("--at {0:?} is not an RFC 3339 time such as 2026-11-22T09:30:00Z")]
    BadTime(String),
    #[error("--field {0:?} must be NAME=VALUE")]
    BadField(String),
    #[error("--condition {given:?} is not JSON: {source}")]
    BadConditionJson {
        given: String,
        source: serde_json::Error,
    },
}

/// Everything needed to sign: signer, target, clock, validity.
struct Setup {
    signer: Signer,
    target: S3Target,
    catalogue: Catalogue,
    now: SigningTime,
    expires: u32,
}

impl SigningArgs {
    /// Credentials through the whole chain (fetching what needs the network: roles, SSO, a
    /// process, the container or instance metadata), the catalogue, the target and the clock.
    fn setup(&self) -> Result<Setup, CliError> {
        let now = match &self.at {
            Some(text) => parse_rfc3339(text).ok_or_else(|| CliError::BadTime(text.clone()))?,
            None => SigningTime::new(OffsetDateTime::now_utc()),
        };
        let expires = u32::try_from(self.expires)
            .ok()
            .filter(|e| (1..=MAX_PRESIGN_SECONDS).contains(e))
            .ok_or(SigningError::ExpiryOutOfRange(self.expires))?;
        let env_var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let mut addressing = self.addressing;
        let (credentials, chain_region, endpoint) = if self.local {
            (
                Credentials::new(LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY, None, None)?,
                None,
                Some(LOCAL_ENDPOINT.to_owned()),
            )
        } else {
            let loaded = credentials::load(self.profile.as_deref())?;
            let region = self.region.clone().or(loaded.resolution.region.clone());
            let creds = match &loaded.resolution.source {
                uploadkit_core::credentials::CredentialSource::Static(creds, _) => creds.clone(),
                _ => {
                    let config = loaded.fetch_config(region.as_deref(), &env_var);
                    tokio::runtime::Runtime::new()
                        .map_err(CliError::Runtime)?
                        .block_on(credentials::fetch(&loaded.resolution, &config))?
                        .0
                }
            };
            addressing = addressing.or(loaded.addressing());
            let endpoint = loaded.endpoint(&env_var, "s3");
            (creds, loaded.resolution.region.clone(), endpoint)
        };
        let catalogue = Catalogue::from_env(env_var, self.region.clone().or(chain_region))?;
        let endpoint = self.endpoint.clone().or(endpoint);
        let target = S3Target {
            region: catalogue.region().to_owned(),
            endpoint: endpoint.as_deref().map(CustomEndpoint::parse).transpose()?,
            addressing: addressing.unwrap_or_default(),
        };
        Ok(Setup {
            signer: Signer::new(credentials),
            target,
            catalogue,
            now,
            expires,
        })
    }
}

impl TargetArgs {
    fn bucket(&self, catalogue: &Catalogue) -> Result<BucketName, CliError> {
        match catalogue.find(&self.bucket) {
            Ok((_, name)) => Ok(name.clone()),
            Err(_) if self.any_bucket => Ok(BucketName::new(self.bucket.as_str())?),
            Err(e) => Err(e.into()),
        }
    }
}

fn post_json(post: &PresignedPost, extra: Map<String, Value>) -> Value {
    let fields: Map<String, Value> = post
        .fields
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    let mut out = Map::new();
    out.insert("url".into(), json!(post.url));
    out.insert("fields".into(), Value::Object(fields));
    out.insert("expires_at".into(), json!(post.expires_at.iso8601()));
    out.extend(extra);
    Value::Object(out)
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
fn parse_template_type(name: &str) -> Result<uploadkit_validators::csv::TemplateType, CliError> {
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

fn run(cli: Cli) -> Result<String, CliError> {
    match cli.command {
        Command::Validate { kind, sheet, files } => validate(kind, &sheet, &files),
        Command::Local(args) => {
            let options = uploadkit_server::local::LocalOptions {
                data_dir: args.data_dir,
                www_dir: args.www,
                store_port: args.store_port,
                app_port: args.app_port,
                cdn_port: args.cdn_port,
            };
            let runtime = tokio::runtime::Runtime::new().map_err(CliError::Runtime)?;
            runtime.block_on(uploadkit_server::local::run(options, |k| {
                std::env::var(k).ok().filter(|v| !v.is_empty())
            }))?;
            Ok(String::new())
        }
        Command::Serve(args) => {
            let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
            // A weak or missing grant key is refused before anything else is looked at.
            uploadkit_api::config::grant_keys(&env)
                .map_err(|e| uploadkit_server::ServerError::Config(e.to_string()))?;
            let resolution = credentials::load(args.profile.as_deref())?.resolution;
            let config = uploadkit_server::serve::config_from_env(env, resolution.region.clone())?;
            let _logs = uploadkit_server::observe::init_logging(args.log_format, &args.log)
                .map_err(uploadkit_server::ServerError::Config)?;
            let runtime = tokio::runtime::Runtime::new().map_err(CliError::Runtime)?;
            runtime.block_on(async {
                let bind = |addr: String| async move {
                    tokio::net::TcpListener::bind(&addr).await.map_err(|e| {
                        uploadkit_server::ServerError::Io(format!("cannot listen on {addr}: {e}"))
                    })
                };
                let listener = bind(args.listen).await?;
                let cdn = match args.cdn_listen {
                    Some(addr) => Some(bind(addr).await?),
                    None => None,
                };
                let options = uploadkit_server::serve::ServeOptions {
                    www: args.www,
                    cdn,
                    metrics: !args.no_metrics,
                };
                uploadkit_server::serve::serve(listener, config, resolution, env, options).await
            })?;
            Ok(String::new())
        }
        Command::Provision {
            signing,
            origins,
            dry_run,
        } => {
            let (setup, runtime) = (
                signing.setup()?,
                tokio::runtime::Runtime::new().map_err(CliError::Runtime)?,
            );
            let ops = uploadkit_server::s3ops::S3Ops::new(setup.target.clone(), setup.signer);
            let mut out = Vec::new();
            let mut refused = false;
            for (bucket, name) in setup.catalogue.buckets() {
                let wanted = uploadkit_server::provision::Wanted {
                    holds_temporary: bucket.holds_temporary_uploads(),
                    origins: origins.clone(),
                };
                let report = runtime.block_on(ops.provision(name, &wanted, dry_run));
                refused |= report.outcome() == uploadkit_server::provision::Outcome::Refused;
                out.push(report.render());
            }
            let out = out.join("\n");
            // Every bucket is reported; one that was refused makes the command fail.
            if refused {
                Err(CliError::Refused(out))
            } else {
                Ok(out)
            }
        }
        Command::PromoteLogo { signing, key, slug } => {
            let (setup, runtime) = (
                signing.setup()?,
                tokio::runtime::Runtime::new().map_err(CliError::Runtime)?,
            );
            let ops = uploadkit_server::s3ops::S3Ops::new(setup.target.clone(), setup.signer);
            let bucket = setup
                .catalogue
                .name(uploadkit_core::catalogue::Bucket::Logo)
                .clone();
            let permanent = runtime.block_on(ops.promote_logo(
                &bucket,
                &ObjectKey::new(key)?,
                slug.as_deref(),
            ))?;
            Ok(format!(
                "https://{}/{permanent}",
                setup.catalogue.logo_cdn_domain()
            ))
        }
        Command::Doctor { signing, origins } => {
            let (setup, runtime) = (
                signing.setup()?,
                tokio::runtime::Runtime::new().map_err(CliError::Runtime)?,
            );
            let ops = uploadkit_server::s3ops::S3Ops::new(setup.target.clone(), setup.signer);
            let mut provision = String::from("uploadkit provision");
            for origin in &origins {
                provision.push_str(&format!(" --origin {origin}"));
            }
            if let Some(profile) = &signing.profile {
                provision.push_str(&format!(" --profile {profile}"));
            }
            let mut out = Vec::new();
            let mut failed = false;
            for (bucket, name) in setup.catalogue.buckets() {
                let wanted = uploadkit_server::provision::Wanted {
                    holds_temporary: bucket.holds_temporary_uploads(),
                    origins: origins.clone(),
                };
                let probe = if UploadKind::ALL.iter().any(|k| k.bucket() == bucket) {
                    uploadkit_server::doctor::Probe::ReadWrite
                } else {
                    uploadkit_server::doctor::Probe::ReadOnly
                };
                let findings = runtime.block_on(ops.doctor(name, &wanted, probe, &provision));
                failed |= findings.iter().any(|f| !f.ok);
                out.push(format!("{} ({name})", bucket.id()));
                out.extend(findings.iter().map(ToString::to_string));
            }
            let out = out.join("\n");
            if failed {
                Err(CliError::Refused(out))
            } else {
                Ok(out)
            }
        }
        Command::Whoami { profile, region } => {
            let env_var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
            let loaded = credentials::load(profile.as_deref())?;
            let region = region.or(loaded.resolution.region.clone());
            let config = loaded.fetch_config(region.as_deref(), &env_var);
            let runtime = tokio::runtime::Runtime::new().map_err(CliError::Runtime)?;
            let (creds, provider) =
                runtime.block_on(credentials::fetch(&loaded.resolution, &config))?;
            let who = runtime.block_on(uploadkit_server::credentials::caller_identity(
                &config, &creds,
            ))?;
            let now = OffsetDateTime::now_utc().unix_timestamp();
            let expires = match creds.expires_at() {
                None => "never (long-term keys)".to_owned(),
                Some(at) => format!(
                    "{} (in {} min)",
                    at.iso8601(),
                    (at.unix() - now).div_euclid(60)
                ),
            };
            Ok(format!(
                "account:    {}\narn:        {}\nuser id:    {}\nprovider:   {provider} (profile {})\naccess key: {}\nexpires:    {expires}",
                who.account,
                who.arn,
                who.user_id,
                loaded.resolution.profile,
                creds.access_key_id(),
            ))
        }
        Command::Grant {
            service_id,
            kinds,
            downloads,
            reports,
            kid,
            ttl,
        } => {
            let secret = std::env::var("UPLOADKIT_GRANT_KEY")
                .ok()
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| uploadkit_core::local::LOCAL_GRANT_KEY.to_owned());
            let key =
                uploadkit_api::GrantKey::new(secret.into_bytes()).ok_or(CliError::WeakGrantKey)?;
            let now = SigningTime::new(OffsetDateTime::now_utc());
            let reports = reports
                .iter()
                .map(|r| uploadkit_core::catalogue::ReportId::parse(r))
                .collect::<Result<Vec<_>, _>>()?;
            if kinds.is_empty() && !downloads && reports.is_empty() {
                return Err(CliError::EmptyGrant);
            }
            let options = uploadkit_api::MintOptions {
                downloads,
                reports: &reports,
                kid: kid.as_deref(),
                ..uploadkit_api::MintOptions::new(ServiceId::parse(&service_id)?, &kinds)
            };
            Ok(key.mint(&options, now, ttl))
        }
        Command::Revalidate {
            signing,
            kind,
            key,
            template_type,
            placeholders,
            template_id,
        } => {
            use uploadkit_validators::csv::CsvSpec;
            let template = parse_template_type(&template_type)?;
            let (count_name, extra_key) = match kind {
                UploadKind::Csv => ("notification_count", "template_id"),
                UploadKind::ContactList => ("row_count", "template_type"),
                other => return Err(CliError::NotASpreadsheet(other)),
            };
            let extra: Vec<(String, String)> = match kind {
                UploadKind::ContactList => vec![(extra_key.to_owned(), template_type.clone())],
                _ => template_id
                    .map(|t| (extra_key.to_owned(), t))
                    .into_iter()
                    .collect(),
            };
            let (setup, runtime) = (
                signing.setup()?,
                tokio::runtime::Runtime::new().map_err(CliError::Runtime)?,
            );
            let ops = uploadkit_server::s3ops::S3Ops::new(setup.target.clone(), setup.signer);
            let bucket = setup.catalogue.name(kind.bucket()).clone();
            let spec = CsvSpec::new(template, placeholders);
            let result = runtime.block_on(ops.revalidate_csv(
                &bucket,
                &ObjectKey::new(key)?,
                spec,
                count_name,
                &extra,
            ))?;
            let metadata: Map<String, Value> = result
                .metadata
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect();
            let out = json!({"valid": result.valid, "rows": result.rows, "reason": result.reason, "metadata": metadata});
            Ok(serde_json::to_string_pretty(&out).expect("JSON values serialise"))
        }
        Command::Buckets => {
            let catalogue = Catalogue::from_env(|k| std::env::var(k).ok(), None)?;
            let rows: Vec<Value> = catalogue
                .buckets()
                .map(|(b, name)| json!({"id": b.id(), "env_var": b.env_var(), "name": name.as_str()}))
                .collect();
            Ok(serde_json::to_string_pretty(&rows).expect("JSON values serialise"))
        }
        Command::Presign(Presign::Url {
            target,
            key,
            method,
            extras,
        }) => {
            let setup = target.signing.setup()?;
            let bucket = target.bucket(&setup.catalogue)?;
            let key = ObjectKey::new(key)?;
            if method == Method::Delete && setup.catalogue.never_deleted(&bucket, &key) {
                return Err(CliError::NeverDeleted(key.to_string()));
            }
            let disposition = extras
                .download_name
                .as_deref()
                .map(attachment)
                .or(extras.response_content_disposition);
            let encryption = match (&extras.sse_kms_key_id, extras.sse_s3) {
                (Some(key), _) => Some(Encryption::Kms(key)),
                (None, true) => Some(Encryption::Aes256),
                (None, false) => None,
            };
            let extras = PresignExtras {
                response_content_disposition: disposition.as_deref(),
                response_content_type: extras.response_content_type.as_deref(),
                response_cache_control: extras.response_cache_control.as_deref(),
                version_id: extras.version_id.as_deref(),
                checksum_sha256: extras.checksum_sha256.as_deref(),
                encryption,
            };
            let url = presign_url_with(
                &setup.signer,
                &setup.target,
                &bucket,
                &key,
                method,
                &extras,
                setup.expires,
                setup.now,
            )?;
            if url.expires_in < setup.expires {
                eprintln!(
                    "note: valid for {} s only, until the credentials expire at {}",
                    url.expires_in,
                    url.expires_at.iso8601()
                );
            }
            // Signed headers the request must carry follow the URL, one `name: value` a line.
            let mut out = url.url;
            for (name, value) in &url.headers {
                out.push_str(&format!("\n{name}: {value}"));
            }
            Ok(out)
        }
        Command::Presign(Presign::Post {
            target,
            key,
            key_prefix,
            fields,
            conditions,
        }) => {
            let setup = target.signing.setup()?;
            let bucket = target.bucket(&setup.catalogue)?;
            let rule = if key_prefix {
                KeyRule::Prefix(key)
            } else {
                KeyRule::Exact(ObjectKey::new(key)?)
            };
            let mut policy = PostPolicy::new(bucket, rule).expires_in(setup.expires);
            for field in fields {
                let (name, value) = field
                    .split_once('=')
                    .ok_or_else(|| CliError::BadField(field.clone()))?;
                policy = policy.field(name, value)?;
            }
            for given in conditions {
                let json: Value =
                    serde_json::from_str(&given).map_err(|source| CliError::BadConditionJson {
                        given: given.clone(),
                        source,
                    })?;
                policy = policy.condition(Condition::from_json(&json)?);
            }
            let post = policy.sign(&setup.signer, &setup.target, setup.now)?;
            Ok(serde_json::to_string_pretty(&post_json(&post, Map::new()))
                .expect("JSON values serialise"))
        }
        Command::Presign(Presign::Upload {
            signing,
            kind,
            service_id,
            file_name,
            size,
            content_type,
            upload_id,
        }) => {
            let setup = signing.setup()?;
            let upload_id = match upload_id {
                Some(id) => UploadId::parse(&id)?,
                None => UploadId::from_uuid(uuid::Uuid::new_v4()),
            };
            let request = UploadRequest {
                kind,
                service_id: service_id.as_deref().map(ServiceId::parse).transpose()?,
                upload_id,
                file_name: FileName::parse(&file_name)?,
                size,
                content_type,
            };
            let plan = UploadPlan::new(&setup.catalogue, &request)?;
            let post = plan.sign(&setup.signer, &setup.target, setup.now, setup.expires)?;
            let mut extra = Map::new();
            extra.insert("method".into(), json!("POST"));
            extra.insert("key".into(), json!(plan.key.as_str()));
            extra.insert("bucket".into(), json!(plan.bucket.as_str()));
            extra.insert("max_size".into(), json!(plan.max_size));
            Ok(serde_json::to_string_pretty(&post_json(&post, extra))
                .expect("JSON values serialise"))
        }
    }
}

/// Writes the command's output; a reader that has gone (`uploadkit buckets | head -1`) is not an
/// error worth a panic.
fn print(out: &str, code: ExitCode) -> ExitCode {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    match writeln!(stdout, "{out}").and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("error: cannot write the output: {e}");
            ExitCode::FAILURE
        }
        _ => code,
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(out) => print(&out, ExitCode::SUCCESS),
        // A verdict, not a failure of the command: on standard output, exit 1.
        Err(CliError::Refused(out)) => print(&out, ExitCode::FAILURE),
        Err(CliError::Unusable(out)) => print(&out, ExitCode::from(2)),
        Err(e @ CliError::Unreadable(..)) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
