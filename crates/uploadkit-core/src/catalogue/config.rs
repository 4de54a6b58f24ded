//! The catalogue as configured: bucket names from the environment, region and CDN domain.

use super::{Bucket, Environment};
use crate::s3::{BucketName, InvalidBucketName, ObjectKey};

/// The region used when nothing sets one (the reference application's).
pub const DEFAULT_REGION: &str = "eu-west-1";

/// The logo CDN's domain when `LOGO_CDN_DOMAIN` is unset.
pub const DEFAULT_LOGO_CDN_DOMAIN: &str = "static-logos.notify.tools";

/// Why the catalogue could not be configured.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogueError {
    /// A bucket variable names an invalid bucket.
    #[error("{var}: {source}")]
    BadBucketName {
        /// The variable.
        var: &'static str,
        /// Why the name is invalid.
        source: InvalidBucketName,
    },
    /// `UPLOADKIT_ENVIRONMENT` is not `local` or `development`.
    #[error("UPLOADKIT_ENVIRONMENT: {0}")]
    BadEnvironment(String),
    /// A bucket's KMS key variable is not a key id, ARN or alias.
    #[error(
        "{var}: {value:?} is not a KMS key id, key ARN or alias (printable ASCII, no spaces, at most 2048 characters)"
    )]
    BadKmsKey {
        /// The variable.
        var: String,
        /// Its value.
        value: String,
    },
    /// A bucket given by name or id is not in the catalogue.
    #[error("unknown bucket {given:?}: use one of {known} (an id or the configured name)")]
    UnknownBucket {
        /// What was given.
        given: String,
        /// The ids and names that are known.
        known: String,
    },
}

/// The configured buckets, region and logo CDN domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalogue {
    names: Vec<(Bucket, BucketName)>,
    kms_keys: Vec<(Bucket, String)>,
    region: String,
    logo_cdn_domain: String,
}

impl Catalogue {
    /// Reads the catalogue from environment variables (`S3_BUCKET_*`, `UPLOADKIT_ENVIRONMENT`
    /// choosing the local or development defaults, `LOGO_CDN_DOMAIN`). `region` is the one the
    /// credential chain resolved (`AWS_REGION`, `AWS_DEFAULT_REGION`, the profile), if any.
    ///
    /// ```
    /// use uploadkit_core::catalogue::{Bucket, Catalogue};
    /// let env = |k: &str| (k == "S3_BUCKET_MOU").then(|| "my-mou".to_owned());
    /// let cat = Catalogue::from_env(env, None).unwrap();
    /// assert_eq!(cat.name(Bucket::Mou).as_str(), "my-mou");
    /// assert_eq!(cat.name(Bucket::Logo).as_str(), "public-logos-local");
    /// assert_eq!(cat.region(), "eu-west-1");
    /// ```
    pub fn from_env(
        env: impl Fn(&str) -> Option<String>,
        region: Option<String>,
    ) -> Result<Self, CatalogueError> {
        let environment = match env("UPLOADKIT_ENVIRONMENT").filter(|v| !v.is_empty()) {
            Some(v) => v
                .parse::<Environment>()
                .map_err(CatalogueError::BadEnvironment)?,
            None => Environment::Local,
        };
        let mut names = Vec::with_capacity(Bucket::ALL.len());
        let mut kms_keys = Vec::new();
        for bucket in Bucket::ALL {
            let name = env(bucket.env_var())
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| bucket.default_name(environment).to_owned());
            let name = BucketName::new(name).map_err(|source| CatalogueError::BadBucketName {
                var: bucket.env_var(),
                source,
            })?;
            names.push((bucket, name));
            let var = format!("{}_KMS_KEY_ID", bucket.env_var());
            if let Some(key) = env(&var).filter(|v| !v.is_empty()) {
                if key.len() > 2048 || !key.bytes().all(|b| b.is_ascii_graphic()) {
                    return Err(CatalogueError::BadKmsKey { var, value: key });
                }
                kms_keys.push((bucket, key));
            }
        }
        Ok(Self {
            names,
            kms_keys,
            region: region
                .filter(|r| !r.is_empty())
                .unwrap_or_else(|| DEFAULT_REGION.to_owned()),
            logo_cdn_domain: env("LOGO_CDN_DOMAIN")
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| DEFAULT_LOGO_CDN_DOMAIN.to_owned()),
        })
    }

    /// Whether an object must never be deleted: a permanent logo (old emails and letters still
    /// point at it). Temporary logos and other buckets' objects may be.
    ///
    /// ```
    /// use uploadkit_core::{catalogue::{Bucket, Catalogue}, s3::ObjectKey};
    /// let cat = Catalogue::from_env(|_| None, None).unwrap();
    /// let logos = cat.name(Bucket::Logo).clone();
    /// assert!(cat.never_deleted(&logos, &ObjectKey::new("hmrc.png").unwrap()));
    /// assert!(!cat.never_deleted(&logos, &ObjectKey::new("temp-a.png").unwrap()));
    /// assert!(!cat.never_deleted(cat.name(Bucket::CsvUpload), &ObjectKey::new("hmrc.png").unwrap()));
    /// ```
    pub fn never_deleted(&self, bucket: &BucketName, key: &ObjectKey) -> bool {
        bucket == self.name(Bucket::Logo) && super::permanent_logo_key(key, None).is_none()
    }

    /// The KMS key a bucket's uploads are encrypted with (`S3_BUCKET_…_KMS_KEY_ID`), when set;
    /// otherwise they use SSE-S3 (`AES256`).
    ///
    /// ```
    /// use uploadkit_core::catalogue::{Bucket, Catalogue};
    /// let env = |k: &str| (k == "S3_BUCKET_CSV_UPLOAD_KMS_KEY_ID").then(|| "alias/notify-csv".to_owned());
    /// let cat = Catalogue::from_env(env, None).unwrap();
    /// assert_eq!(cat.kms_key(Bucket::CsvUpload), Some("alias/notify-csv"));
    /// assert_eq!(cat.kms_key(Bucket::Logo), None);
    /// let bad = |k: &str| (k == "S3_BUCKET_MOU_KMS_KEY_ID").then(|| "has space".to_owned());
    /// assert!(Catalogue::from_env(bad, None).is_err());
    /// ```
    pub fn kms_key(&self, bucket: Bucket) -> Option<&str> {
        self.kms_keys
            .iter()
            .find(|(b, _)| *b == bucket)
            .map(|(_, k)| k.as_str())
    }

    /// The configured name of a bucket.
    pub fn name(&self, bucket: Bucket) -> &BucketName {
        &self
            .names
            .iter()
            .find(|(b, _)| *b == bucket)
            .expect("every bucket is configured")
            .1
    }

    /// Every bucket with its configured name.
    pub fn buckets(&self) -> impl Iterator<Item = (Bucket, &BucketName)> {
        self.names.iter().map(|(b, n)| (*b, n))
    }

    /// Finds a bucket by id (`csv-upload`) or configured name.
    pub fn find(&self, given: &str) -> Result<(Bucket, &BucketName), CatalogueError> {
        self.buckets()
            .find(|(b, n)| b.id() == given || n.as_str() == given)
            .ok_or_else(|| CatalogueError::UnknownBucket {
                given: given.to_owned(),
                known: self
                    .buckets()
                    .map(|(b, n)| format!("{} ({n})", b.id()))
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// The region.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The logo CDN's domain.
    pub fn logo_cdn_domain(&self) -> &str {
        &self.logo_cdn_domain
    }
}
