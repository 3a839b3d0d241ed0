//! The operator console's operations (issue 12, "Operators"): operators are ordinary accounts
//! with roles granted to them; they reach the console only from a session at LoA3 made with a
//! certificate, used within the last 15 minutes; every action — a read of an account's page
//! included — is checked against the permission table (`permission.rs`) and audited with the
//! operator as the actor. A refusal is audited as a security refusal. The web console and the
//! `dvcid operator` commands both call this service, so both obey the same rules.

mod permission;

use domain::{
    AccountStatus, AssuranceLevel, AuthMethod, CredentialKind, OperatorRole, PhoneNumber, TaxCode,
};
use serde_json::json;
use store::{
    Account, AccountId, Actor, AuditContext, AuditEvent, AuditKind, NewAuditEvent, PhoneReset,
    RoleGrant, Session,
};
use time::Duration;

use crate::account::Overview;
use crate::common::Identifier;
use crate::context::Client;
use crate::error::FlowError;
use crate::methods::{self, MethodKind};
use crate::notices;
use crate::problem::Problem;
use crate::services::Services;

pub use permission::{Capability, allows, capabilities};

/// How long an operator's session may sit unused before the console asks for the certificate
/// again: staff leave desks, and a console left open reads and changes other people's
/// accounts. Shorter than a citizen's idle timeout on purpose.
pub const CONSOLE_IDLE: Duration = Duration::minutes(15);

/// The methods whose proof is a certificate's key (USB token, PKI SIM, remote signing).
const CERTIFICATE_AMR: [AuthMethod; 3] = [AuthMethod::Hwk, AuthMethod::Sc, AuthMethod::Swk];

/// How many events an account's page shows.
const HISTORY: u32 = 50;

/// A free-text field an operator must fill (a reason, a document number) is at most this long.
const MAX_NOTE: usize = 200;

/// An operator allowed into the console (or named on the command line), with their roles.
#[derive(Debug, Clone)]
pub struct Operator {
    pub account: Account,
    pub roles: Vec<OperatorRole>,
    client: Client,
}

impl Operator {
    pub fn may(&self, capability: Capability) -> bool {
        allows(&self.roles, capability)
    }

    /// How the audit trail names them: the personal ID, else the account's id.
    pub fn name(&self) -> String {
        self.account
            .identity
            .personal_id
            .as_ref()
            .map_or_else(|| self.account.id.to_string(), ToString::to_string)
    }

    fn audit(&self) -> AuditContext {
        AuditContext {
            actor: Actor::Operator(self.name()),
            client_ip: self.client.address.clone(),
        }
    }
}

/// Whether a signed-in person may use the console now.
#[derive(Debug)]
// Made once per console request and consumed at once: boxing the operator buys nothing.
#[allow(clippy::large_enum_variant)]
pub enum ConsoleAccess {
    Granted(Box<Operator>),
    /// The account holds no operator role (the refusal is audited).
    NotOperator,
    /// An operator without a certificate to sign in with: none can reach the console.
    NeedsCertificate,
    /// An operator whose session is not at LoA3 by certificate: raise it with `method`.
    StepUp {
        method: MethodKind,
    },
    /// The session sat unused longer than `CONSOLE_IDLE`: it has been ended.
    IdleExpired,
}

/// Which identifier a search is by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchBy {
    /// The 12-digit personal ID or the 9-digit CMND.
    PersonalId,
    TaxCode,
    /// Every account the phone serves.
    Phone,
}

impl SearchBy {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "personal_id" => Some(Self::PersonalId),
            "tax_code" => Some(Self::TaxCode),
            "phone" => Some(Self::Phone),
            _ => None,
        }
    }

    fn field(self) -> &'static str {
        match self {
            Self::PersonalId => "personal_id",
            Self::TaxCode => "tax_code",
            Self::Phone => "phone",
        }
    }
}

/// A credential as the console shows it: its kind and a label, never a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialLine {
    pub kind: CredentialKind,
    /// A masked phone, a certificate's subject, a federated identity's issuer; empty for the
    /// password.
    pub label: String,
    pub last_used_at: Option<time::OffsetDateTime>,
}

/// Everything an account's page in the console shows.
#[derive(Debug, Clone)]
pub struct AccountFile {
    pub overview: Overview,
    pub credentials: Vec<CredentialLine>,
    pub sessions: Vec<Session>,
    pub history: Vec<AuditEvent>,
    pub roles: Vec<RoleGrant>,
}

