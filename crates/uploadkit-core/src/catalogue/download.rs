//! Keys of the read-only downloads: MOU documents and report downloads.

use super::Bucket;
use super::ids::ReportId;
use crate::s3::ObjectKey;

/// Something a user downloads through a presigned GET.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Download {
    /// The MOU for crown bodies.
    CrownMou,
    /// The MOU for non-crown bodies.
    NonCrownMou,
    /// A report a user requested.
    Report(ReportId),
}

impl Download {
    /// The bucket it is in.
    pub fn bucket(self) -> Bucket {
        match self {
            Self::CrownMou | Self::NonCrownMou => Bucket::Mou,
            Self::Report(_) => Bucket::ReportRequestsDownload,
        }
    }

    /// Its key.
    ///
    /// ```
    /// use uploadkit_core::catalogue::{Download, ReportId};
    /// let id = ReportId::parse("0b8c0f5e-1d2e-4c3b-9a8f-7e6d5c4b3a29").unwrap();
    /// assert_eq!(Download::Report(id).key().as_str(),
    ///     "notifications_report/0b8c0f5e-1d2e-4c3b-9a8f-7e6d5c4b3a29.csv");
    /// ```
    pub fn key(self) -> ObjectKey {
        let key = match self {
            Self::CrownMou => "crown.pdf".to_owned(),
            Self::NonCrownMou => "non-crown.pdf".to_owned(),
            Self::Report(id) => format!("notifications_report/{id}.csv"),
        };
        ObjectKey::new(key).expect("download keys are built from validated parts")
    }
}
