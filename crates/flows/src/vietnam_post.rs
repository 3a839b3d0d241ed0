//! Đăng ký thông qua Bưu điện Việt Nam (SPEC R4): citizens register with the portal through the
//! Vietnam Post channel, choosing activation by SMS OTP or by an e-mail link.
//!
//! ```text
//! Form ──fields + captcha, population DB match──▶ Password ──▶ Otp ──code──▶ Registered
//!                                                        └──▶ LinkSent (e-mail; the link's page
//!                                                             creates the account: activation.rs)
//! ```
//!
//! Registry checks, and why: the personal ID's own rules (shape, province, century and gender
//! digit agreeing with the birth date and gender) and the population database's match of ID,
//! name and birth date, as every channel does — an account must name a real person. Unlike
//! registration by mobile subscriber, the phone need not be in the person's name: this
//! channel is for people whose SIM is not (a relative's, a company's). So the account is
//! proven only at LoA2 ("Vietnam Post", `identity_proofing`) until postal staff check the card
//! in person (counter.rs), and sign-in never asserts more than that.
//!
//! Nothing is written until activation (R8): the SMS path creates the account after the code;
//! the e-mail path keeps the pending registration (password hashed) with the link's token
//! hashed, and the account exists only once the link is used.

use domain::{Email, RegistrationChannel};
use serde::{Deserialize, Serialize};
use store::{AccountId, StoreError};

use crate::common::{new_captcha, otp_refused, otp_step, pass_gate, resend};
use crate::error::FlowError;
use crate::flow::{Acted, Ctx, Flow, Start};
use crate::otp::{OtpCheck, OtpPurpose, SentOtp};
use crate::problem::Problem;
use crate::registration::{
    RegistryProbe, VerifiedPerson, hash_new_password, match_population, new_citizen, read_person,
};
use crate::services::Services;
use crate::throttle::{CaptchaWork, ThrottleAction};
use crate::view::{Action, ActivateBy, Done, FlowKind, RegisterPostValues, Step};

pub(crate) mod activation;
pub(crate) mod counter;

pub use activation::{ACTIVATION_PATH, LinkPreview};
pub use counter::{CounterRecord, PostCounter};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "at", rename_all = "snake_case")]
pub(crate) enum RegisterPost {
    Form {
        values: RegisterPostValues,
    },
    Password {
        person: VerifiedPerson,
        activation: ActivateBy,
    },
    Otp {
        person: VerifiedPerson,
        password_phc: String,
        sent: SentOtp,
    },
    /// The link went out; the rest happens on the link's page, in whichever browser opens it.
    LinkSent {
        email: String,
    },
    Registered {
        account: AccountId,
    },
}

#[async_trait::async_trait]
impl Flow for RegisterPost {
    const KIND: FlowKind = FlowKind::RegisterVietnamPost;
    /// The form is the seed's "nhập Mã xác nhận, sau đó nhấn Đăng ký": it asks every time.
    const CAPTCHA_AT_START: bool = true;

    fn start(_start: &Start, _services: &Services) -> Option<Self> {
        Some(Self::Form {
            values: RegisterPostValues::default(),
        })
    }

    fn step(&self, services: &Services) -> Step {
        match self {
            Self::Form { values } => Step::RegisterVietnamPost {
                values: values.clone(),
            },
            Self::Password { person, .. } => Step::Password {
                min_length: services.password_policy.min_length_with_second_factor,
                holder: format!("{}, {}", person.full_name, person.personal_id),
            },
            Self::Otp { sent, .. } => otp_step(services, sent, Vec::new(), false),
            Self::LinkSent { email } => Step::LinkSent {
                email: email.clone(),
                valid_hours: activation::LINK_LIFETIME_HOURS,
            },
            Self::Registered { .. } => Step::Done {
                result: Done::Registered,
            },
        }
    }

