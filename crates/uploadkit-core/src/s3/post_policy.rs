//! Browser form uploads: a signed POST policy whose conditions are derived from the form
//! fields the kit emits, so S3 never answers "Extra input fields".

use base64::Engine as _;
use serde_json::{Value, json};

use super::presign_url::effective_expiry;
use super::{BucketName, ObjectKey, S3Target};
use crate::clock::SigningTime;
use crate::encode::hex;
use crate::sigv4::{ALGORITHM, Signer, SigningError, credential_scope};

/// One condition of a POST policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// The field must equal the value: `{"field": "value"}`.
    Exact {
        /// Field name.
        field: String,
        /// Required value.
        value: String,
    },
    /// The field must start with the prefix: `["starts-with", "$field", "prefix"]`.
    StartsWith {
        /// Field name.
        field: String,
        /// Required prefix (empty: any value).
        prefix: String,
    },
    /// The file's size in bytes must be within `min..=max`.
    ContentLengthRange {
        /// Smallest size accepted.
        min: u64,
        /// Largest size accepted.
        max: u64,
    },
}

impl Condition {
    /// The condition as policy JSON.
    pub fn to_json(&self) -> Value {
        match self {
            Self::Exact { field, value } => json!({ field: value }),
            Self::StartsWith { field, prefix } => {
                json!(["starts-with", format!("${field}"), prefix])
            }
            Self::ContentLengthRange { min, max } => json!(["content-length-range", min, max]),
        }
    }

    /// Reads a condition in policy JSON: `{"field": "value"}`, `["eq", "$field", "value"]`,
    /// `["starts-with", "$field", "prefix"]` or `["content-length-range", min, max]`.
    ///
    /// ```
    /// use uploadkit_core::s3::Condition;
    /// let c = Condition::from_json(&serde_json::json!(["starts-with", "$Content-Type", "image/"]));
    /// assert!(c.is_ok());
    /// assert!(Condition::from_json(&serde_json::json!(["between", 1, 2])).is_err());
    /// ```
    pub fn from_json(value: &Value) -> Result<Self, PolicyError> {
        let bad = |why: &str| PolicyError::BadCondition(format!("{value}: {why}"));
        match value {
            Value::Object(map) if map.len() == 1 => {
                let (field, v) = map.iter().next().expect("one entry");
                let value = v
                    .as_str()
                    .ok_or_else(|| bad("the value must be a string"))?;
                Ok(Self::Exact {
                    field: field.clone(),
                    value: value.to_owned(),
                })
            }
            Value::Array(items) if items.len() == 3 => {
                let op = items[0]
                    .as_str()
                    .ok_or_else(|| bad("the operator must be a string"))?;
                match op.to_ascii_lowercase().as_str() {
                    "content-length-range" => {
                        let n = |v: &Value| {
                            v.as_u64()
                                .ok_or_else(|| bad("bounds must be whole numbers"))
                        };
                        let (min, max) = (n(&items[1])?, n(&items[2])?);
                        if min > max {
                            return Err(bad("the minimum is above the maximum"));
                        }
                        Ok(Self::ContentLengthRange { min, max })
                    }
                    "eq" | "starts-with" => {
                        let field = items[1]
                            .as_str()
                            .and_then(|f| f.strip_prefix('$'))
                            .ok_or_else(|| bad("the field must be a string starting with '$'"))?;
                        let arg = items[2]
                            .as_str()
                            .ok_or_else(|| bad("the value must be a string"))?;
                        Ok(if op.eq_ignore_ascii_case("eq") {
                            Self::Exact {
                                field: field.to_owned(),
                                value: arg.to_owned(),
                            }
                        } else {
                            Self::StartsWith {
                                field: field.to_owned(),
                                prefix: arg.to_owned(),
                            }
                        })
                    }
                    _ => Err(bad(
                        "the operator must be eq, starts-with or content-length-range",
                    )),
                }
            }
            _ => Err(bad(
                "expected {\"field\": \"value\"} or a three-element array",
            )),
        }
    }

