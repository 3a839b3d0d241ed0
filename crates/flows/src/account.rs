//! What a signed-in person does on the account pages (Thông tin tài khoản): read and refresh
//! the identity from the population database (L3), manage OTP phones, change the password,
//! see and end sessions, read the account's own history.

use connectors::ConnectorError;
use domain::{
    AccountKind, AssuranceLevel, CredentialKind, PasswordContext, PersonalId, PhoneNumber,
};
use store::{
    Account, AccountId, AccountPhone, AuditEvent, Credential, PendingPhoneChange, Session,
    StoreError,
};
use time::OffsetDateTime;

use crate::certificates::common_name;
use crate::common::{audit_context, check_new_password, check_password};
use crate::context::Client;
use crate::error::FlowError;
use crate::methods::MethodKind;
use crate::notices;
use crate::phone_change;
use crate::problem::Problem;
use crate::services::Services;
use crate::sessions::IssuedSession;

/// Personal IDs that do not match, a day per account and per number, before the population
/// database is no longer asked (as for registration).
const MISMATCHES_PER_DAY: i64 = 5;

pub struct AccountService<'a> {
    pub(crate) services: &'a Services,
}

/// The account page's data.
#[derive(Debug, Clone)]
pub struct Overview {
    pub account: Account,
    pub phones: Vec<AccountPhone>,
    /// A lost-phone change waiting out its cool-down.
    pub pending_phone_change: Option<PendingPhoneChange>,
    /// Certificates bound to the account (USB token).
    pub certificates: Vec<CertificateSummary>,
    /// Accounts registered by certificate or through VNeID have none.
    pub has_password: bool,
    /// Identities at VNeID linked to the account.
    pub vneid_links: Vec<VneidLink>,
    /// How the person was proven, when the account records it (Vietnam Post).
    pub identity_proofing: Option<store::IdentityProofing>,
}

/// A VNeID identity linked to the account (L4), as the account pages show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VneidLink {
    /// What names it in the account: `unlink_vneid` takes it.
    pub key: String,
    /// The eID level VNeID last asserted (1 or 2).
    pub level: u8,
    pub linked_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
}

impl VneidLink {
    fn of(credential: &Credential) -> Self {
        let level = credential
            .public_data
            .get("level")
            .and_then(|level| level.as_u64());
        Self {
            key: credential.key.clone(),
            level: level
                .and_then(|level| u8::try_from(level).ok())
                .unwrap_or(1),
            linked_at: credential.created_at,
            last_used_at: credential.last_used_at,
        }
    }
}

/// A certificate bound to the account, as the account pages show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateSummary {
    /// What names it in the account (the key's digest): `unbind_certificate` takes it.
    pub key: String,
    pub subject: String,
    pub issuer: String,
    pub serial: String,
    pub not_after: Option<OffsetDateTime>,
    pub last_used_at: Option<OffsetDateTime>,
    /// Where its key is, and so how the holder signs in with it: a USB token (also for
    /// bindings made before this was recorded), a PKI SIM, or the remote signing service.
    pub via: MethodKind,
    /// The PKI SIM's number, when the key is on one.
    pub sim_phone: Option<PhoneNumber>,
}

impl CertificateSummary {
    /// The holder's name as the certificate gives it.
    pub fn name(&self) -> &str {
        common_name(&self.subject)
    }

    /// The issuing CA's name.
    pub fn issuer_name(&self) -> &str {
        common_name(&self.issuer)
    }

    fn of(credential: &Credential) -> Self {
        let data = &credential.public_data;
        let text = |name: &str| {
            data.get(name)
                .and_then(|value| value.as_str())
                .unwrap_or_default()
                .to_owned()
        };
        Self {
            key: credential.key.clone(),
            subject: text("subject"),
            issuer: text("issuer"),
            serial: text("serial"),
            not_after: data
                .get("not_after")
                .and_then(|value| value.as_i64())
                .and_then(|at| OffsetDateTime::from_unix_timestamp(at).ok()),
            last_used_at: credential.last_used_at,
            via: data
                .get("via")
                .and_then(|via| via.as_str())
                .and_then(MethodKind::parse)
                .unwrap_or(MethodKind::UsbToken),
            sim_phone: data
                .get("phone")
                .and_then(|phone| phone.as_str())
                .and_then(|phone| PhoneNumber::parse(phone).ok()),
        }
    }
}

