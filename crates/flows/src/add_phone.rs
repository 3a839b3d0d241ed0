//! Thêm số điện thoại nhận OTP, from the account pages: the password again, then a code to the
//! new phone proves the person holds it.
//!
//! ```text
//! Form ──password + new phone──▶ Otp ──code──▶ Added
//! ```

use async_trait::async_trait;
use domain::PhoneNumber;
use serde::{Deserialize, Serialize};
use store::AccountId;

use crate::FlowError;
use crate::common::{audit_context, otp_step, resend};
use crate::context::Client;
use crate::flow::{Acted, Ctx, Flow, Start};
use crate::otp::otp_refusal;
use crate::otp::{OtpCheck, OtpPurpose, SentOtp};
use crate::problem::Problem;
use crate::services::Services;
use crate::throttle::{Attempt, Gate, ThrottleAction, ThrottleKey};
use crate::view::{Action, Done, FlowKind, Step};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "at", rename_all = "snake_case")]
pub(crate) enum AddPhone {
    Form { account: AccountId, phone: String },
    Otp { account: AccountId, sent: SentOtp },
    Added,
}

#[async_trait]
impl Flow for AddPhone {
    const KIND: FlowKind = FlowKind::AddPhone;

    fn start(start: &Start) -> Option<Self> {
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
            Self::Otp { sent, .. } => otp_step(services, sent, Vec::new(), false),
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
                match services
                    .otps
                    .send(ctx.flow, OtpPurpose::AddPhone, &phone, ctx.client)
                    .await?
                {
                    Ok(sent) => {
                        *self = Self::Otp { account, sent };
                        Ok(Acted::default())
                    }
                    Err(problem) => Ok(Acted::problem(problem)),
                }
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
                        *self = Self::Added;
                        Ok(Acted::default())
                    }
                    other => Ok(Acted::problem(otp_refusal(other))),
                }
            }
            (Self::Otp { sent, .. }, Action::Resend) => {
                resend(ctx, OtpPurpose::AddPhone, sent).await
            }
            (_, _) => Ok(Acted::problem(Problem::form("action.unexpected"))),
        }
    }
}

/// The signed-in person's password again, throttled per account.
pub(crate) async fn check_password(
    services: &Services,
    client: &Client,
    account: AccountId,
    password: &str,
) -> Result<Option<Problem>, FlowError> {
    let now = services.clock.now();
    let key = account.to_string();
    let attempt = Attempt {
        action: ThrottleAction::PasswordCheck,
        account: &key,
        device: client.device.as_deref(),
        address: client.address.as_deref(),
        // Signed in: this is the holder's own device.
        known_device: true,
    };
    if let Gate::Blocked { retry_after } = services.throttle.attempt(&attempt, now).await? {
        return Ok(Some(Problem::form("throttled").retry_after(retry_after)));
    }
    let phc = services.store.password_phc(account).await?;
    if services.passwords.verify(password, phc.as_deref()).await? {
        Ok(None)
    } else {
        Ok(Some(Problem::field("password", "password.wrong")))
    }
}
