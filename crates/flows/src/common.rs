//! Pieces several flows share: reading the sign-in identifier, the throttle-and-captcha gate,
//! the OTP step as shown, comparing identities, and audit events.

use domain::{LegacyCmnd, PersonalId};
use store::{Account, AccountId, Actor, AuditContext, AuditKind, NewAuditEvent};
use unicode_normalization::UnicodeNormalization;

use crate::FlowError;
use crate::captcha::Captcha;
use crate::context::Client;
use crate::engine::{Acted, Ctx, Engine};
use crate::otp::{OtpPurpose, SentOtp};
use crate::problem::Problem;
use crate::throttle::Gate;
use crate::view::Step;

/// What people sign in with on the "CMT/CCCD" tab: a 12-digit personal ID or a 9-digit CMND.
pub(crate) enum Identifier {
    Personal(PersonalId),
    Cmnd(LegacyCmnd),
}

impl Identifier {
    pub fn parse(text: &str) -> Result<Self, Problem> {
        let digits = text.chars().filter(char::is_ascii_digit).count();
        if digits == 9 {
            LegacyCmnd::parse(text)
                .map(Self::Cmnd)
                .map_err(|invalid| Problem::invalid("identifier", &invalid))
        } else {
            PersonalId::parse(text)
                .map(Self::Personal)
                .map_err(|invalid| Problem::invalid("identifier", &invalid))
        }
    }

    pub fn key(&self) -> &str {
        match self {
            Self::Personal(id) => id.as_str(),
            Self::Cmnd(cmnd) => cmnd.as_str(),
        }
    }

    pub async fn account(&self, engine: &Engine) -> Result<Option<Account>, FlowError> {
        Ok(match self {
            Self::Personal(id) => engine.store.account_by_personal_id(id).await?,
            Self::Cmnd(cmnd) => engine.store.account_by_legacy_cmnd(cmnd).await?,
        })
    }
}

/// Counts the attempt and checks the captcha when throttling asks for one (or `always`).
/// `Err` is the refusal to show; the captcha in force is used up either way.
pub(crate) async fn pass_gate(
    ctx: &mut Ctx<'_>,
    action: &str,
    key: &str,
    answer: Option<&str>,
    always: bool,
) -> Result<Result<(), Problem>, FlowError> {
    let engine = ctx.engine;
    let now = engine.clock.now();
    let gate = engine
        .throttle
        .attempt(action, key, ctx.client.address.as_deref(), now)
        .await?;
    let offered = ctx.captcha.take();
    let gate = match gate {
        Gate::Open if always => Gate::CaptchaRequired,
        other => other,
    };
    match gate {
        Gate::Open => Ok(Ok(())),
        Gate::Blocked { retry_after } => {
            if always {
                *ctx.captcha = Some(Captcha::new(engine.random.as_ref(), &engine.config.captcha));
            }
            Ok(Err(Problem::form("throttled").retry_after(retry_after)))
        }
        Gate::CaptchaRequired => {
            let solved = offered
                .as_ref()
                .zip(answer)
                .is_some_and(|(captcha, answer)| captcha.accepts(answer));
            if solved {
                Ok(Ok(()))
            } else {
                *ctx.captcha = Some(Captcha::new(engine.random.as_ref(), &engine.config.captcha));
                let code = if answer.is_some_and(|a| !a.trim().is_empty()) {
                    "captcha.wrong"
                } else {
                    "captcha.required"
                };
                Ok(Err(Problem::field("captcha", code)))
            }
        }
    }
}

/// After a failed attempt, shows the captcha at once if the next attempt will need it.
pub(crate) async fn offer_captcha_if_needed(
    ctx: &mut Ctx<'_>,
    action: &str,
    key: &str,
) -> Result<(), FlowError> {
    let engine = ctx.engine;
    let needed = engine
        .throttle
        .next_needs_captcha(
            action,
            key,
            ctx.client.address.as_deref(),
            engine.clock.now(),
        )
        .await?;
    if needed && ctx.captcha.is_none() {
        *ctx.captcha = Some(Captcha::new(engine.random.as_ref(), &engine.config.captcha));
    }
    Ok(())
}

/// "Gửi lại OTP": a new code on the same challenge, or the refusal (too soon, too many).
pub(crate) async fn resend(
    ctx: &mut Ctx<'_>,
    purpose: OtpPurpose,
    sent: &mut SentOtp,
) -> Result<Acted, FlowError> {
    match ctx.engine.otps.resend(ctx.flow, purpose, sent).await? {
        Ok(resent) => {
            *sent = resent;
            Ok(Acted::default())
        }
        Err(problem) => Ok(Acted::problem(problem)),
    }
}

pub(crate) fn otp_step(
    engine: &Engine,
    sent: &SentOtp,
    other_phones: Vec<String>,
    lost_phone: bool,
) -> Step {
    Step::Otp {
        phone: sent.phone.masked(),
        resend_at: engine.otps.resend_at(sent),
        resends_left: engine.otps.resends_left(sent),
        other_phones,
        lost_phone,
    }
}

/// Names as registries write them: NFC, case and spacing ignored, diacritics significant
/// ("Lê" and "Le" are different people).
pub(crate) fn same_name(a: &str, b: &str) -> bool {
    let fold = |name: &str| -> String {
        name.nfc()
            .collect::<String>()
            .to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    fold(a) == fold(b)
}

pub(crate) fn audit_context(client: &Client) -> AuditContext {
    AuditContext {
        actor: Actor::Holder,
        client_ip: client.address.clone(),
    }
}

pub(crate) async fn audit(
    engine: &Engine,
    account: Option<AccountId>,
    kind: AuditKind,
    client: &Client,
    details: serde_json::Value,
) -> Result<(), FlowError> {
    let event = NewAuditEvent {
        account_id: account,
        kind,
        context: audit_context(client),
        details,
    };
    engine
        .store
        .append_audit(&event, engine.clock.now())
        .await?;
    Ok(())
}
