//! Identity proofing (NIST SP 800-63A): how sure the portal is of who holds an account, which
//! bounds how sure a sign-in can say it is. A sign-in's `acr` is the lower of its method's
//! level and the account's proofing level — a Vietnam Post account proven only online stays
//! at LoA2 even with a certificate bound, until postal staff check the card (LoA3). Accounts
//! with no proofing record were proven by their registration itself and are not capped.

use domain::AssuranceLevel;
use store::AccountId;

use crate::error::FlowError;
use crate::services::Services;

/// `level`, no higher than the account's identity proofing.
pub(crate) async fn capped(
    services: &Services,
    account: AccountId,
    level: AssuranceLevel,
) -> Result<AssuranceLevel, FlowError> {
    let proofing = services.store.identity_proofing(account).await?;
    Ok(proofing.map_or(level, |proofing| level.min(proofing.level)))
}
