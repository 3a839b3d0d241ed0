//! The lost-phone change's cool-down (SPEC P2, hardened): once the subscriber database names the
//! account's person as the new number's owner, the change is scheduled, not made. Every phone
//! it replaces gets an SMS with a cancel code, the e-mail (if any) is told, and for the
//! cool-down (`[flows] phone_change_cooldown_secs`, 24 h by default) the account's phones and
//! password cannot be changed. After it, the first sign-in, recovery or account page settles it.
//!
//! ```text
//! P2 proven ──▶ scheduled (SMS + cancel code to the old phone, e-mail) ──cool-down──▶ settled
//!                    │ old phone's code at /phone-change/cancel
//!                    └──▶ cancelled: nothing changes, every session ends
//! ```

use domain::PhoneNumber;
use store::{Account, AccountId, StepWrite};
use time::Duration;

use crate::common::{Identifier, audit_context, security_refusal};
use crate::context::Client;
use crate::error::FlowError;
use crate::flow::{Acted, Ctx};
use crate::notices;
use crate::problem::Problem;
use crate::services::Services;
use crate::throttle::{Attempt, Gate, ThrottleAction};

/// Schedules the change of `account`'s default phone to `phone`, telling the phones it replaces
/// and the e-mail; the write commits with the flow's step.
pub(crate) async fn schedule(
    ctx: &Ctx<'_>,
    account: &Account,
    phone: &PhoneNumber,
) -> Result<Acted, FlowError> {
    let services = ctx.services;
    let now = services.clock.now();
    let effective_at = now + Duration::seconds(services.config.phone_change_cooldown_secs);
    let replaces = services
        .store
        .phones(account.id)
        .await?
        .into_iter()
        .find(|held| held.is_default)
        .map(|held| held.phone);
    let code = cancel_code(services);
    if let Some(old) = replaces.as_ref().filter(|old| *old != phone) {
        let text = notices::phone_change_scheduled(phone, effective_at, &code);
        if let Err(error) = services.connectors.sms.send(old, &text).await {
            tracing::warn!(%error, "phone change notice not sent to the replaced phone");
        }
    }
    if let Some(email) = &account.email {
        let (subject, text) = notices::phone_change_scheduled_email(phone, effective_at, &code);
        if let Err(error) = services
            .connectors
            .mailer
            .send(email, &subject, &text)
            .await
        {
            tracing::warn!(%error, "phone change notice not e-mailed");
        }
    }
    Ok(Acted::default().write(StepWrite::SchedulePhoneChange {
        account: account.id,
        phone: phone.clone(),
        replaces,
        cancel_mac: cancel_mac(services, account.id, &code),
        effective_at,
        audit: audit_context(ctx.client),
    }))
}

/// Applies the account's pending change if its cool-down is over.
pub(crate) async fn settle(services: &Services, account: AccountId) -> Result<(), FlowError> {
    services
        .store
        .settle_phone_change(account, services.clock.now())
        .await?;
    Ok(())
}

/// While a change waits, the account's phones and password stay as they are.
pub(crate) async fn refuse_while_pending(
    services: &Services,
    account: AccountId,
) -> Result<Option<Problem>, FlowError> {
    settle(services, account).await?;
    let pending = services.store.pending_phone_change(account).await?;
    Ok(pending.map(|pending| {
        let wait = pending.effective_at - services.clock.now();
        Problem::form("phone_change.pending").retry_after(wait)
    }))
}

/// "Hủy đổi số điện thoại": the ID and the code the old phone received. The answer is the same
/// for an unknown ID, a wrong code and no pending change; attempts are throttled per ID.
pub(crate) async fn cancel(
    services: &Services,
    identifier: &str,
    code: &str,
    client: &Client,
) -> Result<Result<(), Problem>, FlowError> {
    let identifier = match Identifier::parse(identifier) {
        Ok(identifier) => identifier,
        Err(problem) => return Ok(Err(problem)),
    };
    let attempt = Attempt {
        action: ThrottleAction::PhoneChangeCancel,
        account: identifier.key(),
        device: client.device.as_deref(),
        address: client.address.as_deref(),
        known_device: false,
    };
    let now = services.clock.now();
    if let Gate::Blocked { retry_after } = services.throttle.attempt(&attempt, now).await? {
        security_refusal(
            services,
            None,
            client,
            ThrottleAction::PhoneChangeCancel,
            "throttled",
        )
        .await?;
        return Ok(Err(Problem::form("throttled").retry_after(retry_after)));
    }
    let refused = Problem::field("code", "phone_change.cancel_invalid");
    let Some(account) = identifier.account(services).await? else {
        return Ok(Err(refused));
    };
    let typed = code.trim().to_ascii_uppercase();
    let mac = cancel_mac(services, account.id, &typed);
    let cancelled = services
        .store
        .cancel_phone_change(account.id, &mac, &audit_context(client), now)
        .await?;
    if cancelled {
        Ok(Ok(()))
    } else {
        security_refusal(
            services,
            Some(account.id),
            client,
            ThrottleAction::PhoneChangeCancel,
            "phone_change.cancel_invalid",
        )
        .await?;
        Ok(Err(refused))
    }
}

/// Eight characters a person copies from an SMS without confusion (no 0/O, 1/I).
fn cancel_code(services: &Services) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 8];
    services.random.fill(&mut bytes);
    bytes
        .iter()
        .filter_map(|byte| ALPHABET.get(usize::from(*byte) % ALPHABET.len()))
        .map(|byte| char::from(*byte))
        .collect()
}

fn cancel_mac(services: &Services, account: AccountId, code: &str) -> [u8; 32] {
    services.otps.mac.sign(&[
        b"phone-change-cancel",
        account.0.as_bytes(),
        code.as_bytes(),
    ])
}
