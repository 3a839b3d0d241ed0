//! One test binary for the sandbox (to save link time): the HTTP protocols against
//! PROTOCOL.md, and the certificate authorities against the `pki` crate's validator and
//! against `openssl`.

mod http;
mod openssl;
mod pki;