    /// Appends the condition as policy JSON (the same text [`Condition::to_json`] serialises to).
    fn write_json(&self, out: &mut String) {
        match self {
            Self::Exact { field, value } => {
                out.push('{');
                push_json_str(out, field);
                out.push(':');
                push_json_str(out, value);
                out.push('}');
            }
            Self::StartsWith { field, prefix } => {
                out.push_str("[\"starts-with\",\"$");
                push_json_str_body(out, field);
                out.push_str("\",");
                push_json_str(out, prefix);
                out.push(']');
            }
            Self::ContentLengthRange { min, max } => {
                out.push_str("[\"content-length-range\",");
                out.push_str(&min.to_string());
                out.push(',');
                out.push_str(&max.to_string());
                out.push(']');
            }
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            Self::Exact { field, .. } | Self::StartsWith { field, .. } => Some(field),
            Self::ContentLengthRange { .. } => None,
        }
    }
}

/// Why a POST policy could not be built or signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// A field the kit sets itself was given.
    #[error("the form field {0:?} is set by uploadkit itself and cannot be given")]
    ReservedField(String),
    /// The same field was given twice.
    #[error("the form field {0:?} is given twice")]
    DuplicateField(String),
    /// A field name S3 would not accept.
    #[error("invalid form field name {0:?}: use letters, digits, '-' and '_'")]
    BadFieldName(String),
    /// `success_action_status` outside 200, 201, 204.
    #[error("success_action_status must be 200, 201 or 204, not {0:?}")]
    BadSuccessStatus(String),
    /// A condition that cannot be read.
    #[error("invalid policy condition {0}")]
    BadCondition(String),
    /// The signer refused.
    #[error(transparent)]
    Signing(#[from] SigningError),
}

/// Fields the kit always sets; callers cannot override them.
const RESERVED: [&str; 9] = [
    "key",
    "bucket",
    "policy",
    "file",
    "x-amz-algorithm",
    "x-amz-credential",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-signature",
];

/// What the `key` field may be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyRule {
    /// Exactly this key.
    Exact(ObjectKey),
    /// Any key starting with this prefix; the form's key is `{prefix}${filename}`, which S3
    /// completes with the uploaded file's name.
    Prefix(String),
}

/// A POST policy being built. Every field added becomes an exact-match condition.
///
/// ```
/// use uploadkit_core::{clock::parse_rfc3339, credentials::Credentials, sigv4::Signer};
/// use uploadkit_core::s3::{BucketName, KeyRule, ObjectKey, PostPolicy, S3Target};
///
/// let signer = Signer::new(Credentials::new("AKIDEXAMPLE", "secret", None, None)?);
/// let post = PostPolicy::new(BucketName::new("local-mou")?, KeyRule::Exact(ObjectKey::new("a.csv")?))
///     .field("Content-Type", "text/csv")?
///     .content_length_range(1, 10 * 1024 * 1024)
///     .expires_in(600)
///     .sign(&signer, &S3Target::aws("eu-west-1"), parse_rfc3339("2026-01-01T00:00:00Z").unwrap())?;
/// assert_eq!(post.fields.first().map(|f| f.0.as_str()), Some("key"));
/// assert_eq!(post.fields.last().map(|f| f.0.as_str()), Some("x-amz-signature"));
/// assert_eq!(post.expires_at.iso8601(), "2026-01-01T00:10:00Z");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct PostPolicy {
    bucket: BucketName,
    key: KeyRule,
    fields: Vec<(String, String)>,
    conditions: Vec<Condition>,
    expires_in: u32,
}

/// A signed form: post `fields` in order, then the file, to `url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresignedPost {
    /// Where the form goes.
    pub url: String,
    /// The form fields in the order to send them (the file goes after them).
    pub fields: Vec<(String, String)>,
    /// When the policy stops working (capped by the credentials' expiry).
    pub expires_at: SigningTime,
    /// The policy document (the JSON inside the base64 `policy` field).
    pub policy: String,
}

impl PostPolicy {
    /// A policy for uploads to `bucket` under `key`, valid for an hour unless changed.
    pub fn new(bucket: BucketName, key: KeyRule) -> Self {
        Self {
            bucket,
            key,
            fields: Vec::new(),
            conditions: Vec::new(),
            expires_in: 3600,
        }
    }

