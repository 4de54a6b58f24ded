use super::*;

/// A real PNG of `width` × `height` grey pixels, written by the `png` crate.
fn png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    writer
        .write_image_data(&vec![128u8; (width * height) as usize])
        .unwrap();
    writer.finish().unwrap();
    out
}

/// A PNG whose header claims `width` × `height` with a valid CRC, and no image data.
fn header_only(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    let mut out = vec![
        0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n', 0, 0, 0, 13,
    ];
    out.extend_from_slice(&ihdr);
    out.extend_from_slice(&crc32fast::hash(&ihdr).to_be_bytes());
    out
}

#[test]
fn email_logos_by_their_bytes() {
    let ok = validate_email_logo(&png(300, 120)).unwrap();
    assert_eq!(
        (ok.width, ok.height, ok.will_resize, ok.will_pad),
        (300, 120, false, false)
    );
    let wide = validate_email_logo(&png(1280, 200)).unwrap();
    assert!(
        wide.will_resize && wide.will_pad,
        "1280×200 shows as 640×100, so it is padded"
    );
    assert_eq!(
        validate_email_logo(&png(300, 107)),
        Err(LogoError::TooShort)
    );
    assert_eq!(
        LogoError::TooShort.to_string(),
        "Logo must be at least 108 pixels high"
    );
}

#[test]
fn bad_pngs_get_specific_messages() {
    let good = png(200, 150);
    assert_eq!(
        validate_email_logo(&good[..good.len() - 20]),
        Err(LogoError::Unreadable),
        "truncated"
    );
    assert_eq!(
        validate_email_logo(&good[..40]),
        Err(LogoError::Unreadable),
        "cut after the header"
    );
    let mut bad_crc = good.clone();
    bad_crc[20] ^= 1;
    assert_eq!(validate_email_logo(&bad_crc), Err(LogoError::Unreadable));
    assert_eq!(validate_email_logo(b""), Err(LogoError::Empty));
    assert_eq!(
        validate_email_logo(b"\xff\xd8\xff\xe0 a jpeg"),
        Err(LogoError::NotPng)
    );
    assert_eq!(validate_email_logo(b"<svg/>"), Err(LogoError::NotPng));
    let big = vec![0u8; MAX_LOGO_BYTES + 1];
    assert_eq!(
        validate_email_logo(&big),
        Err(LogoError::TooLarge(MAX_LOGO_BYTES + 1))
    );
    assert!(
        LogoError::TooLarge(1)
            .to_string()
            .starts_with("The file must be smaller than 2MB")
    );
}

#[test]
fn a_bomb_header_is_refused_before_decoding() {
    let err = validate_email_logo(&header_only(100_000, 100_000)).unwrap_err();
    assert_eq!(
        err,
        LogoError::TooManyPixels {
            width: 100_000,
            height: 100_000
        }
    );
    assert!(err.to_string().contains("100000 × 100000"));
    // Within the side limit but with no data: unreadable, not a crash or a big allocation.
    assert_eq!(
        validate_email_logo(&header_only(10_000, 10_000)),
        Err(LogoError::Unreadable)
    );
}

const SVG_OK: &str = r##"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10"><defs><linearGradient id="g"/></defs><style>.a{fill:url(#g)}</style><path class="a" d="M0 0h10v10z" style="fill:url(#g)"/><use xlink:href="#g"/></svg>"##;

#[test]
fn letter_logos_follow_the_apps_rules() {
    assert_eq!(validate_letter_logo(SVG_OK.as_bytes()), Ok(()));
    assert_eq!(
        validate_letter_logo(b"<svg><IMAGE href=\"data:image/png;base64,AA\"/></svg>"),
        Err(LogoError::EmbeddedImage)
    );
    assert_eq!(
        validate_letter_logo(b"<svg><Text>Dept</Text></svg>"),
        Err(LogoError::UnconvertedText)
    );
    assert_eq!(
        validate_letter_logo(b"<svg><textPath/></svg>"),
        Err(LogoError::UnconvertedText),
        "substring, as the app checks"
    );
    assert_eq!(
        validate_letter_logo(b"<html><body/></html>"),
        Err(LogoError::NotSvg)
    );
    assert_eq!(validate_letter_logo(b"\x89PNG\r\n"), Err(LogoError::NotSvg));
    assert_eq!(
        validate_letter_logo(b"<svg><path d='M0 0'"),
        Err(LogoError::NotSvg),
        "malformed XML"
    );
    assert_eq!(validate_letter_logo(b""), Err(LogoError::Empty));
    assert_eq!(
        LogoError::EmbeddedImage.to_string(),
        "This SVG has an embedded raster image in it and will not render well"
    );
}

#[test]
fn active_and_external_content_is_refused() {
    let cases: &[(&str, &str)] = &[
        ("<svg><script>alert(1)</script></svg>", "a script"),
        ("<svg><SCRIPT href='x.js'/></svg>", "a script"),
        ("<svg onload='alert(1)'><path/></svg>", "event handler"),
        ("<svg><path ONCLICK='x()'/></svg>", "event handler"),
        (
            "<svg><a href='java\nscript:alert(1)'><path/></a></svg>",
            "a link",
        ),
        (
            "<svg><use href='https://evil.example/x.svg#a'/></svg>",
            "external resource",
        ),
        (
            "<svg xmlns:xlink='http://www.w3.org/1999/xlink'><use xlink:href='//evil.example/a'/></svg>",
            "external resource",
        ),
        (
            "<svg><style>@import url(https://evil.example/a.css);</style></svg>",
            "stylesheet import",
        ),
        (
            "<svg><path style=\"fill:url('https://evil.example/p')\"/></svg>",
            "external resource",
        ),
        (
            "<svg><foreignObject><div/></foreignObject></svg>",
            "foreignObject",
        ),
        (
            "<!DOCTYPE svg [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><svg>&x;</svg>",
            "external entity",
        ),
    ];
    for (svg, what) in cases {
        let err = validate_letter_logo(svg.as_bytes()).unwrap_err();
        assert!(matches!(err, LogoError::Unsafe(_)), "{svg}: {err:?}");
        assert!(err.to_string().contains(what), "{svg}: {err}");
    }
}
