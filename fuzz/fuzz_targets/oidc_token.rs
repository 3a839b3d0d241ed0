//! The token endpoint's form (`POST /token`), the client authenticating by the form's fields
//! as the web layer reads them: no panic and no fault; a refusal is a 400 or 401 with an
//! OAuth error body; a grant is a bearer token within the client's registered scopes.
#![no_main]

use dvcid_fuzz::oidc_world::world;
use dvcid_fuzz::{block_on, form_pairs};
use libfuzzer_sys::fuzz_target;
use oidc::{PresentedClient, TokenError};

fuzz_target!(|data: &[u8]| {
    let form = form_pairs(data);
    let first = |name: &str| {
        form.iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    };
    let presented = PresentedClient {
        basic: None,
        client_id: first("client_id"),
        client_secret: first("client_secret"),
        client_assertion_type: first("client_assertion_type"),
        client_assertion: first("client_assertion"),
    };
    let world = world();
    match block_on(world.provider.token(&presented, &form)) {
        Ok(response) => {
            assert_eq!(response.token_type, "Bearer");
            for scope in response.scope.split(' ').filter(|s| !s.is_empty()) {
                assert!(
                    world.confidential_scopes.iter().any(|known| known == scope),
                    "granted {scope:?}, which the client is not registered for"
                );
            }
        }
        Err(TokenError::Fault(fault)) => panic!("a fault on {form:?}: {fault}"),
        Err(refused) => {
            assert!(matches!(refused.status(), 400 | 401), "{refused:?}");
            assert!(refused.body().get("error").is_some(), "{refused:?}");
        }
    }
});