    /// Adds a form field (e.g. `Content-Type`, `x-amz-server-side-encryption`,
    /// `x-amz-meta-*`, `tagging`, `success_action_status`) and its exact-match condition.
    pub fn field(
        mut self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Result<Self, PolicyError> {
        let name = name.into();
        let value = value.into();
        let lower = name.to_ascii_lowercase();
        if RESERVED.contains(&lower.as_str()) {
            return Err(PolicyError::ReservedField(name));
        }
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(PolicyError::BadFieldName(name));
        }
        if self
            .fields
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(&name))
        {
            return Err(PolicyError::DuplicateField(name));
        }
        if lower == "success_action_status" && !matches!(value.as_str(), "200" | "201" | "204") {
            return Err(PolicyError::BadSuccessStatus(value));
        }
        self.fields.push((name, value));
        Ok(self)
    }

    /// Adds a condition on something the browser sends itself (e.g. a `starts-with` on a
    /// field the page fills in).
    pub fn condition(mut self, condition: Condition) -> Self {
        self.conditions.push(condition);
        self
    }

    /// Limits the file's size.
    pub fn content_length_range(self, min: u64, max: u64) -> Self {
        self.condition(Condition::ContentLengthRange { min, max })
    }

    /// How long the policy is valid, in seconds (1…604800; capped by the credentials).
    pub fn expires_in(mut self, secs: u32) -> Self {
        self.expires_in = secs;
        self
    }

    /// The form fields the caller added.
    pub fn fields(&self) -> &[(String, String)] {
        &self.fields
    }

    /// Signs the policy at `now`.
    pub fn sign(
        &self,
        signer: &Signer,
        target: &S3Target,
        now: SigningTime,
    ) -> Result<PresignedPost, PolicyError> {
        self.sign_with_expiry(signer, target, now, self.expires_in)
    }

    /// Signs the policy at `now`, valid for `expires_in` seconds (capped by the credentials).
    pub(crate) fn sign_with_expiry(
        &self,
        signer: &Signer,
        target: &S3Target,
        now: SigningTime,
        expires_in: u32,
    ) -> Result<PresignedPost, PolicyError> {
        let expires_in = effective_expiry(signer, now, expires_in)?;
        let expires_at = now.plus_seconds(expires_in).unwrap_or(now);
        let ctx = target.context(now);
        let scope = credential_scope(&now.scope_date(), ctx.region, ctx.service);
        let access_key = signer.credentials().access_key_id();
        let mut credential = String::with_capacity(access_key.len() + 1 + scope.len());
        credential.push_str(access_key);
        credential.push('/');
        credential.push_str(&scope);
        let amz_date = now.amz_date();
        let token = signer
            .credentials()
            .session_token()
            .map(|t| t.expose().to_owned());

        let key_field = match &self.key {
            KeyRule::Exact(key) => key.as_str().to_owned(),
            KeyRule::Prefix(prefix) => format!("{prefix}${{filename}}"),
        };

        let mut fields: Vec<(String, String)> = Vec::with_capacity(self.fields.len() + 7);
        fields.push(("key".into(), key_field));
        fields.extend(self.fields.iter().cloned());
        fields.push(("x-amz-algorithm".into(), ALGORITHM.into()));
        fields.push(("x-amz-credential".into(), credential));
        fields.push(("x-amz-date".into(), amz_date));
        if let Some(token) = token {
            fields.push(("x-amz-security-token".into(), token));
        }

        // The policy JSON, written straight into one buffer: bucket, key, every emitted field
        // (unless the caller constrained it), then the caller's conditions.
        let mut policy = String::with_capacity(
            256 + fields
                .iter()
                .map(|(k, v)| k.len() + v.len() + 8)
                .sum::<usize>(),
        );
        policy.push_str("{\"expiration\":");
        push_json_str(&mut policy, &expires_at.iso8601());
        policy.push_str(",\"conditions\":[");
        policy.push_str("{\"bucket\":");
        push_json_str(&mut policy, self.bucket.as_str());
        match &self.key {
            KeyRule::Exact(key) => {
                policy.push_str("},{\"key\":");
                push_json_str(&mut policy, key.as_str());
                policy.push('}');
            }
            KeyRule::Prefix(prefix) => {
                policy.push_str("},[\"starts-with\",\"$key\",");
                push_json_str(&mut policy, prefix);
                policy.push(']');
            }
        }
        for (name, value) in fields.iter().skip(1) {
            let constrained = self
                .conditions
                .iter()
                .any(|c| c.field().is_some_and(|f| f.eq_ignore_ascii_case(name)));
            if !constrained {
                policy.push_str(",{");
                push_json_str(&mut policy, name);
                policy.push(':');
                push_json_str(&mut policy, value);
                policy.push('}');
            }
        }
        for condition in &self.conditions {
            policy.push(',');
            condition.write_json(&mut policy);
        }
        policy.push_str("]}");

        let encoded = base64::engine::general_purpose::STANDARD.encode(policy.as_bytes());
        let signature = hex(&signer.signing_key(&ctx).sign(encoded.as_bytes()));
        fields.push(("policy".into(), encoded));
        fields.push(("x-amz-signature".into(), signature));

        let url = target.locate(&self.bucket).form_url();
        Ok(PresignedPost {
            url,
            fields,
            expires_at,
            policy,
        })
    }
}

