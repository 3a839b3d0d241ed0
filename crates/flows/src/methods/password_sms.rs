//! Password + SMS OTP, the portal's method since its start (SPEC S1–S4, P1–P2): LoA2, `amr`
//! `pwd` + `sms`, for every account that has a password and an OTP phone.
//!
//! ```text
//! Credentials ──ID+password(+captcha)──▶ Otp ──code──▶ Proven
//!     │ default phone's SMS budget spent     │ resend / another phone (S3, S4)
//!     └──▶ NoCode ──another phone──▶ Otp     └─lost phone─▶ NewPhone ──▶ NewPhoneOtp ──code──▶
//!             └──lost phone──▶ NewPhone            subscriber DB owner = account's person?
//!                                              yes: change scheduled (cool-down), Proven
//!                                              no:  PhoneRefused (account untouched)
//! ```

use async_trait::async_trait;
use connectors::ConnectorError;
use domain::{AccountKind, AssuranceLevel, AuthMethod, CredentialKind, PhoneNumber};
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::{AccountId, AuditKind, StepWrite};

use super::kind::MethodKind;
use super::method::{Begin, Descriptor, Evidence, Method, Progress};
use crate::common::{audit, otp_refused, otp_step, resend, same_name};
use crate::error::FlowError;
use crate::flow::{Acted, Ctx};
use crate::otp::{OtpCheck, OtpPurpose, SentOtp};
use crate::password_form::PasswordForm;
use crate::phone_change;
use crate::problem::Problem;
use crate::services::Services;
use crate::view::{Action, Step};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "at", rename_all = "snake_case")]
pub(crate) enum PasswordSms {
    Credentials(PasswordForm),
    Otp {
        account: AccountId,
        sent: SentOtp,
        phones: Vec<PhoneNumber>,
    },
    /// The default phone's SMS budget for today is spent: the person picks another of the
    /// account's phones, or says the phone is lost.
    NoCode {
        account: AccountId,
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
}

#[async_trait]
impl Method for PasswordSms {
    const DESCRIPTOR: Descriptor = Descriptor {
        kind: MethodKind::PasswordSms,
        account_kinds: &[
            AccountKind::Citizen,
            AccountKind::Business,
            AccountKind::Agency,
        ],
        needs: &[CredentialKind::Password, CredentialKind::OtpPhone],
        level: AssuranceLevel::LoA2,
        amr: &[AuthMethod::Pwd, AuthMethod::Sms],
    };

    fn begin(begin: &Begin, _services: &Services) -> Self {
        Self::Credentials(PasswordForm::new(begin))
    }

    fn step(&self, services: &Services) -> Step {
        match self {
            Self::Credentials(form) => form.step(),
            Self::Otp { sent, phones, .. } => {
                let others = phones
                    .iter()
                    .filter(|phone| **phone != sent.phone)
                    .map(PhoneNumber::masked)
                    .collect();
                otp_step(services, sent, others, true)
            }
            Self::NoCode { phones, .. } => Step::Otp {
                phone: phones.first().map(PhoneNumber::masked).unwrap_or_default(),
                resend_at: services.clock.now(),
                resends_left: 0,
                other_phones: phones.iter().skip(1).map(PhoneNumber::masked).collect(),
                lost_phone: true,
                awaits_code: false,
            },
            Self::NewPhone { phone, .. } => Step::NewPhone {
                phone: phone.clone(),
            },
            Self::NewPhoneConfirmed { phone, .. } => Step::NewPhone {
                phone: phone.national(),
            },
            Self::NewPhoneOtp { sent, .. } => otp_step(services, sent, Vec::new(), false),
            Self::PhoneRefused => Step::PhoneRefused,
        }
    }