pub struct OperatorService<'a> {
    pub(crate) services: &'a Services,
}

impl OperatorService<'_> {
    /// Whether this signed-in session may use the console, and as whom.
    pub async fn console_access(
        &self,
        session: &Session,
        account: &Account,
        client: &Client,
    ) -> Result<ConsoleAccess, FlowError> {
        let services = self.services;
        let roles = self.roles(account.id).await?;
        if roles.is_empty() {
            let details = json!({ "reason": "operator_console_refused" });
            let event = refusal(Some(account.id), holder(client), details);
            services
                .store
                .append_audit(&event, services.clock.now())
                .await?;
            return Ok(ConsoleAccess::NotOperator);
        }
        let now = services.clock.now();
        let last_active = session.last_seen_at.max(session.auth_time);
        if now - last_active > CONSOLE_IDLE {
            services.sessions.end(session.id).await?;
            return Ok(ConsoleAccess::IdleExpired);
        }
        let by_certificate = session.acr >= AssuranceLevel::LoA3
            && session.amr.iter().any(|method| {
                CERTIFICATE_AMR
                    .iter()
                    .any(|certificate| certificate.as_str() == method)
            });
        if !by_certificate {
            let credentials = services.store.credentials(account.id).await?;
            let method = methods::held_by(services, account.kind, &credentials)
                .into_iter()
                .find(|method| methods::signs_with_certificate(*method));
            return Ok(match method {
                Some(method) => ConsoleAccess::StepUp { method },
                None => ConsoleAccess::NeedsCertificate,
            });
        }
        Ok(ConsoleAccess::Granted(Box::new(Operator {
            account: account.clone(),
            roles,
            client: client.clone(),
        })))
    }

    /// The operator a command names by personal ID (`dvcid operator … --operator`).
    pub async fn named(
        &self,
        personal_id: &str,
        client: &Client,
    ) -> Result<Result<Operator, Problem>, FlowError> {
        let account = match self.find_one(personal_id, "operator").await? {
            Ok(account) => account,
            Err(problem) => return Ok(Err(problem)),
        };
        let roles = self.roles(account.id).await?;
        if roles.is_empty() {
            return Ok(Err(Problem::field("operator", "operator.not_operator")));
        }
        Ok(Ok(Operator {
            account,
            roles,
            client: client.clone(),
        }))
    }

    /// The account of a personal ID or CMND, for commands and forms that name one.
    pub async fn account_by_personal_id(
        &self,
        text: &str,
    ) -> Result<Result<Account, Problem>, FlowError> {
        self.find_one(text, "personal_id").await
    }

    async fn find_one(
        &self,
        text: &str,
        field: &'static str,
    ) -> Result<Result<Account, Problem>, FlowError> {
        let identifier = match Identifier::parse(text) {
            Ok(identifier) => identifier,
            Err(mut problem) => {
                problem.field = Some(field);
                return Ok(Err(problem));
            }
        };
        Ok(identifier
            .account(self.services)
            .await?
            .ok_or_else(|| Problem::field(field, "operator.account_not_found")))
    }

    async fn roles(&self, account: AccountId) -> Result<Vec<OperatorRole>, FlowError> {
        let grants = self.services.store.roles_of(account).await?;
        Ok(grants.into_iter().map(|grant| grant.role).collect())
    }

    /// Refuses (and audits as a security refusal) what the operator's roles do not allow;
    /// `target` is the account concerned, if any. Pages of other parts of the console (the
    /// post-office counter) call it before acting.
    pub async fn require(
        &self,
        operator: &Operator,
        capability: Capability,
        target: Option<AccountId>,
    ) -> Result<Result<(), Problem>, FlowError> {
        if operator.may(capability) {
            return Ok(Ok(()));
        }
        let services = self.services;
        let details = json!({
            "reason": "operator_forbidden",
            "capability": capability.as_str(),
            "target": target.map(|id| id.to_string()),
        });
        let event = refusal(Some(operator.account.id), operator.audit(), details);
        services
            .store
            .append_audit(&event, services.clock.now())
            .await?;
        Ok(Err(Problem::form("operator.forbidden")))
    }

    /// The account to change, when the operator may change it: an account that holds operator
    /// roles itself is changed only by a system administrator (so that helpdesk staff cannot
    /// lock out or re-route the people who oversee them).
    async fn target(
        &self,
        operator: &Operator,
        capability: Capability,
        account: AccountId,
    ) -> Result<Result<Account, Problem>, FlowError> {
        if let Err(problem) = self.require(operator, capability, Some(account)).await? {
            return Ok(Err(problem));
        }
        let Some(target) = self.services.store.account(account).await? else {
            return Ok(Err(Problem::form("operator.account_not_found")));
        };
        let is_operator = !self.roles(account).await?.is_empty();
        if is_operator && capability != Capability::ViewAccount {
            let guarded = self.require(operator, Capability::GrantRoles, Some(account));
            if let Err(problem) = guarded.await? {
                return Ok(Err(problem));
            }
        }
        Ok(Ok(target))
    }

    /// Finds accounts by personal ID / CMND, tax code, or phone (every account it serves).
    pub async fn search(
        &self,
        operator: &Operator,
        by: SearchBy,
        text: &str,
    ) -> Result<Result<Vec<Account>, Problem>, FlowError> {
        let capability = match by {
            SearchBy::PersonalId if operator.may(Capability::SearchByPersonalId) => {
                Capability::SearchByPersonalId
            }
            _ => Capability::Search,
        };
        if let Err(problem) = self.require(operator, capability, None).await? {
            return Ok(Err(problem));
        }
        let store = &self.services.store;
        let field = by.field();
        let found = match by {
            SearchBy::PersonalId => match Identifier::parse(text) {
                Ok(identifier) => identifier
                    .account(self.services)
                    .await?
                    .into_iter()
                    .collect(),
                Err(mut problem) => {
                    problem.field = Some(field);
                    return Ok(Err(problem));
                }
            },
            SearchBy::TaxCode => match TaxCode::parse(text) {
                Ok(code) => store
                    .account_by_tax_code(&code)
                    .await?
                    .into_iter()
                    .collect(),
                Err(invalid) => return Ok(Err(Problem::invalid(field, &invalid))),
            },
            SearchBy::Phone => match PhoneNumber::parse(text) {
                Ok(phone) => store.accounts_by_phone(&phone).await?,
                Err(invalid) => return Ok(Err(Problem::invalid(field, &invalid))),
            },
        };
        Ok(Ok(found))
    }

    /// An account's page; the read is audited on the account (staff reads of personal data).
    pub async fn view(
        &self,
        operator: &Operator,
        account: AccountId,
    ) -> Result<Result<AccountFile, Problem>, FlowError> {
        if let Err(problem) = self
            .target(operator, Capability::ViewAccount, account)
            .await?
        {
            return Ok(Err(problem));
        }
        let services = self.services;
        let store = &services.store;
        let accounts = crate::account::AccountService { services };
        let overview = accounts.overview(account).await?;
        let credentials = store
            .credentials(account)
            .await?
            .iter()
            .map(credential_line)
            .collect();
        let sessions = services.sessions.live(account).await?;
        // The read is recorded before the history is read, so the page shows it too.
        audit(
            services,
            operator,
            account,
            AuditKind::AccountViewedByOperator,
            json!({}),
        )
        .await?;
        let history = store.audit_of_account(account, HISTORY).await?;
        let roles = store.roles_of(account).await?;
        Ok(Ok(AccountFile {
            overview,
            credentials,
            sessions,
            history,
            roles,
        }))
    }

    /// Locks (`true`) or unlocks the account; locking ends its sessions and grants. The holder
    /// is told by SMS.
    pub async fn set_locked(
        &self,
        operator: &Operator,
        account: AccountId,
        locked: bool,
    ) -> Result<Result<(), Problem>, FlowError> {
        let target = match self
            .target(operator, Capability::LockUnlock, account)
            .await?
        {
            Ok(target) => target,
            Err(problem) => return Ok(Err(problem)),
        };
        let status = if locked {
            AccountStatus::Locked
        } else {
            AccountStatus::Active
        };
        if target.status == status {
            let code = if locked {
                "operator.already_locked"
            } else {
                "operator.not_locked"
            };
            return Ok(Err(Problem::form(code)));
        }
        let services = self.services;
        let now = services.clock.now();
        services
            .store
            .set_status(account, status, &operator.audit(), now)
            .await?;
        let text = if locked {
            notices::account_locked()
        } else {
            notices::account_unlocked()
        };
        tell_holder(services, account, text).await?;
        Ok(Ok(()))
    }

    /// Creates a state agency's account from the configured list, its first administrator
    /// the citizen holding `administrator` (SPEC A1: agency accounts come only from operators).
    pub async fn create_agency(
        &self,
        operator: &Operator,
        code: &str,
        administrator: &str,
    ) -> Result<Result<Account, Problem>, FlowError> {
        if let Err(problem) = self
            .require(operator, Capability::ManageAgencies, None)
            .await?
        {
            return Ok(Err(problem));
        }
        let organisations = crate::organisations::OrganisationService {
            services: self.services,
        };
        organisations
            .create_agency(code, administrator, operator.audit())
            .await
    }

    /// Ends every session of the account, with the relying services' grants and back-channel
    /// logouts they lead to (as "sign out everywhere" does); returns how many ended.
    pub async fn end_sessions(
        &self,
        operator: &Operator,
        account: AccountId,
    ) -> Result<Result<u64, Problem>, FlowError> {
        if let Err(problem) = self
            .target(operator, Capability::EndSessions, account)
            .await?
        {
            return Ok(Err(problem));
        }
        let services = self.services;
        let now = services.clock.now();
        let ended = services
            .store
            .revoke_sessions_of_account(account, None, now)
            .await?;
        let details = json!({ "ended": ended });
        audit(
            services,
            operator,
            account,
            AuditKind::SessionsEndedByOperator,
            details,
        )
        .await?;
        tell_holder(services, account, notices::sessions_ended()).await?;
        Ok(Ok(ended))
    }

    /// After checking the holder's identity document in person: `phone` replaces the default
    /// OTP phone. The reason and the document's number are required and audited with both
    /// phones; the old and the new phone are told.
    pub async fn reset_phone(
        &self,
        operator: &Operator,
        account: AccountId,
        request: &PhoneResetRequest<'_>,
    ) -> Result<Result<(), Problem>, FlowError> {
        if let Err(problem) = self
            .target(operator, Capability::ResetPhone, account)
            .await?
        {
            return Ok(Err(problem));
        }
        let phone = match PhoneNumber::parse(request.phone) {
            Ok(phone) => phone,
            Err(invalid) => return Ok(Err(Problem::invalid("phone", &invalid))),
        };
        let reason = request.reason.trim();
        let document = request.document.trim();
        for (field, value) in [("reason", reason), ("document", document)] {
            if value.is_empty() {
                return Ok(Err(Problem::field(field, "field.required")));
            }
            if value.chars().count() > MAX_NOTE || value.chars().any(char::is_control) {
                return Ok(Err(Problem::field(field, "field.invalid")));
            }
        }
        let services = self.services;
        let audit = operator.audit();
        let reset = PhoneReset {
            account,
            phone: &phone,
            reason,
            document,
            audit: &audit,
        };
        let now = services.clock.now();
        let replaced = services.store.reset_otp_phone(&reset, now).await?;
        if let Some(old) = replaced.as_ref().filter(|old| **old != phone) {
            send(services, old, notices::default_phone_changed(&phone)).await;
        }
        send(services, &phone, notices::otp_phone_reset()).await;
        Ok(Ok(()))
    }

    /// Grants a role; the person is told by SMS. Only a system administrator may, or a command
    /// run on the server itself (`operator: None`: bootstrapping the first one).
    pub async fn grant(
        &self,
        operator: Option<&Operator>,
        account: AccountId,
        role: OperatorRole,
        client: &Client,
    ) -> Result<Result<(), Problem>, FlowError> {
        self.change_role(operator, account, role, client, true)
            .await
    }

    /// Revokes a role; the person is told by SMS. The last system administrator stays.
    pub async fn revoke(
        &self,
        operator: Option<&Operator>,
        account: AccountId,
        role: OperatorRole,
        client: &Client,
    ) -> Result<Result<(), Problem>, FlowError> {
        self.change_role(operator, account, role, client, false)
            .await
    }

    async fn change_role(
        &self,
        operator: Option<&Operator>,
        account: AccountId,
        role: OperatorRole,
        client: &Client,
        grant: bool,
    ) -> Result<Result<(), Problem>, FlowError> {
        let audit = match operator {
            Some(operator) => {
                let checked = self.require(operator, Capability::GrantRoles, Some(account));
                if let Err(problem) = checked.await? {
                    return Ok(Err(problem));
                }
                operator.audit()
            }
            None => AuditContext {
                actor: Actor::System,
                client_ip: client.address.clone(),
            },
        };
        let services = self.services;
        let store = &services.store;
        if store.account(account).await?.is_none() {
            return Ok(Err(Problem::form("operator.account_not_found")));
        }
        let now = services.clock.now();
        let changed = if grant {
            store.grant_role(account, role, &audit, now).await?
        } else {
            if role == OperatorRole::SystemAdmin {
                let grants = store.role_grants().await?;
                let admins = grants
                    .iter()
                    .filter(|held| held.role == OperatorRole::SystemAdmin)
                    .count();
                let holds = grants
                    .iter()
                    .any(|held| held.role == role && held.account_id == account);
                if holds && admins == 1 {
                    return Ok(Err(Problem::form("operator.last_system_admin")));
                }
            }
            store.revoke_role(account, role, &audit, now).await?
        };
        if !changed {
            let code = if grant {
                "operator.role_held"
            } else {
                "operator.role_not_held"
            };
            return Ok(Err(Problem::form(code)));
        }
        let text = if grant {
            notices::operator_role_granted(role)
        } else {
            notices::operator_role_revoked(role)
        };
        tell_holder(services, account, text).await?;
        Ok(Ok(()))
    }

    /// Every live grant with its account, for `dvcid operator list` and the console.
    pub async fn grants(
        &self,
        operator: Option<&Operator>,
    ) -> Result<Result<Vec<(RoleGrant, Option<Account>)>, Problem>, FlowError> {
        if let Some(operator) = operator {
            let checked = self.require(operator, Capability::GrantRoles, None);
            if let Err(problem) = checked.await? {
                return Ok(Err(problem));
            }
        }
        let store = &self.services.store;
        let mut listed = Vec::new();
        for grant in store.role_grants().await? {
            let account = store.account(grant.account_id).await?;
            listed.push((grant, account));
        }
        Ok(Ok(listed))
    }
}

