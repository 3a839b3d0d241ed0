//! Pieces several flows share: reading the sign-in identifier, the throttle-and-captcha gate,
//! the OTP step as shown, comparing identities, and audit events.

use domain::{CredentialKind, LegacyCmnd, PasswordContext, PersonalId};
use store::{Account, AccountId, Actor, AuditContext, AuditKind, NewAuditEvent};
use unicode_normalization::UnicodeNormalization;

use crate::captcha::Captcha;
use crate::context::Client;
use crate::error::FlowError;
use crate::flow::{Acted, Ctx};
use crate::otp::{OtpCheck, OtpPurpose, SentOtp, otp_refusal};
use crate::problem::Problem;
use crate::services::Services;
use crate::throttle::{Attempt, CaptchaWork, Gate, Throttle, ThrottleAction};
use crate::view::Step;
use domain::digest::{sha256, to_hex};

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

    pub async fn account(&self, services: &Services) -> Result<Option<Account>, FlowError> {
        Ok(match self {
            Self::Personal(id) => services.store.account_by_personal_id(id).await?,
            Self::Cmnd(cmnd) => services.store.account_by_legacy_cmnd(cmnd).await?,
        })
    }
}

/// Counts the attempt and checks the captcha when throttling asks for one (or `always`).
/// `subject` is the account the key names, when there is one (its known devices are exempt
/// from the account and address limits). `Err` is the refusal to show; the captcha in force is
/// used up either way. Refusals are security events: audited and counted.
pub(crate) async fn pass_gate(
    ctx: &mut Ctx<'_>,
    attempt: &Attempt<'_>,
    subject: Option<AccountId>,
    answer: Option<&str>,
    always: bool,
) -> Result<Result<(), Problem>, FlowError> {
    let services = ctx.services;
    let now = services.clock.now();
    let gate = services.throttle.attempt(attempt, now).await?;
    let offered = ctx.captcha.take();
    let gate = match gate {
        Gate::Open if always => Gate::CaptchaRequired,
        other => other,
    };
    let work = match gate {
        Gate::SlowCaptcha => CaptchaWork::Slow,
        _ => CaptchaWork::Normal,
    };
    let refusal = match gate {
        Gate::Open => None,
        Gate::Blocked { retry_after } => Some(Problem::form("throttled").retry_after(retry_after)),
        Gate::RecoveryOnly => Some(Problem::form("account.recovery_required")),
        Gate::CaptchaRequired | Gate::SlowCaptcha => {
            let least = work.max_number(&services.config.captcha);
            let solved = offered
                .as_ref()
                .zip(answer)
                .is_some_and(|(captcha, answer)| captcha.accepts(answer, least));
            if solved {
                None
            } else if answer.is_some_and(|a| !a.trim().is_empty()) {
                Some(Problem::field("captcha", "captcha.wrong"))
            } else {
                Some(Problem::field("captcha", "captcha.required"))
            }
        }
    };
    let Some(problem) = refusal else {
        return Ok(Ok(()));
    };
    if always || matches!(gate, Gate::CaptchaRequired | Gate::SlowCaptcha) {
        *ctx.captcha = Some(new_captcha(services, work));
    }
    if problem.code != "captcha.required" {
        let action = attempt.action;
        security_refusal(services, subject, ctx.client, action, problem.code).await?;
    }
    Ok(Err(problem))
}

/// A refusal an operator should be able to find: audited, and counted in `/metrics`.
pub(crate) async fn security_refusal(
    services: &Services,
    account: Option<AccountId>,
    client: &Client,
    action: ThrottleAction,
    reason: &'static str,
) -> Result<(), FlowError> {
    metrics::counter!(
        "dvcid_security_refusals_total",
        "action" => action.as_str(),
        "reason" => reason
    )
    .increment(1);
    tracing::info!(action = action.as_str(), reason, "security refusal");
    let details = serde_json::json!({ "action": action.as_str(), "reason": reason });
    audit(
        services,
        account,
        AuditKind::SecurityRefusal,
        client,
        details,
    )
    .await
}

/// A code that was not accepted: the refusal to show, audited as a security event.
pub(crate) async fn otp_refused(
    ctx: &Ctx<'_>,
    check: OtpCheck,
    account: Option<AccountId>,
) -> Result<Problem, FlowError> {
    let problem = otp_refusal(check);
    security_refusal(
        ctx.services,
        account,
        ctx.client,
        ThrottleAction::Otp,
        problem.code,
    )
    .await?;
    Ok(problem)
}

