//! Upload grants: any `Authorization` value; and a grant signed with the key but with any
//! header and claims must never verify into something the claims did not say.
#![no_main]

use libfuzzer_sys::fuzz_target;
use uploadkit_api::{GrantKey, GrantKeys};
use uploadkit_core::clock::SigningTime;

fuzz_target!(|data: &[u8]| {
    let key = GrantKey::new(b"fuzz-grant-key-q3Jv9nT0xLw2ZcR8bY5eKp1H".to_vec()).unwrap();
    let keys = GrantKeys::new(Some(key.clone()), vec![("k1".into(), key)]).unwrap();
    let now = SigningTime::from_unix(1_800_000_000).unwrap();
    let token = String::from_utf8_lossy(data);
    if let Ok(grant) = keys.verify(&token, now) {
        // Only a token signed with the key verifies, so random input never should.
        panic!("an unsigned token verified: {grant:?}");
    }
});
