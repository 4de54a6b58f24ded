//! Where requests for a bucket go: AWS's regional endpoints or a custom one, virtual-hosted or
//! path-style, resolved the way botocore resolves them for presigning.

use std::fmt;

use super::BucketName;

/// How the bucket appears in the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AddressingStyle {
    /// botocore's default: virtual-hosted on AWS's global host when the bucket allows it,
    /// path-style for dotted buckets and for custom endpoints.
    #[default]
    Auto,
    /// `https://{bucket}.s3.{region}.amazonaws.com/{key}` (path-style if the bucket is dotted).
    Virtual,
    /// `https://s3.{region}.amazonaws.com/{bucket}/{key}`.
    Path,
}

impl std::str::FromStr for AddressingStyle {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(Self::Auto),
            "virtual" => Ok(Self::Virtual),
            "path" => Ok(Self::Path),
            other => Err(format!(
                "unknown addressing style {other:?}: use auto, virtual or path"
            )),
        }
    }
}

/// Why an endpoint URL was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid endpoint {url:?}: {reason}")]
pub struct InvalidEndpoint {
    /// The URL given.
    pub url: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// A custom S3 endpoint such as `http://127.0.0.1:8333` (SeaweedFS, MinIO, a local store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomEndpoint {
    scheme: String,
    authority: String,
    base_path: String,
}

impl CustomEndpoint {
    /// Parses `scheme://host[:port][/base/path]`.
    ///
    /// ```
    /// use uploadkit_core::s3::CustomEndpoint;
    /// let e = CustomEndpoint::parse("http://127.0.0.1:8333/").unwrap();
    /// assert_eq!(e.authority(), "127.0.0.1:8333");
    /// assert!(CustomEndpoint::parse("127.0.0.1:8333").is_err());
    /// ```
    pub fn parse(url: &str) -> Result<Self, InvalidEndpoint> {
        let fail = |reason| {
            Err(InvalidEndpoint {
                url: url.to_owned(),
                reason,
            })
        };
        let Some((scheme, rest)) = url.split_once("://") else {
            return fail("it must start with http:// or https://");
        };
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return fail("only http and https are supported");
        }
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        if authority.is_empty() {
            return fail("it has no host");
        }
        if rest.contains(['?', '#']) || authority.contains('@') {
            return fail("it must not carry a query, fragment or user info");
        }
        if !authority
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
        {
            return fail("the host holds characters a host name cannot");
        }
        let default_port = if scheme == "https" { ":443" } else { ":80" };
        let authority = authority.strip_suffix(default_port).unwrap_or(authority);
        Ok(Self {
            scheme,
            authority: authority.to_ascii_lowercase(),
            base_path: path.trim_end_matches('/').to_owned(),
        })
    }

    /// `host[:port]`, as signed in the `host` header.
    pub fn authority(&self) -> &str {
        &self.authority
    }
}

impl fmt::Display for CustomEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}{}", self.scheme, self.authority, self.base_path)
    }
}

/// The resolved location of a bucket: scheme, host and the path prefix before the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketLocation {
    /// `https` or `http`.
    pub scheme: String,
    /// `host[:port]`, signed as the `host` header.
    pub host: String,
    /// The path before the key, without a trailing slash: empty for virtual-hosted,
    /// `/bucket` for path-style (after any custom endpoint base path).
    pub path_prefix: String,
}

impl BucketLocation {
    /// Resolves a bucket's location.
    ///
    /// ```
    /// use uploadkit_core::s3::{AddressingStyle, BucketLocation, BucketName};
    /// let b = BucketName::new("notify.tools-mou").unwrap();
    /// let loc = BucketLocation::resolve(&b, "eu-west-1", None, AddressingStyle::Auto);
    /// assert_eq!(loc.host, "s3.eu-west-1.amazonaws.com");
    /// assert_eq!(loc.path_prefix, "/notify.tools-mou");
    /// ```
    pub fn resolve(
        bucket: &BucketName,
        region: &str,
        endpoint: Option<&CustomEndpoint>,
        style: AddressingStyle,
    ) -> Self {
        let virtual_ok = bucket.is_virtual_hostable();
        if let Some(ep) = endpoint {
            // A custom endpoint is path-style unless virtual hosting is asked for (botocore).
            let virtual_host =
                style == AddressingStyle::Virtual && virtual_ok && !is_ip(&ep.authority);
            return if virtual_host {
                Self {
                    scheme: ep.scheme.clone(),
                    host: format!("{bucket}.{}", ep.authority),
                    path_prefix: ep.base_path.clone(),
                }
            } else {
                Self {
                    scheme: ep.scheme.clone(),
                    host: ep.authority.clone(),
                    path_prefix: format!("{}/{bucket}", ep.base_path),
                }
            };
        }
        let dns_suffix = if region.starts_with("cn-") {
            "amazonaws.com.cn"
        } else {
            "amazonaws.com"
        };
        let regional = if region == "us-east-1" {
            format!("s3.{dns_suffix}")
        } else {
            format!("s3.{region}.{dns_suffix}")
        };
        let (host, path_prefix) = match style {
            // botocore presigns `auto` against the global host, which S3 routes to any region.
            AddressingStyle::Auto if virtual_ok => {
                (format!("{bucket}.s3.{dns_suffix}"), String::new())
            }
            AddressingStyle::Virtual if virtual_ok => {
                (format!("{bucket}.{regional}"), String::new())
            }
            _ => (regional, format!("/{bucket}")),
        };
        Self {
            scheme: "https".to_owned(),
            host,
            path_prefix,
        }
    }

    /// `scheme://host`.
    pub fn origin(&self) -> String {
        format!("{}://{}", self.scheme, self.host)
    }

    /// Where a browser posts an upload form: as botocore writes it, with a trailing slash for
    /// virtual-hosted, none after a path-style bucket.
    ///
    /// ```
    /// use uploadkit_core::s3::{AddressingStyle, BucketLocation, BucketName};
    /// let b = BucketName::new("csv-upload").unwrap();
    /// let at = |style| BucketLocation::resolve(&b, "eu-west-1", None, style).form_url();
    /// assert_eq!(at(AddressingStyle::Virtual), "https://csv-upload.s3.eu-west-1.amazonaws.com/");
    /// assert_eq!(at(AddressingStyle::Path), "https://s3.eu-west-1.amazonaws.com/csv-upload");
    /// ```
    pub fn form_url(&self) -> String {
        let path = if self.path_prefix.is_empty() {
            "/"
        } else {
            &self.path_prefix
        };
        format!("{}{path}", self.origin())
    }
}

fn is_ip(authority: &str) -> bool {
    let host = match authority.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) && !h.ends_with(':') => h,
        _ => authority,
    };
    host.starts_with('[') || host.parse::<std::net::Ipv4Addr>().is_ok()
}
