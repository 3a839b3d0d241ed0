//! Đăng nhập bằng VNeID (S9, L4): out to the national eID provider (OpenID Connect with
//! PKCE, `state` and `nonce`) and back; the identity it vouches for opens the portal account
//! `federation` resolves, at the level VNeID asserted (level 1 → LoA2, level 2 → LoA3) with
//! `amr` `fed`.
//!
//! ```text
//! Out ──callback──▶ linked account ─────────────────────────────▶ Proven
//!  ▲       │        verified account of its personal ID: linked ──▶ Proven (phone told)
//!  │       │        nobody: a citizen account from the claims ───▶ Proven
//!  │       │        unverified account: Proving(its own sign-in) ─▶ linked, Proven
//!  └───────┘ refused, cancelled, forged or replayed state, level too low: out again, with why
//! ```

use async_trait::async_trait;
use connectors::{ConnectorError, FederatedAuthorization, FederatedCallback};
use domain::{AccountKind, AssuranceLevel, AuthMethod, CredentialKind};
use serde::{Deserialize, Serialize};
use store::AccountId;
use uuid::Uuid;

use super::kind::MethodKind;
use super::method::{Asserted, Begin, Descriptor, Evidence, Method, Progress};
use super::{MethodState, held_by};
use crate::common::security_refusal;
use crate::error::FlowError;
use crate::federation::{self, Linkable, Resolution};
use crate::flow::{Acted, Ctx};
use crate::problem::Problem;
use crate::remote_authorization::Authorization;
use crate::services::Services;
use crate::throttle::ThrottleAction;
use crate::view::{Action, Step};

/// Where VNeID sends the person back, on this site.
pub const VNEID_CALLBACK: &str = "/login/vneid/callback";
/// The page that sends the browser out to VNeID (`/login/vneid/out/<flow>`): the provider's
/// address comes from its discovery document, which a step cannot wait for.
pub const VNEID_OUT: &str = "/login/vneid/out";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "at", rename_all = "snake_case")]
pub(crate) enum Vneid {
    Out(Trip),
    /// The identity names an account whose identity was never verified: its holder signs in
    /// to it with its own method, in this flow, before the link is made.
    Proving {
        link: Linkable,
        account: AccountId,
        asserted_level: AssuranceLevel,
        proof: Box<MethodState>,
    },
}

/// One trip out: `state` (naming the flow) and the PKCE verifier, as for remote signing, and
/// the OpenID Connect `nonce`. Used once, then replaced.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Trip {
    flow: Uuid,
    authorization: Authorization,
    nonce: String,
    /// Step-up: the signed-in account the identity must open.
    expected: Option<AccountId>,
    required: AssuranceLevel,
}

impl Trip {
    fn new(
        services: &Services,
        flow: Uuid,
        expected: Option<AccountId>,
        required: AssuranceLevel,
    ) -> Self {
        Self {
            flow,
            authorization: Authorization::new(services, flow),
            nonce: domain::digest::encode_token(&services.random.token()),
            expected,
            required,
        }
    }

    /// What the identity provider's client needs for this trip.
    pub(crate) fn authorization(&self, services: &Services) -> Option<FederatedAuthorization> {
        self.with(services, &self.authorization)
    }

    fn with(
        &self,
        services: &Services,
        authorization: &Authorization,
    ) -> Option<FederatedAuthorization> {
        let redirect_uri = services.federation_callback.clone()?;
        Some(FederatedAuthorization {
            state: authorization.state().to_owned(),
            nonce: self.nonce.clone(),
            code_verifier: authorization.code_verifier().to_owned(),
            redirect_uri,
            min_acr: (self.required > AssuranceLevel::LoA2).then_some(self.required),
        })
    }
}

impl Vneid {
    /// The trip the browser is about to take, when that is where the method stands.
    pub(crate) fn trip(&self) -> Option<&Trip> {
        match self {
            Self::Out(trip) => Some(trip),
            Self::Proving { .. } => None,
        }
    }
}

#[async_trait]
impl Method for Vneid {
    const DESCRIPTOR: Descriptor = Descriptor {
        kind: MethodKind::Vneid,
        account_kinds: &[AccountKind::Citizen],
        needs: &[CredentialKind::Federated],
        // The most it can prove (a level-2 account); a level-1 account's sign-in is LoA2.
        level: AssuranceLevel::LoA3,
        amr: &[AuthMethod::Fed],
    };

    fn begin(begin: &Begin, services: &Services) -> Self {
        let required = begin.required.unwrap_or(AssuranceLevel::LoA2);
        Self::Out(Trip::new(services, begin.flow, begin.account, required))
    }

    fn step(&self, services: &Services) -> Step {
        match self {
            Self::Out(trip) => Step::Redirect {
                url: format!("{VNEID_OUT}/{}", trip.flow),
            },
            Self::Proving { proof, .. } => proof.step(services),
        }
    }