impl AccountService<'_> {
    pub async fn overview(&self, account: AccountId) -> Result<Overview, FlowError> {
        let store = &self.services.store;
        let account = store.account(account).await?.ok_or(FlowError::NotFound)?;
        self.overview_of(&account).await
    }

    /// The overview of an account already read (the signed-in one).
    pub async fn overview_of(&self, account: &Account) -> Result<Overview, FlowError> {
        let store = &self.services.store;
        let mut pending_phone_change = store.pending_phone_change(account.id).await?;
        let now = self.services.clock.now();
        if pending_phone_change
            .as_ref()
            .is_some_and(|pending| pending.effective_at <= now)
        {
            phone_change::settle(self.services, account.id).await?;
            pending_phone_change = store.pending_phone_change(account.id).await?;
        }
        let credentials = store.credentials(account.id).await?;
        // In the store's order: the default first, then as added.
        let phones = credentials
            .iter()
            .filter_map(AccountPhone::of)
            .collect::<Result<Vec<_>, _>>()?;
        let certificates = credentials
            .iter()
            .filter(|credential| credential.kind == CredentialKind::Certificate)
            .map(CertificateSummary::of)
            .collect();
        let has_password = credentials
            .iter()
            .any(|credential| credential.kind == CredentialKind::Password);
        let vneid_links = credentials
            .iter()
            .filter(|credential| credential.kind == CredentialKind::Federated)
            .map(VneidLink::of)
            .collect();
        let identity_proofing = store.identity_proofing(account.id).await?;
        Ok(Overview {
            identity_proofing,
            account: account.clone(),
            phones,
            pending_phone_change,
            certificates,
            has_password,
            vneid_links,
        })
    }

    /// "Cập nhật từ CSDL Quốc gia về Dân cư": name, birth date and gender as the population
    /// database has them now.
    pub async fn refresh_identity(
        &self,
        account: &Account,
        client: &Client,
    ) -> Result<Result<(), Problem>, FlowError> {
        let Some(personal_id) = &account.identity.personal_id else {
            return Ok(Err(Problem::form("account.no_personal_id")));
        };
        let citizen = match self
            .services
            .connectors
            .population
            .citizen(personal_id)
            .await
        {
            Ok(citizen) => citizen,
            Err(ConnectorError::NotFound) => return Ok(Err(Problem::form("identity.not_found"))),
            Err(error) => {
                tracing::warn!(%error, "population database unavailable for an identity refresh");
                return Ok(Err(Problem::form("population.unavailable")));
            }
        };
        let mut identity = account.identity.clone();
        identity.full_name = citizen.full_name;
        identity.birth_date = Some(citizen.birth_date);
        identity.gender = Some(citizen.gender);
        let now = self.services.clock.now();
        self.services
            .store
            .update_identity(account.id, &identity, &audit_context(client), now)
            .await?;
        Ok(Ok(()))
    }

    /// Whether the account is a citizen's without a personal ID (an account of the old 9-digit
    /// identity card): after a sign-in it is asked to add one (L1–L2).
    pub async fn asks_personal_id(&self, account: AccountId) -> Result<bool, FlowError> {
        let account = self.services.store.account(account).await?;
        Ok(account.is_some_and(|account| {
            account.kind == AccountKind::Citizen && account.identity.personal_id.is_none()
        }))
    }

    /// "Cập nhật" (L2–L3): an account without a personal ID adds the 12-digit number of its
    /// citizen identity card, which the population database must hold with the account's own
    /// name and birth date; the account then takes the database's name, birth date and gender.
    /// A number already on another account is refused (that is for the helpdesk, never a silent
    /// move). Mismatches are capped a day per account and per number, like registration's; the
    /// default OTP phone is told.
    pub async fn add_personal_id(
        &self,
        account: &Account,
        typed: &str,
        client: &Client,
    ) -> Result<Result<(), Problem>, FlowError> {
        if account.kind != AccountKind::Citizen || account.identity.personal_id.is_some() {
            return Ok(Err(Problem::form("action.unexpected")));
        }
        let personal_id = match PersonalId::parse(typed.trim()) {
            Ok(personal_id) => personal_id,
            Err(invalid) => return Ok(Err(Problem::invalid("personal_id", &invalid))),
        };
        let services = self.services;
        let now = services.clock.now();
        let keys = [
            format!("personal_id:mismatch:account:{}", account.id.0),
            format!("personal_id:mismatch:id:{personal_id}"),
        ];
        for key in &keys {
            if services.throttle.daily_count(key, now).await? >= MISMATCHES_PER_DAY {
                return Ok(Err(Problem::form("registration.throttled")));
            }
        }
        let Some(birth_date) = account.identity.birth_date else {
            return Ok(Err(Problem::form("identity.mismatch")));
        };
        let population = &services.connectors.population;
        let matched = population
            .match_identity(&personal_id, &account.identity.full_name, birth_date)
            .await
            .and(population.citizen(&personal_id).await);
        let citizen = match matched {
            Ok(citizen) => citizen,
            Err(error @ (ConnectorError::NotFound | ConnectorError::Mismatch { .. })) => {
                for key in &keys {
                    services.throttle.count_daily(key, now).await?;
                }
                // The account's own name and birth date are not the person's to correct here:
                // the number is what is wrong.
                let code = match error {
                    ConnectorError::NotFound => "identity.not_found",
                    _ => "personal_id.not_theirs",
                };
                return Ok(Err(Problem::field("personal_id", code)));
            }
            Err(error) => {
                tracing::warn!(%error, "population database unavailable for a personal ID");
                return Ok(Err(Problem::form("population.unavailable")));
            }
        };
        if services
            .store
            .account_by_personal_id(&personal_id)
            .await?
            .is_some()
        {
            return Ok(Err(Problem::field("personal_id", "personal_id.taken")));
        }
        let mut identity = account.identity.clone();
        identity.personal_id = Some(personal_id);
        identity.full_name = citizen.full_name;
        identity.birth_date = Some(citizen.birth_date);
        identity.gender = Some(citizen.gender);
        let updated = services
            .store
            .update_identity(account.id, &identity, &audit_context(client), now)
            .await;
        match updated {
            Ok(()) => {}
            // Another account took the number a moment ago.
            Err(StoreError::Duplicate { .. }) => {
                return Ok(Err(Problem::field("personal_id", "personal_id.taken")));
            }
            Err(error) => return Err(error.into()),
        }
        let phones = services.store.phones(account.id).await?;
        if let Some(phone) = phones.iter().find(|phone| phone.is_default) {
            notify(services, &phone.phone, notices::personal_id_added()).await;
        }
        Ok(Ok(()))
    }

    /// Makes another of the account's OTP phones the default: the password again, and the
    /// phone that was the default is told (S4: no silent change of an authenticator).
    pub async fn make_default_phone(
        &self,
        account: AccountId,
        phone: &str,
        password: &str,
        client: &Client,
    ) -> Result<Result<(), Problem>, FlowError> {
        let services = self.services;
        let phone = match self
            .confirm_phone_change(account, phone, password, client)
            .await?
        {
            Ok(phone) => phone,
            Err(problem) => return Ok(Err(problem)),
        };
        let previous = services
            .store
            .phones(account)
            .await?
            .into_iter()
            .find(|p| p.is_default);
        let done = services
            .store
            .set_default_phone(
                account,
                &phone,
                &audit_context(client),
                services.clock.now(),
            )
            .await;
        if done.is_ok()
            && let Some(previous) = previous.filter(|previous| previous.phone != phone)
        {
            notify(
                services,
                &previous.phone,
                notices::default_phone_changed(&phone),
            )
            .await;
        }
        phone_refusal(done)
    }

    /// Removes an OTP phone, never the last one: the password again, and the removed phone is
    /// told (S4).
    pub async fn remove_phone(
        &self,
        account: AccountId,
        phone: &str,
        password: &str,
        client: &Client,
    ) -> Result<Result<(), Problem>, FlowError> {
        let services = self.services;
        let phone = match self
            .confirm_phone_change(account, phone, password, client)
            .await?
        {
            Ok(phone) => phone,
            Err(problem) => return Ok(Err(problem)),
        };
        let done = services
            .store
            .remove_phone(
                account,
                &phone,
                &audit_context(client),
                services.clock.now(),
            )
            .await;
        if done.is_ok() {
            notify(services, &phone, notices::phone_removed(&phone)).await;
        }
        phone_refusal(done)
    }

    /// What changing an OTP phone asks first: one of the account's phones, no lost-phone
    /// change waiting, and the password again (a stolen session alone cannot do it).
    async fn confirm_phone_change(
        &self,
        account: AccountId,
        phone: &str,
        password: &str,
        client: &Client,
    ) -> Result<Result<PhoneNumber, Problem>, FlowError> {
        let services = self.services;
        let Ok(phone) = PhoneNumber::parse(phone) else {
            return Ok(Err(unknown_phone()));
        };
        if let Some(problem) = phone_change::refuse_while_pending(services, account).await? {
            return Ok(Err(problem));
        }
        if password.is_empty() {
            return Ok(Err(Problem::field("password", "field.required")));
        }
        if let Some(problem) = check_password(services, client, account, password).await? {
            return Ok(Err(problem));
        }
        Ok(Ok(phone))
    }

    /// Changes the password (the current one required). Every session ends, as after any
    /// password change; the person stays signed in through the new session returned.
    pub async fn change_password(
        &self,
        session: &Session,
        account: &Account,
        current: &str,
        new: &str,
        confirm: &str,
        client: &Client,
    ) -> Result<Result<IssuedSession, Problem>, FlowError> {
        let services = self.services;
        if let Some(problem) = phone_change::refuse_while_pending(services, account.id).await? {
            return Ok(Err(problem));
        }
        if let Some(problem) = check_password(services, client, account.id, current).await? {
            return Ok(Err(Problem {
                field: Some("current"),
                ..problem
            }));
        }
        let phones = services.store.phones(account.id).await?;
        let context = PasswordContext {
            personal_id: account
                .identity
                .personal_id
                .as_ref()
                .map(ToString::to_string),
            phones: phones.iter().map(|phone| phone.phone.national()).collect(),
            birth_date: account.identity.birth_date,
            names: vec![account.identity.full_name.clone()],
        };
        if let Err(problem) = check_new_password(services, new, confirm, context) {
            return Ok(Err(problem));
        }
        let phc = services.passwords.hash(new).await?;
        let now = services.clock.now();
        services
            .store
            .set_password(account.id, &phc, &audit_context(client), now)
            .await?;
        let acr: AssuranceLevel = session.acr;
        Ok(Ok(services
            .sessions
            .open(account.id, acr, &session.amr, client)
            .await?))
    }

    /// Gỡ chứng thư số: with the password again when the account has one (an account made by
    /// certificate has none, and its session was opened with a certificate); never the last
    /// way to sign in. The default OTP phone is told.
    pub async fn unbind_certificate(
        &self,
        account: AccountId,
        key: &str,
        password: &str,
        client: &Client,
    ) -> Result<Result<(), Problem>, FlowError> {
        let removal = Removal {
            kind: CredentialKind::Certificate,
            key,
            unknown: "certificate.unknown",
            last: "certificate.last",
            notice: notices::certificate_removed(),
        };
        self.remove_sign_in_credential(account, removal, password, client)
            .await
    }

    /// Hủy liên kết VNeID: as removing a certificate — the password again when the account
    /// has one, never its last way to sign in, the default OTP phone told. The link's proof is
    /// the credential itself, so nothing of it survives the removal.
    pub async fn unlink_vneid(
        &self,
        account: AccountId,
        key: &str,
        password: &str,
        client: &Client,
    ) -> Result<Result<(), Problem>, FlowError> {
        let removal = Removal {
            kind: CredentialKind::Federated,
            key,
            unknown: "vneid.not_linked",
            last: "vneid.last_method",
            notice: notices::vneid_unlinked(),
        };
        self.remove_sign_in_credential(account, removal, password, client)
            .await
    }

    async fn remove_sign_in_credential(
        &self,
        account: AccountId,
        removal: Removal<'_>,
        password: &str,
        client: &Client,
    ) -> Result<Result<(), Problem>, FlowError> {
        let services = self.services;
        let store = &services.store;
        let credentials = store.credentials(account).await?;
        let held = |kind| credentials.iter().filter(move |held| held.kind == kind);
        if !held(removal.kind).any(|held| held.key == removal.key) {
            return Ok(Err(Problem::form(removal.unknown)));
        }
        let has_password = held(CredentialKind::Password).next().is_some();
        if has_password {
            if password.is_empty() {
                return Ok(Err(Problem::field("password", "field.required")));
            }
            if let Some(problem) = check_password(services, client, account, password).await? {
                return Ok(Err(problem));
            }
        } else {
            let other_ways = credentials
                .iter()
                .filter(|held| SIGN_IN_CREDENTIALS.contains(&held.kind))
                .filter(|held| !(held.kind == removal.kind && held.key == removal.key))
                .count();
            if other_ways == 0 {
                return Ok(Err(Problem::form(removal.last)));
            }
        }
        let now = services.clock.now();
        let audit = audit_context(client);
        store
            .remove_credential(account, removal.kind, removal.key, &audit, now)
            .await?;
        let phones = store.phones(account).await?;
        if let Some(phone) = phones.iter().find(|phone| phone.is_default) {
            notify(services, &phone.phone, removal.notice).await;
        }
        Ok(Ok(()))
    }

    pub async fn sessions(&self, account: AccountId) -> Result<Vec<Session>, FlowError> {
        self.services.sessions.live(account).await
    }

    /// "Đăng xuất khỏi các thiết bị khác".
    pub async fn end_other_sessions(
        &self,
        account: AccountId,
        keep: &Session,
    ) -> Result<u64, FlowError> {
        self.services.sessions.end_others(account, keep.id).await
    }

    /// The account's own history, newest first.
    pub async fn history(
        &self,
        account: AccountId,
        limit: u32,
    ) -> Result<Vec<AuditEvent>, FlowError> {
        Ok(self.services.store.audit_of_account(account, limit).await?)
    }

    pub async fn sign_out(&self, session: &Session, client: &Client) -> Result<(), FlowError> {
        self.services.sessions.end(session.id).await?;
        crate::common::audit(
            self.services,
            Some(session.account_id),
            store::AuditKind::SignedOut,
            client,
            serde_json::json!({}),
        )
        .await
    }
}

