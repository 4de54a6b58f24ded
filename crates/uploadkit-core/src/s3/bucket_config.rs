//! The bucket configuration the kit owns — default encryption, the lifecycle rule that expires
//! temporary uploads, the CORS rule for browser uploads — merged into what a bucket already has.
//!
//! Pure: the adapter GETs each configuration, asks for a [`ConfigPlan`] and writes only when the
//! plan says so. Rules the kit did not write are sent back as S3 returned them; the kit's own
//! are found by their ID, so a second run changes nothing and a team's own rules survive.

use crate::catalogue::TEMPORARY_TAG;
use crate::xml;

/// The ID of the kit's lifecycle rule.
pub const LIFECYCLE_RULE_ID: &str = "uploadkit-expire-temporary-uploads";

/// The ID of the kit's CORS rule.
pub const CORS_RULE_ID: &str = "uploadkit-browser-uploads";

/// Days after which a temporary upload expires.
pub const TEMPORARY_DAYS: u32 = 7;

const NAMESPACE: &str = "http://s3.amazonaws.com/doc/2006-03-01/";
const CORS_METHODS: [&str; 4] = ["GET", "HEAD", "POST", "PUT"];
const CORS_EXPOSE: [&str; 2] = ["ETag", "Location"];
const CORS_MAX_AGE: &str = "3000";

/// A bucket configuration the kit manages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigKind {
    /// Default encryption (`?encryption`).
    Encryption,
    /// Lifecycle rules (`?lifecycle`).
    Lifecycle,
    /// CORS rules (`?cors`).
    Cors,
}

impl ConfigKind {
    /// The query subresource that reads and writes it.
    pub fn subresource(self) -> &'static str {
        match self {
            Self::Encryption => "encryption",
            Self::Lifecycle => "lifecycle",
            Self::Cors => "cors",
        }
    }

    /// S3's error code for a bucket that has none.
    pub fn absent_code(self) -> &'static str {
        match self {
            Self::Encryption => "ServerSideEncryptionConfigurationNotFoundError",
            Self::Lifecycle => "NoSuchLifecycleConfiguration",
            Self::Cors => "NoSuchCORSConfiguration",
        }
    }

    /// Its name in reports.
    pub fn label(self) -> &'static str {
        match self {
            Self::Encryption => "default encryption",
            Self::Lifecycle => "lifecycle",
            Self::Cors => "CORS",
        }
    }
}

/// One line of a plan's difference: a rule kept, added or removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffLine {
    /// Kept as it is.
    Keep(String),
    /// Added.
    Add(String),
    /// Removed.
    Remove(String),
}

impl std::fmt::Display for DiffLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Keep(r) => write!(f, "  {r}"),
            Self::Add(r) => write!(f, "+ {r}"),
            Self::Remove(r) => write!(f, "- {r}"),
        }
    }
}

/// What to do with one configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigPlan {
    /// It is as the kit wants it.
    Unchanged,
    /// PUT `body`.
    Put {
        /// The whole document to send.
        body: String,
        /// What changes, rule by rule.
        diff: Vec<DiffLine>,
    },
    /// DELETE the configuration: the kit's rule was its only rule (S3 refuses an empty one).
    Delete {
        /// What changes.
        diff: Vec<DiffLine>,
    },
}

impl ConfigPlan {
    /// The rule-by-rule difference (empty when unchanged).
    pub fn diff(&self) -> &[DiffLine] {
        match self {
            Self::Unchanged => &[],
            Self::Put { diff, .. } | Self::Delete { diff } => diff,
        }
    }
}

/// The default encryption document the kit writes: SSE-KMS under `kms_key` when the bucket
/// has one configured, else SSE-S3 (`AES256`).
pub fn encryption_document(kms_key: Option<&str>) -> String {
    let by_default = match kms_key {
        Some(key) => format!(
            "<SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>{}</KMSMasterKeyID>",
            xml::escape(key)
        ),
        None => "<SSEAlgorithm>AES256</SSEAlgorithm>".to_owned(),
    };
    format!(
        "<ServerSideEncryptionConfiguration xmlns=\"{NAMESPACE}\"><Rule><ApplyServerSideEncryptionByDefault>{by_default}</ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>"
    )
}

