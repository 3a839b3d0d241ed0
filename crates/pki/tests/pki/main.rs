//! The `pki` crate's tests, one binary.

mod anchors;
mod ocsp;
mod openssl;
mod refusals;
mod signed_hash;
mod support;
mod web_eid;
