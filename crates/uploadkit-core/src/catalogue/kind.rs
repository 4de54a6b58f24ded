//! Upload kinds: which bucket, which key layout and which rules each upload follows.

use std::fmt;

use super::Bucket;

/// 1 MiB.
const MIB: u64 = 1024 * 1024;

/// The key prefix of letter logos.
pub const LETTER_LOGO_PREFIX: &str = "letters/static/images/letter-template/";

/// The tag that marks a temporary logo; a lifecycle rule expires tagged objects after 7 days.
pub const TEMPORARY_TAG: (&str, &str) = ("delete-after-7-days", "True");

/// Something a browser uploads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UploadKind {
    /// A recipients spreadsheet: `service-{service_id}-notify/{upload_id}.csv`.
    Csv,
    /// A contact list: `service-{service_id}-notify/{upload_id}.csv` in its own bucket.
    ContactList,
    /// An email logo (PNG), uploaded as `temp-{upload_id}.png` and tagged for deletion.
    EmailLogo,
    /// A letter logo (SVG), uploaded as `letters/static/images/letter-template/temp-{upload_id}.svg`.
    LetterLogo,
    /// A precompiled letter (PDF): `service-{service_id}/{upload_id}.pdf`.
    Letter,
    /// A letter attachment (PDF): `service-{service_id}/{upload_id}.pdf`.
    LetterAttachment,
    /// A file attached to an email template: `{service_id}/{upload_id}`.
    TemplateEmailFile,
}

/// One allowed file type: extension and the content type it is stored with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileType {
    /// Lower-case extension without the dot.
    pub extension: &'static str,
    /// The content type sent to S3.
    pub content_type: &'static str,
}

