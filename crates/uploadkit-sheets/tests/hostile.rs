//! Workbooks made to hurt the reader: a few bytes that ask for a huge grid, huge merges, huge
//! repeats or an impossible record. Each is refused (or read) quickly, with a specific error,
//! never a panic or an allocation the size of what it claims.

use std::io::Write;

use uploadkit_sheets::{SheetError, to_csv_text};

const CONTENT_TYPES: &str = r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#;
const WORKBOOK: &str = r#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const RELS: &str = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;

fn zip(parts: &[(&str, &str)]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, text) in parts {
        out.start_file(*name, options).unwrap();
        out.write_all(text.as_bytes()).unwrap();
    }
    out.finish().unwrap().into_inner()
}

fn xlsx(sheet_data: &str, extra: &str) -> Vec<u8> {
    let sheet = format!(
        r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{sheet_data}</sheetData>{extra}</worksheet>"#
    );
    zip(&[
        ("[Content_Types].xml", CONTENT_TYPES),
        ("xl/workbook.xml", WORKBOOK),
        ("xl/_rels/workbook.xml.rels", RELS),
        ("xl/worksheets/sheet1.xml", &sheet),
    ])
}

#[test]
fn a_merge_over_the_whole_sheet_is_cut_to_its_cells() {
    let file = xlsx(
        r#"<row r="1"><c r="A1" t="inlineStr"><is><t>phone number</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>07700900123</t></is></c></row>"#,
        r#"<mergeCells count="1"><mergeCell ref="B1:XFD1048576"/></mergeCells>"#,
    );
    assert_eq!(
        to_csv_text(&file, "x.xlsx").unwrap(),
        "phone number\r\n07700900123\r\n"
    );
}

#[test]
fn merges_covering_millions_of_cells_are_refused() {
    let file = xlsx(
        r#"<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row><row r="3000"><c r="ZZ3000" t="inlineStr"><is><t>far</t></is></c></row>"#,
        r#"<mergeCells count="1"><mergeCell ref="A1:ZZ3000"/></mergeCells>"#,
    );
    assert!(matches!(
        to_csv_text(&file, "x.xlsx"),
        Err(SheetError::TooManyCells {
            what: "merged ranges",
            ..
        })
    ));
}

#[test]
fn a_far_cell_cannot_make_endless_text() {
    // A header 1,000 columns wide and one cell 200,000 rows down: the app's grid of empty
    // fields would be 200 million cells.
    let header: String = (1..=1000)
        .map(|c| {
            format!(
                r#"<c r="{}1" t="inlineStr"><is><t>h</t></is></c>"#,
                column(c)
            )
        })
        .collect();
    let file = xlsx(
        &format!(
            r#"<row r="1">{header}</row><row r="200000"><c r="ALL200000" t="inlineStr"><is><t>x</t></is></c></row>"#
        ),
        "",
    );
    let started = std::time::Instant::now();
    assert!(matches!(
        to_csv_text(&file, "x.xlsx"),
        Err(SheetError::TooLarge { .. })
    ));
    // Not a timing assertion on speed: a bound that only an unbounded loop would break.
    assert!(started.elapsed().as_secs() < 60);
}

#[test]
fn ods_repeats_do_not_expand_without_bound() {
    let content = r#"<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="S"><table:table-row><table:table-cell office:value-type="string" table:number-columns-repeated="2000000000"><text:p>x</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#;
    let file = zip(&[("content.xml", content)]);
    assert!(matches!(
        to_csv_text(&file, "x.ods"),
        Err(SheetError::Damaged { .. })
    ));
}

#[test]
fn xls_records_are_checked_not_trusted() {
    // An OLE container of garbage, and a real workbook cut short.
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.extend(std::iter::repeat_n(0xFF, 4096));
    assert!(matches!(
        to_csv_text(&ole, "x.xls"),
        Err(SheetError::Damaged { .. })
    ));
    let real = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/vectors/notify/spreadsheets/files/003.xls"),
    )
    .unwrap();
    for cut in [512, 1024, 2048, real.len() - 100] {
        assert!(to_csv_text(&real[..cut], "x.xls").is_err(), "cut at {cut}");
    }
}

fn column(mut n: u32) -> String {
    let mut name = Vec::new();
    while n > 0 {
        name.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    name.reverse();
    String::from_utf8(name).unwrap()
}
