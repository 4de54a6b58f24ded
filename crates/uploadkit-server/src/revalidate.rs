//! Server-side re-validation: the browser is never trusted. The uploaded spreadsheet is fetched,
//! checked with the same validators, and marked the way the app marks it — copied onto itself
//! with its metadata replaced: `valid=True` with the counts, or `valid=False` with the reason.

use uploadkit_core::catalogue::metadata_ascii;
use uploadkit_core::s3::actions::{CopyObject, GetObject, MetadataDirective};
use uploadkit_core::s3::{BucketName, Encryption, ObjectKey};
use uploadkit_validators::csv::{CsvSpec, validate_csv};

use crate::s3ops::{S3Error, S3Ops};

/// The largest object re-validated (the CSV limit, 10 MiB).
pub const MAX_CSV_BYTES: usize = 10 * 1024 * 1024;

/// The outcome, as recorded on the object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revalidation {
    /// Whether the file may be used.
    pub valid: bool,
    /// Data rows.
    pub rows: usize,
    /// Why not, when invalid.
    pub reason: Option<String>,
    /// The metadata now on the object.
    pub metadata: Vec<(String, String)>,
}

impl S3Ops {
    /// Fetches, checks and marks an uploaded spreadsheet. `extra` metadata (e.g. `template_id`,
    /// `sender_id`) is added when it is valid; `original_file_name` is kept from the upload.
    pub async fn revalidate_csv(
        &self,
        bucket: &BucketName,
        key: &ObjectKey,
        spec: CsvSpec,
        count_name: &str,
        extra: &[(String, String)],
    ) -> Result<Revalidation, S3Error> {
        let get = GetObject {
            key,
            first_bytes: None,
        };
        let read = self
            .run(bucket, &get)
            .await
            .map_err(|e| self.failure(bucket, e))?;
        let original = read
            .header("x-amz-meta-original_file_name")
            .map(str::to_owned);
        let bytes = read.body;
        let (valid, rows, reason) = if bytes.len() > MAX_CSV_BYTES {
            (
                false,
                0,
                Some("The file must be smaller than 10MB".to_owned()),
            )
        } else {
            let report = validate_csv(spec, &bytes);
            (report.is_valid(), report.rows, report.summary())
        };
        let mut metadata = vec![(
            "valid".to_owned(),
            if valid { "True" } else { "False" }.to_owned(),
        )];
        if let Some(name) = original {
            metadata.push(("original_file_name".to_owned(), name));
        }
        if valid {
            metadata.push((count_name.to_owned(), rows.to_string()));
            metadata.extend(extra.iter().cloned());
        } else if let Some(reason) = &reason {
            metadata.push(("validation_error".to_owned(), metadata_ascii(reason)));
        }
        let meta: Vec<(String, String)> = metadata
            .iter()
            .map(|(k, v)| (k.clone(), metadata_ascii(v)))
            .collect();
        let copy = CopyObject {
            source: key,
            dest: key,
            metadata: MetadataDirective::Replace {
                metadata: &meta,
                content_type: "text/csv",
            },
            encryption: Encryption::Aes256,
            drop_tags: false,
            bucket,
        };
        self.run(bucket, &copy)
            .await
            .map_err(|e| self.failure(bucket, e))?;
        Ok(Revalidation {
            valid,
            rows,
            reason,
            metadata,
        })
    }
}
