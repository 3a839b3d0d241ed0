//! Sign-in (SPEC V4): personal ID + password; a device not seen before also proves the passcode
//! (or an SMS code instead). Wrong passwords and passcodes count in the store; the fifth in a
//! row locks the account for 30 minutes. An unknown ID costs the same Argon2 work and gets the
//! same answer as a wrong password.
//!
//! ```text
//! password ──known device──▶ session (acr by level, amr pwd)
//!     │ new device
//!     ▼
//!  SecondFactor ──passcode──▶ session (amr pwd pin) + device remembered
//!     │ "use an SMS code"
//!     ▼
//!    Otp ──code──▶ session (amr pwd sms) + device remembered
//! ```

use domain::digest::{encode_token, sha256, to_hex};
use domain::{AccountStatus, AssuranceLevel, CredentialKind, PersonalId};
use serde::{Deserialize, Serialize};
use store::{
    Account, AccountId, Actor, AuditContext, AuditKind, EidLevel, EidSecretKind, FlowRecord,
    NewAuditEvent, NewFlow, NewSession, Session, StepWrite, StoreError,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::service::{Caller, Refusal, Vneid, VneidError};

pub(crate) const KIND: &str = "vneid_sign_in";
const OTP_PURPOSE: &str = "vneid_sign_in";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
enum State {
    SecondFactor { account: Uuid },
    Otp { account: Uuid, otp: Uuid },
}

/// A new session: the cookie's token (only its digest is stored) and, when this browser was
/// not remembered yet, the device token to set.
#[derive(Debug, Clone)]
pub struct Issued {
    pub session_token: String,
    pub device_token: Option<String>,
    pub acr: AssuranceLevel,
}

#[derive(Debug, Clone)]
pub enum SignInOutcome {
    SignedIn(Issued),
    /// A device not seen before: the passcode (or an SMS code) on the flow's page.
    SecondFactor {
        flow: Uuid,
    },
}

/// Which page a sign-in flow is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInStep {
    Passcode,
    Otp { phone: String },
}

/// The sign-in level of an eID account: LoA3 for level 2 (proven in person), LoA2 for level 1.
pub fn acr_of(level: EidLevel) -> AssuranceLevel {
    match level {
        EidLevel::One => AssuranceLevel::LoA2,
        EidLevel::Two => AssuranceLevel::LoA3,
    }
}

/// The device credential's key: the hex SHA-256 of the cookie's token.
fn device_key(token: &str) -> String {
    to_hex(&sha256(token.as_bytes()))
}

impl Vneid {
    /// The account's level, from its application.
    pub async fn level_of(&self, account: &Account) -> Result<EidLevel, VneidError> {
        let Some(personal_id) = &account.identity.personal_id else {
            return Ok(EidLevel::One);
        };
        Ok(self
            .store
            .application(personal_id)
            .await?
            .map_or(EidLevel::One, |application| application.level))
    }

    async fn locked(&self, account: &Account, now: OffsetDateTime) -> Result<bool, VneidError> {
        if account.status != AccountStatus::Active {
            return Ok(true);
        }
        let lock = self.store.eid_lockout(account.id).await?;
        Ok(lock.locked_until.is_some_and(|until| until > now))
    }

    /// Counts a wrong password or passcode; the refusal to show (locked at the limit).
    async fn failed(
        &self,
        account: &Account,
        otherwise: Refusal,
        caller: &Caller,
    ) -> Result<Refusal, VneidError> {
        let now = self.now();
        let lock = self
            .store
            .record_eid_failure(
                account.id,
                self.settings.max_failures,
                self.settings.lock_for,
                now,
            )
            .await?;
        self.audit(
            account.id,
            AuditKind::SignInFailed,
            caller,
            serde_json::json!({ "refusal": otherwise.key() }),
        )
        .await?;
        // The failure that locked the account is the one whose count started again.
        if lock.failures == 0 && lock.locked_until.is_some_and(|until| until > now) {
            tracing::warn!(account = %account.id, "security event: eID account locked");
            let minutes = self.settings.lock_for.whole_minutes();
            self.audit(
                account.id,
                AuditKind::SecurityRefusal,
                caller,
                serde_json::json!({ "reason": "eid_locked", "minutes": minutes }),
            )
            .await?;
        }
        Ok(if lock.locked_until.is_some_and(|until| until > now) {
            Refusal::AccountLocked
        } else {
            otherwise
        })
    }

