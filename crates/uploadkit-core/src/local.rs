//! The embedded local default: the endpoint and development key pair of the local store, so
//! everything runs on a laptop with no AWS account. These keys open nothing but that store.

/// The local store's endpoint.
pub const LOCAL_ENDPOINT: &str = "http://127.0.0.1:9000";

/// The local store's access key id.
pub const LOCAL_ACCESS_KEY_ID: &str = "uploadkit-local";

/// The local store's secret access key (public on purpose: it guards only a local folder).
pub const LOCAL_SECRET_ACCESS_KEY: &str = "uploadkit-local-secret";

/// The grant key of the local stack (public on purpose: it only unlocks the local store).
pub const LOCAL_GRANT_KEY: &str = "uploadkit-local-development-grant-key-not-a-secret";

/// The service id of the local stack's development grant.
pub const LOCAL_SERVICE_ID: &str = "00000000-0000-4000-8000-000000000001";
