//! The embedded local default: the endpoint and development key pair of the local store, so
//! everything runs on a laptop with no AWS account. These keys open nothing but that store.

/// The local store's endpoint.
pub const LOCAL_ENDPOINT: &str = "http://127.0.0.1:9000";

/// The local store's access key id.
pub const LOCAL_ACCESS_KEY_ID: &str = "uploadkit-local";

/// The local store's secret access key (public on purpose: it guards only a local folder).
pub const LOCAL_SECRET_ACCESS_KEY: &str = "uploadkit-local-secret";