    /// A wrong password for an ID without an account, counted per ID in fixed windows as long
    /// as the lock, so that it "locks" like an account does.
    async fn unknown_failed(
        &self,
        personal_id: &PersonalId,
        now: OffsetDateTime,
    ) -> Result<Refusal, VneidError> {
        let window = self.settings.lock_for.whole_seconds().max(1);
        let start = now.unix_timestamp() - now.unix_timestamp().rem_euclid(window);
        let start = OffsetDateTime::from_unix_timestamp(start).unwrap_or(now);
        let count = self
            .store
            .hit(
                &format!("vneid:sign-in:unknown:{}", personal_id.as_str()),
                start,
                start + self.settings.lock_for,
            )
            .await?;
        Ok(if count >= i64::from(self.settings.max_failures) {
            Refusal::AccountLocked
        } else {
            Refusal::InvalidCredentials
        })
    }

    /// The first step: ID and password. `device` is the browser's device cookie, if any.
    pub async fn sign_in(
        &self,
        personal_id: &PersonalId,
        password: &str,
        device: Option<&str>,
        caller: &Caller,
    ) -> Result<Result<SignInOutcome, Refusal>, VneidError> {
        let now = self.now();
        if let Some(ip) = &caller.ip {
            let start = now.unix_timestamp() - now.unix_timestamp().rem_euclid(900);
            let start = OffsetDateTime::from_unix_timestamp(start).unwrap_or(now);
            let count = self
                .store
                .hit(
                    &format!("vneid:sign-in:address:{ip}"),
                    start,
                    start + time::Duration::minutes(15),
                )
                .await?;
            if count > self.settings.sign_ins_per_address_per_window {
                return Ok(Err(Refusal::TooManyChecks));
            }
        }
        let account = self.store.account_by_personal_id(personal_id).await?;
        let Some(account) = account else {
            // The same Argon2 work as a known account, and the same answers: wrong, then
            // locked at the same count (an ID that never locks would be known unknown).
            self.passwords.verify(password, None).await?;
            return Ok(Err(self.unknown_failed(personal_id, now).await?));
        };
        if self.locked(&account, now).await? {
            return Ok(Err(Refusal::AccountLocked));
        }
        let phc = self.store.password_phc(account.id).await?;
        if !self.passwords.verify(password, phc.as_deref()).await? {
            return Ok(Err(self
                .failed(&account, Refusal::InvalidCredentials, caller)
                .await?));
        }
        let known_device = match device {
            Some(token) => {
                self.store
                    .credential_owner(CredentialKind::Device, &device_key(token))
                    .await?
                    == Some(account.id)
            }
            None => false,
        };
        if known_device {
            self.store.clear_eid_failures(account.id).await?;
            let issued = self
                .open_session(&account, &["pwd"], device, None, caller)
                .await?;
            return Ok(Ok(SignInOutcome::SignedIn(issued)));
        }
        let flow = self
            .store
            .create_flow(
                &NewFlow {
                    id: Uuid::new_v4(),
                    kind: KIND.to_owned(),
                    state: serde_json::to_value(State::SecondFactor {
                        account: account.id.0,
                    })?,
                    account_id: Some(account.id),
                    expires_at: now + self.settings.flow_lifetime,
                },
                now,
            )
            .await?;
        Ok(Ok(SignInOutcome::SecondFactor { flow: flow.id }))
    }

    pub async fn sign_in_step(&self, flow: Uuid) -> Result<Option<SignInStep>, VneidError> {
        let Some((_, state, account)) = self.load_sign_in(flow).await? else {
            return Ok(None);
        };
        Ok(Some(match state {
            State::SecondFactor { .. } => SignInStep::Passcode,
            State::Otp { .. } => SignInStep::Otp {
                phone: self.default_phone_masked(account.id).await?,
            },
        }))
    }

    async fn default_phone_masked(&self, account: AccountId) -> Result<String, VneidError> {
        Ok(self
            .store
            .phones(account)
            .await?
            .into_iter()
            .find(|phone| phone.is_default)
            .map(|phone| crate::service::masked(&phone.phone))
            .unwrap_or_default())
    }