/// Default encryption: set `AES256` where the bucket has none; a bucket that has any (SSE-KMS
/// included) keeps it.
///
/// ```
/// use uploadkit_core::s3::bucket_config::{plan_encryption, ConfigPlan};
/// assert!(matches!(plan_encryption(None, None), ConfigPlan::Put { .. }));
/// let kms = "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>";
/// assert_eq!(plan_encryption(Some(kms), None), ConfigPlan::Unchanged);
/// ```
pub fn plan_encryption(current: Option<&str>, kms_key: Option<&str>) -> ConfigPlan {
    match current.and_then(encryption_algorithm) {
        Some(_) => ConfigPlan::Unchanged,
        None => ConfigPlan::Put {
            body: encryption_document(kms_key),
            diff: vec![DiffLine::Add(match kms_key {
                Some(key) => format!("SSEAlgorithm aws:kms, KMSMasterKeyID {key}"),
                None => "SSEAlgorithm AES256".into(),
            })],
        },
    }
}

/// The default encryption algorithm (with the KMS key, if any) a configuration names.
pub fn encryption_algorithm(document: &str) -> Option<String> {
    let algorithm = xml::text(document, "SSEAlgorithm")?;
    Some(match xml::text(document, "KMSMasterKeyID") {
        Some(key) => format!("{algorithm} (key {key})"),
        None => algorithm,
    })
}

/// The kit's lifecycle rule: objects tagged [`TEMPORARY_TAG`] expire after
/// [`TEMPORARY_DAYS`] days.
pub fn lifecycle_rule() -> String {
    let (key, value) = TEMPORARY_TAG;
    format!(
        "<Rule><ID>{LIFECYCLE_RULE_ID}</ID><Filter><Tag><Key>{key}</Key><Value>{value}</Value></Tag></Filter><Status>Enabled</Status><Expiration><Days>{TEMPORARY_DAYS}</Days></Expiration></Rule>"
    )
}

fn is_kit_lifecycle_rule(rule: &str) -> bool {
    let (key, value) = TEMPORARY_TAG;
    let days = TEMPORARY_DAYS.to_string();
    xml::text(rule, "Status").as_deref() == Some("Enabled")
        && xml::elements(rule, "Expiration")
            .first()
            .and_then(|e| xml::text(e, "Days"))
            .as_deref()
            == Some(days.as_str())
        && xml::texts(rule, "Key") == [key]
        && xml::texts(rule, "Value") == [value]
        && xml::text(rule, "Prefix").unwrap_or_default().is_empty()
        && !rule.contains("<And>")
        && !rule.contains("<Transition>")
        && !rule.contains("ObjectSize")
}

/// Lifecycle: the kit's rule on a bucket that holds temporary uploads, and on no other; every
/// other rule kept.
///
/// ```
/// use uploadkit_core::s3::bucket_config::{plan_lifecycle, ConfigPlan};
/// let theirs = "<LifecycleConfiguration><Rule><ID>old-reports</ID><Filter><Prefix>reports/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>30</Days></Expiration></Rule></LifecycleConfiguration>";
/// let ConfigPlan::Put { body, .. } = plan_lifecycle(Some(theirs), true) else { panic!() };
/// assert!(body.contains("old-reports") && body.contains("uploadkit-expire-temporary-uploads"));
/// assert_eq!(plan_lifecycle(Some(&body), true), ConfigPlan::Unchanged);
/// assert_eq!(plan_lifecycle(Some(theirs), false), ConfigPlan::Unchanged);
/// ```
pub fn plan_lifecycle(current: Option<&str>, holds_temporary: bool) -> ConfigPlan {
    let wanted = holds_temporary.then(lifecycle_rule);
    merge(
        current,
        "Rule",
        LIFECYCLE_RULE_ID,
        is_kit_lifecycle_rule,
        wanted,
        |rules| {
            format!(
                "<LifecycleConfiguration xmlns=\"{NAMESPACE}\">{rules}</LifecycleConfiguration>"
            )
        },
    )
}