    async fn act(&mut self, ctx: &mut Ctx<'_>, action: Action) -> Result<Acted, FlowError> {
        match (&mut *self, action) {
            (
                Self::Form { values },
                Action::RegisterVietnamPost {
                    values: sent,
                    captcha,
                },
            ) => {
                *values = sent.clone();
                match confirm(ctx, &sent, captcha.as_deref()).await? {
                    Ok(next) => {
                        *self = next;
                        Ok(Acted::default())
                    }
                    Err(problems) => Ok(Acted::problems(problems)),
                }
            }
            (Self::Password { person, activation }, Action::SetPassword { password, confirm }) => {
                let services = ctx.services;
                let phc = match hash_new_password(services, person, &password, &confirm).await? {
                    Ok(phc) => phc,
                    Err(problem) => return Ok(Acted::problem(problem)),
                };
                let person = person.clone();
                match *activation {
                    ActivateBy::Sms => {
                        let purpose = OtpPurpose::Registration;
                        let sent = services
                            .otps
                            .send(ctx.flow, purpose, &person.phone, ctx.client);
                        match sent.await? {
                            Ok(sent) => {
                                *self = Self::Otp {
                                    person,
                                    password_phc: phc,
                                    sent,
                                };
                                Ok(Acted::default())
                            }
                            Err(problem) => Ok(Acted::problem(problem)),
                        }
                    }
                    ActivateBy::Email => match activation::send_link(ctx, &person, phc).await? {
                        Ok(email) => {
                            *self = Self::LinkSent {
                                email: masked_email(&email),
                            };
                            Ok(Acted::default())
                        }
                        Err(problem) => Ok(Acted::problem(problem)),
                    },
                }
            }
            (
                Self::Otp {
                    person,
                    password_phc,
                    sent,
                },
                Action::Otp { code },
            ) => {
                let services = ctx.services;
                let check = services
                    .otps
                    .check(ctx.flow, OtpPurpose::Registration, sent, &code);
                match check.await? {
                    OtpCheck::Accepted => {
                        let used = sent.used();
                        let new = new_citizen(
                            person,
                            RegistrationChannel::VietnamPost,
                            password_phc.clone(),
                            ctx.client,
                        );
                        let created = services
                            .store
                            .create_post_account(&new, true, services.clock.now())
                            .await;
                        match created {
                            Ok(account) => {
                                *self = Self::Registered {
                                    account: account.id,
                                };
                                Ok(Acted::default().write(used))
                            }
                            // Said only now, to someone who proved control of the phone.
                            Err(StoreError::Duplicate { .. }) => {
                                *self = Self::Form {
                                    values: RegisterPostValues::default(),
                                };
                                *ctx.captcha = Some(new_captcha(services, CaptchaWork::Normal));
                                Ok(Acted::problem(Problem::form("account.exists")).write(used))
                            }
                            Err(error) => Err(error.into()),
                        }
                    }
                    other => Ok(Acted::problem(otp_refused(ctx, other, None).await?)),
                }
            }
            (Self::Otp { sent, .. }, Action::Resend) => {
                resend(ctx, OtpPurpose::Registration, sent).await
            }
            (_, _) => Ok(Acted::problem(Problem::form("action.unexpected"))),
        }
    }
}

/// The form: every field checked and named, the captcha, then the population database. An ID
/// that has an account already is not said here (the form would tell anyone which IDs have
/// one): it is said after the phone's code, or on the e-mail link's page.
async fn confirm(
    ctx: &mut Ctx<'_>,
    values: &RegisterPostValues,
    captcha: Option<&str>,
) -> Result<Result<RegisterPost, Vec<Problem>>, FlowError> {
    let activation = values.activation();
    let person = read_person(&values.person);
    let mut problems = person.as_ref().err().cloned().unwrap_or_default();
    match activation {
        None => problems.push(Problem::field("activation", "post.activation_required")),
        Some(ActivateBy::Email) if values.person.email.trim().is_empty() => {
            problems.push(Problem::field("email", "post.email_required"));
        }
        Some(_) => {}
    }
    let (Ok(person), Some(activation), true) = (person, activation, problems.is_empty()) else {
        return Ok(Err(problems));
    };
    let services = ctx.services;
    let key = format!("vietnam_post:{}", person.personal_id);
    let attempt = crate::common::attempt_by(
        services,
        ctx.client,
        ThrottleAction::Registration,
        &key,
        None,
    )
    .await?;
    if let Err(problem) = pass_gate(ctx, &attempt, None, captcha, true).await? {
        return Ok(Err(vec![problem]));
    }
    let probe = RegistryProbe::of(&person);
    let refusal = match probe.refused(ctx).await? {
        Some(problem) => Some(problem),
        None => match_population(ctx, &probe, &person).await?,
    };
    if let Some(problem) = refusal {
        // The captcha was used up: the corrected form needs a fresh one.
        *ctx.captcha = Some(new_captcha(services, CaptchaWork::Normal));
        return Ok(Err(vec![problem]));
    }
    Ok(Ok(RegisterPost::Password { person, activation }))
}

/// `a***@example.vn`: enough for the person to recognise their address on the page.
fn masked_email(email: &Email) -> String {
    let first: String = email.local_part().chars().take(1).collect();
    format!("{first}***@{}", email.domain())
}

#[cfg(test)]
mod tests {
    use super::masked_email;
    use domain::Email;

    #[test]
    fn e_mails_are_shown_masked() {
        let email = Email::parse("nguyen.an@example.vn").unwrap();
        assert_eq!(masked_email(&email), "n***@example.vn");
    }
}
