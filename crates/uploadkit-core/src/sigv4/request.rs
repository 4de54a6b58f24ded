//! The request a signer signs, and the rules that differ between S3 and other services.

/// How the canonical URI is derived from the path as sent on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UriEncoding {
    /// The wire path is used as it is (S3: object keys are encoded once, when the URL is built).
    Single,
    /// The wire path is percent-encoded again (every other service).
    Double,
}

/// Where a session token goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionTokenMode {
    /// The token is part of the signed request (S3 and nearly every service).
    Signed,
    /// The token is added after signing, outside the signature (a few services, e.g. IoT).
    AddedAfterSigning,
}

/// The rules a service signs by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SigningSettings {
    /// Single (S3) or double URI encoding.
    pub uri_encoding: UriEncoding,
    /// Remove `.`/`..` segments and empty segments from the path before signing (not S3).
    pub normalize_path: bool,
    /// Send the payload hash as `x-amz-content-sha256` when signing headers (S3 requires it).
    pub content_sha256_header: bool,
    /// Whether the session token is signed.
    pub session_token: SessionTokenMode,
}

impl SigningSettings {
    /// S3: single encoding, no normalisation, `x-amz-content-sha256` sent.
    pub const S3: Self = Self {
        uri_encoding: UriEncoding::Single,
        normalize_path: false,
        content_sha256_header: true,
        session_token: SessionTokenMode::Signed,
    };

    /// Every other service (STS, …): double encoding and path normalisation.
    pub const STANDARD: Self = Self {
        uri_encoding: UriEncoding::Double,
        normalize_path: true,
        content_sha256_header: false,
        session_token: SessionTokenMode::Signed,
    };
}

/// The body's contribution to the canonical request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payload<'a> {
    /// The body bytes, hashed with SHA-256.
    Bytes(&'a [u8]),
    /// `UNSIGNED-PAYLOAD`, as presigned S3 URLs use.
    Unsigned,
    /// A hash already computed (lower-case hex), or another literal the service accepts.
    Precomputed(&'a str),
}

/// An HTTP request to sign. `path` is the path as it goes on the wire (already percent-encoded
/// for S3 keys); query names and values are decoded and are encoded by the signer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignableRequest<'a> {
    /// The HTTP method, upper-case.
    pub method: &'a str,
    /// The path as sent, starting with `/`.
    pub path: &'a str,
    /// Decoded query parameters, in any order.
    pub query: Vec<(&'a str, &'a str)>,
    /// Headers to sign (`host` among them), names in any case, repeated names allowed.
    pub headers: Vec<(&'a str, &'a str)>,
    /// The body.
    pub payload: Payload<'a>,
}