/// The kit's CORS rule for browser uploads from `origins` (XML-escaped).
pub fn cors_rule(origins: &[String]) -> String {
    let mut rule = format!("<CORSRule><ID>{CORS_RULE_ID}</ID>");
    for origin in origins {
        rule.push_str(&format!(
            "<AllowedOrigin>{}</AllowedOrigin>",
            xml::escape(origin)
        ));
    }
    for method in CORS_METHODS {
        rule.push_str(&format!("<AllowedMethod>{method}</AllowedMethod>"));
    }
    rule.push_str("<AllowedHeader>*</AllowedHeader>");
    for header in CORS_EXPOSE {
        rule.push_str(&format!("<ExposeHeader>{header}</ExposeHeader>"));
    }
    rule.push_str(&format!(
        "<MaxAgeSeconds>{CORS_MAX_AGE}</MaxAgeSeconds></CORSRule>"
    ));
    rule
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

fn cors_rule_matches(rule: &str, origins: &[String]) -> bool {
    let strings = |s: &[&str]| sorted(s.iter().map(|s| (*s).to_owned()).collect());
    sorted(xml::texts(rule, "AllowedOrigin")) == sorted(origins.to_vec())
        && sorted(xml::texts(rule, "AllowedMethod")) == strings(&CORS_METHODS)
        && xml::texts(rule, "AllowedHeader") == ["*"]
        && sorted(xml::texts(rule, "ExposeHeader")) == strings(&CORS_EXPOSE)
        && xml::text(rule, "MaxAgeSeconds").as_deref() == Some(CORS_MAX_AGE)
}

/// CORS: the kit's rule allows browser uploads from `origins`; every other rule is kept.
///
/// ```
/// use uploadkit_core::s3::bucket_config::{plan_cors, ConfigPlan};
/// let origins = ["https://admin.example.gov.uk".to_owned()];
/// let ConfigPlan::Put { body, .. } = plan_cors(None, &origins) else { panic!() };
/// assert_eq!(plan_cors(Some(&body), &origins), ConfigPlan::Unchanged);
/// ```
pub fn plan_cors(current: Option<&str>, origins: &[String]) -> ConfigPlan {
    merge(
        current,
        "CORSRule",
        CORS_RULE_ID,
        |rule| cors_rule_matches(rule, origins),
        (!origins.is_empty()).then(|| cors_rule(origins)),
        |rules| format!("<CORSConfiguration xmlns=\"{NAMESPACE}\">{rules}</CORSConfiguration>"),
    )
}

/// Keeps every rule that is not the kit's, and makes the kit's rule `wanted` (or absent).
/// A rule is the kit's by its ID, or, without an ID (some servers drop it), by being exactly
/// the kit's rule.
fn merge(
    current: Option<&str>,
    wrapper: &str,
    id: &str,
    is_wanted: impl Fn(&str) -> bool,
    wanted: Option<String>,
    document: impl Fn(&str) -> String,
) -> ConfigPlan {
    let element = |inner: &str| format!("<{wrapper}>{inner}</{wrapper}>");
    let rules = current
        .map(|c| xml::elements(c, wrapper))
        .unwrap_or_default();
    let (ours, theirs): (Vec<&str>, Vec<&str>) =
        rules
            .into_iter()
            .partition(|rule| match xml::text(rule, "ID") {
                Some(rule_id) => rule_id == id,
                None => wanted.is_some() && is_wanted(rule),
            });
    let in_place = match &wanted {
        Some(_) => ours.len() == 1 && is_wanted(ours[0]),
        None => ours.is_empty(),
    };
    if in_place {
        return ConfigPlan::Unchanged;
    }
    let mut diff: Vec<DiffLine> = theirs
        .iter()
        .map(|r| DiffLine::Keep(compact(&element(r))))
        .collect();
    diff.extend(ours.iter().map(|r| DiffLine::Remove(compact(&element(r)))));
    let mut body: String = theirs.iter().map(|r| element(r)).collect();
    match wanted {
        Some(rule) => {
            diff.push(DiffLine::Add(rule.clone()));
            body.push_str(&rule);
        }
        None if theirs.is_empty() => return ConfigPlan::Delete { diff },
        None => {}
    }
    ConfigPlan::Put {
        body: document(&body),
        diff,
    }
}

/// XML without the white space between its tags, for one-line display.
fn compact(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len());
    let mut pending = String::new();
    let mut after_tag = false;
    for c in xml.chars() {
        if after_tag && c.is_whitespace() {
            pending.push(c);
            continue;
        }
        if c != '<' {
            out.push_str(&pending);
        }
        pending.clear();
        out.push(c);
        after_tag = c == '>';
    }
    out.push_str(&pending);
    out
}