    async fn act(&mut self, ctx: &mut Ctx<'_>, action: Action) -> Result<Progress, FlowError> {
        match self {
            Self::Out(trip) => {
                let Action::Callback {
                    code,
                    state,
                    error,
                    iss,
                } = action
                else {
                    return Ok(Progress::refused(Problem::form("action.unexpected")));
                };
                let returned = Returned {
                    code,
                    state,
                    error,
                    iss,
                };
                match come_back(ctx, trip, returned).await? {
                    Back::Again(problem, trip) => {
                        *self = Self::Out(trip);
                        Ok(Progress::refused(problem))
                    }
                    Back::Prove(proving) => {
                        *self = proving;
                        Ok(Progress::refused(Problem::form("vneid.prove_account")))
                    }
                    Back::Done(progress) => Ok(progress),
                }
            }
            Self::Proving {
                link,
                account,
                asserted_level,
                proof,
            } => match proof.act(ctx, action).await? {
                Progress::Continue(acted) => Ok(Progress::Continue(acted)),
                Progress::Proven(mut evidence, acted) => {
                    // The proof's own method (at least LoA2) and VNeID's level, whichever is
                    // higher; both sets of methods.
                    let own = super::descriptor(proof.kind());
                    evidence.asserted = Some(Asserted {
                        level: own.level.max(*asserted_level),
                        amr: own.amr.to_vec(),
                    });
                    evidence.used.push((CredentialKind::Federated, link.key()));
                    let write = link.link(ctx.services, *account, ctx.client).await?;
                    Ok(Progress::Proven(evidence, acted.write(write)))
                }
            },
        }
    }
}

struct Returned {
    code: Option<String>,
    state: String,
    error: Option<String>,
    iss: Option<String>,
}

enum Back {
    /// Out again (a fresh trip), with why.
    Again(Problem, Trip),
    Prove(Vneid),
    Done(Progress),
}

/// Back from VNeID: the trip is spent whatever happens; the identity, once verified, opens
/// its account.
async fn come_back(ctx: &mut Ctx<'_>, trip: &Trip, returned: Returned) -> Result<Back, FlowError> {
    let services = ctx.services;
    let spent = trip
        .authorization
        .clone()
        .spend(services, trip.flow, &returned.state);
    let fresh = Trip::new(services, trip.flow, trip.expected, trip.required);
    let again = |code: &'static str| Ok(Back::Again(Problem::form(code), fresh.clone()));
    let (Some(spent), Some(provider)) = (spent, services.connectors.vneid.as_ref()) else {
        let reason = "vneid.state";
        security_refusal(services, None, ctx.client, ThrottleAction::SignIn, reason).await?;
        return again("vneid.failed");
    };
    // The spent trip's secrets, to redeem the code with.
    let Some(out) = trip.with(services, &spent) else {
        return again("method.not_offered");
    };
    let code = match (returned.code, returned.error.as_deref()) {
        (Some(code), None) => code,
        (_, Some("unmet_authentication_requirements")) => return again("vneid.level_too_low"),
        (_, Some(_)) => return again("vneid.cancelled"),
        (None, None) => return again("vneid.failed"),
    };
    let callback = FederatedCallback {
        code,
        iss: returned.iss,
    };
    let identity = match provider.redeem(&out, &callback).await {
        Ok(identity) => identity,
        Err(ConnectorError::Unavailable { .. }) => return again("vneid.unavailable"),
        Err(error) => {
            tracing::warn!(%error, "VNeID sign-in refused");
            security_refusal(
                services,
                None,
                ctx.client,
                ThrottleAction::SignIn,
                "vneid.token",
            )
            .await?;
            return again("vneid.failed");
        }
    };
    if identity.acr < trip.required {
        return again("vneid.level_too_low");
    }
    let asserted = Asserted {
        level: identity.acr,
        amr: Vec::new(),
    };
    let link = Linkable::of(&identity);
    let resolution = match federation::resolve(services, &identity, ctx.client).await? {
        Ok(resolution) => resolution,
        Err(problem) => return Ok(Back::Again(problem, fresh)),
    };
    let signed_in = |account: AccountId, acted: Acted| {
        let evidence = Evidence {
            account,
            used: vec![(CredentialKind::Federated, link.key())],
            phone_changed: false,
            asserted: Some(asserted.clone()),
        };
        Back::Done(Progress::Proven(evidence, acted))
    };
    let account = match &resolution {
        Resolution::Linked(account)
        | Resolution::LinkNow(account)
        | Resolution::ProveFirst(account) => Some(account.id),
        Resolution::Create { id, .. } => Some(*id),
    };
    if let (Some(expected), Some(account)) = (trip.expected, account)
        && expected != account
    {
        return Ok(Back::Again(Problem::form("step_up.other_account"), fresh));
    }
    Ok(match resolution {
        Resolution::Linked(account) => signed_in(account.id, Acted::default()),
        Resolution::LinkNow(account) => {
            let write = link.link(services, account.id, ctx.client).await?;
            signed_in(account.id, Acted::default().write(write))
        }
        Resolution::Create { id, write } => signed_in(id, Acted::default().write(write)),
        Resolution::ProveFirst(account) => {
            let credentials = services.store.credentials(account.id).await?;
            let Some(own) = held_by(services, account.kind, &credentials)
                .into_iter()
                .find(|method| *method != MethodKind::Vneid)
            else {
                return Ok(Back::Again(Problem::form("vneid.conflict"), fresh));
            };
            let begin = Begin {
                flow: trip.flow,
                account: Some(account.id),
                hint: account
                    .identity
                    .personal_id
                    .as_ref()
                    .map(|id| id.as_str().to_owned()),
                required: Some(AssuranceLevel::LoA2),
            };
            Back::Prove(Vneid::Proving {
                link,
                account: account.id,
                asserted_level: identity.acr,
                proof: Box::new(super::begin(own, &begin, services)),
            })
        }
    })
}
