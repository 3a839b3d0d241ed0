//! Đăng nhập (SPEC S1–S4, P1–P2).
//!
//! ```text
//! Credentials ──ID+password(+captcha)──▶ Otp ──code──▶ SignedIn
//!                                        │ resend / another phone (S3, S4)
//!                                        └─lost phone─▶ NewPhone ──▶ NewPhoneOtp ──code──▶
//!                                              subscriber DB owner = account's person?
//!                                              yes: phone replaced, SignedIn (PhoneChanged)
//!                                              no:  PhoneRefused (account untouched)
//! ```

use async_trait::async_trait;
use connectors::ConnectorError;
use domain::{AccountStatus, AssuranceLevel, PhoneNumber};
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::{AccountId, AuditKind};

use crate::FlowError;
use crate::common::{
    self, Identifier, audit, audit_context, otp_step, pass_gate, resend, same_name,
};
use crate::engine::{Acted, Ctx, Engine, Flow};
use crate::otp::{OtpCheck, OtpPurpose, SentOtp};
use crate::problem::Problem;
use crate::view::{Action, Done, FlowKind, Step};

const THROTTLE: &str = "sign_in";
/// RFC 8176 method names: a password and a code confirmed by SMS.
pub(crate) const PASSWORD_AND_SMS: [&str; 2] = ["pwd", "sms"];

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "at", rename_all = "snake_case")]
pub(crate) enum Login {
    Credentials {
        identifier: String,
    },
    Otp {
        account: AccountId,
        sent: SentOtp,
        phones: Vec<PhoneNumber>,
    },
    NewPhone {
        account: AccountId,
        phone: String,
    },
    NewPhoneOtp {
        account: AccountId,
        sent: SentOtp,
    },
    /// The new phone's code was right; only the subscriber check remains (it failed to answer).
    NewPhoneConfirmed {
        account: AccountId,
        phone: PhoneNumber,
    },
    PhoneRefused,
    SignedIn {
        phone_changed: bool,
    },
}

#[async_trait]
impl Flow for Login {
    const KIND: FlowKind = FlowKind::Login;

    fn start(_account: Option<AccountId>, hint: Option<&str>) -> Option<Self> {
        // A hint is shown, never trusted: it only pre-fills the field. Long junk is dropped.
        let identifier = hint
            .map(str::trim)
            .filter(|hint| hint.len() <= 32)
            .unwrap_or_default()
            .to_owned();
        Some(Self::Credentials { identifier })
    }

    fn step(&self, engine: &Engine) -> Step {
        match self {
            Self::Credentials { identifier } => Step::Credentials {
                identifier: identifier.clone(),
            },
            Self::Otp { sent, phones, .. } => {
                let others = phones
                    .iter()
                    .filter(|phone| **phone != sent.phone)
                    .map(PhoneNumber::masked)
                    .collect();
                otp_step(engine, sent, others, true)
            }
            Self::NewPhone { phone, .. } => Step::NewPhone {
                phone: phone.clone(),
            },
            Self::NewPhoneConfirmed { phone, .. } => Step::NewPhone {
                phone: phone.national(),
            },
            Self::NewPhoneOtp { sent, .. } => otp_step(engine, sent, Vec::new(), false),
            Self::PhoneRefused => Step::PhoneRefused,
            Self::SignedIn { phone_changed } => Step::Done {
                result: if *phone_changed {
                    Done::PhoneChanged
                } else {
                    Done::SignedIn
                },
            },
        }
    }

