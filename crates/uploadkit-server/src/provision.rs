//! Provisioning that never destroys: for each bucket, read what it has, merge in what the kit
//! owns (the core's [`bucket_config`] plans), and write only what changes. A dry run reads and
//! plans but writes nothing; a step that cannot read its configuration writes nothing either.

use uploadkit_core::catalogue::{Bucket, Catalogue};
use uploadkit_core::s3::BucketName;
use uploadkit_core::s3::actions::{
    BucketHead, CreateBucket, DeleteBucketConfig, GetBucketConfig, HeadBucket, PutBucketConfig,
};
use uploadkit_core::s3::bucket_config::{
    self, ConfigKind, ConfigPlan, DiffLine, plan_cors, plan_encryption, plan_lifecycle,
};

use crate::s3ops::{ActionFailure, S3Ops};

/// What the kit wants of one bucket.
#[derive(Debug, Clone, Default)]
pub struct Wanted {
    /// The bucket holds temporary uploads: its lifecycle expires them.
    pub holds_temporary: bool,
    /// Browser origins allowed to upload (no CORS step when empty).
    pub origins: Vec<String>,
    /// The KMS key the bucket's default encryption uses, when it is SSE-KMS.
    pub kms_key: Option<String>,
}

impl Wanted {
    /// What the catalogue wants of `bucket`: the expiry rule where temporary uploads live, its
    /// KMS key if one is configured, and browser uploads from `origins`.
    pub fn for_bucket(catalogue: &Catalogue, bucket: Bucket, origins: &[String]) -> Self {
        Self {
            holds_temporary: bucket.holds_temporary_uploads(),
            origins: origins.to_vec(),
            kms_key: catalogue.kms_key(bucket).map(str::to_owned),
        }
    }
}

/// What one step found or did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepResult {
    /// Already as the kit wants it.
    Unchanged,
    /// Changed (in a dry run: would change), rule by rule.
    Changed(Vec<DiffLine>),
    /// The server does not implement the call (its answer); nothing was written.
    NotSupported(String),
    /// S3 refused, or the configuration could not be read; nothing was written.
    Refused(String),
}

/// One bucket's result.
#[derive(Debug, Clone)]
pub struct BucketReport {
    /// The bucket.
    pub bucket: BucketName,
    /// Whether nothing was written.
    pub dry_run: bool,
    /// Whether the bucket was (or, in a dry run, would be) created.
    pub created: bool,
    /// Each configuration step, in order.
    pub steps: Vec<(ConfigKind, StepResult)>,
    /// Why the bucket could not be provisioned at all.
    pub refused: Option<String>,
    /// Problems no step fixes by itself (e.g. a lifecycle rule filtering on the wrong case).
    pub findings: Vec<String>,
}

/// A bucket's overall result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Created (and configured).
    Created,
    /// Existed; something changed.
    Changed,
    /// Existed and was already as wanted.
    Unchanged,
    /// A step was refused or the bucket could not be reached.
    Refused,
}

impl std::fmt::Display for StepResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unchanged => f.write_str("unchanged"),
            Self::Changed(_) => f.write_str("changed"),
            Self::NotSupported(why) => write!(f, "not supported by this server ({why})"),
            Self::Refused(why) => f.write_str(why),
        }
    }
}

impl BucketReport {
    /// The overall result.
    pub fn outcome(&self) -> Outcome {
        let refused = self.refused.is_some()
            || self
                .steps
                .iter()
                .any(|(_, r)| matches!(r, StepResult::Refused(_)));
        if refused {
            Outcome::Refused
        } else if self.created {
            Outcome::Created
        } else if self
            .steps
            .iter()
            .any(|(_, r)| matches!(r, StepResult::Changed(_)))
        {
            Outcome::Changed
        } else {
            Outcome::Unchanged
        }
    }

    /// The report as text: one headline, then a line (and its diff) per step.
    pub fn render(&self) -> String {
        let headline = match (self.outcome(), self.dry_run) {
            (Outcome::Created, false) => "created",
            (Outcome::Created, true) => "would be created",
            (Outcome::Changed, false) => "changed",
            (Outcome::Changed, true) => "would change",
            (Outcome::Unchanged, _) => "unchanged",
            (Outcome::Refused, _) => "refused",
        };
        let mut out = format!("{}: {headline}", self.bucket);
        if let Some(why) = &self.refused {
            out.push_str(&format!(" ({why})"));
        }
        for (kind, result) in &self.steps {
            let label = kind.label();
            match result {
                StepResult::Unchanged => out.push_str(&format!("\n  {label}: unchanged")),
                StepResult::Changed(diff) => {
                    let verb = if self.dry_run {
                        "would change"
                    } else {
                        "changed"
                    };
                    out.push_str(&format!("\n  {label}: {verb}"));
                    for line in diff {
                        out.push_str(&format!("\n    {line}"));
                    }
                }
                StepResult::NotSupported(why) => out.push_str(&format!(
                    "\n  {label}: not supported by this server ({why}); nothing written"
                )),
                StepResult::Refused(why) => {
                    out.push_str(&format!("\n  {label}: refused ({why}); nothing written"))
                }
            }
        }
        for finding in &self.findings {
            out.push_str(&format!("\n  note: {finding}"));
        }
        out
    }
}

