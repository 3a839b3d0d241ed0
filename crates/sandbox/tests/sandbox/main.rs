//! One test binary for the sandbox (to save link time): the HTTP protocols against
//! PROTOCOL.md.

mod http;