/// The credentials an account without a password signs in with.
const SIGN_IN_CREDENTIALS: [CredentialKind; 2] =
    [CredentialKind::Certificate, CredentialKind::Federated];

/// A sign-in credential to remove, and what to say about it.
struct Removal<'a> {
    kind: CredentialKind,
    key: &'a str,
    /// The refusal when the account holds no such credential.
    unknown: &'static str,
    /// The refusal when it is the account's last way to sign in.
    last: &'static str,
    /// The SMS to the default OTP phone.
    notice: String,
}

/// A notice about a change already made and audited: a failed text is logged, not fatal.
async fn notify(services: &Services, phone: &PhoneNumber, text: String) {
    if let Err(error) = services.connectors.sms.send(phone, &text).await {
        tracing::warn!(%error, "phone change notice not sent");
    }
}

fn unknown_phone() -> Problem {
    Problem::field("phone", "phone.unknown_choice")
}

/// A phone operation's refusals as the person sees them.
fn phone_refusal(done: Result<(), StoreError>) -> Result<Result<(), Problem>, FlowError> {
    match done {
        Ok(()) => Ok(Ok(())),
        Err(StoreError::LastPhone) => Ok(Err(Problem::field("phone", "phone.last"))),
        Err(StoreError::NotFound { .. }) => Ok(Err(unknown_phone())),
        Err(error) => Err(error.into()),
    }
}
