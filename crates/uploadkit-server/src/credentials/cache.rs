//! Temporary credentials cached and refreshed before they expire, by the core's
//! [`RefreshPolicy`] (the decision the edge worker makes too): in the advisory window one
//! caller refreshes while the others keep signing, and a failed refresh keeps the current
//! credentials; in the mandatory window a refresh must succeed, and callers arriving while one
//! runs wait for its result. After a failure the source is asked again only once the policy's
//! backoff has passed; until then callers get that failure (or, in the advisory window, the
//! current credentials).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use tokio::sync::Mutex;
use uploadkit_core::clock::SigningTime;
use uploadkit_core::credentials::CredentialSource;
use uploadkit_core::credentials::refresh::{Action, LastFailure, RefreshPolicy};
use uploadkit_core::sigv4::Signer;

use super::fetch::{FetchConfig, FetchError, fetch};

/// Why there is no signer.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CacheError {
    /// Fetching failed and nothing usable is cached.
    #[error("cannot get credentials: {0}")]
    Fetch(#[from] FetchError),
}

/// Credentials from a source, refreshed as they near expiry.
pub struct CredentialCache {
    source: CredentialSource,
    config: FetchConfig,
    policy: RefreshPolicy,
    current: RwLock<Option<Arc<Signer>>>,
    refreshing: Mutex<()>,
    fetches: AtomicU64,
    failures: AtomicU64,
    fetched_at: RwLock<Option<Instant>>,
    /// The last refresh's failure, until one succeeds.
    failure: RwLock<Option<(LastFailure, CacheError)>>,
}

impl CredentialCache {
    /// A cache over `source`.
    pub fn new(source: CredentialSource, config: FetchConfig, policy: RefreshPolicy) -> Self {
        Self {
            source,
            config,
            policy,
            current: RwLock::new(None),
            refreshing: Mutex::new(()),
            fetches: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            fetched_at: RwLock::new(None),
            failure: RwLock::new(None),
        }
    }

    /// How many times credentials were fetched.
    pub fn fetches(&self) -> u64 {
        self.fetches.load(Ordering::SeqCst)
    }

    /// How many fetches failed.
    pub fn refresh_failures(&self) -> u64 {
        self.failures.load(Ordering::SeqCst)
    }

    /// Time since the credentials in use were fetched (`None` before the first fetch).
    pub fn age(&self) -> Option<Duration> {
        self.fetched_at
            .read()
            .ok()
            .and_then(|at| *at)
            .map(|at| at.elapsed())
    }

    fn cached(&self) -> Option<Arc<Signer>> {
        self.current.read().ok().and_then(|c| c.clone())
    }

    /// The policy's decision for `current` as things stand now; a failure to answer with
    /// instead of fetching is the error.
    fn decide(
        &self,
        current: Option<&Arc<Signer>>,
        busy: bool,
        now: SigningTime,
    ) -> Result<Action, CacheError> {
        let failure = self.failure.read().ok().and_then(|f| f.clone());
        let action = self.policy.action(
            current.map(|s| s.credentials()),
            busy,
            failure.as_ref().map(|(record, _)| record),
            now,
        );
        match (action, failure) {
            (Action::Fail { .. }, Some((_, error))) => Err(error),
            (action, _) => Ok(action),
        }
    }

    /// A signer with credentials good at `now`.
    pub async fn signer(&self, now: SigningTime) -> Result<Arc<Signer>, CacheError> {
        let cached = self.cached();
        let due = match (self.decide(cached.as_ref(), false, now)?, &cached) {
            (Action::Use, Some(signer)) => return Ok(Arc::clone(signer)),
            (due, _) => due,
        };
        let _guard = match self.refreshing.try_lock() {
            Ok(guard) => guard,
            // Another caller is refreshing: keep signing if the policy allows, else wait for it.
            Err(_) => match (self.decide(cached.as_ref(), true, now)?, &cached) {
                (Action::Use, Some(signer)) => return Ok(Arc::clone(signer)),
                _ => self.refreshing.lock().await,
            },
        };
        // A refresh that finished before this caller held the lock is the one it needed.
        if let Some(newer) = self.cached().filter(|s| {
            !cached.as_ref().is_some_and(|c| Arc::ptr_eq(c, s))
                && matches!(self.decide(Some(s), false, now), Ok(Action::Use))
        }) {
            return Ok(newer);
        }
        // One that failed meanwhile answers this caller too, within the backoff.
        if let (Action::Use, Some(signer)) = (self.decide(cached.as_ref(), false, now)?, &cached) {
            return Ok(Arc::clone(signer));
        }
        match (self.refresh(now).await, cached) {
            (Ok(signer), _) => Ok(signer),
            (Err(_), Some(current))
                if due
                    == (Action::Refresh {
                        keep_on_failure: true,
                    }) =>
            {
                Ok(current)
            }
            (Err(e), _) => Err(e),
        }
    }

    /// Fetches and stores new credentials; the caller holds the refresh lock.
    async fn refresh(&self, now: SigningTime) -> Result<Arc<Signer>, CacheError> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        let creds = fetch(&self.source, &self.config)
            .await
            .and_then(|creds| {
                if self.policy.usable(&creds, now) {
                    Ok(creds)
                } else {
                    Err(FetchError::Remote {
                        source_name: "credentials".into(),
                        problem: "the source returned credentials that have already expired".into(),
                    })
                }
            })
            .map_err(CacheError::from)
            .inspect_err(|e| {
                self.failures.fetch_add(1, Ordering::SeqCst);
                if let Ok(mut failure) = self.failure.write() {
                    let previous = failure.as_ref().map(|(record, _)| *record);
                    *failure = Some((LastFailure::after(previous, now), e.clone()));
                }
            })?;
        if let Ok(mut failure) = self.failure.write() {
            *failure = None;
        }
        if let Ok(mut at) = self.fetched_at.write() {
            *at = Some(Instant::now());
        }
        let signer = Arc::new(Signer::new(creds));
        if let Ok(mut current) = self.current.write() {
            *current = Some(Arc::clone(&signer));
        }
        Ok(signer)
    }
}