    async fn act(&mut self, ctx: &mut Ctx<'_>, action: Action) -> Result<Progress, FlowError> {
        let acted = match (&mut *self, action) {
            (
                Self::Credentials(form),
                Action::SignIn {
                    identifier,
                    password,
                    captcha,
                },
            ) => {
                let submitted = form
                    .submit(ctx, &identifier, &password, captcha.as_deref())
                    .await?;
                match submitted {
                    Err(problem) => Acted::problem(problem),
                    Ok(account) => {
                        let (next, acted) = first_code(ctx, account.id).await?;
                        if let Some(next) = next {
                            *self = next;
                        }
                        acted
                    }
                }
            }
            (Self::Otp { account, sent, .. }, Action::Otp { code }) => {
                let account = *account;
                match ctx
                    .services
                    .otps
                    .check(ctx.flow, OtpPurpose::SignIn, sent, &code)
                    .await?
                {
                    OtpCheck::Accepted => {
                        let evidence = Evidence {
                            account,
                            used: vec![
                                (CredentialKind::Password, String::new()),
                                (CredentialKind::OtpPhone, sent.phone.e164().to_owned()),
                            ],
                            phone_changed: false,
                            asserted: None,
                        };
                        // The right code proves the phone, even one registration took
                        // unconfirmed (Vietnam Post by e-mail link).
                        let confirmed = StepWrite::ConfirmPhone {
                            account,
                            phone: sent.phone.clone(),
                        };
                        let acted = Acted::default().write(sent.used()).write(confirmed);
                        return Ok(Progress::Proven(evidence, acted));
                    }
                    other => Acted::problem(otp_refused(ctx, other, Some(account)).await?),
                }
            }
            (Self::Otp { sent, .. }, Action::Resend) => {
                resend(ctx, OtpPurpose::SignIn, sent).await?
            }
            (Self::NewPhoneOtp { sent, .. }, Action::Resend) => {
                resend(ctx, OtpPurpose::PhoneChange, sent).await?
            }
            (Self::Otp { sent, phones, .. }, Action::UsePhone { index }) => {
                let others: Vec<PhoneNumber> = phones
                    .iter()
                    .filter(|phone| **phone != sent.phone)
                    .cloned()
                    .collect();
                match others.get(index) {
                    None => Acted::problem(Problem::field("phone", "phone.unknown_choice")),
                    Some(phone) => match ctx
                        .services
                        .otps
                        .send_other_phone(ctx.flow, OtpPurpose::SignIn, phone, ctx.client, sent)
                        .await?
                    {
                        Ok(new) => {
                            *sent = new;
                            Acted::default()
                        }
                        Err(problem) => Acted::problem(problem),
                    },
                }
            }
            (Self::NoCode { account, phones }, Action::UsePhone { index }) => {
                let account = *account;
                match phones.iter().skip(1).nth(index) {
                    None => Acted::problem(Problem::field("phone", "phone.unknown_choice")),
                    Some(phone) => match ctx
                        .services
                        .otps
                        .send(ctx.flow, OtpPurpose::SignIn, phone, ctx.client)
                        .await?
                    {
                        Ok(sent) => {
                            let phones = std::mem::take(phones);
                            *self = Self::Otp {
                                account,
                                sent,
                                phones,
                            };
                            Acted::default()
                        }
                        Err(problem) => Acted::problem(problem),
                    },
                }
            }
            (Self::Otp { account, .. } | Self::NoCode { account, .. }, Action::LostPhone) => {
                *self = Self::NewPhone {
                    account: *account,
                    phone: String::new(),
                };
                Acted::default()
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
                match PhoneNumber::parse(&phone) {
                    Err(invalid) => Acted::problem(Problem::invalid("phone", &invalid)),
                    Ok(phone) => match ctx
                        .services
                        .otps
                        .send(ctx.flow, OtpPurpose::PhoneChange, &phone, ctx.client)
                        .await?
                    {
                        Ok(sent) => {
                            *self = Self::NewPhoneOtp { account, sent };
                            Acted::default()
                        }
                        Err(problem) => Acted::problem(problem),
                    },
                }
            }
            (Self::NewPhoneOtp { account, sent }, Action::Otp { code }) => {
                let (account, phone) = (*account, sent.phone.clone());
                match ctx
                    .services
                    .otps
                    .check(ctx.flow, OtpPurpose::PhoneChange, sent, &code)
                    .await?
                {
                    OtpCheck::Accepted => {
                        let used = sent.used();
                        *self = Self::NewPhoneConfirmed { account, phone };
                        return Ok(self.finish_phone_change(ctx).await?.write(used));
                    }
                    other => Acted::problem(otp_refused(ctx, other, Some(account)).await?),
                }
            }
            (Self::NewPhoneConfirmed { .. }, Action::NewPhone { .. }) => {
                return self.finish_phone_change(ctx).await;
            }
            (_, _) => Acted::problem(Problem::form("action.unexpected")),
        };
        Ok(Progress::Continue(acted))
    }
}

/// ID and password were right: the code to the account's default OTP phone (a lost-phone
/// change whose cool-down is over settled first), and the state that waits for it; or the
/// refusal.
async fn first_code(
    ctx: &mut Ctx<'_>,
    account: AccountId,
) -> Result<(Option<PasswordSms>, Acted), FlowError> {
    let services = ctx.services;
    phone_change::settle(services, account).await?;
    let phones: Vec<PhoneNumber> = services
        .store
        .phones(account)
        .await?
        .into_iter()
        .map(|phone| phone.phone)
        .collect();
    let Some(default) = phones.first() else {
        return Ok((None, Acted::problem(Problem::form("account.no_otp_phone"))));
    };
    match services
        .otps
        .send(ctx.flow, OtpPurpose::SignIn, default, ctx.client)
        .await?
    {
        Ok(sent) => Ok((
            Some(PasswordSms::Otp {
                account,
                sent,
                phones,
            }),
            Acted::default(),
        )),
        // The password was right: the person goes on to choose another phone or the
        // lost-phone change, with nothing to type again.
        Err(problem) if problem.code == "sms.daily_limit" => Ok((
            Some(PasswordSms::NoCode { account, phones }),
            Acted::problem(problem),
        )),
        Err(problem) => Ok((None, Acted::problem(problem))),
    }
}

impl PasswordSms {
    /// P2's last check: the subscriber database must name the account's person as the owner
    /// of the new phone. Only then is the phone changed — the new default added and the lost
    /// one removed in the step's one transaction; otherwise nothing about the account is.
    async fn finish_phone_change(&mut self, ctx: &mut Ctx<'_>) -> Result<Progress, FlowError> {
        let Self::NewPhoneConfirmed { account, phone } = self else {
            return Ok(Progress::Continue(Acted::problem(Problem::form(
                "action.unexpected",
            ))));
        };
        let (account_id, phone) = (*account, phone.clone());
        let services = ctx.services;
        let Some(account) = services.store.account(account_id).await? else {
            return Err(FlowError::NotFound);
        };
        let owner = match services.connectors.subscribers.subscriber(&phone).await {
            Ok(owner) => Some(owner),
            Err(ConnectorError::NotFound) => None,
            Err(error) => {
                tracing::warn!(%error, "subscriber database unavailable for a phone change");
                return Ok(Progress::Continue(Acted::problem(Problem::form(
                    "registry.unavailable",
                ))));
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
                services,
                Some(account_id),
                AuditKind::PhoneChangeRefused,
                ctx.client,
                json!({ "phone": phone.masked(), "reason": if owner.is_some() { "owner_differs" } else { "not_found" } }),
            )
            .await?;
            *self = Self::PhoneRefused;
            return Ok(Progress::Continue(Acted::default()));
        }
        // Not at once: the change waits out a cool-down during which every phone it replaces
        // (and the e-mail) is told how to cancel it — a SIM issued in the holder's name to
        // someone else must not take the account over silently.
        let acted = phone_change::schedule(ctx, &account, &phone).await?;
        let evidence = Evidence {
            account: account_id,
            used: vec![
                (CredentialKind::Password, String::new()),
                (CredentialKind::OtpPhone, phone.e164().to_owned()),
            ],
            phone_changed: true,
            asserted: None,
        };
        Ok(Progress::Proven(evidence, acted))
    }
}