    /// The passcode on a new device.
    pub async fn sign_in_passcode(
        &self,
        flow: Uuid,
        passcode: &str,
        device: Option<&str>,
        caller: &Caller,
    ) -> Result<Result<Issued, Refusal>, VneidError> {
        let Some((record, State::SecondFactor { .. }, account)) = self.load_sign_in(flow).await?
        else {
            return Ok(Err(Refusal::FlowGone));
        };
        if self.locked(&account, self.now()).await? {
            self.store.delete_flow(flow).await?;
            return Ok(Err(Refusal::AccountLocked));
        }
        let stored = self
            .store
            .eid_secrets(account.id)
            .await?
            .into_iter()
            .find(|secret| secret.kind == EidSecretKind::Passcode)
            .map(|secret| secret.secret);
        if !self
            .passwords
            .verify(passcode.trim(), stored.as_deref())
            .await?
        {
            let refusal = self
                .failed(&account, Refusal::WrongPasscode, caller)
                .await?;
            if refusal == Refusal::AccountLocked {
                self.store.delete_flow(flow).await?;
            }
            return Ok(Err(refusal));
        }
        self.store.clear_eid_failures(account.id).await?;
        let issued = self
            .open_session(
                &account,
                &["pwd", "pin"],
                device,
                Some((record, vec![])),
                caller,
            )
            .await?;
        Ok(Ok(issued))
    }

