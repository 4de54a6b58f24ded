//! AWS Signature Version 4 for any service: canonical request, string to sign, signing-key
//! derivation, header signing and query (presigned) signing.

mod canonical;
mod request;
mod signer;
mod signing_key;

pub use canonical::{
    ALGORITHM, CanonicalHeaders, canonical_query, canonical_uri, credential_scope, string_to_sign,
};
pub use request::{Payload, SessionTokenMode, SignableRequest, SigningSettings, UriEncoding};
pub use signer::{
    HeaderSignature, MAX_PRESIGN_SECONDS, QuerySignature, Signer, SigningContext, SigningError,
};
pub use signing_key::{HmacSha256, SigningKey, SigningKeyCache, derive_signing_key};
