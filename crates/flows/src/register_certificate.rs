//! Đăng ký bằng chữ ký số — USB ký số (R5), Sim ký số (R6), ký số từ xa (R7): the certificate
//! proves who registers, signing through the local agent, on the PKI SIM, or in the remote
//! signing service's app. A personal certificate makes a citizen account for its personal ID (the population database supplies the birth
//! date and gender); an organisation certificate makes a business account for its tax code,
//! named as the certificate names it. The person adds an e-mail; the account is created with
//! the certificate bound, in the step's one transaction.
//!
//! ```text
//! Proving (certificate_proof) ──▶ Details(holder) ──register_certificate{email}──▶ Registered
//!   refusals: the certificate's (pki), an account of that ID or tax code already exists
//!   (binding it needs that account's own sign-in), certificate already bound, population
//!   database unknown or down
//! ```

use async_trait::async_trait;
use connectors::ConnectorError;
use domain::{AccountKind, CredentialKind, Email, RegistrationChannel, TaxCode};
use pki::{CertIdentity, ValidCertificate};
use serde::{Deserialize, Serialize};
use store::{Identity, NewAccount, NewCredential, StepWrite};
use time::OffsetDateTime;

use crate::certificate_proof::{CertificateProof, Proof};
use crate::certificates::common_name;
use crate::common::audit_context;
use crate::error::FlowError;
use crate::flow::{Acted, Ctx, Flow, Start};
use crate::methods::MethodKind;
use crate::methods::certificate_account::credential_key;
use crate::problem::Problem;
use crate::services::Services;
use crate::signing::SigningPurpose;
use crate::view::{Action, Done, FlowKind, Step};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "at", rename_all = "snake_case")]
pub(crate) enum RegisterCertificate {
    Proving { proof: CertificateProof },
    Details { holder: Box<Holder>, email: String },
    Registered { via: MethodKind },
}

/// Who the certificate proves, and the binding the account will hold.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Holder {
    /// How the certificate signed: the channel the account is registered through.
    via: MethodKind,
    kind: AccountKind,
    identity: Identity,
    credential: BoundCertificate,
}

/// The certificate as the account keeps it: its key's digest, and what the account pages and
/// the sign-in check show and compare.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct BoundCertificate {
    /// How the holder signs with it, and so which sign-in method it serves.
    via: MethodKind,
    /// The PKI SIM's number, when the key is on one.
    #[serde(default)]
    sim_phone: Option<String>,
    key: String,
    subject: String,
    issuer: String,
    serial: String,
    #[serde(with = "time::serde::rfc3339")]
    not_after: OffsetDateTime,
}

impl BoundCertificate {
    /// The certificate `proof` proved, as the account will keep it.
    pub(crate) fn of(certificate: &ValidCertificate, proof: &CertificateProof) -> Self {
        Self {
            via: proof.via(),
            sim_phone: proof.sim_phone(),
            key: credential_key(certificate),
            subject: certificate.subject.clone(),
            issuer: certificate.issuer.clone(),
            serial: certificate.serial_hex.clone(),
            not_after: certificate.not_after,
        }
    }

    /// The issuer's common name, for texts ("VNPT Certification Authority").
    pub(crate) fn issuer_name(&self) -> &str {
        common_name(&self.issuer)
    }

    pub(crate) fn credential(&self) -> NewCredential {
        NewCredential {
            kind: CredentialKind::Certificate,
            key: self.key.clone(),
            public_data: serde_json::json!({
                "subject": self.subject,
                "issuer": self.issuer,
                "serial": self.serial,
                "not_after": self.not_after.unix_timestamp(),
                "via": self.via.as_str(),
                "phone": self.sim_phone,
            }),
            secret: None,
        }
    }
}

#[async_trait]
impl Flow for RegisterCertificate {
    const KIND: FlowKind = FlowKind::RegisterCertificate;

    fn start(start: &Start, services: &Services) -> Option<Self> {
        let via = start
            .offered
            .first()
            .copied()
            .unwrap_or(MethodKind::UsbToken);
        Some(Self::Proving {
            proof: CertificateProof::new(via, services, start.flow),
        })
    }

    fn methods(&self) -> Vec<MethodKind> {
        vec![self.via()]
    }

    fn step(&self, services: &Services) -> Step {
        match self {
            Self::Proving { proof } => proof.step(services),
            Self::Details { holder, email } => Step::RegisterCertificate {
                account_kind: holder.kind,
                full_name: holder.identity.full_name.clone(),
                identifier: identifier(&holder.identity),
                issuer: holder.credential.issuer.clone(),
                not_after: holder.credential.not_after,
                email: email.clone(),
            },
            Self::Registered { .. } => Step::Done {
                result: Done::Registered,
            },
        }
    }

