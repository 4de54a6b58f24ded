//! `uploadkit presign url|post|upload`: presigned URLs and browser POST forms.

use clap::{Args, Subcommand};
use serde_json::{Map, Value, json};
use uploadkit_core::catalogue::{
    FileName, ServiceId, UploadId, UploadKind, UploadPlan, UploadRequest,
};
use uploadkit_core::s3::{
    Condition, Encryption, KeyRule, Method, ObjectKey, PostPolicy, PresignExtras, PresignedPost,
    attachment, presign_url_with,
};

use crate::error::CliError;
use crate::setup::{SigningArgs, TargetArgs};

#[derive(Subcommand)]
pub(crate) enum Presign {
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
pub(crate) struct ExtraArgs {
    /// GET: save the download as this file name (sets response-content-disposition).
    #[arg(long, conflicts_with = "response_content_disposition")]
    pub(crate) download_name: Option<String>,
    /// GET: the Content-Disposition S3 answers with.
    #[arg(long)]
    pub(crate) response_content_disposition: Option<String>,
    /// GET: the Content-Type S3 answers with.
    #[arg(long)]
    pub(crate) response_content_type: Option<String>,
    /// GET: the Cache-Control S3 answers with.
    #[arg(long)]
    pub(crate) response_cache_control: Option<String>,
    /// GET, HEAD, DELETE: this version of the object.
    #[arg(long)]
    pub(crate) version_id: Option<String>,
    /// PUT: the body's SHA-256 (base64); S3 refuses other bytes. Sent as a signed header.
    #[arg(long)]
    pub(crate) checksum_sha256: Option<String>,
    /// PUT: encrypt with SSE-KMS under this key (id, ARN or alias). Sent as signed headers.
    #[arg(long, conflicts_with = "sse_s3")]
    pub(crate) sse_kms_key_id: Option<String>,
    /// PUT: require SSE-S3 (AES256). Sent as a signed header.
    #[arg(long)]
    pub(crate) sse_s3: bool,
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

/// Runs `presign …`.
pub(crate) fn run(presign: Presign) -> Result<String, CliError> {
    match presign {
        Presign::Url {
            target,
            key,
            method,
            extras,
        } => {
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
        Presign::Post {
            target,
            key,
            key_prefix,
            fields,
            conditions,
        } => {
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
        Presign::Upload {
            signing,
            kind,
            service_id,
            file_name,
            size,
            content_type,
            upload_id,
        } => {
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
