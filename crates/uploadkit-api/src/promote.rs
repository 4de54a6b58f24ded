//! Making a temporary logo permanent, as a sans-IO state machine: it says which S3 request to
//! send next and reads each answer, and the adapter (the native service, the CLI, the edge
//! worker) only sends. Steps: `HEAD` the permanent key (never overwrite), `GET` the temporary
//! logo (at most one byte over 2 MiB) and check its bytes as its namespace's kind, copy it to
//! the permanent key without its deletion tag, then read the permanent object's tags back and
//! remove the deletion tag if it is still there: some servers ignore the copy's
//! `x-amz-tagging-directive`, and a permanent logo must never expire.
//!
//! `POST /v1/logos/promote` with `{"key": "temp-….png", "slug": "hmrc"}` runs it for a browser,
//! with a grant that names the logo's kind, so an application needs no AWS credentials of its
//! own to finish a logo upload.

use serde_json::{Value, json};
use uploadkit_core::catalogue::{
    Bucket, LETTER_LOGO_PREFIX, TEMPORARY_TAG, UploadKind, permanent_logo_key,
};
use uploadkit_core::clock::SigningTime;
use uploadkit_core::encode::uri_encode;
use uploadkit_core::s3::actions::{
    CopyObject, DeleteObjectTagging, GetObject, GetObjectTagging, HeadObject, MetadataDirective,
    ObjectHead, ObjectRead, PutObjectTagging, S3Action, S3ErrorReply, S3Response, copy_outcome,
};
use uploadkit_core::s3::{BucketName, Encryption, ObjectKey, S3Target, SignedRequest};
use uploadkit_core::sigv4::{Signer, SigningError};
use uploadkit_core::xml;
use uploadkit_validators::logo::{LogoError, LogoKind, MAX_LOGO_BYTES, check_logo};

use crate::error::ApiError;
use crate::handler::{ApiConfig, body_json, grant_of, required_text, text_field};
use crate::http::{ApiRequest, ApiResponse};

/// The route.
pub const PROMOTE_PATH: &str = "/v1/logos/promote";

pub use uploadkit_core::catalogue::{MAX_SLUG_CHARS, slugify};

/// An S3 answer, as the adapter received it.
#[derive(Debug, Clone, Default)]
pub struct S3Reply {
    /// The status.
    pub status: u16,
    /// The headers (names lower-case).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl S3Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why a logo was not made permanent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PromoteError {
    /// Not a temporary logo key.
    #[error(
        "{0} is not a temporary logo key (temp-… at the bucket root or under letters/static/images/letter-template/)"
    )]
    NotTemporary(String),
    /// The permanent logo exists already.
    #[error(
        "{0} exists already; permanent logos are never overwritten (old emails and letters still point at them)"
    )]
    WouldOverwrite(String),
    /// There is no such temporary logo.
    #[error(
        "there is no temporary logo {0}: upload it first (temporary logos are deleted after 7 days)"
    )]
    NoSuchLogo(String),
    /// The bytes fail the logo check.
    #[error("{key} was not made permanent: {reason}")]
    Refused {
        /// The temporary key.
        key: String,
        /// Why, in the app's words where it has them.
        reason: LogoError,
    },
    /// S3 refused a step (its status, code, message and `x-amz-bucket-region`).
    #[error("S3 answered {status} {code} ({step}): {message}")]
    S3 {
        /// Which step.
        step: &'static str,
        /// The status.
        status: u16,
        /// S3's code.
        code: String,
        /// S3's message.
        message: String,
        /// The bucket's region, when S3 said in `x-amz-bucket-region`.
        region: Option<String>,
        /// S3's answer, whole, for a caller that reads more of it.
        body: String,
    },
    /// No answer from S3.
    #[error("cannot reach S3: {0}")]
    Network(String),
    /// The permanent logo was made but still carries the deletion tag.
    #[error(
        "{0} was made permanent but still carries the delete-after-7-days tag, so it would expire: remove it now with `aws s3api delete-object-tagging --bucket BUCKET --key {0}`"
    )]
    StillTagged(String),
    /// The request could not be signed (expired credentials).
    #[error("cannot sign: {0}")]
    Signing(#[from] SigningError),
}