    async fn act(&mut self, ctx: &mut Ctx<'_>, action: Action) -> Result<Acted, FlowError> {
        let services = ctx.services;
        match (&mut *self, action) {
            (Self::Proving { proof }, action) => {
                let purpose = SigningPurpose::Register;
                match proof.act(ctx, action, purpose).await? {
                    Proof::Pending(problem) => {
                        Ok(problem.map_or_else(Acted::default, Acted::problem))
                    }
                    Proof::Signed(certificate) => {
                        Ok(match holder(services, &certificate, proof).await? {
                            Ok(holder) => {
                                *self = Self::Details {
                                    holder: Box::new(holder),
                                    email: String::new(),
                                };
                                Acted::default()
                            }
                            Err(problem) => Acted::problem(problem),
                        })
                    }
                }
            }
            (Self::Details { holder, email }, Action::RegisterCertificate { email: typed }) => {
                *email = typed.trim().to_owned();
                let address = match Email::parse(email) {
                    Ok(address) => address,
                    Err(invalid) => return Ok(Acted::problem(Problem::invalid("email", &invalid))),
                };
                // The certificate was checked a moment ago; another registration may have
                // taken the ID, tax code or certificate since.
                if let Some(problem) =
                    taken(services, &holder.identity, &holder.credential.key).await?
                {
                    return Ok(Acted::problem(problem));
                }
                let account = NewAccount {
                    kind: holder.kind,
                    identity: holder.identity.clone(),
                    email: Some(address),
                    registration_channel: channel(holder.via),
                    default_phone: None,
                    password_phc: None,
                    audit: audit_context(ctx.client),
                };
                let credentials = vec![holder.credential.credential()];
                *self = Self::Registered { via: holder.via };
                Ok(Acted::default().write(StepWrite::CreateAccount {
                    id: store::AccountId(uuid::Uuid::now_v7()),
                    account,
                    credentials,
                }))
            }
            (_, _) => Ok(Acted::problem(Problem::form("action.unexpected"))),
        }
    }
}

impl RegisterCertificate {
    /// The method the certificate signs through.
    fn via(&self) -> MethodKind {
        match self {
            Self::Proving { proof } => proof.via(),
            Self::Details { holder, .. } => holder.via,
            Self::Registered { via } => *via,
        }
    }
}

fn channel(via: MethodKind) -> RegistrationChannel {
    match via {
        MethodKind::SimPki => RegistrationChannel::SimPki,
        MethodKind::RemoteSigning => RegistrationChannel::RemoteSigning,
        _ => RegistrationChannel::UsbToken,
    }
}

/// The account the certificate would make: a citizen as the population database knows them,
/// or a business as the certificate names it; refused when one exists already.
async fn holder(
    services: &Services,
    certificate: &ValidCertificate,
    proof: &CertificateProof,
) -> Result<Result<Holder, Problem>, FlowError> {
    let credential = BoundCertificate::of(certificate, proof);
    let via = proof.via();
    let (kind, identity) = match &certificate.identity {
        CertIdentity::Citizen(personal_id) => {
            let population = &services.connectors.population;
            let citizen = match population.citizen(personal_id).await {
                Ok(citizen) => citizen,
                Err(ConnectorError::NotFound) => {
                    return Ok(Err(Problem::form("identity.not_found")));
                }
                Err(error) => {
                    tracing::warn!(%error, "population database unavailable for a certificate");
                    return Ok(Err(Problem::form("population.unavailable")));
                }
            };
            let identity = Identity {
                personal_id: Some(citizen.personal_id),
                legacy_cmnd: None,
                tax_code: None,
                full_name: citizen.full_name,
                birth_date: Some(citizen.birth_date),
                gender: Some(citizen.gender),
            };
            (AccountKind::Citizen, identity)
        }
        // The population database is keyed by the 12-digit personal ID only.
        CertIdentity::LegacyCitizen(_) => {
            return Ok(Err(Problem::form("certificate.legacy_id")));
        }
        CertIdentity::Organisation { tax_code, name } => {
            let name = match registered_name(services, tax_code).await {
                Ok(registered) => registered.unwrap_or_else(|| name.clone()),
                Err(problem) => return Ok(Err(problem)),
            };
            let identity = Identity {
                personal_id: None,
                legacy_cmnd: None,
                tax_code: Some(tax_code.clone()),
                full_name: name,
                birth_date: None,
                gender: None,
            };
            (AccountKind::Business, identity)
        }
    };
    if let Some(problem) = taken(services, &identity, &credential.key).await? {
        return Ok(Err(problem));
    }
    Ok(Ok(Holder {
        via,
        kind,
        identity,
        credential,
    }))
}

/// The business's name as the national business registry has it, where the deployment reaches
/// the registry (`None` otherwise); a business it does not know or that is not active cannot
/// register.
async fn registered_name(
    services: &Services,
    tax_code: &TaxCode,
) -> Result<Option<String>, Problem> {
    let Some(registry) = &services.connectors.business_registry else {
        return Ok(None);
    };
    match registry.business(tax_code).await {
        Ok(business) if business.active => Ok(Some(business.name)),
        Ok(_) => Err(Problem::form("business.inactive")),
        Err(ConnectorError::NotFound) => Err(Problem::form("business.not_found")),
        Err(error) => {
            tracing::warn!(%error, "business registry unavailable for a certificate");
            Err(Problem::form("business_registry.unavailable"))
        }
    }
}

/// Why this identity or certificate cannot make a new account: an account of the ID or tax
/// code exists (its holder signs in and binds the certificate there — never silently here), or
/// the certificate is bound already.
async fn taken(
    services: &Services,
    identity: &Identity,
    key: &str,
) -> Result<Option<Problem>, FlowError> {
    let store = &services.store;
    let existing = match (&identity.personal_id, &identity.tax_code) {
        (Some(personal_id), _) => store.account_by_personal_id(personal_id).await?,
        (None, Some(tax_code)) => store.account_by_tax_code(tax_code).await?,
        (None, None) => None,
    };
    if existing.is_some() {
        return Ok(Some(Problem::form("certificate.account_exists")));
    }
    let bound = store
        .credential_owner(CredentialKind::Certificate, key)
        .await?;
    Ok(bound.map(|_| Problem::form("certificate.already_bound")))
}

/// The ID or tax code the page shows.
fn identifier(identity: &Identity) -> String {
    match (&identity.personal_id, &identity.tax_code) {
        (Some(personal_id), _) => personal_id.to_string(),
        (None, Some(tax_code)) => tax_code.to_string(),
        (None, None) => String::new(),
    }
}