/// A wrong secret: counted against the account, and the captcha shown at once if the next
/// attempt will need it.
pub(crate) async fn failed_attempt(
    ctx: &mut Ctx<'_>,
    attempt: &Attempt<'_>,
) -> Result<(), FlowError> {
    let services = ctx.services;
    let now = services.clock.now();
    services.throttle.failed(attempt.account, now).await?;
    if let Some(work) = services.throttle.next_needs_captcha(attempt, now).await?
        && ctx.captcha.is_none()
    {
        *ctx.captcha = Some(new_captcha(services, work));
    }
    Ok(())
}

/// A fresh captcha costing `work`.
pub(crate) fn new_captcha(services: &Services, work: CaptchaWork) -> Captcha {
    let mut config = services.config.captcha.clone();
    config.max_number = work.max_number(&services.config.captcha);
    Captcha::new(services.random.as_ref(), &config)
}

/// The right secret: this device's or address's failures are forgiven, with the step.
pub(crate) fn succeeded_attempt(ctx: &mut Ctx<'_>, attempt: &Attempt<'_>) {
    ctx.writes.push(Throttle::succeeded(attempt));
}

/// An attempt on `key` (the account `subject`, when it exists) from the client's device and
/// address; whether the device is one the account knows is looked up once, here.
pub(crate) async fn attempt_by<'a>(
    services: &Services,
    client: &'a Client,
    action: ThrottleAction,
    key: &'a str,
    subject: Option<AccountId>,
) -> Result<Attempt<'a>, FlowError> {
    Ok(Attempt {
        action,
        account: key,
        device: client.device.as_deref(),
        address: client.address.as_deref(),
        known_device: known_device(services, client, subject).await?,
    })
}

/// Whether this browser or app signed in to the account before (its device cookie is one of
/// the account's `device` credentials).
async fn known_device(
    services: &Services,
    client: &Client,
    account: Option<AccountId>,
) -> Result<bool, FlowError> {
    let (Some(device), Some(account)) = (&client.device, account) else {
        return Ok(false);
    };
    let owner = services
        .store
        .credential_owner(CredentialKind::Device, &device_key(account, device))
        .await?;
    Ok(owner == Some(account))
}

/// A device credential's key: a digest of the account and the cookie's id, so the store never
/// holds the id itself.
pub(crate) fn device_key(account: AccountId, device: &str) -> String {
    to_hex(&sha256(format!("{account}:{device}").as_bytes()))
}

/// "Gửi lại OTP": a new code on the same challenge, or the refusal (too soon, too many).
pub(crate) async fn resend(
    ctx: &mut Ctx<'_>,
    purpose: OtpPurpose,
    sent: &mut SentOtp,
) -> Result<Acted, FlowError> {
    match ctx
        .services
        .otps
        .resend(ctx.flow, purpose, sent, ctx.client)
        .await?
    {
        Ok(resent) => {
            *sent = resent;
            Ok(Acted::default())
        }
        Err(problem) => Ok(Acted::problem(problem)),
    }
}

pub(crate) fn otp_step(
    services: &Services,
    sent: &SentOtp,
    other_phones: Vec<String>,
    lost_phone: bool,
) -> Step {
    Step::Otp {
        phone: sent.phone.masked(),
        resend_at: services.otps.resend_at(sent),
        resends_left: services.otps.resends_left(sent),
        other_phones,
        lost_phone,
        awaits_code: true,
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
    services: &Services,
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
    services
        .store
        .append_audit(&event, services.clock.now())
        .await?;
    Ok(())
}

/// The signed-in person's password again, throttled per account.
pub(crate) async fn check_password(
    services: &Services,
    client: &Client,
    account: AccountId,
    password: &str,
) -> Result<Option<Problem>, FlowError> {
    let admission = services.passwords.admit()?;
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
    if admission.verify(password, phc.as_deref()).await? {
        Ok(None)
    } else {
        Ok(Some(Problem::field("password", "password.wrong")))
    }
}

/// The two typings agree and the policy accepts the password.
pub(crate) fn check_new_password(
    services: &Services,
    password: &str,
    confirm: &str,
    context: PasswordContext,
) -> Result<(), Problem> {
    if password != confirm {
        return Err(Problem::field("confirm", "password.mismatch"));
    }
    services
        .password_policy
        .check(password, true, &context)
        .map_err(|invalid| Problem::invalid("password", &invalid))
}