/// What to do next.
#[derive(Debug)]
pub enum Step {
    /// Send this request and pass its answer to [`Promotion::next`].
    Send {
        /// The method.
        method: &'static str,
        /// URL and headers.
        request: SignedRequest,
        /// The body (empty but for a tag rewrite).
        body: Vec<u8>,
    },
    /// Finished: the permanent key, or why not.
    Done(Result<ObjectKey, PromoteError>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    HeadPermanent,
    GetTemporary,
    Copy,
    ReadTags,
    RemoveTag,
    VerifyTags,
    Finished,
}

/// One promotion in progress.
#[derive(Debug, Clone)]
pub struct Promotion {
    bucket: BucketName,
    temp: ObjectKey,
    permanent: ObjectKey,
    kind: LogoKind,
    kms_key: Option<String>,
    state: State,
}

impl Promotion {
    /// A promotion of `temp` in `bucket`, to its permanent name with `slug` (made a slug).
    ///
    /// ```
    /// use uploadkit_api::promote::Promotion;
    /// use uploadkit_core::s3::{BucketName, ObjectKey};
    /// let p = Promotion::new(BucketName::new("logos").unwrap(), &ObjectKey::new("temp-a.png").unwrap(), Some("HMRC")).unwrap();
    /// assert_eq!(p.permanent().as_str(), "a-hmrc.png");
    /// ```
    pub fn new(
        bucket: BucketName,
        temp: &ObjectKey,
        slug: Option<&str>,
    ) -> Result<Self, PromoteError> {
        let permanent = permanent_logo_key(temp, slug)
            .ok_or_else(|| PromoteError::NotTemporary(temp.as_str().to_owned()))?;
        let kind = if temp.as_str().starts_with(LETTER_LOGO_PREFIX) {
            LogoKind::Letter
        } else {
            LogoKind::Email
        };
        Ok(Self {
            bucket,
            temp: temp.clone(),
            permanent,
            kind,
            kms_key: None,
            state: State::HeadPermanent,
        })
    }

    /// Encrypts the permanent logo with SSE-KMS under `kms_key` (the logo bucket's configured
    /// key) instead of SSE-S3.
    pub fn encrypted_with(mut self, kms_key: Option<&str>) -> Self {
        self.kms_key = kms_key.map(str::to_owned);
        self
    }

    /// The key the logo will have.
    pub fn permanent(&self) -> &ObjectKey {
        &self.permanent
    }

    /// The upload kind whose grant may promote this logo.
    pub fn upload_kind(&self) -> UploadKind {
        match self.kind {
            LogoKind::Email => UploadKind::EmailLogo,
            LogoKind::Letter => UploadKind::LetterLogo,
        }
    }

    /// The first request.
    pub fn start(&mut self, signer: &Signer, target: &S3Target, now: SigningTime) -> Step {
        self.state = State::HeadPermanent;
        let permanent = self.permanent.clone();
        self.send_action(&HeadObject(&permanent), signer, target, now)
    }