/// A configuration as the bucket has it: absent, present, or unreadable.
pub(crate) enum Current {
    Absent,
    Present(String),
    Unreadable(StepResult),
}

impl S3Ops {
    /// Provisions one bucket: creates it if missing (in the target's region), then merges the
    /// kit's default encryption, lifecycle rule (only where `wanted.holds_temporary`) and CORS
    /// rule into what it has. With `dry_run`, reads and plans only.
    pub async fn provision(
        &self,
        bucket: &BucketName,
        wanted: &Wanted,
        dry_run: bool,
    ) -> BucketReport {
        let mut report = BucketReport {
            bucket: bucket.clone(),
            dry_run,
            created: false,
            steps: Vec::new(),
            refused: None,
            findings: Vec::new(),
        };
        let exists = match self.run(bucket, &HeadBucket).await {
            Ok(head) => head != BucketHead::Missing,
            Err(e) => {
                report.refused = Some(self.failure(bucket, e).to_string());
                return report;
            }
        };
        if !exists {
            report.created = true;
            let create = CreateBucket {
                region: &self.target().region,
            };
            if !dry_run && let Err(e) = self.run(bucket, &create).await {
                report.created = false;
                report.refused = Some(self.failure(bucket, e).to_string());
                return report;
            }
        }
        let mut kinds = vec![ConfigKind::Encryption, ConfigKind::Lifecycle];
        if !wanted.origins.is_empty() {
            kinds.push(ConfigKind::Cors);
        }
        for kind in kinds {
            // A bucket this run would create has nothing yet.
            let current = if exists {
                self.read_config(bucket, kind).await
            } else {
                Current::Absent
            };
            let current = match current {
                Current::Unreadable(result) => {
                    report.steps.push((kind, result));
                    continue;
                }
                Current::Absent => None,
                Current::Present(text) => Some(text),
            };
            let plan = match kind {
                ConfigKind::Encryption => {
                    plan_encryption(current.as_deref(), wanted.kms_key.as_deref())
                }
                ConfigKind::Lifecycle => {
                    if let Some(text) = &current {
                        report
                            .findings
                            .extend(bucket_config::lifecycle_findings(text));
                    }
                    plan_lifecycle(current.as_deref(), wanted.holds_temporary)
                }
                ConfigKind::Cors => plan_cors(current.as_deref(), &wanted.origins),
            };
            let result = match (&plan, dry_run) {
                (ConfigPlan::Unchanged, _) => StepResult::Unchanged,
                (_, true) => StepResult::Changed(plan.diff().to_vec()),
                (_, false) => self.write_config(bucket, kind, &plan).await,
            };
            report.steps.push((kind, result));
        }
        report
    }

    fn step_failure(&self, bucket: &BucketName, failure: ActionFailure) -> StepResult {
        match failure {
            ActionFailure::Refused(reply) if reply.not_implemented() => {
                StepResult::NotSupported(format!("{} {}", reply.status, reply.code))
            }
            other => StepResult::Refused(self.failure(bucket, other).to_string()),
        }
    }

    pub(crate) async fn read_config(&self, bucket: &BucketName, kind: ConfigKind) -> Current {
        match self.run(bucket, &GetBucketConfig(kind)).await {
            Ok(Some(text)) => Current::Present(text),
            Ok(None) => Current::Absent,
            Err(e) => Current::Unreadable(self.step_failure(bucket, e)),
        }
    }

    async fn write_config(
        &self,
        bucket: &BucketName,
        kind: ConfigKind,
        plan: &ConfigPlan,
    ) -> StepResult {
        let sent = match plan {
            ConfigPlan::Unchanged => return StepResult::Unchanged,
            ConfigPlan::Put { body, .. } => {
                let put = PutBucketConfig {
                    kind,
                    document: body,
                };
                self.run(bucket, &put).await
            }
            ConfigPlan::Delete { .. } => self.run(bucket, &DeleteBucketConfig(kind)).await,
        };
        match sent {
            Ok(()) => StepResult::Changed(plan.diff().to_vec()),
            Err(e) => self.step_failure(bucket, e),
        }
    }
}
