//! Quên mật khẩu (SPEC S10).
//!
//! ```text
//! Identify ──ID + captcha──▶ Otp ──code──▶ NewPassword ──▶ Reset (every session ended, SMS sent)
//! ```
//! An unknown ID walks the same steps with no code sent, and the page never shows the phone,
//! so the flow does not tell whether an account exists.

use async_trait::async_trait;
use domain::{PasswordContext, PhoneNumber};
use serde::{Deserialize, Serialize};
use store::AccountId;

use crate::FlowError;
use crate::common::{Identifier, audit_context, pass_gate, resend};
use crate::engine::{Acted, Ctx, Engine, Flow};
use crate::login::otp_refusal;
use crate::otp::{OtpCheck, OtpPurpose, SentOtp};
use crate::problem::Problem;
use crate::registration::check_new_password;
use crate::view::{Action, Done, FlowKind, Step};

const THROTTLE: &str = "recovery";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "at", rename_all = "snake_case")]
pub(crate) enum Recovery {
    Identify {
        identifier: String,
    },
    Otp {
        account: AccountId,
        sent: SentOtp,
    },
    /// No such account: nothing was sent; every code is wrong.
    Decoy {
        sent_at: time::OffsetDateTime,
        attempts_left: i32,
    },
    NewPassword {
        account: AccountId,
    },
    Reset,
}

#[async_trait]
impl Flow for Recovery {
    const KIND: FlowKind = FlowKind::Recovery;
    const CAPTCHA_AT_START: bool = true;

    fn start(_account: Option<AccountId>, _hint: Option<&str>) -> Option<Self> {
        Some(Self::Identify {
            identifier: String::new(),
        })
    }

    fn step(&self, engine: &Engine) -> Step {
        let limits = &engine.config.otp;
        match self {
            Self::Identify { identifier } => Step::Identify {
                identifier: identifier.clone(),
            },
            // The phone is not shown, real or decoy alike.
            Self::Otp { sent, .. } => Step::Otp {
                phone: String::new(),
                resend_at: engine.otps.resend_at(sent),
                resends_left: engine.otps.resends_left(sent),
                other_phones: Vec::new(),
                lost_phone: false,
            },
            Self::Decoy { sent_at, .. } => Step::Otp {
                phone: String::new(),
                resend_at: *sent_at + time::Duration::seconds(limits.resend_after_secs),
                resends_left: limits.max_resends,
                other_phones: Vec::new(),
                lost_phone: false,
            },
            Self::NewPassword { .. } => Step::Password {
                min_length: engine.password_policy.min_length_with_second_factor,
                holder: String::new(),
            },
            Self::Reset => Step::Done {
                result: Done::PasswordReset,
            },
        }
    }

    async fn act(&mut self, ctx: &mut Ctx<'_>, action: Action) -> Result<Acted, FlowError> {
        let engine = ctx.engine;
        match (&mut *self, action) {
            (
                Self::Identify { identifier: shown },
                Action::Identify {
                    identifier,
                    captcha,
                },
            ) => {
                *shown = identifier.trim().to_owned();
                let identifier = match Identifier::parse(&identifier) {
                    Ok(identifier) => identifier,
                    Err(problem) => return Ok(Acted::problem(problem)),
                };
                if let Err(problem) =
                    pass_gate(ctx, THROTTLE, identifier.key(), captcha.as_deref(), true).await?
                {
                    return Ok(Acted::problem(problem));
                }
                let phone = match identifier.account(engine).await? {
                    Some(account) => engine
                        .store
                        .phones(account.id)
                        .await?
                        .into_iter()
                        .next()
                        .map(|phone| (account.id, phone.phone)),
                    None => None,
                };
                *self = match phone {
                    Some((account, phone)) => {
                        match engine
                            .otps
                            .send(ctx.flow, OtpPurpose::Recovery, &phone, None)
                            .await?
                        {
                            Ok(sent) => Self::Otp { account, sent },
                            Err(problem) => return Ok(Acted::problem(problem)),
                        }
                    }
                    None => Self::Decoy {
                        sent_at: engine.clock.now(),
                        attempts_left: engine.config.otp.max_attempts,
                    },
                };
                Ok(Acted::default())
            }
            (Self::Otp { account, sent }, Action::Otp { code }) => {
                let account = *account;
                match engine
                    .otps
                    .check(ctx.flow, OtpPurpose::Recovery, sent, &code)
                    .await?
                {
                    OtpCheck::Accepted => {
                        *self = Self::NewPassword { account };
                        Ok(Acted::default())
                    }
                    other => Ok(Acted::problem(otp_refusal(other))),
                }
            }
            (Self::Decoy { attempts_left, .. }, Action::Otp { .. }) => {
                *attempts_left = (*attempts_left - 1).max(0);
                let check = match *attempts_left {
                    0 => OtpCheck::Exhausted,
                    left => OtpCheck::Wrong {
                        attempts_left: left,
                    },
                };
                Ok(Acted::problem(otp_refusal(check)))
            }
            (Self::Otp { sent, .. }, Action::Resend) => {
                resend(ctx, OtpPurpose::Recovery, sent).await
            }
            (Self::Decoy { .. }, Action::Resend) => Ok(Acted::default()),
            (Self::NewPassword { account }, Action::SetPassword { password, confirm }) => {
                let account = *account;
                match reset_password(ctx, account, &password, &confirm).await? {
                    Ok(()) => {
                        *self = Self::Reset;
                        Ok(Acted::default())
                    }
                    Err(problem) => Ok(Acted::problem(problem)),
                }
            }
            (_, _) => Ok(Acted::problem(Problem::form("action.unexpected"))),
        }
    }
}

/// Sets the new password, which ends every session of the account (in the same transaction),
/// and tells the person by SMS.
async fn reset_password(
    ctx: &Ctx<'_>,
    account_id: AccountId,
    password: &str,
    confirm: &str,
) -> Result<Result<(), Problem>, FlowError> {
    let engine = ctx.engine;
    let account = engine
        .store
        .account(account_id)
        .await?
        .ok_or(FlowError::NotFound)?;
    let phones: Vec<PhoneNumber> = engine
        .store
        .phones(account_id)
        .await?
        .into_iter()
        .map(|phone| phone.phone)
        .collect();
    let context = PasswordContext {
        personal_id: account
            .identity
            .personal_id
            .as_ref()
            .map(ToString::to_string),
        phones: phones.iter().map(PhoneNumber::national).collect(),
        birth_date: account.identity.birth_date,
        names: vec![account.identity.full_name.clone()],
    };
    if let Err(problem) = check_new_password(engine, password, confirm, context) {
        return Ok(Err(problem));
    }
    let phc = engine.passwords.hash(password).await?;
    let now = engine.clock.now();
    engine
        .store
        .set_password(account_id, &phc, &audit_context(ctx.client), now)
        .await?;
    if let Some(phone) = phones.first() {
        let text = "Mat khau tai khoan Cong Dich vu cong quoc gia cua ban vua duoc dat lai; \
                    moi phien dang nhap da ket thuc. Neu khong phai ban, hay goi tong dai ho tro.";
        if let Err(error) = engine.connectors.sms.send(phone, text).await {
            tracing::warn!(%error, "password reset notice not sent");
        }
    }
    Ok(Ok(()))
}
