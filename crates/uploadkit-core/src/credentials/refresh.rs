//! When to refresh temporary credentials, as one decision the native service and the edge
//! worker both make: botocore's two windows. From `advisory` seconds before expiry one caller
//! refreshes while the others keep signing, and a failed refresh keeps the current credentials;
//! from `mandatory` seconds before, the credentials are not used without a successful refresh.
//! After a failed refresh the source is not asked again until a backoff has passed (2 s,
//! doubling to 30 s): while STS or the metadata service is down, requests would otherwise each
//! become a call to it. Times are whole seconds, so the shortest wait is more than 1 s.

use super::Credentials;
use crate::clock::SigningTime;

/// The two windows, in seconds before expiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshPolicy {
    /// Try to refresh from this many seconds before expiry; keep the current credentials if it
    /// fails.
    pub advisory: i64,
    /// From this many seconds before expiry, sign only after a successful refresh.
    pub mandatory: i64,
    /// How long to wait after failed refreshes before asking the source again.
    pub retry: Backoff,
}

/// Seconds between attempts after failures: `first` after one, doubling with each further
/// failure in a row, never more than `cap`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The wait after one failure.
    pub first: i64,
    /// The longest wait.
    pub cap: i64,
}

impl Backoff {
    /// 2 s after a failure, doubling to 30 s.
    pub const DEFAULT: Self = Self { first: 2, cap: 30 };

    /// The wait after `in_a_row` failures in a row.
    ///
    /// ```
    /// use uploadkit_core::credentials::refresh::Backoff;
    /// let b = Backoff { first: 1, cap: 30 };
    /// assert_eq!([1, 2, 3, 5, 6, 40].map(|n| b.after(n)), [1, 2, 4, 16, 30, 30]);
    /// ```
    pub fn after(&self, in_a_row: u32) -> i64 {
        let doublings = in_a_row.saturating_sub(1).min(62);
        self.first.saturating_mul(1 << doublings).min(self.cap)
    }
}

/// The last refresh failed: when, and how many had failed in a row by then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LastFailure {
    /// When it failed.
    pub at: SigningTime,
    /// Failures in a row, this one included (at least 1).
    pub in_a_row: u32,
}

impl LastFailure {
    /// The record after one more failure at `now`.
    ///
    /// ```
    /// use uploadkit_core::clock::SigningTime;
    /// use uploadkit_core::credentials::refresh::LastFailure;
    /// let now = SigningTime::from_unix(1_800_000_000).unwrap();
    /// let first = LastFailure::after(None, now);
    /// assert_eq!(first.in_a_row, 1);
    /// assert_eq!(LastFailure::after(Some(first), now).in_a_row, 2);
    /// ```
    pub fn after(previous: Option<Self>, now: SigningTime) -> Self {
        Self {
            at: now,
            in_a_row: previous.map_or(1, |p| p.in_a_row.saturating_add(1)),
        }
    }
}

/// What a caller does with the cached credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Sign with them.
    Use,
    /// Refresh first; on failure, sign with the current ones when `keep_on_failure`.
    Refresh {
        /// Whether the current credentials still serve if the refresh fails.
        keep_on_failure: bool,
    },
    /// Another caller's refresh is due and must succeed: wait for its result (a runtime that
    /// cannot wait on another request's I/O refreshes itself instead).
    Wait,
    /// A refresh is due and must succeed, but the last one failed less than the backoff ago:
    /// answer with that failure without asking the source.
    Fail {
        /// Seconds until the source may be asked again.
        retry_in: i64,
    },
}

impl RefreshPolicy {
    /// botocore's windows, 15 minutes advisory and 10 mandatory, and [`Backoff::DEFAULT`]
    /// after failures.
    pub const BOTOCORE: Self = Self {
        advisory: 15 * 60,
        mandatory: 10 * 60,
        retry: Backoff::DEFAULT,
    };

    /// What to do at `now` with `cached` credentials (if any), given whether another caller is
    /// refreshing right now and how the last refresh ended (`None`: it succeeded, or there was
    /// none).
    ///
    /// ```
    /// use uploadkit_core::clock::SigningTime;
    /// use uploadkit_core::credentials::Credentials;
    /// use uploadkit_core::credentials::refresh::{Action, LastFailure, RefreshPolicy};
    /// let now = SigningTime::from_unix(1_800_000_000).unwrap();
    /// let expiring_in = |s: i64| Credentials::new("ASIA", "s", Some("t".into()), SigningTime::from_unix(1_800_000_000 + s)).unwrap();
    /// let p = RefreshPolicy::BOTOCORE;
    /// assert_eq!(p.action(Some(&expiring_in(3600)), false, None, now), Action::Use);
    /// assert_eq!(p.action(Some(&expiring_in(700)), false, None, now), Action::Refresh { keep_on_failure: true });
    /// assert_eq!(p.action(Some(&expiring_in(700)), true, None, now), Action::Use);
    /// assert_eq!(p.action(Some(&expiring_in(300)), true, None, now), Action::Wait);
    /// assert_eq!(p.action(None, false, None, now), Action::Refresh { keep_on_failure: false });
    /// // The second failure in a row, a second ago: the source is not asked again yet.
    /// let failed = LastFailure { at: SigningTime::from_unix(1_799_999_999).unwrap(), in_a_row: 2 };
    /// assert_eq!(p.action(Some(&expiring_in(700)), false, Some(&failed), now), Action::Use);
    /// assert_eq!(p.action(None, false, Some(&failed), now), Action::Fail { retry_in: 3 });
    /// ```
    pub fn action(
        &self,
        cached: Option<&Credentials>,
        someone_refreshing: bool,
        last_failure: Option<&LastFailure>,
        now: SigningTime,
    ) -> Action {
        let retry_in = last_failure
            .map(|f| f.at.unix() + self.retry.after(f.in_a_row) - now.unix())
            .filter(|&left| left > 0);
        match (self.due(cached, someone_refreshing, now), retry_in) {
            // Too soon to ask again: keep signing where the current credentials may serve...
            (
                Action::Refresh {
                    keep_on_failure: true,
                },
                Some(_),
            ) => Action::Use,
            // ...and answer with the failure where they may not.
            (
                Action::Refresh {
                    keep_on_failure: false,
                },
                Some(retry_in),
            ) => Action::Fail { retry_in },
            (action, _) => action,
        }
    }

