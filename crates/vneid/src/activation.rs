//! Activation (kích hoạt, SPEC V2–V3): a stored flow, so any node can serve the next step.
//!
//! ```text
//! start(ID, phone) ──checks──▶ Otp ──code──▶ Password ──▶ Passcode ──▶ Questions ──▶ account
//!        │ refusal per case          │ (skipped when the application
//!        ▼                           ▼  carries an earlier app password)
//!   no application · not approved · phone differs · already active · locked
//! ```

use domain::{AccountKind, AccountStatus, PersonalId, PhoneNumber, RegistrationChannel};
use serde::{Deserialize, Serialize};
use store::{
    Actor, ApplicationStatus, AuditContext, EidActivation, EidApplication, EidSecret,
    EidSecretKind, FlowRecord, Identity, NewAccount, NewFlow, StepWrite, StoreError,
};
use time::Duration;
use uuid::Uuid;

use crate::rules;
use crate::service::{Caller, Refusal, Vneid, VneidError};

pub(crate) const KIND: &str = "vneid_activation";
const OTP_PURPOSE: &str = "vneid_activation";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
enum State {
    Otp {
        personal_id: String,
        otp: Uuid,
    },
    Password {
        personal_id: String,
    },
    Passcode {
        personal_id: String,
        password_phc: String,
    },
    Questions {
        personal_id: String,
        password_phc: String,
        passcode_phc: String,
    },
}

/// Which page the flow is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActivationStep {
    /// The code went to this (masked) phone.
    Otp {
        phone: String,
    },
    Password,
    Passcode,
    Questions,
}

/// A flow as the pages need it.
#[derive(Debug, Clone)]
pub struct Activation {
    pub id: Uuid,
    pub step: ActivationStep,
}

impl Vneid {
    /// V2: the ID and phone are checked against the application, each failing case refused
    /// with its own answer; then a flow starts and the code is texted.
    pub async fn start_activation(
        &self,
        personal_id: &PersonalId,
        phone: &PhoneNumber,
        caller: &Caller,
    ) -> Result<Result<Activation, Refusal>, VneidError> {
        let now = self.now();
        if let Some(ip) = &caller.ip {
            let hour = now
                .replace_minute(0)
                .unwrap_or(now)
                .replace_second(0)
                .unwrap_or(now);
            let count = self
                .store
                .hit(
                    &format!("vneid:activate:address:{ip}"),
                    hour,
                    hour + Duration::hours(1),
                )
                .await?;
            if count > self.settings.activation_checks_per_address_per_hour {
                return Ok(Err(Refusal::TooManyChecks));
            }
        }
        let Some(application) = self.store.application(personal_id).await? else {
            return Ok(Err(Refusal::NoApplication));
        };
        if application.status != ApplicationStatus::Approved {
            return Ok(Err(Refusal::NotApproved));
        }
        if application.phone != *phone {
            return Ok(Err(Refusal::PhoneMismatch));
        }
        if let Some(account) = self.store.account_by_personal_id(personal_id).await? {
            let lock = self.store.eid_lockout(account.id).await?;
            let locked = account.status != AccountStatus::Active
                || lock.locked_until.is_some_and(|until| until > now);
            return Ok(Err(if locked {
                Refusal::AccountLocked
            } else {
                Refusal::AlreadyActive
            }));
        }
        let flow_id = Uuid::new_v4();
        // The flow exists before the code, which hangs off it.
        self.store
            .create_flow(
                &NewFlow {
                    id: flow_id,
                    kind: KIND.to_owned(),
                    state: serde_json::to_value(State::Password {
                        personal_id: personal_id.as_str().to_owned(),
                    })?,
                    account_id: None,
                    expires_at: now + self.settings.flow_lifetime,
                },
                now,
            )
            .await?;
        let otp = match self
            .send_new_otp(flow_id, OTP_PURPOSE, &application.phone, caller)
            .await?
        {
            Ok(otp) => otp,
            Err(refusal) => {
                self.store.delete_flow(flow_id).await?;
                return Ok(Err(refusal));
            }
        };
        let Some(mut record) = self.store.flow(flow_id, now).await? else {
            return Ok(Err(Refusal::FlowGone));
        };
        let version = record.version;
        record.state = serde_json::to_value(State::Otp {
            personal_id: personal_id.as_str().to_owned(),
            otp: otp.id,
        })?;
        self.store.update_flow(&record, version, now).await?;
        Ok(Ok(Activation {
            id: flow_id,
            step: ActivationStep::Otp {
                phone: crate::service::masked(&application.phone),
            },
        }))
    }

