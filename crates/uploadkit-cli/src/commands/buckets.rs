//! The buckets themselves: list the catalogue, provision, check (doctor), promote a logo,
//! revalidate a spreadsheet.

use clap::Args;
use serde_json::{Map, Value, json};
use uploadkit_core::catalogue::{Catalogue, UploadKind};
use uploadkit_core::s3::ObjectKey;

use crate::commands::validate::parse_template_type;
use crate::error::CliError;
use crate::setup::SigningArgs;

/// `uploadkit provision`.
#[derive(Args)]
pub(crate) struct ProvisionArgs {
    #[command(flatten)]
    pub(crate) signing: SigningArgs,
    /// A browser origin allowed to upload directly (repeatable; without one, CORS is left
    /// as it is).
    #[arg(long = "origin")]
    pub(crate) origins: Vec<String>,
    /// Read each bucket and print what would change, writing nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
}

/// `uploadkit doctor`.
#[derive(Args)]
pub(crate) struct DoctorArgs {
    #[command(flatten)]
    pub(crate) signing: SigningArgs,
    /// A browser origin that must be allowed to upload (repeatable).
    #[arg(long = "origin")]
    pub(crate) origins: Vec<String>,
}

/// `uploadkit promote-logo`.
#[derive(Args)]
pub(crate) struct PromoteLogoArgs {
    #[command(flatten)]
    pub(crate) signing: SigningArgs,
    /// The temporary key, e.g. temp-….png or letters/static/images/letter-template/temp-….svg.
    #[arg(long)]
    pub(crate) key: String,
    /// Added before the extension: NAME-SLUG.png.
    #[arg(long)]
    pub(crate) slug: Option<String>,
}

/// `uploadkit revalidate`.
#[derive(Args)]
pub(crate) struct RevalidateArgs {
    #[command(flatten)]
    pub(crate) signing: SigningArgs,
    /// csv or contact-list.
    #[arg(long, default_value = "csv")]
    pub(crate) kind: UploadKind,
    /// The object key.
    #[arg(long)]
    pub(crate) key: String,
    /// email, sms or letter.
    #[arg(long, default_value = "sms")]
    pub(crate) template_type: String,
    /// A template placeholder that needs a column (repeatable).
    #[arg(long = "placeholder")]
    pub(crate) placeholders: Vec<String>,
    /// Recorded as template_id when valid.
    #[arg(long)]
    pub(crate) template_id: Option<String>,
}

/// `uploadkit buckets`: the catalogue as configured.
pub(crate) fn list() -> Result<String, CliError> {
    let catalogue = Catalogue::from_env(|k| std::env::var(k).ok(), None)?;
    let rows: Vec<Value> = catalogue
        .buckets()
        .map(|(b, name)| json!({"id": b.id(), "env_var": b.env_var(), "name": name.as_str()}))
        .collect();
    Ok(serde_json::to_string_pretty(&rows).expect("JSON values serialise"))
}

/// Provisions every catalogue bucket; fails when any is refused.
pub(crate) fn provision(args: ProvisionArgs) -> Result<String, CliError> {
    let ProvisionArgs {
        signing,
        origins,
        dry_run,
    } = args;
    let (setup, runtime) = (
        signing.setup()?,
        tokio::runtime::Runtime::new().map_err(CliError::Runtime)?,
    );
    let ops = uploadkit_server::s3ops::S3Ops::new(setup.target.clone(), setup.signer);
    let mut out = Vec::new();
    let mut refused = false;
    for (bucket, name) in setup.catalogue.buckets() {
        let wanted =
            uploadkit_server::provision::Wanted::for_bucket(&setup.catalogue, bucket, &origins);
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

/// Checks every catalogue bucket; fails when any check does.
pub(crate) fn doctor(args: DoctorArgs) -> Result<String, CliError> {
    let DoctorArgs { signing, origins } = args;
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
        let wanted =
            uploadkit_server::provision::Wanted::for_bucket(&setup.catalogue, bucket, &origins);
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

/// Makes a temporary logo permanent.
pub(crate) fn promote_logo(args: PromoteLogoArgs) -> Result<String, CliError> {
    let PromoteLogoArgs { signing, key, slug } = args;
    let (setup, runtime) = (
        signing.setup()?,
        tokio::runtime::Runtime::new().map_err(CliError::Runtime)?,
    );
    let ops = uploadkit_server::s3ops::S3Ops::new(setup.target.clone(), setup.signer);
    let logo = uploadkit_core::catalogue::Bucket::Logo;
    let bucket = setup.catalogue.name(logo).clone();
    let promotion = uploadkit_api::promote::Promotion::new(
        bucket.clone(),
        &ObjectKey::new(key)?,
        slug.as_deref(),
    )
    .map_err(|e| ops.promote_error(&bucket, e))?
    .encrypted_with(setup.catalogue.kms_key(logo));
    let permanent = runtime.block_on(ops.promote(&bucket, promotion))?;
    Ok(format!(
        "https://{}/{permanent}",
        setup.catalogue.logo_cdn_domain()
    ))
}

/// Re-checks an uploaded spreadsheet and marks it.
pub(crate) fn revalidate(args: RevalidateArgs) -> Result<String, CliError> {
    let RevalidateArgs {
        signing,
        kind,
        key,
        template_type,
        placeholders,
        template_id,
    } = args;
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
