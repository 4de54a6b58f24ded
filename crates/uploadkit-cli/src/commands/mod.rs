//! One module per group of commands; each takes its parsed arguments and returns what to print.

pub(crate) mod buckets;
pub(crate) mod identity;
pub(crate) mod presign;
pub(crate) mod serve;
pub(crate) mod validate;