    /// The flow's current page; `None` when it is gone or expired.
    pub async fn activation(&self, id: Uuid) -> Result<Option<Activation>, VneidError> {
        let Some((_, state, application)) = self.load_activation(id).await? else {
            return Ok(None);
        };
        Ok(Some(Activation {
            id,
            step: step_of(&state, &application),
        }))
    }

    pub async fn resend_activation_otp(
        &self,
        id: Uuid,
        caller: &Caller,
    ) -> Result<Result<(), Refusal>, VneidError> {
        let Some((_, State::Otp { otp, .. }, _)) = self.load_activation(id).await? else {
            return Ok(Err(Refusal::FlowGone));
        };
        self.resend_otp(otp, OTP_PURPOSE, caller).await
    }

    /// V3, first step: the code from the SMS.
    pub async fn activation_otp(
        &self,
        id: Uuid,
        code: &str,
    ) -> Result<Result<ActivationStep, Refusal>, VneidError> {
        let Some((record, State::Otp { personal_id, otp }, application)) =
            self.load_activation(id).await?
        else {
            return Ok(Err(Refusal::FlowGone));
        };
        if let Err(refusal) = self.check_otp(otp, OTP_PURPOSE, code).await? {
            return Ok(Err(refusal));
        }
        // A person who had an app account keeps its password (the step is skipped).
        let next = match &application.prior_password_phc {
            Some(phc) => State::Passcode {
                personal_id,
                password_phc: phc.clone(),
            },
            None => State::Password { personal_id },
        };
        self.save(record, &next, &[StepWrite::ConsumeOtp { id: otp }])
            .await
            .map(|saved| saved.map(|()| step_of(&next, &application)))
    }

    pub async fn activation_password(
        &self,
        id: Uuid,
        password: &str,
        confirmation: &str,
    ) -> Result<Result<ActivationStep, Refusal>, VneidError> {
        let Some((record, State::Password { personal_id }, application)) =
            self.load_activation(id).await?
        else {
            return Ok(Err(Refusal::FlowGone));
        };
        if let Err(refusal) = rules::check_password(password, confirmation) {
            return Ok(Err(Refusal::Password(refusal)));
        }
        let next = State::Passcode {
            personal_id,
            password_phc: self.passwords.hash(password).await?,
        };
        self.save(record, &next, &[])
            .await
            .map(|saved| saved.map(|()| step_of(&next, &application)))
    }

    pub async fn activation_passcode(
        &self,
        id: Uuid,
        passcode: &str,
        confirmation: &str,
    ) -> Result<Result<ActivationStep, Refusal>, VneidError> {
        let Some((
            record,
            State::Passcode {
                personal_id,
                password_phc,
            },
            application,
        )) = self.load_activation(id).await?
        else {
            return Ok(Err(Refusal::FlowGone));
        };
        if let Err(refusal) = rules::check_passcode(passcode, confirmation, application.birth_date)
        {
            return Ok(Err(Refusal::Passcode(refusal)));
        }
        let next = State::Questions {
            personal_id,
            password_phc,
            passcode_phc: self.passwords.hash(passcode).await?,
        };
        self.save(record, &next, &[])
            .await
            .map(|saved| saved.map(|()| step_of(&next, &application)))
    }

