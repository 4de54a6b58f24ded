//! uploadkit in the browser: the application's rules for recipient spreadsheets and logos,
//! compiled to wasm, so people learn what is wrong with a file before it is uploaded, and the
//! upload itself, straight to S3 with progress, abort and retries.
//!
//! Files are read in slices (`Blob.slice`), so a 10 MiB spreadsheet never needs a second full
//! copy in memory; everything runs in a Web Worker as well as on the page.

mod client;
mod csv_check;
mod js;
mod logo;
mod upload;

pub use client::UploadClient;
pub use csv_check::{CsvCheck, DEFAULT_CHUNK_BYTES, validate_csv_file};
pub use logo::{validate_email_logo, validate_letter_logo, validate_logo_file};
pub use upload::{request_upload, upload_file};
