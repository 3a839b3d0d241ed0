//! A certificate as a person's token or the Web eID app presents it (DER), the same bytes as
//! the PEM of trust anchors, and as a Web eID authentication token: no panic, and nothing the
//! fuzzer makes is accepted, since it cannot sign under the trusted root.
#![no_main]

use dvcid_fuzz::pki_world::{ScriptedFetcher, validator};
use dvcid_fuzz::{NOW, block_on};
use libfuzzer_sys::fuzz_target;
use pki::{Refusal, TrustAnchors, UsagePolicy};

fuzz_target!(|data: &[u8]| {
    let validator = validator(ScriptedFetcher {
        ocsp: None,
        crl: None,
    });
    let usage = UsagePolicy::any();
    let as_certificate = block_on(validator.validate(data, &[], &usage, NOW));
    describe(as_certificate.expect_err("a fuzzed certificate was accepted"));
    let as_chain = block_on(validator.validate(data, &[data.to_vec()], &usage, NOW));
    describe(as_chain.expect_err("a fuzzed certificate and chain were accepted"));
    if let Ok(anchors) = TrustAnchors::from_pem(data) {
        assert!(
            !anchors.is_empty(),
            "anchors read from PEM without a certificate"
        );
    }
    if let Ok(token) = std::str::from_utf8(data) {
        let verified = block_on(pki::web_eid::verify(
            token,
            "https://dichvucong.example.vn",
            "bm9uY2Ugb2YgdGhlIGZ1enplZCBmbG93IDAxMjM0NTY3ODk=",
            &validator,
            NOW,
            &usage,
        ));
        describe(verified.expect_err("a fuzzed Web eID token was accepted"));
    }
});

/// What the sign-in page shows for a refusal: none of it may panic.
fn describe(refusal: Refusal) {
    let _ = (refusal.code(), refusal.reason_code());
    let _ = (refusal.message_vi(), refusal.message_en());
}
