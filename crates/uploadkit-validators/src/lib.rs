//! The application's upload rules as pure functions over bytes and text, for the browser
//! (wasm32) and the server alike: recipient cells (email, phone, postcode) and logos.

pub mod csv;
pub mod email;
pub mod logo;
#[cfg(feature = "phone")]
pub mod phone;
pub mod postal;
pub mod postal_address;
pub mod postcode;
pub mod whitespace;
