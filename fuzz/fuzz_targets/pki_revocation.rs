//! The OCSP responder's and the CRL server's answers for a valid certificate: whatever bytes
//! come back, no panic, and the certificate is refused (fail closed) — the fuzzer cannot sign
//! a "good" answer as the CA. The first byte says who answers: 0 the OCSP responder only (the
//! CRL server is down), 1 the CRL server only, 2 both with the same bytes.
#![no_main]

use dvcid_fuzz::pki_world::{ScriptedFetcher, validator, world};
use dvcid_fuzz::{NOW, block_on};
use libfuzzer_sys::fuzz_target;
use pki::UsagePolicy;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, body)) = data.split_first() else {
        return;
    };
    let body = Some(body.to_vec());
    let fetcher = match mode % 3 {
        0 => ScriptedFetcher {
            ocsp: body,
            crl: None,
        },
        1 => ScriptedFetcher {
            ocsp: None,
            crl: body,
        },
        _ => ScriptedFetcher {
            ocsp: body.clone(),
            crl: body,
        },
    };
    let checked =
        block_on(validator(fetcher).validate(&world().leaf_der, &[], &UsagePolicy::any(), NOW));
    let refusal = checked.expect_err("a fuzzed revocation answer made the certificate valid");
    let _ = (refusal.code(), refusal.message_vi(), refusal.message_en());
});
