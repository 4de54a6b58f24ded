//! Header signing and query (presigned) signing for any service.

use std::borrow::Cow;

use sha2::{Digest, Sha256};

use super::canonical::{
    ALGORITHM, CanonicalHeaders, Sink, canonical_uri, credential_scope, push_param, push_raw_param,
    string_to_sign, write_canonical_request,
};
use super::request::{Payload, SessionTokenMode, SignableRequest, SigningSettings};
use super::signing_key::{SigningKey, SigningKeyCache};
use crate::clock::SigningTime;
use crate::credentials::Credentials;
use crate::encode::{hex, uri_encode};

/// The longest validity SigV4 allows a presigned request: 7 days.
pub const MAX_PRESIGN_SECONDS: u32 = 604_800;

/// Where and when a request is signed.
#[derive(Debug, Clone, Copy)]
pub struct SigningContext<'a> {
    /// The region, e.g. `eu-west-1`.
    pub region: &'a str,
    /// The service's signing name, e.g. `s3` or `sts`.
    pub service: &'a str,
    /// The signing instant.
    pub time: SigningTime,
    /// The service's rules.
    pub settings: SigningSettings,
}

/// Why a request could not be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigningError {
    /// A presigned request's validity is outside 1…604800 seconds.
    #[error(
        "expiry of {0} s is out of range: a presigned request is valid for 1 to 604800 seconds (7 days)"
    )]
    ExpiryOutOfRange(u64),
    /// The credentials expired before the signing instant.
    #[error(
        "the credentials expired at {expired_at}; refresh them (e.g. a new STS session) and sign again"
    )]
    CredentialsExpired {
        /// When they expired (RFC 3339).
        expired_at: String,
    },
}

/// The headers a header-signed request must carry, and its signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderSignature {
    /// `x-amz-date`, `x-amz-security-token`, `x-amz-content-sha256` (as applicable) and
    /// `authorization`, to add to the request.
    pub headers: Vec<(&'static str, String)>,
    /// The hex signature.
    pub signature: String,
}

/// A presigned request's query string and signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuerySignature {
    /// The full encoded query string to send, signature included.
    pub query: String,
    /// The hex signature.
    pub signature: String,
}

/// Signs requests with one set of credentials, caching the derived key per day, region and
/// service.
///
/// ```
/// use uploadkit_core::{clock::parse_rfc3339, credentials::Credentials};
/// use uploadkit_core::sigv4::{Payload, SignableRequest, Signer, SigningContext, SigningSettings};
///
/// let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None, None)?;
/// let signer = Signer::new(creds);
/// let request = SignableRequest {
///     method: "GET", path: "/", query: vec![],
///     headers: vec![("Host", "example.amazonaws.com")], payload: Payload::Bytes(b""),
/// };
/// let ctx = SigningContext {
///     region: "us-east-1", service: "service",
///     time: parse_rfc3339("2015-08-30T12:36:00Z").unwrap(), settings: SigningSettings::STANDARD,
/// };
/// let signed = signer.sign_headers(&request, &ctx)?;
/// assert_eq!(signed.signature, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Signer {
    credentials: Credentials,
    keys: SigningKeyCache,
}

/// Everything the canonical request is made of, computed once.
struct Prepared<'a> {
    method: &'a str,
    uri: Cow<'a, str>,
    query: String,
    /// What the URL carries (presigning only): the same parameters in botocore's order.
    url_query: String,
    headers: CanonicalHeaders<'a>,
    signed_headers: String,
    payload_hash: Cow<'a, str>,
}

impl Prepared<'_> {
    fn write<S: Sink>(&self, sink: &mut S) {
        write_canonical_request(
            sink,
            self.method,
            &self.uri,
            &self.query,
            &self.headers,
            &self.signed_headers,
            &self.payload_hash,
        );
    }

    fn text(&self) -> String {
        let mut s = String::with_capacity(512);
        self.write(&mut s);
        s
    }

    fn hash(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        self.write(&mut h);
        h.finalize().into()
    }
}

fn payload_hash<'a>(payload: &Payload<'a>) -> Cow<'a, str> {
    match *payload {
        Payload::Bytes(body) => Cow::Owned(hex(&Sha256::digest(body))),
        Payload::Unsigned => Cow::Borrowed("UNSIGNED-PAYLOAD"),
        Payload::Precomputed(h) => Cow::Borrowed(h),
    }
}

