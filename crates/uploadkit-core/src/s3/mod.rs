//! S3: bucket names, object keys, addressing, presigned URLs and POST policies.

pub mod actions;
pub mod bucket_config;
mod bucket_name;
pub mod cors_preflight;
mod endpoint;
mod object_key;
mod post_policy;
mod presign_extras;
mod presign_url;
mod signed_request;
mod upload_outcome;

pub use bucket_name::{BucketName, InvalidBucketName};
pub use endpoint::{AddressingStyle, BucketLocation, CustomEndpoint, InvalidEndpoint};
pub use object_key::{InvalidObjectKey, MAX_KEY_BYTES, ObjectKey};
pub use post_policy::{Condition, KeyRule, PolicyError, PostPolicy, PresignedPost, sign_policy};
pub use presign_extras::{Encryption, ExtraNotForMethod, PresignExtras, attachment};
pub use presign_url::{
    Method, PresignError, PresignedUrl, S3Target, presign_url, presign_url_with,
};
pub use signed_request::{S3Call, SignedRequest, sign_request};
pub use upload_outcome::{RetryPolicy, UploadFailure, UploadOutcome, upload_outcome};