    /// Reads the answer to the last request and says what to do next.
    pub fn next(
        &mut self,
        reply: &S3Reply,
        signer: &Signer,
        target: &S3Target,
        now: SigningTime,
    ) -> Step {
        let response = S3Response {
            status: reply.status,
            headers: &reply.headers,
            body: &reply.body,
        };
        match self.state {
            State::HeadPermanent => match HeadObject(&self.permanent).parse(&response) {
                Ok(ObjectHead::Exists) => self.finish(Err(PromoteError::WouldOverwrite(
                    self.permanent.as_str().to_owned(),
                ))),
                Ok(ObjectHead::Missing) => {
                    self.state = State::GetTemporary;
                    let temp = self.temp.clone();
                    // One byte over the limit is enough to know a logo is too large.
                    let get = GetObject {
                        key: &temp,
                        first_bytes: Some(MAX_LOGO_BYTES as u64 + 1),
                    };
                    self.send_action(&get, signer, target, now)
                }
                Err(_) => self.finish(Err(s3_error("checking the permanent name", reply))),
            },
            State::GetTemporary => {
                let get = GetObject {
                    key: &self.temp,
                    first_bytes: None,
                };
                match get.parse(&response) {
                    Ok(read) => {
                        if let Err(reason) = self.check(&read) {
                            return self.finish(Err(PromoteError::Refused {
                                key: self.temp.as_str().to_owned(),
                                reason,
                            }));
                        }
                        self.state = State::Copy;
                        let (temp, permanent, kms_key) = (
                            self.temp.clone(),
                            self.permanent.clone(),
                            self.kms_key.clone(),
                        );
                        let bucket = self.bucket.clone();
                        let copy = CopyObject {
                            source: &temp,
                            dest: &permanent,
                            metadata: MetadataDirective::Copy,
                            encryption: kms_key
                                .as_deref()
                                .map_or(Encryption::Aes256, Encryption::Kms),
                            drop_tags: true,
                            bucket: &bucket,
                        };
                        self.send_action(&copy, signer, target, now)
                    }
                    // A 404 without a body (or with NoSuchKey) is the key; NoSuchBucket is not.
                    Err(e)
                        if e.status == 404
                            && matches!(e.code.as_str(), "NoSuchKey" | "NotFound") =>
                    {
                        self.finish(Err(PromoteError::NoSuchLogo(self.temp.as_str().to_owned())))
                    }
                    Err(_) => self.finish(Err(s3_error("fetching the temporary logo", reply))),
                }
            }
            State::Copy => match copy_outcome(&response) {
                Ok(()) => {
                    self.state = State::ReadTags;
                    self.read_tags(signer, target, now)
                }
                Err(_) => self.finish(Err(s3_error("copying to the permanent name", reply))),
            },
            State::ReadTags => match self.tags(reply) {
                // A server without object tagging stores no deletion tag.
                Err(e) if e.not_implemented() => self.finish(Ok(self.permanent.clone())),
                Err(_) => self.finish(Err(s3_error("reading the permanent logo's tags", reply))),
                Ok(tags) if !tags.iter().any(|(k, _)| k == TEMPORARY_TAG.0) => {
                    self.finish(Ok(self.permanent.clone()))
                }
                Ok(tags) => {
                    self.state = State::RemoveTag;
                    let kept: Vec<(&str, &str)> = tags
                        .iter()
                        .filter(|(k, _)| k != TEMPORARY_TAG.0)
                        .map(|(k, v)| (k.as_str(), v.as_str()))
                        .collect();
                    let permanent = self.permanent.clone();
                    if kept.is_empty() {
                        self.send_action(&DeleteObjectTagging(&permanent), signer, target, now)
                    } else {
                        let put = PutObjectTagging {
                            key: &permanent,
                            tags: &kept,
                        };
                        self.send_action(&put, signer, target, now)
                    }
                }
            },
            State::RemoveTag => {
                if (200..300).contains(&reply.status) {
                    self.state = State::VerifyTags;
                    self.read_tags(signer, target, now)
                } else {
                    self.finish(Err(s3_error("removing the deletion tag", reply)))
                }
            }
            State::VerifyTags => match self.tags(reply) {
                Ok(tags) if !tags.iter().any(|(k, _)| k == TEMPORARY_TAG.0) => {
                    self.finish(Ok(self.permanent.clone()))
                }
                Ok(_) => self.finish(Err(PromoteError::StillTagged(
                    self.permanent.as_str().to_owned(),
                ))),
                Err(_) => self.finish(Err(s3_error("reading the permanent logo's tags", reply))),
            },
            State::Finished => Step::Done(Err(PromoteError::Network(
                "the promotion had already finished".into(),
            ))),
        }
    }

    /// The request could not be sent or its answer not read.
    pub fn network_failed(&mut self, why: impl Into<String>) -> Step {
        self.finish(Err(PromoteError::Network(why.into())))
    }

    fn check(&self, read: &ObjectRead) -> Result<(), LogoError> {
        let size = read.total_size();
        if size > MAX_LOGO_BYTES {
            return Err(LogoError::TooLarge(size));
        }
        check_logo(self.kind, &read.body)
    }

    fn read_tags(&mut self, signer: &Signer, target: &S3Target, now: SigningTime) -> Step {
        let permanent = self.permanent.clone();
        self.send_action(&GetObjectTagging(&permanent), signer, target, now)
    }

    /// The permanent object's tags from a `GetObjectTagging` answer.
    fn tags(&self, reply: &S3Reply) -> Result<Vec<(String, String)>, S3ErrorReply> {
        GetObjectTagging(&self.permanent).parse(&S3Response {
            status: reply.status,
            headers: &reply.headers,
            body: &reply.body,
        })
    }

