//! Where a service's requests go and how, from the environment and the profile, in the order
//! the AWS SDKs document for service-specific endpoints: `AWS_ENDPOINT_URL_{SERVICE}`,
//! `AWS_ENDPOINT_URL`, the profile's `services` section, the profile's `endpoint_url` — none of
//! them when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` (or the profile's
//! `ignore_configured_endpoint_urls`) is true — and the profile's nested `s3` settings.

use super::{Profile, ProfileSet};
use crate::s3::AddressingStyle;

/// A nested setting: `s3 =` followed by indented `addressing_style = path` lines.
///
/// ```
/// use uploadkit_core::credentials::service_config::nested;
/// assert_eq!(nested("\naddressing_style = path\nendpoint_url = http://x", "addressing_style"), Some("path"));
/// ```
pub fn nested<'a>(value: &'a str, key: &str) -> Option<&'a str> {
    value.lines().find_map(|line| {
        let (k, v) = line.split_once('=')?;
        (k.trim().eq_ignore_ascii_case(key))
            .then(|| v.trim())
            .filter(|v| !v.is_empty())
    })
}

fn is_true(v: Option<&str>) -> bool {
    v.is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

/// The configured endpoint for `service` (`"s3"`, `"sts"`, `"sso"`, `"sso-oidc"`), if any.
///
/// ```
/// use uploadkit_core::credentials::{FileContents, ProfileSet, service_config::configured_endpoint};
/// let config = "[profile dev]\nendpoint_url = http://127.0.0.1:9000\nservices = local\n[services local]\ns3 =\n  endpoint_url = http://127.0.0.1:8333\n";
/// let set = ProfileSet::parse(Some(FileContents { path: "config", text: config }), None).unwrap();
/// let dev = set.get("dev").unwrap();
/// let none = |_: &str| None;
/// assert_eq!(configured_endpoint(&none, &set, dev, "s3").as_deref(), Some("http://127.0.0.1:8333"));
/// assert_eq!(configured_endpoint(&none, &set, dev, "sts").as_deref(), Some("http://127.0.0.1:9000"));
/// let env = |k: &str| (k == "AWS_ENDPOINT_URL_S3").then(|| "http://s3.test".to_owned());
/// assert_eq!(configured_endpoint(&env, &set, dev, "s3").as_deref(), Some("http://s3.test"));
/// ```
pub fn configured_endpoint(
    env: &dyn Fn(&str) -> Option<String>,
    profiles: &ProfileSet,
    profile: &Profile,
    service: &str,
) -> Option<String> {
    let var = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    if is_true(var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS").as_deref())
        || is_true(profile.get("ignore_configured_endpoint_urls"))
    {
        return None;
    }
    let env_name = format!(
        "AWS_ENDPOINT_URL_{}",
        service.to_ascii_uppercase().replace(['-', ' '], "_")
    );
    var(&env_name)
        .or_else(|| var("AWS_ENDPOINT_URL"))
        .or_else(|| {
            let section = profiles.services(profile.get("services")?)?;
            nested(section.get(service)?, "endpoint_url").map(str::to_owned)
        })
        .or_else(|| profile.get("endpoint_url").map(str::to_owned))
        .map(|e| e.trim().trim_end_matches('/').to_owned())
}

/// The profile's `s3` → `addressing_style` (`auto`, `virtual`, `path`), if set and valid.
pub fn s3_addressing(profile: &Profile) -> Option<AddressingStyle> {
    nested(profile.get("s3")?, "addressing_style")?.parse().ok()
}
