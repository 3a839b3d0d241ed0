//! The authorization endpoint's parameters (`GET /authorize?…`, or its POST form), against a
//! provider with a confidential and a public client: no panic and no fault; a refusal that
//! redirects goes only to the registered address with an `error`; an accepted request
//! includes `openid` and keeps the limits on what is echoed back.
#![no_main]

use dvcid_fuzz::oidc_world::{REDIRECT, world};
use dvcid_fuzz::{block_on, form_pairs};
use libfuzzer_sys::fuzz_target;
use oidc::AuthorizeError;

fuzz_target!(|data: &[u8]| {
    let pairs = form_pairs(data);
    match block_on(world().provider.authorization_request(&pairs)) {
        Ok(request) => {
            assert_eq!(request.redirect_uri(), REDIRECT);
            assert!(
                request.scopes().iter().any(|s| s == "openid"),
                "{request:?}"
            );
            assert!(request.state().is_none_or(|state| state.len() <= 1024));
        }
        Err(AuthorizeError::Redirect(url)) => {
            let target = url.as_str().split('?').next().unwrap_or_default();
            assert_eq!(target, REDIRECT, "an error redirect elsewhere: {url}");
            assert!(url.query_pairs().any(|(name, _)| name == "error"), "{url}");
        }
        // Answered with a page: no redirect to check.
        Err(AuthorizeError::Fatal(_)) => {}
        Err(AuthorizeError::Fault(fault)) => panic!("a fault on {pairs:?}: {fault}"),
    }
});