impl FileType {
    /// The content types a browser may declare for a file of this type: the stored one, and
    /// for CSV the types Windows and some browsers report for it. Nothing else is accepted.
    ///
    /// ```
    /// use uploadkit_core::catalogue::UploadKind;
    /// let csv = UploadKind::Csv.file_types()[0];
    /// assert!(csv.accepted_types().contains(&"application/vnd.ms-excel"));
    /// assert_eq!(UploadKind::EmailLogo.file_types()[0].accepted_types(), ["image/png"]);
    /// ```
    pub fn accepted_types(&self) -> &'static [&'static str] {
        match self.content_type {
            "text/csv" => &["text/csv", "application/csv", "application/vnd.ms-excel"],
            "image/png" => &["image/png"],
            "image/svg+xml" => &["image/svg+xml"],
            "image/jpeg" => &["image/jpeg"],
            "application/pdf" => &["application/pdf"],
            "application/msword" => &["application/msword"],
            "application/json" => &["application/json"],
            "application/rtf" => &["application/rtf", "text/rtf"],
            "text/plain" => &["text/plain"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => {
                &["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]
            }
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => {
                &["application/vnd.openxmlformats-officedocument.wordprocessingml.document"]
            }
            "application/vnd.oasis.opendocument.text" => {
                &["application/vnd.oasis.opendocument.text"]
            }
            _ => &[],
        }
    }
}

const fn ft(extension: &'static str, content_type: &'static str) -> FileType {
    FileType {
        extension,
        content_type,
    }
}

/// Recipient spreadsheets in every format the app accepts. What is uploaded is always the CSV
/// text the app makes of the file (the browser converts a workbook first), so each is stored as
/// `text/csv` under the `.csv` key.
const CSV: &[FileType] = &[
    ft("csv", "text/csv"),
    ft("tsv", "text/csv"),
    ft("xlsx", "text/csv"),
    ft("xlsm", "text/csv"),
    ft("xls", "text/csv"),
    ft("ods", "text/csv"),
];
const PNG: &[FileType] = &[ft("png", "image/png")];
const SVG: &[FileType] = &[ft("svg", "image/svg+xml")];
const PDF: &[FileType] = &[ft("pdf", "application/pdf")];
const TEMPLATE_EMAIL_FILES: &[FileType] = &[
    ft("csv", "text/csv"),
    ft("jpeg", "image/jpeg"),
    ft("jpg", "image/jpeg"),
    ft("png", "image/png"),
    ft(
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ft("doc", "application/msword"),
    ft(
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ft("pdf", "application/pdf"),
    ft("json", "application/json"),
    ft("odt", "application/vnd.oasis.opendocument.text"),
    ft("rtf", "application/rtf"),
    ft("txt", "text/plain"),
];

impl UploadKind {
    /// Every kind.
    pub const ALL: [Self; 7] = [
        Self::Csv,
        Self::ContactList,
        Self::EmailLogo,
        Self::LetterLogo,
        Self::Letter,
        Self::LetterAttachment,
        Self::TemplateEmailFile,
    ];

    /// The kind's id as the presign API names it, e.g. `email-logo`.
    pub fn id(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::ContactList => "contact-list",
            Self::EmailLogo => "email-logo",
            Self::LetterLogo => "letter-logo",
            Self::Letter => "letter",
            Self::LetterAttachment => "letter-attachment",
            Self::TemplateEmailFile => "template-email-file",
        }
    }

    /// Looks a kind up by id.
    ///
    /// ```
    /// use uploadkit_core::catalogue::{Bucket, UploadKind};
    /// let kind = UploadKind::from_id("contact-list").unwrap();
    /// assert_eq!(kind.bucket(), Bucket::ContactList);
    /// assert_eq!(kind.max_size(), 10 * 1024 * 1024);
    /// ```
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.id() == id)
    }

    /// The bucket it lands in.
    pub fn bucket(self) -> Bucket {
        match self {
            Self::Csv => Bucket::CsvUpload,
            Self::ContactList => Bucket::ContactList,
            Self::EmailLogo | Self::LetterLogo => Bucket::Logo,
            Self::Letter => Bucket::TransientUploadedLetters,
            Self::LetterAttachment => Bucket::LetterAttachments,
            Self::TemplateEmailFile => Bucket::TemplateEmailFiles,
        }
    }

    /// The largest file accepted, in bytes (10 MiB for spreadsheets, 2 MiB otherwise).
    pub fn max_size(self) -> u64 {
        match self {
            Self::Csv | Self::ContactList => 10 * MIB,
            _ => 2 * MIB,
        }
    }

    /// The file types accepted.
    pub fn file_types(self) -> &'static [FileType] {
        match self {
            Self::Csv | Self::ContactList => CSV,
            Self::EmailLogo => PNG,
            Self::LetterLogo => SVG,
            Self::Letter | Self::LetterAttachment => PDF,
            Self::TemplateEmailFile => TEMPLATE_EMAIL_FILES,
        }
    }

    /// Whether the upload is a temporary logo, tagged for deletion after 7 days.
    pub fn is_temporary(self) -> bool {
        matches!(self, Self::EmailLogo | Self::LetterLogo)
    }

    /// Whether the key includes the service id.
    pub fn needs_service(self) -> bool {
        !self.is_temporary()
    }

    /// The app's message for a file over the limit.
    pub fn too_large_message(self) -> &'static str {
        match self {
            Self::Csv | Self::ContactList => "The file must be smaller than 10MB",
            _ => "The file must be smaller than 2MB",
        }
    }

    /// The app's message for a file of the wrong type.
    pub fn wrong_type_message(self) -> &'static str {
        match self {
            Self::Csv | Self::ContactList => "The file must be a spreadsheet that Notify can read",
            Self::EmailLogo => "Logo must be a PNG file",
            Self::LetterLogo => "Branding must be an SVG file",
            Self::Letter | Self::LetterAttachment => "The file must be a PDF",
            Self::TemplateEmailFile => {
                "The file must be a CSV, JPEG, PNG, XLSX, DOC, DOCX, PDF, JSON, ODT, RTF or TXT file"
            }
        }
    }
}

impl fmt::Display for UploadKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl std::str::FromStr for UploadKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_id(s).ok_or_else(|| {
            let ids: Vec<_> = Self::ALL.iter().map(|k| k.id()).collect();
            format!("unknown upload kind {s:?}: use one of {}", ids.join(", "))
        })
    }
}
