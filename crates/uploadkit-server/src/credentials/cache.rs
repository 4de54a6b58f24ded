//! Temporary credentials cached and refreshed before they expire, as botocore does: from 15
//! minutes before expiry a refresh is attempted (the old credentials serve if it fails); from
//! 10 minutes before, a refresh must succeed. One refresh runs at a time; callers arriving
//! meanwhile wait for it or, in the advisory window, keep using the current credentials.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use tokio::sync::Mutex;
use uploadkit_core::clock::SigningTime;
use uploadkit_core::credentials::CredentialSource;
use uploadkit_core::sigv4::Signer;

use super::fetch::{FetchConfig, FetchError, fetch};

/// When to refresh, in seconds before expiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshWindows {
    /// Try to refresh from this many seconds before expiry.
    pub advisory: i64,
    /// Refuse to sign without a refresh from this many seconds before expiry.
    pub mandatory: i64,
}

impl Default for RefreshWindows {
    fn default() -> Self {
        Self {
            advisory: 15 * 60,
            mandatory: 10 * 60,
        }
    }
}

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
    windows: RefreshWindows,
    current: RwLock<Option<Arc<Signer>>>,
    refreshing: Mutex<()>,
    fetches: AtomicU64,
    failures: AtomicU64,
    fetched_at: RwLock<Option<Instant>>,
}

enum Freshness {
    Fresh,
    Advisory,
    Mandatory,
}

impl CredentialCache {
    /// A cache over `source`.
    pub fn new(source: CredentialSource, config: FetchConfig, windows: RefreshWindows) -> Self {
        Self {
            source,
            config,
            windows,
            current: RwLock::new(None),
            refreshing: Mutex::new(()),
            fetches: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            fetched_at: RwLock::new(None),
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

    fn freshness(&self, signer: &Signer, now: SigningTime) -> Freshness {
        match signer.credentials().expires_at() {
            None => Freshness::Fresh,
            Some(at) => {
                let left = at.unix() - now.unix();
                if left <= self.windows.mandatory {
                    Freshness::Mandatory
                } else if left <= self.windows.advisory {
                    Freshness::Advisory
                } else {
                    Freshness::Fresh
                }
            }
        }
    }

    fn cached(&self) -> Option<Arc<Signer>> {
        self.current.read().ok().and_then(|c| c.clone())
    }

    /// A signer with credentials good at `now`.
    pub async fn signer(&self, now: SigningTime) -> Result<Arc<Signer>, CacheError> {
        if let Some(signer) = self.cached() {
            match self.freshness(&signer, now) {
                Freshness::Fresh => return Ok(signer),
                Freshness::Advisory => {
                    // Someone else is refreshing: the current credentials are still good.
                    let Ok(_guard) = self.refreshing.try_lock() else {
                        return Ok(signer);
                    };
                    if let Some(newer) = self.cached().filter(|s| !Arc::ptr_eq(s, &signer)) {
                        return Ok(newer);
                    }
                    return Ok(self.refresh().await.unwrap_or(signer));
                }
                Freshness::Mandatory => {}
            }
        }
        let before = self.cached();
        let _guard = self.refreshing.lock().await;
        // A refresh that finished while this caller waited is the one it was waiting for.
        if let Some(signer) = self.cached()
            && !before.as_ref().is_some_and(|b| Arc::ptr_eq(b, &signer))
            && !signer.credentials().is_expired(now)
        {
            return Ok(signer);
        }
        let signer = self.refresh().await?;
        if matches!(self.freshness(&signer, now), Freshness::Mandatory)
            && signer.credentials().is_expired(now)
        {
            return Err(CacheError::Fetch(FetchError::Remote {
                source_name: "credentials".into(),
                problem: "the source returned credentials that have already expired".into(),
            }));
        }
        Ok(signer)
    }

    /// Fetches and stores new credentials; the caller holds the refresh lock.
    async fn refresh(&self) -> Result<Arc<Signer>, CacheError> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        let creds = match fetch(&self.source, &self.config).await {
            Ok(creds) => creds,
            Err(e) => {
                self.failures.fetch_add(1, Ordering::SeqCst);
                return Err(e.into());
            }
        };
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
