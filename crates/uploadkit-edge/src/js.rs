//! Small bridges to the Workers runtime.

use time::OffsetDateTime;
use uploadkit_core::clock::SigningTime;
use worker::js_sys;

/// Now, from the runtime's clock (`Date.now()`, milliseconds).
pub fn now() -> SigningTime {
    let millis = js_sys::Date::now();
    let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis as i64) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    SigningTime::new(at)
}

/// 16 random bytes from the runtime's CSPRNG (`crypto.getRandomValues`).
pub fn random_bytes() -> Option<[u8; 16]> {
    let crypto = js_sys::Reflect::get(&js_sys::global(), &"crypto".into()).ok()?;
    let get: js_sys::Function = js_sys::Reflect::get(&crypto, &"getRandomValues".into())
        .ok()?
        .into();
    let array = js_sys::Uint8Array::new_with_length(16);
    get.call1(&crypto, &array).ok()?;
    let mut bytes = [0u8; 16];
    array.copy_to(&mut bytes);
    Some(bytes)
}
