//! Thêm số điện thoại nhận OTP, from the account pages: the password again and a code to the
//! current OTP phone (a stolen session alone cannot add a number), then a code to the new
//! phone proves the person holds it; the current phone is told.
//!
//! ```text
//! Form ──password + new phone──▶ CurrentOtp ──code──▶ Otp ──code──▶ Added
//!        (at most a few a day)    (to the default phone)  (to the new phone)
//! ```

use async_trait::async_trait;
use domain::PhoneNumber;
use serde::{Deserialize, Serialize};
use store::AccountId;

use crate::common::{audit_context, check_password, otp_refused, otp_step, resend};
use crate::error::FlowError;
use crate::flow::{Acted, Ctx, Flow, Start};
use crate::notices;
use crate::otp::{OtpCheck, OtpPurpose, SentOtp};
use crate::phone_change;
use crate::problem::Problem;
use crate::services::Services;
use crate::throttle::ThrottleKey;
use crate::view::{Action, Done, FlowKind, Step};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "at", rename_all = "snake_case")]
pub(crate) enum AddPhone {
    Form {
        account: AccountId,
        phone: String,
    },
    CurrentOtp {
        account: AccountId,
        new_phone: PhoneNumber,
        sent: SentOtp,
    },
    Otp {
        account: AccountId,
        sent: SentOtp,
    },
    Added,
}

#[async_trait]
impl Flow for AddPhone {
    const KIND: FlowKind = FlowKind::AddPhone;

    fn start(start: &Start, _services: &Services) -> Option<Self> {
        start.account.map(|account| Self::Form {
            account,
            phone: String::new(),
        })
    }

    fn step(&self, services: &Services) -> Step {
        match self {
            Self::Form { phone, .. } => Step::AddPhone {
                phone: phone.clone(),
            },
            Self::CurrentOtp { sent, .. } | Self::Otp { sent, .. } => {
                otp_step(services, sent, Vec::new(), false)
            }
            Self::Added => Step::Done {
                result: Done::PhoneAdded,
            },
        }
    }

    async fn act(&mut self, ctx: &mut Ctx<'_>, action: Action) -> Result<Acted, FlowError> {
        let services = ctx.services;
        match (&mut *self, action) {
            (
                Self::Form {
                    account,
                    phone: shown,
                },
                Action::AddPhone { password, phone },
            ) => {
                *shown = phone.trim().to_owned();
                let account = *account;
                if ctx.account != Some(account) {
                    return Err(FlowError::NeedsAccount);
                }
                let phone = match PhoneNumber::parse(&phone) {
                    Ok(phone) => phone,
                    Err(invalid) => return Ok(Acted::problem(Problem::invalid("phone", &invalid))),
                };
                if let Some(problem) = phone_change::refuse_while_pending(services, account).await?
                {
                    return Ok(Acted::problem(problem));
                }
                if let Some(problem) =
                    check_password(services, ctx.client, account, &password).await?
                {
                    return Ok(Acted::problem(problem));
                }
                let key = account.to_string();
                let cap = services.config.otp.max_phones_added_per_day;
                let now = services.clock.now();
                if !services
                    .throttle
                    .within_daily_cap(&ThrottleKey::PhonesAdded(&key), cap, now)
                    .await?
                {
                    return Ok(Acted::problem(Problem::form("phone.daily_limit")));
                }
                let known = services.store.phones(account).await?;
                if known.iter().any(|existing| existing.phone == phone) {
                    return Ok(Acted::problem(Problem::field(
                        "phone",
                        "phone.already_added",
                    )));
                }
                let Some(current) = known.first() else {
                    return Ok(Acted::problem(Problem::form("account.no_otp_phone")));
                };
                match services
                    .otps
                    .send(
                        ctx.flow,
                        OtpPurpose::ConfirmChange,
                        &current.phone,
                        ctx.client,
                    )
                    .await?
                {
                    Ok(sent) => {
                        *self = Self::CurrentOtp {
                            account,
                            new_phone: phone,
                            sent,
                        };
                        Ok(Acted::default())
                    }
                    Err(problem) => Ok(Acted::problem(problem)),
                }
            }
            (
                Self::CurrentOtp {
                    account,
                    new_phone,
                    sent,
                },
                Action::Otp { code },
            ) => {
                let (account, phone) = (*account, new_phone.clone());
                match services
                    .otps
                    .check(ctx.flow, OtpPurpose::ConfirmChange, sent, &code)
                    .await?
                {
                    OtpCheck::Accepted => {
                        let used = sent.used();
                        match services
                            .otps
                            .send(ctx.flow, OtpPurpose::AddPhone, &phone, ctx.client)
                            .await?
                        {
                            Ok(sent) => {
                                *self = Self::Otp { account, sent };
                                Ok(Acted::default().write(used))
                            }
                            // The current phone has confirmed; only the new one's text failed.
                            Err(problem) => Ok(Acted::problem(problem)),
                        }
                    }
                    other => Ok(Acted::problem(
                        otp_refused(ctx, other, Some(account)).await?,
                    )),
                }
            }
            (Self::CurrentOtp { sent, .. }, Action::Resend) => {
                resend(ctx, OtpPurpose::ConfirmChange, sent).await
            }
            (Self::Otp { account, sent }, Action::Otp { code }) => {
                let (account, phone) = (*account, sent.phone.clone());
                match services
                    .otps
                    .check(ctx.flow, OtpPurpose::AddPhone, sent, &code)
                    .await?
                {
                    OtpCheck::Accepted => {
                        let context = audit_context(ctx.client);
                        services
                            .store
                            .add_phone(account, &phone, false, &context, services.clock.now())
                            .await?;
                        notify_current_phone(services, account, &phone).await?;
                        let used = sent.used();
                        *self = Self::Added;
                        Ok(Acted::default().write(used))
                    }
                    other => Ok(Acted::problem(
                        otp_refused(ctx, other, Some(account)).await?,
                    )),
                }
            }
            (Self::Otp { sent, .. }, Action::Resend) => {
                resend(ctx, OtpPurpose::AddPhone, sent).await
            }
            (_, _) => Ok(Acted::problem(Problem::form("action.unexpected"))),
        }
    }
}

/// Tells the account's default phone that a number was added, so that an unwanted change is
/// noticed; a failed text is logged, not fatal (the change is done and audited).
async fn notify_current_phone(
    services: &Services,
    account: AccountId,
    added: &PhoneNumber,
) -> Result<(), FlowError> {
    let phones = services.store.phones(account).await?;
    let Some(current) = phones.iter().find(|phone| phone.is_default) else {
        return Ok(());
    };
    let text = notices::phone_added(added);
    if let Err(error) = services.connectors.sms.send(&current.phone, &text).await {
        tracing::warn!(%error, "phone added notice not sent");
    }
    Ok(())
}