impl Signer {
    /// A signer for these credentials.
    pub fn new(credentials: Credentials) -> Self {
        Self {
            credentials,
            keys: SigningKeyCache::new(),
        }
    }

    /// The credentials this signer uses.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The (cached) signing key for a context.
    pub fn signing_key(&self, ctx: &SigningContext<'_>) -> SigningKey {
        self.keys.get(
            self.credentials.secret_access_key().expose(),
            &ctx.time.scope_date(),
            ctx.region,
            ctx.service,
        )
    }

    fn check_not_expired(&self, ctx: &SigningContext<'_>) -> Result<(), SigningError> {
        match self.credentials.expires_at() {
            Some(at) if at <= ctx.time => Err(SigningError::CredentialsExpired {
                expired_at: at.iso8601(),
            }),
            _ => Ok(()),
        }
    }

    fn signed_token(&self, settings: &SigningSettings) -> Option<&str> {
        match settings.session_token {
            SessionTokenMode::Signed => self.credentials.session_token().map(|t| t.expose()),
            SessionTokenMode::AddedAfterSigning => None,
        }
    }

    fn prepare_headers<'a>(
        &'a self,
        req: &SignableRequest<'a>,
        ctx: &SigningContext<'_>,
        amz_date: &'a str,
    ) -> Prepared<'a> {
        let payload_hash = payload_hash(&req.payload);
        let mut headers = CanonicalHeaders::new(&req.headers);
        headers.insert_canonical("x-amz-date", Cow::Borrowed(amz_date));
        if let Some(token) = self.signed_token(&ctx.settings) {
            headers.insert_canonical("x-amz-security-token", Cow::Borrowed(token));
        }
        if ctx.settings.content_sha256_header {
            headers.insert_canonical("x-amz-content-sha256", payload_hash.clone());
        }
        let signed_headers = headers.signed_headers();
        Prepared {
            method: req.method,
            uri: canonical_uri(req.path, &ctx.settings),
            query: super::canonical::canonical_query(&req.query),
            url_query: String::new(),
            headers,
            signed_headers,
            payload_hash,
        }
    }

    /// The canonical request that [`Signer::sign_headers`] signs.
    pub fn header_canonical_request(
        &self,
        req: &SignableRequest<'_>,
        ctx: &SigningContext<'_>,
    ) -> String {
        let amz_date = ctx.time.amz_date();
        self.prepare_headers(req, ctx, &amz_date).text()
    }

    /// Signs a request in the `Authorization` header.
    pub fn sign_headers(
        &self,
        req: &SignableRequest<'_>,
        ctx: &SigningContext<'_>,
    ) -> Result<HeaderSignature, SigningError> {
        self.check_not_expired(ctx)?;
        let amz_date = ctx.time.amz_date();
        let prepared = self.prepare_headers(req, ctx, &amz_date);
        let date = ctx.time.scope_date();
        let scope = credential_scope(&date, ctx.region, ctx.service);
        let signature = hex(&self
            .signing_key(ctx)
            .sign(string_to_sign(&amz_date, &scope, &prepared.hash()).as_bytes()));
        let authorization = format!(
            "{ALGORITHM} Credential={}/{scope}, SignedHeaders={}, Signature={signature}",
            self.credentials.access_key_id(),
            prepared.signed_headers
        );
        let mut headers = vec![("x-amz-date", amz_date.clone())];
        if let Some(token) = self.credentials.session_token() {
            headers.push(("x-amz-security-token", token.expose().to_owned()));
        }
        if ctx.settings.content_sha256_header {
            headers.push((
                "x-amz-content-sha256",
                prepared.payload_hash.clone().into_owned(),
            ));
        }
        headers.push(("authorization", authorization));
        Ok(HeaderSignature { headers, signature })
    }

    fn prepare_query<'a>(
        &'a self,
        req: &SignableRequest<'a>,
        ctx: &SigningContext<'_>,
        expires: u32,
        amz_date: &str,
        scope: &str,
    ) -> Result<Prepared<'a>, SigningError> {
        if !(1..=MAX_PRESIGN_SECONDS).contains(&expires) {
            return Err(SigningError::ExpiryOutOfRange(u64::from(expires)));
        }
        let headers = CanonicalHeaders::new(&req.headers);
        let signed_headers = headers.signed_headers();
        let mut credential =
            String::with_capacity(self.credentials.access_key_id().len() + 1 + scope.len());
        credential.push_str(self.credentials.access_key_id());
        credential.push('/');
        credential.push_str(scope);
        let expires_text = expires.to_string();
        let token = self.signed_token(&ctx.settings);
        let amz = [
            ("X-Amz-Algorithm", ALGORITHM),
            ("X-Amz-Credential", credential.as_str()),
            ("X-Amz-Date", amz_date),
            ("X-Amz-Expires", expires_text.as_str()),
            ("X-Amz-Security-Token", token.unwrap_or("")),
            ("X-Amz-SignedHeaders", signed_headers.as_str()),
        ];
        let amz = amz
            .iter()
            .filter(|(k, _)| token.is_some() || *k != "X-Amz-Security-Token");
        let push_amz = |out: &mut String, (k, v): &(&str, &str)| match *k {
            // Only the credential, token and signed-header list can hold reserved bytes.
            "X-Amz-Algorithm" | "X-Amz-Date" | "X-Amz-Expires" => push_raw_param(out, k, v),
            _ => push_param(out, k, v),
        };
        // The URL's query, as botocore writes it: the request's own parameters in the order
        // given, then the X-Amz-* ones, the session token after the signed-header list.
        let mut url_query = String::with_capacity(256 + credential.len());
        for (k, v) in &req.query {
            push_param(&mut url_query, k, v);
        }
        let is_token = |(k, _): &&(&str, &str)| *k == "X-Amz-Security-Token";
        for param in amz
            .clone()
            .filter(|p| !is_token(p))
            .chain(amz.clone().filter(is_token))
        {
            push_amz(&mut url_query, param);
        }
        let query = if req.query.is_empty() {
            // The X-Amz-* names above are already in canonical order.
            let mut q = String::with_capacity(256 + credential.len());
            for param in amz {
                push_amz(&mut q, param);
            }
            q
        } else {
            let mut pairs: Vec<(String, String)> = req
                .query
                .iter()
                .copied()
                .chain(amz.copied())
                .map(|(k, v)| (uri_encode(k, false), uri_encode(v, false)))
                .collect();
            pairs.sort_unstable();
            super::canonical::join_query(&pairs)
        };
        Ok(Prepared {
            method: req.method,
            uri: canonical_uri(req.path, &ctx.settings),
            query,
            url_query,
            headers,
            signed_headers,
            payload_hash: payload_hash(&req.payload),
        })
    }

    /// The canonical request that [`Signer::presign`] signs.
    pub fn query_canonical_request(
        &self,
        req: &SignableRequest<'_>,
        ctx: &SigningContext<'_>,
        expires: u32,
    ) -> Result<String, SigningError> {
        let amz_date = ctx.time.amz_date_buf();
        let scope = credential_scope(&ctx.time.scope_date(), ctx.region, ctx.service);
        Ok(self
            .prepare_query(req, ctx, expires, amz_date.as_str(), &scope)?
            .text())
    }

    /// Signs a request in its query string (a presigned request valid for `expires` seconds).
    /// The caller caps `expires` at the credentials' expiry; see [`crate::presign`].
    pub fn presign(
        &self,
        req: &SignableRequest<'_>,
        ctx: &SigningContext<'_>,
        expires: u32,
    ) -> Result<QuerySignature, SigningError> {
        self.check_not_expired(ctx)?;
        let amz_date = ctx.time.amz_date_buf();
        let scope = credential_scope(&ctx.time.scope_date(), ctx.region, ctx.service);
        let prepared = self.prepare_query(req, ctx, expires, amz_date.as_str(), &scope)?;
        let sts = string_to_sign(amz_date.as_str(), &scope, &prepared.hash());
        let signature = hex(&self.signing_key(ctx).sign(sts.as_bytes()));
        let mut query = prepared.url_query;
        if ctx.settings.session_token == SessionTokenMode::AddedAfterSigning
            && let Some(token) = self.credentials.session_token()
        {
            push_param(&mut query, "X-Amz-Security-Token", token.expose());
        }
        push_raw_param(&mut query, "X-Amz-Signature", &signature);
        Ok(QuerySignature { query, signature })
    }
}