    async fn act(&mut self, ctx: &mut Ctx<'_>, action: Action) -> Result<Acted, FlowError> {
        match (&mut *self, action) {
            (
                Self::Credentials { identifier: shown },
                Action::SignIn {
                    identifier,
                    password,
                    captcha,
                },
            ) => {
                *shown = identifier.trim().to_owned();
                let (next, acted) =
                    credentials(ctx, &identifier, &password, captcha.as_deref()).await?;
                if let Some(next) = next {
                    *self = next;
                }
                Ok(acted)
            }
            (Self::Otp { account, sent, .. }, Action::Otp { code }) => {
                let account = *account;
                match ctx
                    .engine
                    .otps
                    .check(ctx.flow, OtpPurpose::SignIn, sent, &code)
                    .await?
                {
                    OtpCheck::Accepted => {
                        let acted = sign_in(ctx, account, false).await?;
                        *self = Self::SignedIn {
                            phone_changed: false,
                        };
                        Ok(acted)
                    }
                    other => Ok(Acted::problem(otp_refusal(other))),
                }
            }
            (Self::Otp { sent, .. }, Action::Resend) => resend(ctx, OtpPurpose::SignIn, sent).await,
            (Self::NewPhoneOtp { sent, .. }, Action::Resend) => {
                resend(ctx, OtpPurpose::PhoneChange, sent).await
            }
            (Self::Otp { sent, phones, .. }, Action::UsePhone { index }) => {
                let others: Vec<PhoneNumber> = phones
                    .iter()
                    .filter(|phone| **phone != sent.phone)
                    .cloned()
                    .collect();
                let Some(phone) = others.get(index) else {
                    return Ok(Acted::problem(Problem::field(
                        "phone",
                        "phone.unknown_choice",
                    )));
                };
                match ctx
                    .engine
                    .otps
                    .send(ctx.flow, OtpPurpose::SignIn, phone, Some(sent))
                    .await?
                {
                    Ok(new) => {
                        *sent = new;
                        Ok(Acted::default())
                    }
                    Err(problem) => Ok(Acted::problem(problem)),
                }
            }
            (Self::Otp { account, .. }, Action::LostPhone) => {
                *self = Self::NewPhone {
                    account: *account,
                    phone: String::new(),
                };
                Ok(Acted::default())
            }
            (
                Self::NewPhone {
                    account,
                    phone: shown,
                },
                Action::NewPhone { phone },
            ) => {
                *shown = phone.trim().to_owned();
                let account = *account;
                let phone = match PhoneNumber::parse(&phone) {
                    Ok(phone) => phone,
                    Err(invalid) => return Ok(Acted::problem(Problem::invalid("phone", &invalid))),
                };
                match ctx
                    .engine
                    .otps
                    .send(ctx.flow, OtpPurpose::PhoneChange, &phone, None)
                    .await?
                {
                    Ok(sent) => {
                        *self = Self::NewPhoneOtp { account, sent };
                        Ok(Acted::default())
                    }
                    Err(problem) => Ok(Acted::problem(problem)),
                }
            }
            (Self::NewPhoneOtp { account, sent }, Action::Otp { code }) => {
                let (account, phone) = (*account, sent.phone.clone());
                match ctx
                    .engine
                    .otps
                    .check(ctx.flow, OtpPurpose::PhoneChange, sent, &code)
                    .await?
                {
                    OtpCheck::Accepted => {
                        *self = Self::NewPhoneConfirmed { account, phone };
                        self.finish_phone_change(ctx).await
                    }
                    other => Ok(Acted::problem(otp_refusal(other))),
                }
            }
            (Self::NewPhoneConfirmed { .. }, Action::NewPhone { .. }) => {
                self.finish_phone_change(ctx).await
            }
            (_, _) => Ok(Acted::problem(Problem::form("action.unexpected"))),
        }
    }
}

/// ID + password (+ captcha): the next state when they are right, and the refusals.
async fn credentials(
    ctx: &mut Ctx<'_>,
    identifier: &str,
    password: &str,
    captcha: Option<&str>,
) -> Result<(Option<Login>, Acted), FlowError> {
    let identifier = match Identifier::parse(identifier) {
        Ok(identifier) => identifier,
        Err(problem) => return Ok((None, Acted::problem(problem))),
    };
    if let Err(problem) = pass_gate(ctx, THROTTLE, identifier.key(), captcha, false).await? {
        return Ok((None, Acted::problem(problem)));
    }
    let engine = ctx.engine;
    let account = identifier.account(engine).await?;
    let phc = match &account {
        Some(account) => engine.store.password_phc(account.id).await?,
        None => None,
    };
    // An unknown ID is checked against a dummy hash: same answer, same time.
    let matches = engine.passwords.verify(password, phc.as_deref()).await?;
    let account = match account {
        Some(account) if matches => account,
        known => {
            if let Some(account) = known {
                let details = json!({ "reason": "password" });
                audit(
                    engine,
                    Some(account.id),
                    AuditKind::SignInFailed,
                    ctx.client,
                    details,
                )
                .await?;
            }
            common::offer_captcha_if_needed(ctx, THROTTLE, identifier.key()).await?;
            return Ok((None, Acted::problem(Problem::form("credentials.invalid"))));
        }
    };
    if account.status != AccountStatus::Active {
        return Ok((None, Acted::problem(Problem::form("account.locked"))));
    }
    let phones: Vec<PhoneNumber> = engine
        .store
        .phones(account.id)
        .await?
        .into_iter()
        .map(|phone| phone.phone)
        .collect();
    let Some(default) = phones.first() else {
        return Ok((None, Acted::problem(Problem::form("account.no_otp_phone"))));
    };
    match engine
        .otps
        .send(ctx.flow, OtpPurpose::SignIn, default, None)
        .await?
    {
        Ok(sent) => Ok((
            Some(Login::Otp {
                account: account.id,
                sent,
                phones,
            }),
            Acted::default(),
        )),
        Err(problem) => Ok((None, Acted::problem(problem))),
    }
}

