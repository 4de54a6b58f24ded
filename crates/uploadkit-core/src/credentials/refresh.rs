//! When to refresh temporary credentials, as one decision the native service and the edge
//! worker both make: botocore's two windows. From `advisory` seconds before expiry one caller
//! refreshes while the others keep signing, and a failed refresh keeps the current credentials;
//! from `mandatory` seconds before, the credentials are not used without a successful refresh.

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
}

impl RefreshPolicy {
    /// botocore's windows: 15 minutes advisory, 10 mandatory.
    pub const BOTOCORE: Self = Self {
        advisory: 15 * 60,
        mandatory: 10 * 60,
    };

    /// What to do at `now` with `cached` credentials (if any), given whether another caller is
    /// refreshing right now.
    ///
    /// ```
    /// use uploadkit_core::clock::SigningTime;
    /// use uploadkit_core::credentials::Credentials;
    /// use uploadkit_core::credentials::refresh::{Action, RefreshPolicy};
    /// let now = SigningTime::from_unix(1_800_000_000).unwrap();
    /// let expiring_in = |s: i64| Credentials::new("ASIA", "s", Some("t".into()), SigningTime::from_unix(1_800_000_000 + s)).unwrap();
    /// let p = RefreshPolicy::BOTOCORE;
    /// assert_eq!(p.action(Some(&expiring_in(3600)), false, now), Action::Use);
    /// assert_eq!(p.action(Some(&expiring_in(700)), false, now), Action::Refresh { keep_on_failure: true });
    /// assert_eq!(p.action(Some(&expiring_in(700)), true, now), Action::Use);
    /// assert_eq!(p.action(Some(&expiring_in(300)), true, now), Action::Wait);
    /// assert_eq!(p.action(None, false, now), Action::Refresh { keep_on_failure: false });
    /// ```
    pub fn action(
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
        };
        let creds = |left: i64| {
            Credentials::new("A", "S", None, SigningTime::from_unix(1_000_000 + left)).unwrap()
        };
        assert_eq!(p.action(Some(&creds(101)), false, now), Action::Use);
        assert_eq!(
            p.action(Some(&creds(100)), false, now),
            Action::Refresh {
                keep_on_failure: true
            }
        );
        assert_eq!(
            p.action(Some(&creds(10)), false, now),
            Action::Refresh {
                keep_on_failure: false
            }
        );
        assert_eq!(p.action(Some(&creds(-5)), true, now), Action::Wait);
        let long_lived = Credentials::new("A", "S", None, None).unwrap();
        assert_eq!(p.action(Some(&long_lived), false, now), Action::Use);
        assert!(p.usable(&creds(1), now) && !p.usable(&creds(0), now));
    }
}
