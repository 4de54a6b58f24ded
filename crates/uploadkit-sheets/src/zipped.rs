//! The zip archive inside .xlsx, .xlsm and .ods files, read with bounds.

use std::io::{BufRead, BufReader, Cursor, Read};

use zip::ZipArchive;

use crate::{Format, SheetError};

/// The largest part unpacked (a sheet's XML): far beyond any upload the application accepts,
/// well short of exhausting a browser tab.
pub(crate) const PART_LIMIT: u64 = 256 << 20;

/// The first bytes of an OLE compound file: what a password-protected Office workbook is.
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

pub(crate) struct Zipped<'a> {
    archive: ZipArchive<Cursor<&'a [u8]>>,
    format: Format,
}

impl<'a> Zipped<'a> {
    pub(crate) fn open(bytes: &'a [u8], format: Format) -> Result<Self, SheetError> {
        if bytes.starts_with(OLE_MAGIC) && is_encrypted_package(bytes) {
            return Err(SheetError::Encrypted { format });
        }
        let archive =
            ZipArchive::new(Cursor::new(bytes)).map_err(|_| SheetError::NotAWorkbook { format })?;
        Ok(Zipped { archive, format })
    }

    pub(crate) fn damaged(&self, detail: impl Into<String>) -> SheetError {
        SheetError::Damaged {
            format: self.format,
            detail: detail.into(),
        }
    }

    /// A part's bytes, or `None` if the archive has no part of that name.
    pub(crate) fn part(&mut self, name: &str) -> Result<Option<Vec<u8>>, SheetError> {
        self.stream_part(name, |reader| {
            let mut out = Vec::new();
            reader
                .read_to_end(&mut out)
                .map_err(|e| format!("{name}: {e}"))?;
            Ok(out)
        })
    }

    /// A part read as it is unpacked, never held whole: `read` gets a buffered reader over it.
    /// `None` if the archive has no part of that name.
    pub(crate) fn stream_part<T>(
        &mut self,
        name: &str,
        read: impl FnOnce(&mut dyn BufRead) -> Result<T, String>,
    ) -> Result<Option<T>, SheetError> {
        let format = self.format;
        let file = match self.archive.by_name(name) {
            Ok(file) => file,
            Err(zip::result::ZipError::FileNotFound) => return Ok(None),
            Err(e) => {
                return Err(SheetError::Damaged {
                    format,
                    detail: format!("{name}: {e}"),
                });
            }
        };
        let too_large = || SheetError::TooLarge {
            part: name.to_owned(),
            limit: PART_LIMIT,
        };
        if file.size() > PART_LIMIT {
            return Err(too_large());
        }
        let mut reader = BufReader::new(file.take(PART_LIMIT + 1));
        let result = read(&mut reader);
        // A part that unpacks past its declared size is cut off at the bound, and refused.
        if reader.get_ref().limit() == 0 {
            return Err(too_large());
        }
        result
            .map(Some)
            .map_err(|detail| SheetError::Damaged { format, detail })
    }

    /// A part that must be there.
    pub(crate) fn required(&mut self, name: &str) -> Result<Vec<u8>, SheetError> {
        self.part(name)?
            .ok_or_else(|| self.damaged(format!("it has no {name}")))
    }
}

/// Whether an OLE compound file holds an encrypted Office package (its directory names the
/// `EncryptionInfo` and `EncryptedPackage` streams, in UTF-16).
fn is_encrypted_package(bytes: &[u8]) -> bool {
    let name: Vec<u8> = "EncryptedPackage"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    bytes.windows(name.len()).any(|w| w == name)
}
