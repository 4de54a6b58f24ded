//! The application's bucket catalogue: nine buckets, the upload kinds and their key layouts,
//! and the rules each upload follows.

mod bucket;
mod config;
mod download;
mod ids;
mod kind;
mod tagging;
mod upload;

pub use bucket::{Bucket, Environment};
pub use config::{Catalogue, CatalogueError, DEFAULT_LOGO_CDN_DOMAIN, DEFAULT_REGION};
pub use download::Download;
pub use ids::{
    FileName, InvalidPart, MAX_FILE_NAME_CHARS, ReportId, ServiceId, UploadId, metadata_ascii,
};
pub use kind::{FileType, LETTER_LOGO_PREFIX, TEMPORARY_TAG, UploadKind};
pub use tagging::tagging_xml;
pub use upload::{
    EMPTY_FILE_MESSAGE, MAX_SLUG_CHARS, MAX_TEMPLATE_FILE_NAME_CHARS, UploadError, UploadPlan,
    UploadRequest, permanent_logo_key, slugify,
};

#[cfg(test)]
mod tests;
