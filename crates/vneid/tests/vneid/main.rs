//! The eID provider's integration tests: one binary, the real app on a random port driven over
//! HTTP, time and randomness injected (no sleeps).

mod activation;
mod harness;
mod oidc_flow;
mod police;
mod signin;
