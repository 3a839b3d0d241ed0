//! Which portal account a VNeID identity opens (S9, L1–L4). The identity is a federated
//! credential keyed by (issuer, subject); VNeID is authoritative for the personal ID it
//! carries, and that is the only thing an identity is ever linked by — never a phone, an
//! e-mail or a name. An account of that personal ID is linked at once only when its own
//! identity was verified against the population database; otherwise its holder proves the
//! account with its own sign-in first (Kratos #3563, Keycloak's first-broker-login lessons).

use connectors::{ConnectorError, FederatedIdentity};
use domain::{AccountKind, AccountStatus, AssuranceLevel, CredentialKind, RegistrationChannel};
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::{Account, AccountId, Identity, NewAccount, NewCredential, StepWrite};

use crate::common::audit_context;
use crate::context::Client;
use crate::error::FlowError;
use crate::notices;
use crate::problem::Problem;
use crate::services::Services;

/// A verified identity, as the flow keeps it between the callback and the proof.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Linkable {
    pub issuer: String,
    pub subject: String,
    pub personal_id: String,
    pub level: u8,
}

impl Linkable {
    pub fn of(identity: &FederatedIdentity) -> Self {
        Self {
            issuer: identity.issuer.clone(),
            subject: identity.subject.clone(),
            personal_id: identity.personal_id.as_str().to_owned(),
            level: identity.level.number(),
        }
    }

    /// The credential's key: issuer and subject, which the store keeps unique.
    pub fn key(&self) -> String {
        format!("{} {}", self.issuer, self.subject)
    }

    fn credential(&self) -> NewCredential {
        NewCredential {
            kind: CredentialKind::Federated,
            key: self.key(),
            public_data: json!({
                "issuer": self.issuer,
                "subject": self.subject,
                "personal_id": self.personal_id,
                "level": self.level,
            }),
            secret: None,
        }
    }

    /// Links the identity to `account` in the step's transaction (audited as a credential
    /// added), and tells the account's default OTP phone, so that an unwanted link is noticed.
    pub async fn link(
        &self,
        services: &Services,
        account: AccountId,
        client: &Client,
    ) -> Result<StepWrite, FlowError> {
        let phones = services.store.phones(account).await?;
        if let Some(phone) = phones.iter().find(|phone| phone.is_default)
            && let Err(error) = services
                .connectors
                .sms
                .send(&phone.phone, &notices::vneid_linked())
                .await
        {
            tracing::warn!(%error, "VNeID link notice not sent");
        }
        Ok(StepWrite::AddCredential {
            account,
            credential: self.credential(),
            audit: audit_context(client),
        })
    }
}

/// What signing in with the identity does.
#[derive(Debug)]
pub(crate) enum Resolution {
    /// Linked before: that account.
    Linked(Account),
    /// An account of the identity's personal ID, verified against the population database:
    /// linked now.
    LinkNow(Account),
    /// An account of the identity's personal ID whose identity was never verified: its holder
    /// signs in to it first.
    ProveFirst(Account),
    /// Nobody has the personal ID here: a new citizen account from VNeID's claims, with the
    /// identity linked, in one write.
    Create { id: AccountId, write: StepWrite },
}

/// The account the identity opens, or why none.
pub(crate) async fn resolve(
    services: &Services,
    identity: &FederatedIdentity,
    client: &Client,
) -> Result<Result<Resolution, Problem>, FlowError> {
    let store = &services.store;
    let linkable = Linkable::of(identity);
    if let Some(owner) = store
        .credential_owner(CredentialKind::Federated, &linkable.key())
        .await?
    {
        let Some(account) = store.account(owner).await? else {
            return Ok(Err(Problem::form("vneid.conflict")));
        };
        // The link was made for this personal ID; an identity now naming another one is for
        // the helpdesk, not for signing in.
        if account.identity.personal_id.as_ref() != Some(&identity.personal_id) {
            return Ok(Err(Problem::form("vneid.conflict")));
        }
        return Ok(usable(account).map(Resolution::Linked));
    }
    if let Some(account) = store.account_by_personal_id(&identity.personal_id).await? {
        let credentials = store.credentials(account.id).await?;
        let linked_elsewhere = credentials.iter().any(|held| {
            held.kind == CredentialKind::Federated
                && held
                    .public_data
                    .get("issuer")
                    .and_then(|issuer| issuer.as_str())
                    == Some(identity.issuer.as_str())
        });
        if linked_elsewhere {
            return Ok(Err(Problem::form("vneid.conflict")));
        }
        let verified = personal_id_verified(services, &account).await?;
        return Ok(usable(account).map(|account| {
            if verified {
                Resolution::LinkNow(account)
            } else {
                Resolution::ProveFirst(account)
            }
        }));
    }
    // A new account takes its identity from the population database's view of the person
    // as well: VNeID and the registry must agree, as they do for every other registration.
    let Some(birth_date) = identity.birth_date else {
        return Ok(Err(Problem::form("vneid.identity_mismatch")));
    };
    let population = &services.connectors.population;
    let matched = population
        .match_identity(&identity.personal_id, &identity.full_name, birth_date)
        .await;
    match matched {
        Ok(()) => {}
        Err(ConnectorError::NotFound | ConnectorError::Mismatch { .. }) => {
            return Ok(Err(Problem::form("vneid.identity_mismatch")));
        }
        Err(error) => {
            tracing::warn!(%error, "population database did not answer for a VNeID identity");
            return Ok(Err(Problem::form("population.unavailable")));
        }
    }
    let id = AccountId(uuid::Uuid::now_v7());
    let account = NewAccount {
        kind: AccountKind::Citizen,
        identity: Identity {
            personal_id: Some(identity.personal_id.clone()),
            legacy_cmnd: None,
            tax_code: None,
            full_name: identity.full_name.clone(),
            birth_date: identity.birth_date,
            gender: identity.gender,
        },
        email: None,
        registration_channel: RegistrationChannel::Vneid,
        default_phone: None,
        password_phc: None,
        audit: audit_context(client),
    };
    let write = StepWrite::CreateAccount {
        id,
        account,
        credentials: vec![linkable.credential()],
    };
    Ok(Ok(Resolution::Create { id, write }))
}

/// Whether the account's personal ID is known to be its holder's: checked against the
/// population database at registration by every channel but Vietnam Post's (whose phone need
/// not be in the person's name, so knowing someone's ID, name and birth date was enough),
/// or when the holder added it (L3, also checked); a Vietnam Post account counts once postal
/// staff checked the card in person (identity proofing at LoA3).
async fn personal_id_verified(services: &Services, account: &Account) -> Result<bool, FlowError> {
    if account.registration_channel != RegistrationChannel::VietnamPost {
        return Ok(true);
    }
    let proofing = services.store.identity_proofing(account.id).await?;
    Ok(proofing.is_some_and(|proofing| proofing.level >= AssuranceLevel::LoA3))
}

fn usable(account: Account) -> Result<Account, Problem> {
    if account.status == AccountStatus::Active {
        Ok(account)
    } else {
        Err(Problem::form("account.locked"))
    }
}
