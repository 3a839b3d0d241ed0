use domain::AssuranceLevel::{LoA1, LoA2, LoA3};

use super::*;

fn registered(scopes: &[&str]) -> Vec<String> {
    scopes.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn acr_values_are_a_preference_list_raised_to_the_minimum() {
    assert_eq!(acr_preference(LoA1, None), []);
    assert_eq!(acr_preference(LoA1, Some("LoA3")), [LoA3]);
    assert_eq!(acr_preference(LoA1, Some("LoA3 LoA2")), [LoA3, LoA2]);
    // The client's minimum cannot be lowered by the request.
    assert_eq!(acr_preference(LoA2, Some("LoA1 LoA3")), [LoA2, LoA3]);
    // Unknown values are ignored, also case variants.
    assert_eq!(
        acr_preference(LoA1, Some("urn:mace:incommon:iap:silver loa3")),
        []
    );
    assert_eq!(acr_preference(LoA2, Some("gold LoA3")), [LoA3]);
}

#[test]
fn a_level_no_method_reaches_is_unmet_and_a_reachable_one_steps_up() {
    assert_eq!(step_up(LoA2, LoA2, LoA2), StepUp::Met);
    assert_eq!(step_up(LoA2, LoA1, LoA2), StepUp::Met);
    assert_eq!(step_up(LoA1, LoA2, LoA2), StepUp::SignIn);
    assert_eq!(step_up(LoA2, LoA3, LoA2), StepUp::Unreachable);
    assert_eq!(step_up(LoA2, LoA3, LoA3), StepUp::SignIn);
}

#[test]
fn scopes_need_openid_and_unregistered_ones_are_dropped() {
    let client = registered(&["openid", "profile", "dvc"]);
    let granted = requested_scopes("openid  profile email dvc profile", &client)
        .ok()
        .unwrap();
    assert_eq!(granted, ["openid", "profile", "dvc"]);
    let refused = requested_scopes("profile dvc", &client).err().unwrap();
    assert_eq!(refused.error, "invalid_scope");
    let not_registered = requested_scopes("openid profile", &registered(&["profile"]))
        .err()
        .unwrap();
    assert_eq!(not_registered.error, "invalid_scope");
    // Scope values are case-sensitive.
    assert!(requested_scopes("OpenID", &client).is_err());
}

#[test]
fn prompt_values_combine_except_none() {
    let parsed = parse_prompt(Some("login consent")).ok().unwrap();
    assert!(parsed.login && parsed.consent && !parsed.none);
    assert_eq!(parse_prompt(None).ok().unwrap(), Prompt::default());
    assert!(parse_prompt(Some("none")).ok().unwrap().none);
    // Unknown values are ignored, also next to none.
    assert!(parse_prompt(Some("none create")).ok().unwrap().none);
    assert_eq!(
        parse_prompt(Some("none login")).err().unwrap().error,
        "invalid_request"
    );
}

#[test]
fn the_first_locale_dvcid_speaks_is_chosen() {
    assert_eq!(first_supported_locale("fr-FR en-US vi"), Some("en"));
    assert_eq!(first_supported_locale("vi-VN"), Some("vi"));
    assert_eq!(first_supported_locale("VI"), Some("vi"));
    assert_eq!(first_supported_locale("fr de"), None);
    assert_eq!(first_supported_locale("envi"), None);
}