impl Login {
    /// P2's last check: the subscriber database must name the account's person as the owner
    /// of the new phone. Only then is the phone changed; otherwise nothing about the account is.
    async fn finish_phone_change(&mut self, ctx: &mut Ctx<'_>) -> Result<Acted, FlowError> {
        let Self::NewPhoneConfirmed { account, phone } = self else {
            return Ok(Acted::problem(Problem::form("action.unexpected")));
        };
        let (account_id, phone) = (*account, phone.clone());
        let engine = ctx.engine;
        let Some(account) = engine.store.account(account_id).await? else {
            return Err(FlowError::NotFound);
        };
        let owner = match engine.connectors.subscribers.subscriber(&phone).await {
            Ok(owner) => Some(owner),
            Err(ConnectorError::NotFound) => None,
            Err(error) => {
                tracing::warn!(%error, "subscriber database unavailable for a phone change");
                return Ok(Acted::problem(Problem::form("registry.unavailable")));
            }
        };
        let identity = &account.identity;
        let same_person = owner.as_ref().is_some_and(|owner| {
            identity.personal_id.as_ref() == Some(&owner.personal_id)
                && same_name(&identity.full_name, &owner.full_name)
                && identity.birth_date == Some(owner.birth_date)
        });
        if !same_person {
            audit(
                engine,
                Some(account_id),
                AuditKind::PhoneChangeRefused,
                ctx.client,
                json!({ "phone": phone.masked(), "reason": if owner.is_some() { "owner_differs" } else { "not_found" } }),
            )
            .await?;
            *self = Self::PhoneRefused;
            return Ok(Acted::default());
        }
        let now = engine.clock.now();
        let context = audit_context(ctx.client);
        let lost = engine
            .store
            .phones(account_id)
            .await?
            .into_iter()
            .find(|p| p.is_default);
        engine
            .store
            .add_phone(account_id, &phone, true, &context, now)
            .await?;
        if let Some(lost) = lost.filter(|lost| lost.phone != phone) {
            engine
                .store
                .remove_phone(account_id, &lost.phone, &context, now)
                .await?;
        }
        if let Some(email) = &account.email {
            let text = format!(
                "Số điện thoại nhận OTP của tài khoản Cổng Dịch vụ công quốc gia của bạn đã được \
                 đổi thành {}. Nếu không phải bạn thực hiện, hãy liên hệ tổng đài hỗ trợ.\n\n\
                 The OTP phone of your National Public Service Portal account was changed to {}. \
                 If this was not you, contact the helpdesk.",
                phone.masked(),
                phone.masked()
            );
            if let Err(error) = engine
                .connectors
                .mailer
                .send(
                    email,
                    "Đổi số điện thoại nhận OTP / OTP phone changed",
                    &text,
                )
                .await
            {
                tracing::warn!(%error, "phone change notice not e-mailed");
            }
        }
        let acted = sign_in(ctx, account_id, true).await?;
        *self = Self::SignedIn {
            phone_changed: true,
        };
        Ok(acted)
    }
}

async fn sign_in(
    ctx: &mut Ctx<'_>,
    account: AccountId,
    phone_changed: bool,
) -> Result<Acted, FlowError> {
    let engine = ctx.engine;
    let session = engine
        .sessions
        .open(account, AssuranceLevel::LoA2, &PASSWORD_AND_SMS, ctx.client)
        .await?;
    audit(
        engine,
        Some(account),
        AuditKind::SignedIn,
        ctx.client,
        json!({ "acr": "LoA2", "amr": PASSWORD_AND_SMS, "phone_changed": phone_changed }),
    )
    .await?;
    Ok(Acted {
        problems: Vec::new(),
        session: Some(session),
    })
}

pub(crate) fn otp_refusal(check: OtpCheck) -> Problem {
    match check {
        OtpCheck::Wrong { attempts_left } => {
            Problem::field("code", "otp.wrong").attempts_left(attempts_left)
        }
        OtpCheck::Exhausted => Problem::field("code", "otp.exhausted"),
        OtpCheck::Expired | OtpCheck::Accepted => Problem::field("code", "otp.expired"),
    }
}
