//! The application's nine buckets, their environment variables and default names.

use std::fmt;

/// One of the application's buckets, by purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Bucket {
    /// Recipient spreadsheets for sending.
    CsvUpload,
    /// Contact lists.
    ContactList,
    /// Email and letter logos (served through the logo CDN).
    Logo,
    /// MOU documents (read only).
    Mou,
    /// Letters uploaded by users, before they are checked.
    TransientUploadedLetters,
    /// Backups of precompiled letters.
    PrecompiledOriginalsBackupLetters,
    /// Attachments to letter templates.
    LetterAttachments,
    /// Report downloads (read only).
    ReportRequestsDownload,
    /// Files attached to email templates.
    TemplateEmailFiles,
}

/// Which set of default bucket names applies when an environment variable is unset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Environment {
    /// A developer's machine or the embedded local store.
    #[default]
    Local,
    /// The shared development account.
    Development,
}

impl std::str::FromStr for Environment {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "local" => Ok(Self::Local),
            "development" => Ok(Self::Development),
            other => Err(format!(
                "unknown environment {other:?}: use local or development"
            )),
        }
    }
}

impl Bucket {
    /// Whether uploads to this bucket are tagged [`super::TEMPORARY_TAG`] (temporary logos), so
    /// its lifecycle must expire them; no other bucket gets that rule.
    ///
    /// ```
    /// use uploadkit_core::catalogue::Bucket;
    /// assert!(Bucket::Logo.holds_temporary_uploads());
    /// assert!(!Bucket::CsvUpload.holds_temporary_uploads());
    /// ```
    pub fn holds_temporary_uploads(self) -> bool {
        super::UploadKind::ALL
            .iter()
            .any(|kind| kind.is_temporary() && kind.bucket() == self)
    }

    /// Every bucket, in the reference order.
    pub const ALL: [Self; 9] = [
        Self::CsvUpload,
        Self::ContactList,
        Self::Logo,
        Self::Mou,
        Self::TransientUploadedLetters,
        Self::PrecompiledOriginalsBackupLetters,
        Self::LetterAttachments,
        Self::ReportRequestsDownload,
        Self::TemplateEmailFiles,
    ];

    /// A short stable id, e.g. `csv-upload`.
    pub fn id(self) -> &'static str {
        self.facts().0
    }

    /// The environment variable that names it, e.g. `S3_BUCKET_CSV_UPLOAD`.
    pub fn env_var(self) -> &'static str {
        self.facts().1
    }

    /// Its name when the variable is unset.
    ///
    /// ```
    /// use uploadkit_core::catalogue::{Bucket, Environment};
    /// assert_eq!(Bucket::Mou.default_name(Environment::Development), "notify.tools-mou");
    /// ```
    pub fn default_name(self, env: Environment) -> &'static str {
        let (_, _, local, development) = self.facts();
        match env {
            Environment::Local => local,
            Environment::Development => development,
        }
    }

    /// Looks a bucket up by its id.
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.id() == id)
    }

    fn facts(self) -> (&'static str, &'static str, &'static str, &'static str) {
        match self {
            Self::CsvUpload => (
                "csv-upload",
                "S3_BUCKET_CSV_UPLOAD",
                "local-notifications-csv-upload",
                "development-notifications-csv-upload",
            ),
            Self::ContactList => (
                "contact-list",
                "S3_BUCKET_CONTACT_LIST_UPLOAD",
                "local-contact-list",
                "development-contact-list",
            ),
            Self::Logo => (
                "logo",
                "S3_BUCKET_LOGO_UPLOAD",
                "public-logos-local",
                "public-logos-tools",
            ),
            Self::Mou => ("mou", "S3_BUCKET_MOU", "local-mou", "notify.tools-mou"),
            Self::TransientUploadedLetters => (
                "transient-uploaded-letters",
                "S3_BUCKET_TRANSIENT_UPLOADED_LETTERS",
                "local-transient-uploaded-letters",
                "development-transient-uploaded-letters",
            ),
            Self::PrecompiledOriginalsBackupLetters => (
                "precompiled-originals-backup-letters",
                "S3_BUCKET_PRECOMPILED_ORIGINALS_BACKUP_LETTERS",
                "local-precompiled-originals-backup-letters",
                "development-letters-precompiled-originals-backup",
            ),
            Self::LetterAttachments => (
                "letter-attachments",
                "S3_BUCKET_LETTER_ATTACHMENTS",
                "local-letter-attachments",
                "development-letter-attachments",
            ),
            Self::ReportRequestsDownload => (
                "report-requests-download",
                "S3_BUCKET_REPORT_REQUESTS_DOWNLOAD",
                "local-report-requests-download",
                "development-report-requests-download",
            ),
            Self::TemplateEmailFiles => (
                "template-email-files",
                "S3_BUCKET_TEMPLATE_EMAIL_FILES",
                "local-template-email-files",
                "development-template-email-files",
            ),
        }
    }
}

impl fmt::Display for Bucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}