    /// "Use an SMS code instead": a code to the account's phone.
    pub async fn sign_in_send_otp(
        &self,
        flow: Uuid,
        caller: &Caller,
    ) -> Result<Result<(), Refusal>, VneidError> {
        let Some((mut record, state, account)) = self.load_sign_in(flow).await? else {
            return Ok(Err(Refusal::FlowGone));
        };
        if let State::Otp { otp, .. } = state {
            return self.resend_otp(otp, OTP_PURPOSE, caller).await;
        }
        let Some(phone) = self
            .store
            .phones(account.id)
            .await?
            .into_iter()
            .find(|phone| phone.is_default)
        else {
            return Ok(Err(Refusal::SmsUnavailable));
        };
        let otp = match self
            .send_new_otp(flow, OTP_PURPOSE, &phone.phone, caller)
            .await?
        {
            Ok(otp) => otp,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let version = record.version;
        record.state = serde_json::to_value(State::Otp {
            account: account.id.0,
            otp: otp.id,
        })?;
        match self.store.update_flow(&record, version, self.now()).await {
            Ok(_) => Ok(Ok(())),
            Err(StoreError::Conflict | StoreError::NotFound { .. }) => Ok(Err(Refusal::FlowGone)),
            Err(error) => Err(error.into()),
        }
    }

    pub async fn sign_in_otp(
        &self,
        flow: Uuid,
        code: &str,
        device: Option<&str>,
        caller: &Caller,
    ) -> Result<Result<Issued, Refusal>, VneidError> {
        let Some((record, State::Otp { otp, .. }, account)) = self.load_sign_in(flow).await? else {
            return Ok(Err(Refusal::FlowGone));
        };
        if self.locked(&account, self.now()).await? {
            return Ok(Err(Refusal::AccountLocked));
        }
        if let Err(refusal) = self.check_otp(otp, OTP_PURPOSE, code).await? {
            return Ok(Err(refusal));
        }
        self.store.clear_eid_failures(account.id).await?;
        let writes = vec![StepWrite::ConsumeOtp { id: otp }];
        let issued = self
            .open_session(
                &account,
                &["pwd", "sms"],
                device,
                Some((record, writes)),
                caller,
            )
            .await?;
        Ok(Ok(issued))
    }

    /// Opens a session at the account's level. Through a flow, the session, the device and the
    /// flow's last writes commit together and the flow ends.
    async fn open_session(
        &self,
        account: &Account,
        amr: &[&str],
        device: Option<&str>,
        flow: Option<(FlowRecord, Vec<StepWrite>)>,
        caller: &Caller,
    ) -> Result<Issued, VneidError> {
        let now = self.now();
        let acr = acr_of(self.level_of(account).await?);
        let token = encode_token(&self.random.token());
        let session = NewSession {
            id: Uuid::new_v4(),
            token_hash: sha256(token.as_bytes()),
            account_id: account.id,
            acr,
            amr: amr.iter().map(|method| (*method).to_owned()).collect(),
            auth_time: now,
            client_ip: caller.ip.clone(),
            user_agent: caller.user_agent.clone(),
            idle_expires_at: now + self.settings.session_idle,
            absolute_expires_at: now + self.settings.session_absolute,
        };
        let signed_in = NewAuditEvent {
            account_id: Some(account.id),
            kind: AuditKind::SignedIn,
            context: AuditContext {
                actor: Actor::Holder,
                client_ip: caller.ip.clone(),
            },
            details: serde_json::json!({ "acr": acr.as_str(), "amr": amr }),
        };
        match flow {
            None => {
                self.store.create_session(&session, now).await?;
                self.store.append_audit(&signed_in, now).await?;
                Ok(Issued {
                    session_token: token,
                    device_token: None,
                    acr,
                })
            }
            Some((record, mut writes)) => {
                let (device_token, new_device) = match device {
                    Some(token) => (token.to_owned(), None),
                    None => {
                        let fresh = encode_token(&self.random.token());
                        (fresh.clone(), Some(fresh))
                    }
                };
                writes.push(StepWrite::OpenSession(session));
                writes.push(StepWrite::RememberDevice {
                    account: account.id,
                    key: device_key(&device_token),
                });
                writes.push(StepWrite::Audit(signed_in));
                let version = record.version;
                self.store.save_step(&record, version, &writes, now).await?;
                self.store.delete_flow(record.id).await?;
                Ok(Issued {
                    session_token: token,
                    device_token: new_device,
                    acr,
                })
            }
        }
    }

    /// Whether `answer` (normalised as at activation) is the account's answer to `question`;
    /// for account recovery and for tests.
    pub async fn check_security_answer(
        &self,
        account: AccountId,
        question: &str,
        answer: &str,
    ) -> Result<bool, VneidError> {
        let stored = self
            .store
            .eid_secrets(account)
            .await?
            .into_iter()
            .find(|secret| secret.kind == EidSecretKind::SecurityAnswer && secret.key == question)
            .map(|secret| secret.secret);
        let normalised = crate::rules::normalise_answer(answer);
        Ok(self
            .passwords
            .verify(&normalised, stored.as_deref())
            .await?)
    }

    /// The live session and account of a session cookie.
    pub async fn session(&self, token: &str) -> Result<Option<(Session, Account)>, VneidError> {
        let now = self.now();
        let Some(session) = self
            .store
            .session_by_token_hash(&sha256(token.as_bytes()), now)
            .await?
        else {
            return Ok(None);
        };
        let Some(account) = self.store.account(session.account_id).await? else {
            return Ok(None);
        };
        if account.status != AccountStatus::Active {
            return Ok(None);
        }
        let idle = (now + self.settings.session_idle).min(session.absolute_expires_at);
        self.store.touch_session(session.id, idle, now).await?;
        Ok(Some((session, account)))
    }

    pub async fn sign_out(&self, token: &str) -> Result<(), VneidError> {
        let now = self.now();
        if let Some(session) = self
            .store
            .session_by_token_hash(&sha256(token.as_bytes()), now)
            .await?
        {
            self.store.revoke_session(session.id, now).await?;
        }
        Ok(())
    }

    async fn load_sign_in(
        &self,
        flow: Uuid,
    ) -> Result<Option<(FlowRecord, State, Account)>, VneidError> {
        let Some(record) = self.store.flow(flow, self.now()).await? else {
            return Ok(None);
        };
        if record.kind != KIND {
            return Ok(None);
        }
        let state: State = serde_json::from_value(record.state.clone())?;
        let account = match &state {
            State::SecondFactor { account } | State::Otp { account, .. } => AccountId(*account),
        };
        Ok(self
            .store
            .account(account)
            .await?
            .map(|account| (record, state, account)))
    }

    async fn audit(
        &self,
        account: AccountId,
        kind: AuditKind,
        caller: &Caller,
        details: serde_json::Value,
    ) -> Result<(), VneidError> {
        self.store
            .append_audit(
                &NewAuditEvent {
                    account_id: Some(account),
                    kind,
                    context: AuditContext {
                        actor: Actor::Holder,
                        client_ip: caller.ip.clone(),
                    },
                    details,
                },
                self.now(),
            )
            .await?;
        Ok(())
    }
}