    /// The last step: two different questions with answers; the account is created with
    /// everything the flow gathered, in one transaction, and the flow ends.
    pub async fn activation_questions(
        &self,
        id: Uuid,
        first: (&str, &str),
        second: (&str, &str),
        caller: &Caller,
    ) -> Result<Result<(), Refusal>, VneidError> {
        let Some((
            _,
            State::Questions {
                password_phc,
                passcode_phc,
                ..
            },
            application,
        )) = self.load_activation(id).await?
        else {
            return Ok(Err(Refusal::FlowGone));
        };
        let answers = match rules::check_questions(first, second) {
            Ok(answers) => answers,
            Err(refusal) => return Ok(Err(Refusal::Questions(refusal))),
        };
        let mut secrets = vec![EidSecret {
            kind: EidSecretKind::Passcode,
            key: String::new(),
            secret: passcode_phc,
        }];
        for (question, answer) in answers {
            secrets.push(EidSecret {
                kind: EidSecretKind::SecurityAnswer,
                key: question.to_owned(),
                secret: self.passwords.hash(&answer).await?,
            });
        }
        let audit = AuditContext {
            actor: Actor::Holder,
            client_ip: caller.ip.clone(),
        };
        let activation = EidActivation {
            account: NewAccount {
                kind: AccountKind::Citizen,
                identity: Identity {
                    personal_id: Some(application.personal_id.clone()),
                    legacy_cmnd: None,
                    tax_code: None,
                    full_name: application.full_name.clone(),
                    birth_date: Some(application.birth_date),
                    gender: Some(application.gender),
                },
                email: None,
                registration_channel: RegistrationChannel::Vneid,
                default_phone: Some(application.phone.clone()),
                password_phc: Some(password_phc),
                audit: audit.clone(),
            },
            secrets,
            flow_id: id,
            audit,
        };
        match self.store.activate_eid(&activation, self.now()).await {
            Ok(_) => Ok(Ok(())),
            Err(StoreError::Duplicate { .. }) => Ok(Err(Refusal::AlreadyActive)),
            Err(error) => Err(error.into()),
        }
    }

    async fn load_activation(
        &self,
        id: Uuid,
    ) -> Result<Option<(FlowRecord, State, EidApplication)>, VneidError> {
        let Some(record) = self.store.flow(id, self.now()).await? else {
            return Ok(None);
        };
        if record.kind != KIND {
            return Ok(None);
        }
        let state: State = serde_json::from_value(record.state.clone())?;
        let personal_id = match &state {
            State::Otp { personal_id, .. }
            | State::Password { personal_id }
            | State::Passcode { personal_id, .. }
            | State::Questions { personal_id, .. } => personal_id,
        };
        let Ok(personal_id) = PersonalId::parse(personal_id) else {
            return Ok(None);
        };
        let Some(application) = self.store.application(&personal_id).await? else {
            return Ok(None);
        };
        Ok(Some((record, state, application)))
    }

    async fn save(
        &self,
        mut record: FlowRecord,
        next: &State,
        writes: &[StepWrite],
    ) -> Result<Result<(), Refusal>, VneidError> {
        let version = record.version;
        record.state = serde_json::to_value(next)?;
        match self
            .store
            .save_step(&record, version, writes, self.now())
            .await
        {
            Ok(_) => Ok(Ok(())),
            // Another request moved the flow on (a double click) or the code was used.
            Err(StoreError::Conflict | StoreError::NotFound { .. }) => Ok(Err(Refusal::FlowGone)),
            Err(error) => Err(error.into()),
        }
    }
}

fn step_of(state: &State, application: &EidApplication) -> ActivationStep {
    match state {
        State::Otp { .. } => ActivationStep::Otp {
            phone: crate::service::masked(&application.phone),
        },
        State::Password { .. } => ActivationStep::Password,
        State::Passcode { .. } => ActivationStep::Passcode,
        State::Questions { .. } => ActivationStep::Questions,
    }
}
