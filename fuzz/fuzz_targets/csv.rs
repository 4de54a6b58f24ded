//! The streaming spreadsheet check: any bytes, fed in chunks of any size, under any template
//! type and permissions; the chunking must not change the verdict.
#![no_main]

use libfuzzer_sys::fuzz_target;
use uploadkit_validators::csv::{CsvValidator, CsvSpec, TemplateType, validate_csv};

fuzz_target!(|data: &[u8]| {
    let Some((&control, body)) = data.split_first() else {
        return;
    };
    let template_type = match control % 3 {
        0 => TemplateType::Email,
        1 => TemplateType::Sms,
        _ => TemplateType::Letter,
    };
    let mut spec = CsvSpec::new(template_type, vec!["name".into(), "reference".into()]);
    spec.allow_international_sms = control & 0x04 != 0;
    spec.allow_uk_landline = control & 0x08 != 0;
    if control & 0x10 != 0 {
        spec.body = Some("Hello ((name)), your reference is ((reference))".into());
    }
    let whole = validate_csv(spec.clone(), body);
    let chunk = usize::from(control >> 5) + 1;
    let mut check = CsvValidator::new(spec);
    for piece in body.chunks(chunk) {
        check.feed(piece);
    }
    let chunked = check.finish();
    assert_eq!(format!("{whole:?}"), format!("{chunked:?}"), "chunking changed the verdict");
});
