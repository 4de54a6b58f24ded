//! `uploadkit`: presigned URLs and browser POST forms for the application's S3 buckets, the
//! services that hand them out, and the tools that set up and check the buckets.

mod commands;
mod credentials;
mod error;
mod setup;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::commands::{buckets, identity, presign, serve, validate};
use crate::error::CliError;

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
    Presign(commands::presign::Presign),
    /// List the bucket catalogue as configured by the environment.
    Buckets,
    /// Run the local stack: an embedded S3 store with the nine buckets, the presign API, the
    /// upload page and the logo route, on 127.0.0.1 with no AWS account.
    Local(commands::serve::LocalArgs),
    /// Serve the presign API for a deployment: buckets, region and endpoint from the
    /// environment, credentials from the standard chain (refreshed before they expire), the
    /// grant key from UPLOADKIT_GRANT_KEY, browser origins from UPLOADKIT_ALLOWED_ORIGINS.
    Serve(commands::serve::ServeArgs),
    /// Set up the catalogue's buckets without destroying anything: read each, merge in what the
    /// kit owns (default encryption where there is none, the temporary-upload lifecycle rule on
    /// the logo bucket only, CORS for the origins), write only what changes, and report each
    /// bucket as created, changed, unchanged or refused. --dry-run writes nothing.
    Provision(commands::buckets::ProvisionArgs),
    /// Who the credentials belong to (STS GetCallerIdentity through the credential chain): the
    /// account, the ARN, which provider gave them, and when they expire.
    Whoami(commands::identity::WhoamiArgs),
    /// Check every catalogue bucket: exists, region, default encryption, the temporary-upload
    /// lifecycle rule (and a tag filter that would never match), CORS for the origins, and a
    /// presigned round trip; each problem with the command that fixes it. Exits 1 on any.
    Doctor(commands::buckets::DoctorArgs),
    /// Mint an upload grant for local use (applications mint their own with any JWT library),
    /// signed with UPLOADKIT_GRANT_KEY or, when unset, the local stack's development key.
    Grant(commands::identity::GrantArgs),
    /// Re-check an uploaded spreadsheet on the server and mark it: valid=True with the counts, or
    /// valid=False with the reason (CopyObject onto itself with its metadata replaced).
    Revalidate(commands::buckets::RevalidateArgs),
    /// Check files as the upload page and the server do, by their bytes. Spreadsheets may be
    /// .csv, .tsv, .xlsx, .xlsm, .xls or .ods, read as the app reads them. Logos: prints `ok FILE`
    /// or `refused FILE: WHY`. Spreadsheets (csv, contact-list): the app's verdict (its summary
    /// and each bad row), or with --json the full report. Exits 0 when all pass, 1 when any is
    /// refused, 2 when a file cannot be read or used (binary, not UTF-8, too large, empty).
    Validate(commands::validate::ValidateArgs),
    /// Copy a temporary logo to its permanent name, dropping its deletion tag; never overwrites.
    PromoteLogo(commands::buckets::PromoteLogoArgs),
}

fn run(cli: Cli) -> Result<String, CliError> {
    match cli.command {
        Command::Presign(args) => presign::run(args),
        Command::Buckets => buckets::list(),
        Command::Local(args) => serve::local(args),
        Command::Serve(args) => serve::serve(args),
        Command::Provision(args) => buckets::provision(args),
        Command::Doctor(args) => buckets::doctor(args),
        Command::PromoteLogo(args) => buckets::promote_logo(args),
        Command::Revalidate(args) => buckets::revalidate(args),
        Command::Whoami(args) => identity::whoami(args),
        Command::Grant(args) => identity::grant(args),
        Command::Validate(args) => validate::run(args),
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
