//! Signing-key derivation (`kDate → kRegion → kService → kSigning`) and a small cache of
//! derived keys, since one key serves every request of a day, region and service.

use std::sync::Mutex;

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// HMAC-SHA256, the only MAC SigV4 uses.
pub type HmacSha256 = Hmac<Sha256>;

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// Derives the SigV4 signing key for a secret, a `YYYYMMDD` date, a region and a service.
///
/// ```
/// use uploadkit_core::{encode::hex, sigv4::derive_signing_key};
/// let key = derive_signing_key(
///     "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", b"20130524", "us-east-1", "s3");
/// assert_eq!(hex(&key), "dbb893acc010964918f1fd433add87c70e8b0db6be30c1fbeafefa5ec6ba8378");
/// ```
pub fn derive_signing_key(secret: &str, date: &[u8; 8], region: &str, service: &str) -> [u8; 32] {
    let mut seed = Vec::with_capacity(4 + secret.len());
    seed.extend_from_slice(b"AWS4");
    seed.extend_from_slice(secret.as_bytes());
    let k_date = hmac(&seed, date);
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    hmac(&k_service, b"aws4_request")
}

/// A derived key ready to sign: the HMAC state already keyed, so each signature skips the
/// key set-up (two SHA-256 blocks).
#[derive(Clone)]
pub struct SigningKey {
    key: [u8; 32],
    mac: HmacSha256,
}

impl SigningKey {
    /// Derives the key; see [`derive_signing_key`].
    pub fn derive(secret: &str, date: &[u8; 8], region: &str, service: &str) -> Self {
        Self::from_bytes(derive_signing_key(secret, date, region, service))
    }

    /// Wraps raw key bytes.
    pub fn from_bytes(key: [u8; 32]) -> Self {
        let mac = HmacSha256::new_from_slice(&key).expect("HMAC takes any key length");
        Self { key, mac }
    }

    /// The raw key bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.key
    }

    /// HMAC-SHA256 of `data` under this key.
    pub fn sign(&self, data: &[u8]) -> [u8; 32] {
        let mut mac = self.mac.clone();
        mac.update(data);
        mac.finalize().into_bytes().into()
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(<redacted>)")
    }
}

/// How many (date, region, service) keys one cache keeps; a signer rarely needs more than two.
const CACHE_SLOTS: usize = 4;

struct Slot {
    date: [u8; 8],
    region: String,
    service: String,
    key: SigningKey,
}

/// Derived keys for one secret, keyed by date, region and service. Safe to share between
/// threads; a miss derives outside the lock.
#[derive(Default)]
pub struct SigningKeyCache {
    slots: Mutex<Vec<Slot>>,
}

impl SigningKeyCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// The key for this scope, derived from `secret` on a miss.
    pub fn get(&self, secret: &str, date: &[u8; 8], region: &str, service: &str) -> SigningKey {
        if let Ok(slots) = self.slots.lock()
            && let Some(slot) = slots
                .iter()
                .find(|s| &s.date == date && s.region == region && s.service == service)
        {
            return slot.key.clone();
        }
        let key = SigningKey::derive(secret, date, region, service);
        if let Ok(mut slots) = self.slots.lock() {
            if slots.len() == CACHE_SLOTS {
                slots.remove(0);
            }
            slots.push(Slot {
                date: *date,
                region: region.to_owned(),
                service: service.to_owned(),
                key: key.clone(),
            });
        }
        key
    }
}

impl std::fmt::Debug for SigningKeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKeyCache")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::hex;

    #[test]
    fn cache_returns_the_derived_key_for_each_scope() {
        let cache = SigningKeyCache::new();
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        for round in 0..2 {
            for (date, region) in [(b"20130524", "us-east-1"), (b"20151229", "eu-west-1")] {
                let got = cache.get(secret, date, region, "s3");
                let want = derive_signing_key(secret, date, region, "s3");
                assert_eq!(got.as_bytes(), &want, "round {round}");
            }
        }
        assert_eq!(cache.slots.lock().unwrap().len(), 2);
    }

    #[test]
    fn cache_evicts_the_oldest_slot() {
        let cache = SigningKeyCache::new();
        for region in ["a", "b", "c", "d", "e"] {
            cache.get("s", b"20200101", region, "s3");
        }
        let slots = cache.slots.lock().unwrap();
        assert_eq!(slots.len(), CACHE_SLOTS);
        assert_eq!(slots[0].region, "b");
    }

    #[test]
    fn keyed_state_signs_like_a_fresh_hmac() {
        let key = SigningKey::from_bytes([7; 32]);
        assert_eq!(hex(&key.sign(b"abc")), hex(&hmac(&[7; 32], b"abc")));
    }
}
