//! The CORS preflight a browser sends before it posts an upload form to a bucket (an upload
//! with progress events is always preflighted), and whether the bucket's answer lets it go on.
//! A bucket's CORS configuration can look right and still not be answered so (a proxy in front,
//! a server that does not apply it): this asks the way the browser does.

use super::{BucketName, S3Target};

/// An `OPTIONS` request as a browser at an origin sends it before posting a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preflight {
    /// The form's URL: the preflight goes where the form will.
    pub url: String,
    /// `Origin` and `Access-Control-Request-Method`.
    pub headers: Vec<(String, String)>,
}

/// The preflight for a form upload from `origin` to `bucket`.
///
/// ```
/// use uploadkit_core::s3::cors_preflight::preflight;
/// use uploadkit_core::s3::{AddressingStyle, BucketName, S3Target};
/// let target = S3Target { region: "eu-west-1".into(), endpoint: None, addressing: AddressingStyle::Virtual };
/// let p = preflight(&target, &BucketName::new("public-logos-local").unwrap(), "https://admin.example.gov.uk");
/// assert_eq!(p.url, "https://public-logos-local.s3.eu-west-1.amazonaws.com/");
/// assert_eq!(p.headers[1], ("access-control-request-method".into(), "POST".into()));
/// ```
pub fn preflight(target: &S3Target, bucket: &BucketName, origin: &str) -> Preflight {
    Preflight {
        url: target.locate(bucket).form_url(),
        headers: vec![
            ("origin".into(), origin.into()),
            ("access-control-request-method".into(), "POST".into()),
        ],
    }
}

/// Whether a preflight's answer lets a browser at `origin` post the form, as the Fetch
/// standard's CORS check decides it: an ok status (2xx) and one `Access-Control-Allow-Origin`
/// that is the origin itself or `*`. POST is a safelisted method, so no `Allow-Methods` is
/// needed. The error says what the browser would have met.
///
/// ```
/// use uploadkit_core::s3::cors_preflight::verdict;
/// let o = "https://admin.example.gov.uk";
/// let allow = vec![("Access-Control-Allow-Origin".to_owned(), o.to_owned())];
/// assert!(verdict(200, &allow, o).is_ok());
/// assert!(verdict(403, &[], o).unwrap_err().contains("403"));
/// ```
pub fn verdict(status: u16, headers: &[(String, String)], origin: &str) -> Result<(), String> {
    let allowed: Vec<&str> = headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("access-control-allow-origin"))
        .map(|(_, v)| v.as_str())
        .collect();
    if !(200..300).contains(&status) {
        return Err(format!(
            "the preflight from {origin} answered {status}: browsers there cannot upload"
        ));
    }
    match allowed.as_slice() {
        [one] if *one == origin || *one == "*" => Ok(()),
        [] => Err(format!(
            "the preflight from {origin} answered {status} without Access-Control-Allow-Origin: browsers there cannot upload"
        )),
        // Another origin, or several values: the browser refuses both.
        _ => Err(format!(
            "the preflight from {origin} allowed {}: browsers there cannot upload",
            allowed.join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{AddressingStyle, CustomEndpoint};
    use super::*;

    const O: &str = "https://admin.example.gov.uk";

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn the_browsers_cors_check() {
        assert!(verdict(200, &h(&[("access-control-allow-origin", O)]), O).is_ok());
        assert!(verdict(204, &h(&[("Access-Control-Allow-Origin", "*")]), O).is_ok());
        // Another origin, near misses, two values, none, or a refusal: no upload.
        for (status, headers) in [
            (
                200,
                h(&[("access-control-allow-origin", "https://other.example")]),
            ),
            (
                200,
                h(&[(
                    "access-control-allow-origin",
                    "https://admin.example.gov.uk/",
                )]),
            ),
            (
                200,
                h(&[(
                    "access-control-allow-origin",
                    "HTTPS://ADMIN.EXAMPLE.GOV.UK",
                )]),
            ),
            (
                200,
                h(&[
                    ("access-control-allow-origin", O),
                    ("access-control-allow-origin", O),
                ]),
            ),
            (200, h(&[])),
            (403, h(&[("access-control-allow-origin", O)])),
        ] {
            let why = verdict(status, &headers, O).unwrap_err();
            assert!(why.contains(O) && why.contains("cannot upload"), "{why}");
        }
    }

    #[test]
    fn the_preflight_goes_where_the_form_goes() {
        let bucket = BucketName::new("csv-upload").unwrap();
        let target = S3Target {
            region: "eu-west-1".into(),
            endpoint: Some(CustomEndpoint::parse("http://127.0.0.1:9000").unwrap()),
            addressing: AddressingStyle::Path,
        };
        assert_eq!(
            preflight(&target, &bucket, O).url,
            "http://127.0.0.1:9000/csv-upload"
        );
    }
}