/// What the operator typed to reset an OTP phone.
#[derive(Debug, Clone, Copy)]
pub struct PhoneResetRequest<'a> {
    pub phone: &'a str,
    /// Why (e.g. "mất SIM, đã kiểm tra CCCD tại quầy").
    pub reason: &'a str,
    /// The number of the document seen in person.
    pub document: &'a str,
}

fn credential_line(credential: &store::Credential) -> CredentialLine {
    let data = &credential.public_data;
    let text = |name: &str| {
        data.get(name)
            .and_then(|value| value.as_str())
            .map(str::to_owned)
    };
    let label = match credential.kind {
        CredentialKind::OtpPhone => PhoneNumber::parse(&credential.key)
            .map(|phone| phone.masked())
            .unwrap_or_default(),
        CredentialKind::Certificate => text("subject")
            .map(|subject| crate::certificates::common_name(&subject).to_owned())
            .unwrap_or_default(),
        CredentialKind::Federated => credential
            .key
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned(),
        _ => String::new(),
    };
    CredentialLine {
        kind: credential.kind,
        label,
        last_used_at: credential.last_used_at,
    }
}

fn holder(client: &Client) -> AuditContext {
    crate::common::audit_context(client)
}

fn refusal(
    account: Option<AccountId>,
    context: AuditContext,
    details: serde_json::Value,
) -> NewAuditEvent {
    NewAuditEvent {
        account_id: account,
        kind: AuditKind::SecurityRefusal,
        context,
        details,
    }
}

async fn audit(
    services: &Services,
    operator: &Operator,
    account: AccountId,
    kind: AuditKind,
    details: serde_json::Value,
) -> Result<(), FlowError> {
    let event = NewAuditEvent {
        account_id: Some(account),
        kind,
        context: operator.audit(),
        details,
    };
    services
        .store
        .append_audit(&event, services.clock.now())
        .await?;
    Ok(())
}

/// Tells the account's default OTP phone, when it has one.
async fn tell_holder(
    services: &Services,
    account: AccountId,
    text: String,
) -> Result<(), FlowError> {
    let phones = services.store.phones(account).await?;
    if let Some(phone) = phones.iter().find(|phone| phone.is_default) {
        send(services, &phone.phone, text).await;
    }
    Ok(())
}

/// A notice about a change already made and audited: a failed text is logged, not fatal.
async fn send(services: &Services, phone: &PhoneNumber, text: String) {
    if let Err(error) = services.connectors.sms.send(phone, &text).await {
        tracing::warn!(%error, "operator notice not sent");
    }
}