/// Findings about a bucket's lifecycle rules that no plan fixes by itself: another rule that
/// means to expire temporary uploads but filters on a differently-cased tag value (tags are
/// case-sensitive, so it never matches what the kit writes).
///
/// ```
/// use uploadkit_core::s3::bucket_config::lifecycle_findings;
/// let theirs = "<LifecycleConfiguration><Rule><ID>expire-temp</ID><Filter><Tag><Key>delete-after-7-days</Key><Value>true</Value></Tag></Filter><Status>Enabled</Status><Expiration><Days>7</Days></Expiration></Rule></LifecycleConfiguration>";
/// assert!(lifecycle_findings(theirs)[0].contains("never matches"));
/// ```
pub fn lifecycle_findings(current: &str) -> Vec<String> {
    let (key, value) = TEMPORARY_TAG;
    xml::elements(current, "Rule")
        .into_iter()
        .filter(|rule| xml::text(rule, "ID").as_deref() != Some(LIFECYCLE_RULE_ID))
        .flat_map(|rule| {
            let id = xml::text(rule, "ID").unwrap_or_else(|| "(no ID)".into());
            xml::elements(rule, "Tag")
                .into_iter()
                .filter_map(move |tag| {
                    let (k, v) = (xml::text(tag, "Key")?, xml::text(tag, "Value")?);
                    (k == key && v != value && v.eq_ignore_ascii_case(value)).then(|| {
                        format!(
                            "lifecycle rule {id} filters on {key}={v}, but temporary uploads are tagged {key}={value} and tags are case-sensitive: it never matches them (the kit's rule {LIFECYCLE_RULE_ID}, which `uploadkit provision` adds, is the one that expires them; change or delete rule {id})"
                        )
                    })
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lifecycle(rules: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LifecycleConfiguration xmlns=\"{NAMESPACE}\">{rules}</LifecycleConfiguration>"
        )
    }

    const THEIRS: &str = "\n  <Rule>\n    <ID>reports</ID>\n    <Filter><Prefix>reports/</Prefix></Filter>\n    <Status>Enabled</Status>\n    <Expiration><Days>30</Days></Expiration>\n  </Rule>";

    #[test]
    fn their_rules_survive_and_ours_is_added_once() {
        let ConfigPlan::Put { body, diff } = plan_lifecycle(Some(&lifecycle(THEIRS)), true) else {
            panic!("expected a write")
        };
        assert!(body.contains(THEIRS.trim()), "kept byte for byte: {body}");
        assert_eq!(xml::elements(&body, "Rule").len(), 2);
        assert!(matches!(&diff[0], DiffLine::Keep(r) if r.starts_with("<Rule><ID>reports</ID>")));
        assert!(matches!(&diff[1], DiffLine::Add(r) if r.contains(LIFECYCLE_RULE_ID)));
        assert_eq!(plan_lifecycle(Some(&body), true), ConfigPlan::Unchanged);
        // Servers that pretty-print the document or drop the ID are read the same.
        let pretty = body.replace("><", ">\n  <");
        assert_eq!(plan_lifecycle(Some(&pretty), true), ConfigPlan::Unchanged);
        let no_id =
            lifecycle(&lifecycle_rule().replace(&format!("<ID>{LIFECYCLE_RULE_ID}</ID>"), ""));
        assert_eq!(plan_lifecycle(Some(&no_id), true), ConfigPlan::Unchanged);
    }

    #[test]
    fn a_changed_kit_rule_is_replaced_and_removed_where_it_does_not_belong() {
        let altered = lifecycle(&format!(
            "{THEIRS}{}",
            lifecycle_rule().replace("<Days>7<", "<Days>1<")
        ));
        let ConfigPlan::Put { body, diff } = plan_lifecycle(Some(&altered), true) else {
            panic!()
        };
        assert!(body.contains("<Days>7</Days>") && !body.contains("<Days>1</Days>"));
        assert!(
            diff.iter()
                .any(|d| matches!(d, DiffLine::Remove(r) if r.contains("<Days>1</Days>")))
        );
        // Not a temporary bucket: the kit's rule goes, theirs stays.
        let ConfigPlan::Put { body, .. } = plan_lifecycle(Some(&altered), false) else {
            panic!()
        };
        assert!(body.contains("reports") && !body.contains(LIFECYCLE_RULE_ID));
        // Ours alone: the configuration is deleted (S3 refuses an empty one).
        let ours = lifecycle(&lifecycle_rule());
        assert!(matches!(
            plan_lifecycle(Some(&ours), false),
            ConfigPlan::Delete { .. }
        ));
        assert_eq!(plan_lifecycle(None, false), ConfigPlan::Unchanged);
    }

    #[test]
    fn a_rule_with_the_same_id_but_other_content_is_not_kept_twice() {
        let twice = lifecycle(&format!("{}{}", lifecycle_rule(), lifecycle_rule()));
        let ConfigPlan::Put { body, .. } = plan_lifecycle(Some(&twice), true) else {
            panic!()
        };
        assert_eq!(xml::elements(&body, "Rule").len(), 1);
    }

    #[test]
    fn cors_keeps_other_rules_and_escapes_origins() {
        let theirs = "<CORSConfiguration><CORSRule><AllowedOrigin>https://other.example</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>";
        let origins = vec!["https://a.example/?x=<&>".to_owned()];
        let ConfigPlan::Put { body, .. } = plan_cors(Some(theirs), &origins) else {
            panic!()
        };
        assert!(body.contains("https://other.example"));
        assert!(body.contains("<AllowedOrigin>https://a.example/?x=&lt;&amp;&gt;</AllowedOrigin>"));
        assert_eq!(plan_cors(Some(&body), &origins), ConfigPlan::Unchanged);
        // A new origin list replaces the kit's rule only.
        let more = vec![origins[0].clone(), "https://b.example".to_owned()];
        let ConfigPlan::Put { body, .. } = plan_cors(Some(&body), &more) else {
            panic!()
        };
        assert_eq!(xml::elements(&body, "CORSRule").len(), 2);
        assert!(body.contains("https://b.example") && body.contains("https://other.example"));
    }

    #[test]
    fn encryption_is_set_only_where_there_is_none() {
        assert_eq!(
            plan_encryption(Some(&encryption_document(None)), None),
            ConfigPlan::Unchanged
        );
        let kms = "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>arn:aws:kms:eu-west-1:1:key/k</KMSMasterKeyID></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>";
        assert_eq!(
            encryption_algorithm(kms).as_deref(),
            Some("aws:kms (key arn:aws:kms:eu-west-1:1:key/k)")
        );
        assert!(matches!(
            plan_encryption(None, None),
            ConfigPlan::Put { .. }
        ));
        let ConfigPlan::Put { body, .. } = plan_encryption(None, Some("alias/a&b")) else {
            panic!()
        };
        assert_eq!(
            encryption_algorithm(&body).as_deref(),
            Some("aws:kms (key alias/a&b)")
        );
    }

    #[test]
    fn a_lower_case_tag_filter_is_reported() {
        let theirs = lifecycle(
            "<Rule><ID>temp</ID><Filter><And><Prefix></Prefix><Tag><Key>delete-after-7-days</Key><Value>true</Value></Tag></And></Filter><Status>Enabled</Status><Expiration><Days>7</Days></Expiration></Rule>",
        );
        let findings = lifecycle_findings(&theirs);
        assert_eq!(findings.len(), 1);
        assert!(
            findings[0].contains("delete-after-7-days=true") && findings[0].contains("rule temp")
        );
        assert!(lifecycle_findings(&lifecycle(&lifecycle_rule())).is_empty());
    }

    #[test]
    fn compact_drops_only_white_space_between_tags() {
        assert_eq!(compact("<A>\n  <B>a b</B>\n</A>"), "<A><B>a b</B></A>");
    }
}
