//! Whom a token's person acts for (SPEC A1): the organisation their session chose, checked
//! against the membership at every token and userinfo request, so that a removed member's
//! tokens stop naming the organisation at once. Signing in with an organisation's own
//! certificate (a business or agency account) acts for that organisation directly.

use domain::AccountKind;
use serde_json::{Map, Value};
use store::{Account, OrgRole};
use uuid::Uuid;

use crate::claims::{ActingOrganisation, organisation_claims};
use crate::core::Core;
use crate::error::OidcError;

/// Whether the scopes ask whom the person acts for (`dvc`).
pub(crate) fn asks_acting(scopes: &[&str]) -> bool {
    scopes.contains(&"dvc")
}

/// The organisation claims of the session's person, for the scopes and the client's names.
pub(crate) async fn acting_claims(
    core: &Core,
    session: Uuid,
    person: &Account,
    scopes: &[&str],
    mapping: store::ClaimMapping,
) -> Result<Map<String, Value>, OidcError> {
    if !asks_acting(scopes) {
        return Ok(Map::new());
    }
    let (organisation, role) = match person.kind {
        AccountKind::Business | AccountKind::Agency => (person.clone(), OrgRole::Administrator),
        AccountKind::Citizen => {
            let acting = core.store.acting_for(session, core.now()).await?;
            let Some(organisation) = acting.and_then(|acting| acting.organisation_id) else {
                return Ok(Map::new());
            };
            let Some(membership) = core.store.membership(organisation, person.id).await? else {
                return Ok(Map::new());
            };
            // A locked or disabled organisation is acted for by nobody.
            let Some(account) = core.active_account(organisation).await? else {
                return Ok(Map::new());
            };
            (account, membership.role)
        }
    };
    let agency_code = core.store.agency_code(organisation.id).await?;
    let acting = ActingOrganisation {
        account: &organisation,
        agency_code: agency_code.as_deref(),
        role,
    };
    Ok(organisation_claims(acting, scopes, mapping))
}
