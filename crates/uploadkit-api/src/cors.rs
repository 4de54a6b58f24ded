//! CORS for an allow-list of origins.

use crate::http::{ApiRequest, ApiResponse};

/// Which browser origins may call the API.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CorsPolicy {
    origins: Vec<String>,
}

impl CorsPolicy {
    /// Allows exactly these origins (`scheme://host[:port]`, no trailing slash).
    pub fn new(origins: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self {
            origins: origins
                .into_iter()
                .map(|o| o.into().trim_end_matches('/').to_owned())
                .collect(),
        }
    }

    /// Parses a comma-separated list, as `UPLOADKIT_ALLOWED_ORIGINS` holds it.
    pub fn from_list(list: &str) -> Self {
        Self::new(list.split(',').map(str::trim).filter(|o| !o.is_empty()))
    }

    /// Whether an origin is allowed.
    pub fn allows(&self, origin: &str) -> bool {
        self.origins.iter().any(|o| o == origin)
    }

    /// Adds the CORS headers a response to `req` needs.
    pub(crate) fn decorate(&self, req: &ApiRequest, response: &mut ApiResponse) {
        response.headers.push(("vary".into(), "Origin".into()));
        if let Some(origin) = req.header("origin").filter(|o| self.allows(o)) {
            response
                .headers
                .push(("access-control-allow-origin".into(), origin.to_owned()));
        }
    }

    /// The answer to a preflight from an allowed origin.
    pub(crate) fn preflight(&self, origin: &str) -> ApiResponse {
        ApiResponse {
            status: 204,
            headers: vec![
                ("access-control-allow-origin".into(), origin.to_owned()),
                (
                    "access-control-allow-methods".into(),
                    "POST, OPTIONS".into(),
                ),
                (
                    "access-control-allow-headers".into(),
                    "authorization, content-type".into(),
                ),
                ("access-control-max-age".into(), "600".into()),
                ("vary".into(), "Origin".into()),
            ],
            body: Vec::new(),
        }
    }
}
