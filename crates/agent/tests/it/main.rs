//! One test binary: the HTTP protections and flow in process (software token, hand-moved
//! clock), and the real program against a SoftHSM2 token.

mod http;
mod softhsm;
mod support;
