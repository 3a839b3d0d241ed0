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
use store::{AccountId, AuditKind};

use crate::common::{
    Identifier, attempt_by, audit_context, check_new_password, otp_refused, pass_gate, resend,
};
use crate::error::FlowError;
use crate::flow::{Acted, Ctx, Flow, Start};
use crate::notices;
use crate::otp::{OtpCheck, OtpPurpose, SentOtp};
use crate::problem::Problem;
use crate::services::Services;
use crate::throttle::ThrottleAction;
use crate::view::{Action, Done, FlowKind, Step};

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

    fn start(_start: &Start, _services: &Services) -> Option<Self> {
        Some(Self::Identify {
            identifier: String::new(),
        })
    }

    fn step(&self, services: &Services) -> Step {
        let limits = &services.config.otp;
        match self {
            Self::Identify { identifier } => Step::Identify {
                identifier: identifier.clone(),
            },
            // The phone is not shown, real or decoy alike.
            Self::Otp { sent, .. } => Step::Otp {
                phone: String::new(),
                resend_at: services.otps.resend_at(sent),
                resends_left: services.otps.resends_left(sent),
                other_phones: Vec::new(),
                lost_phone: false,
                awaits_code: true,
            },
            Self::Decoy { sent_at, .. } => Step::Otp {
                phone: String::new(),
                resend_at: *sent_at + time::Duration::seconds(limits.resend_after_secs),
                resends_left: limits.max_resends,
                other_phones: Vec::new(),
                lost_phone: false,
                awaits_code: true,
            },
            Self::NewPassword { .. } => Step::Password {
                min_length: services.password_policy.min_length_with_second_factor,
                holder: String::new(),
            },
            Self::Reset => Step::Done {
                result: Done::PasswordReset,
            },
        }
    }

    async fn act(&mut self, ctx: &mut Ctx<'_>, action: Action) -> Result<Acted, FlowError> {
        let services = ctx.services;
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
                let account = identifier.account(services).await?;
                let subject = account.as_ref().map(|account| account.id);
                let action = ThrottleAction::Recovery;
                let attempt =
                    attempt_by(services, ctx.client, action, identifier.key(), subject).await?;
                if let Err(problem) =
                    pass_gate(ctx, &attempt, subject, captcha.as_deref(), true).await?
                {
                    return Ok(Acted::problem(problem));
                }
                if let Some(account) = &account {
                    crate::phone_change::settle(services, account.id).await?;
                    let details = serde_json::json!({});
                    crate::common::audit(
                        services,
                        Some(account.id),
                        AuditKind::RecoveryRequested,
                        ctx.client,
                        details,
                    )
                    .await?;
                }
                let phone = match account {
                    Some(account) => services
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
                        match services
                            .otps
                            .send(ctx.flow, OtpPurpose::Recovery, &phone, ctx.client)
                            .await?
                        {
                            Ok(sent) => Self::Otp { account, sent },
                            // Past the anonymous SMS caps the answer is the decoy's: a cap
                            // that only a registered ID can hit would say it is registered.
                            Err(problem) if problem.code == "sms.daily_limit" => {
                                crate::common::security_refusal(
                                    services,
                                    Some(account),
                                    ctx.client,
                                    ThrottleAction::Recovery,
                                    "sms.daily_limit",
                                )
                                .await?;
                                Self::Decoy {
                                    sent_at: services.clock.now(),
                                    attempts_left: services.config.otp.max_attempts,
                                }
                            }
                            Err(problem) => return Ok(Acted::problem(problem)),
                        }
                    }
                    None => Self::Decoy {
                        sent_at: services.clock.now(),
                        attempts_left: services.config.otp.max_attempts,
                    },
                };
                Ok(Acted::default())
            }
            (Self::Otp { account, sent }, Action::Otp { code }) => {
                let account = *account;
                match services
                    .otps
                    .check(ctx.flow, OtpPurpose::Recovery, sent, &code)
                    .await?
                {
                    OtpCheck::Accepted => {
                        let used = sent.used();
                        *self = Self::NewPassword { account };
                        Ok(Acted::default().write(used))
                    }
                    other => Ok(Acted::problem(
                        otp_refused(ctx, other, Some(account)).await?,
                    )),
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
                Ok(Acted::problem(otp_refused(ctx, check, None).await?))
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
    let services = ctx.services;
    let account = services
        .store
        .account(account_id)
        .await?
        .ok_or(FlowError::NotFound)?;
    let phones: Vec<PhoneNumber> = services
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
    if let Err(problem) = check_new_password(services, password, confirm, context) {
        return Ok(Err(problem));
    }
    let phc = services.passwords.hash(password).await?;
    let now = services.clock.now();
    services
        .store
        .set_password(account_id, &phc, &audit_context(ctx.client), now)
        .await?;
    // A new password ends the run of failures that left only recovery open.
    let identifiers = [
        account
            .identity
            .personal_id
            .as_ref()
            .map(|id| id.as_str().to_owned()),
        account
            .identity
            .legacy_cmnd
            .as_ref()
            .map(|id| id.as_str().to_owned()),
    ];
    for key in identifiers.into_iter().flatten() {
        services.throttle.recovered(&key).await?;
    }
    if let Some(phone) = phones.first()
        && let Err(error) = services
            .connectors
            .sms
            .send(phone, &notices::password_reset())
            .await
    {
        tracing::warn!(%error, "password reset notice not sent");
    }
    Ok(Ok(()))
}