    fn send_action<A: S3Action>(
        &mut self,
        action: &A,
        signer: &Signer,
        target: &S3Target,
        now: SigningTime,
    ) -> Step {
        match action.sign(signer, target, &self.bucket, now) {
            Ok((request, body)) => Step::Send {
                method: action.method(),
                request,
                body,
            },
            Err(e) => self.finish(Err(e.into())),
        }
    }

    fn finish(&mut self, result: Result<ObjectKey, PromoteError>) -> Step {
        self.state = State::Finished;
        Step::Done(result)
    }
}

fn s3_error(step: &'static str, reply: &S3Reply) -> PromoteError {
    let body = String::from_utf8_lossy(&reply.body);
    PromoteError::S3 {
        step,
        status: reply.status,
        code: xml::text(&body, "Code").unwrap_or_else(|| format!("HTTP {}", reply.status)),
        message: xml::text(&body, "Message").unwrap_or_default(),
        region: reply.header("x-amz-bucket-region").map(str::to_owned),
        body: body.into_owned(),
    }
}

/// Whether a request is a promotion, which the adapter drives with [`begin`], [`Promotion`] and
/// [`respond`] ([`crate::handle`] answers its preflight).
pub fn is_promotion(req: &ApiRequest) -> bool {
    req.path == PROMOTE_PATH && req.method != "OPTIONS"
}

/// Checks a promotion request (origin, method, grant, body) and sets up the promotion, or
/// answers it at once.
pub fn begin(
    config: &ApiConfig,
    req: &ApiRequest,
    now: SigningTime,
) -> Result<Promotion, ApiResponse> {
    let refuse = |e: ApiError| crate::handler::error_response(config, req, &e);
    if let Some(origin) = req.header("origin")
        && !config.cors.allows(origin)
    {
        return Err(refuse(ApiError::OriginNotAllowed(origin.to_owned())));
    }
    if req.method != "POST" {
        return Err(refuse(ApiError::MethodNotAllowed(req.method.clone())));
    }
    let grant = grant_of(config, req, now).map_err(refuse)?;
    let body = body_json(req).map_err(refuse)?;
    let key = ObjectKey::new(required_text(&body, "key").map_err(refuse)?).map_err(|e| {
        refuse(ApiError::BadField {
            field: "key",
            message: e.to_string(),
        })
    })?;
    let slug = text_field(&body, "slug").map_err(refuse)?;
    let bucket = config.catalogue.name(Bucket::Logo).clone();
    let promotion = Promotion::new(bucket, &key, slug)
        .map_err(|e| {
            refuse(ApiError::BadField {
                field: "key",
                message: e.to_string(),
            })
        })?
        .encrypted_with(config.catalogue.kms_key(Bucket::Logo));
    if !grant.kinds.contains(&promotion.upload_kind()) {
        return Err(refuse(ApiError::KindNotGranted(promotion.upload_kind())));
    }
    Ok(promotion)
}

/// The API's answer to a finished promotion: 200 with the permanent key and its CDN URL, or the
/// refusal with its status.
pub fn respond(
    config: &ApiConfig,
    req: &ApiRequest,
    result: &Result<ObjectKey, PromoteError>,
) -> ApiResponse {
    match result {
        Ok(key) => {
            let body: Value = json!({
                "key": key.as_str(),
                "url": format!("https://{}/{}", config.catalogue.logo_cdn_domain(), uri_encode(key.as_str(), true)),
            });
            let mut response = ApiResponse::json(200, body.to_string().into_bytes());
            config.cors.decorate(req, &mut response);
            response
        }
        Err(e) => crate::handler::error_response(config, req, &ApiError::from(e.clone())),
    }
}

impl From<PromoteError> for ApiError {
    fn from(e: PromoteError) -> Self {
        match e {
            PromoteError::NotTemporary(_) => Self::BadField {
                field: "key",
                message: e.to_string(),
            },
            PromoteError::WouldOverwrite(_) => Self::Conflict(e.to_string()),
            PromoteError::NoSuchLogo(_) => Self::Missing(e.to_string()),
            PromoteError::Refused { .. } => Self::LogoRefused(e.to_string()),
            PromoteError::Signing(s) => s.into(),
            PromoteError::S3 { .. } | PromoteError::Network(_) | PromoteError::StillTagged(_) => {
                Self::Upstream(e.to_string())
            }
        }
    }
}