/// Appends `text` as a JSON string literal.
fn push_json_str(out: &mut String, text: &str) {
    out.push('"');
    push_json_str_body(out, text);
    out.push('"');
}

/// Appends `text` escaped for the inside of a JSON string literal.
fn push_json_str_body(out: &mut String, text: &str) {
    // Almost every value needs no escaping; this scan vectorises where the loop below cannot.
    if !text.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
        out.push_str(text);
        return;
    }
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&text[start..i]);
        if escape.is_empty() {
            out.push_str(&format!("\\u{b:04x}"));
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&text[start..]);
}

/// Signs an existing base64 policy document (e.g. one written by another tool) at `now`.
///
/// ```
/// use uploadkit_core::{clock::parse_rfc3339, credentials::Credentials, sigv4::Signer};
/// let signer = Signer::new(Credentials::new("AK", "SK", None, None)?);
/// let sig = uploadkit_core::s3::sign_policy(&signer, "eu-west-1",
///     parse_rfc3339("2026-01-01T00:00:00Z").unwrap(), "eyJ9");
/// assert_eq!(sig.len(), 64);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sign_policy(signer: &Signer, region: &str, now: SigningTime, base64_policy: &str) -> String {
    let target = S3Target::aws(region);
    hex(&signer
        .signing_key(&target.context(now))
        .sign(base64_policy.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_never_outlives_the_credentials() {
        use crate::clock::parse_rfc3339;
        use crate::credentials::Credentials;
        let now = parse_rfc3339("2026-11-22T09:00:00Z").unwrap();
        let expiry = parse_rfc3339("2026-11-22T09:10:00Z").unwrap();
        let creds = Credentials::new("AK", "SK", Some("TOKEN".into()), Some(expiry)).unwrap();
        let signer = Signer::new(creds);
        let policy = PostPolicy::new(
            BucketName::new("local-mou").unwrap(),
            KeyRule::Prefix("a/".into()),
        )
        .expires_in(3600);
        let post = policy
            .sign(&signer, &S3Target::aws("eu-west-1"), now)
            .unwrap();
        assert_eq!(post.expires_at, expiry);
        let json: Value = serde_json::from_str(&post.policy).unwrap();
        assert_eq!(json["expiration"], "2026-11-22T09:10:00Z");
        assert!(
            json["conditions"]
                .as_array()
                .unwrap()
                .contains(&json!({"x-amz-security-token": "TOKEN"}))
        );
        let late = policy.sign(&signer, &S3Target::aws("eu-west-1"), expiry);
        assert!(matches!(
            late,
            Err(PolicyError::Signing(
                SigningError::CredentialsExpired { .. }
            ))
        ));
    }

    #[test]
    fn written_json_matches_serde() {
        let conditions = [
            Condition::Exact {
                field: "x-amz-meta-name".into(),
                value: "quote \" back \\ nl \n tab \t bell \u{7} é".into(),
            },
            Condition::StartsWith {
                field: "Content-Type".into(),
                prefix: "image/".into(),
            },
            Condition::ContentLengthRange {
                min: 1,
                max: 10_485_760,
            },
        ];
        for c in conditions {
            let mut out = String::new();
            c.write_json(&mut out);
            let parsed: Value = serde_json::from_str(&out).unwrap();
            assert_eq!(parsed, c.to_json(), "{out}");
        }
    }
}
