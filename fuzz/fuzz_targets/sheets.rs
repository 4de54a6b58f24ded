//! Spreadsheet uploads: any bytes as an .xls or a .tsv, any sheet XML inside an otherwise valid
//! .xlsx, any content.xml inside an .ods, and any bytes named .xlsx. Conversion must never panic,
//! and a text format may refuse only bytes that are not UTF-8.
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;
use uploadkit_sheets::{SheetError, to_csv_text};

const CONTENT_TYPES: &str = r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#;
const WORKBOOK: &str = r#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const RELS: &str = r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
const STRINGS: &str = r#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>phone number</t></si><si><r><t>na</t></r><r><t>me</t></r></si></sst>"#;
const STYLES: &str = r#"<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="46"/></cellXfs></styleSheet>"#;

fn zip(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in parts {
        out.start_file(*name, options).expect("in memory");
        out.write_all(bytes).expect("in memory");
    }
    out.finish().expect("in memory").into_inner()
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    match selector % 5 {
        0 => {
            let file = zip(&[
                ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
                ("xl/workbook.xml", WORKBOOK.as_bytes()),
                ("xl/_rels/workbook.xml.rels", RELS.as_bytes()),
                ("xl/sharedStrings.xml", STRINGS.as_bytes()),
                ("xl/styles.xml", STYLES.as_bytes()),
                ("xl/worksheets/sheet1.xml", rest),
            ]);
            let _ = to_csv_text(&file, "fuzz.xlsx");
        }
        1 => {
            let _ = to_csv_text(&zip(&[("content.xml", rest)]), "fuzz.ods");
        }
        2 => {
            let _ = to_csv_text(rest, "fuzz.xls");
        }
        3 => match to_csv_text(rest, "fuzz.tsv") {
            Ok(_) => {}
            Err(SheetError::NotUtf8 { .. }) => assert!(std::str::from_utf8(rest).is_err()),
            Err(e) => {
                // Only the row and column limits may refuse readable text.
                assert!(matches!(e, SheetError::TooManyRows { .. } | SheetError::TooManyColumns { .. }), "{e:?}");
            }
        },
        _ => {
            let _ = to_csv_text(rest, "fuzz.xlsx");
        }
    }
});