    /// The decision by the windows alone.
    fn due(
        &self,
        cached: Option<&Credentials>,
        someone_refreshing: bool,
        now: SigningTime,
    ) -> Action {
        let Some(cached) = cached else {
            return if someone_refreshing {
                Action::Wait
            } else {
                Action::Refresh {
                    keep_on_failure: false,
                }
            };
        };
        let Some(expires) = cached.expires_at() else {
            return Action::Use;
        };
        let left = expires.unix() - now.unix();
        if left > self.advisory {
            Action::Use
        } else if left > self.mandatory {
            if someone_refreshing {
                Action::Use
            } else {
                Action::Refresh {
                    keep_on_failure: true,
                }
            }
        } else if someone_refreshing {
            Action::Wait
        } else {
            Action::Refresh {
                keep_on_failure: false,
            }
        }
    }

    /// Whether freshly fetched credentials can sign at all at `now` (a source may hand out
    /// credentials that have already expired).
    pub fn usable(&self, fresh: &Credentials, now: SigningTime) -> bool {
        fresh
            .expires_at()
            .is_none_or(|at| at.unix() - now.unix() > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_exclusive_at_their_edges() {
        let now = SigningTime::from_unix(1_000_000).unwrap();
        let p = RefreshPolicy {
            advisory: 100,
            mandatory: 10,
            retry: Backoff::DEFAULT,
        };
        let creds = |left: i64| {
            Credentials::new("A", "S", None, SigningTime::from_unix(1_000_000 + left)).unwrap()
        };
        assert_eq!(p.action(Some(&creds(101)), false, None, now), Action::Use);
        assert_eq!(
            p.action(Some(&creds(100)), false, None, now),
            Action::Refresh {
                keep_on_failure: true
            }
        );
        assert_eq!(
            p.action(Some(&creds(10)), false, None, now),
            Action::Refresh {
                keep_on_failure: false
            }
        );
        assert_eq!(p.action(Some(&creds(-5)), true, None, now), Action::Wait);
        let long_lived = Credentials::new("A", "S", None, None).unwrap();
        assert_eq!(p.action(Some(&long_lived), false, None, now), Action::Use);
        assert!(p.usable(&creds(1), now) && !p.usable(&creds(0), now));
    }

    #[test]
    fn after_a_failure_the_source_is_asked_again_only_once_the_backoff_has_passed() {
        let p = RefreshPolicy {
            advisory: 100,
            mandatory: 10,
            retry: Backoff { first: 2, cap: 8 },
        };
        let at = |t: i64| SigningTime::from_unix(1_000_000 + t).unwrap();
        let creds = |left: i64| Credentials::new("A", "S", None, Some(at(left))).unwrap();
        let once = LastFailure::after(None, at(0));
        let thrice = LastFailure::after(Some(LastFailure::after(Some(once), at(0))), at(0));
        // Nothing cached: the failure is the answer until the backoff ends, then a refresh.
        assert_eq!(
            p.action(None, false, Some(&once), at(1)),
            Action::Fail { retry_in: 1 }
        );
        assert_eq!(
            p.action(None, false, Some(&once), at(2)),
            Action::Refresh {
                keep_on_failure: false
            }
        );
        assert_eq!(
            p.action(None, false, Some(&thrice), at(7)),
            Action::Fail { retry_in: 1 }
        );
        // Doubling stops at the cap.
        let many = LastFailure {
            at: at(0),
            in_a_row: 40,
        };
        assert_eq!(
            p.action(None, false, Some(&many), at(8)),
            Action::Refresh {
                keep_on_failure: false
            }
        );
        // Advisory window: the current credentials keep signing meanwhile.
        assert_eq!(
            p.action(Some(&creds(50)), false, Some(&once), at(1)),
            Action::Use
        );
        assert_eq!(
            p.action(Some(&creds(50)), false, Some(&once), at(2)),
            Action::Refresh {
                keep_on_failure: true
            }
        );
        // Mandatory window: they may not.
        assert_eq!(
            p.action(Some(&creds(5)), false, Some(&once), at(1)),
            Action::Fail { retry_in: 1 }
        );
        // Someone else refreshing is still waited for, and fresh credentials still serve.
        assert_eq!(p.action(None, true, Some(&once), at(1)), Action::Wait);
        assert_eq!(
            p.action(Some(&creds(500)), false, Some(&once), at(1)),
            Action::Use
        );
    }
}
