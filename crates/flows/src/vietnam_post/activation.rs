//! Activation by e-mail link (SPEC R4). The link is built from the configured public base URL
//! only — never from a request's Host header, which an attacker can forge to have the portal
//! mail out a link to their own server. It names the pending registration and carries a
//! 256-bit token from the CSPRNG, of which only the SHA-256 is stored; it is single use and
//! valid 24 hours. Opening it shows a confirmation page: mail scanners fetch links, so only
//! the page's POST activates.

use domain::Email;
use domain::digest::{decode_token, encode_token, equal, sha256};
use store::{AccountId, NewPostActivation, PostActivation, StoreError};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::common::{audit_context, security_refusal};
use crate::context::Client;
use crate::error::FlowError;
use crate::flow::Ctx;
use crate::notices;
use crate::problem::Problem;
use crate::registration::VerifiedPerson;
use crate::services::Services;
use crate::throttle::ThrottleAction;

/// Where the link points, under the public base URL: `{ACTIVATION_PATH}/{id}?token=…`.
pub const ACTIVATION_PATH: &str = "/register/vietnam-post/activate";

pub(super) const LINK_LIFETIME_HOURS: i64 = 24;

/// Links a day per e-mail address and per personal ID. Whoever sends one must know a real
/// person's ID, name and birth date and solve the captcha; even so, a stranger typing someone
/// else's address spends that address's budget and can fill its mailbox with at most this
/// many mails a day. The person can still register by SMS.
const SENDS_PER_IDENTITY: i64 = 3;
/// Per requesting address: more, since a carrier's NAT serves many people.
const SENDS_PER_ADDRESS: i64 = 20;

/// What the link's page shows before the person confirms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkPreview {
    pub full_name: String,
    /// Masked: `n***@example.vn`.
    pub email: String,
    pub expires_at: OffsetDateTime,
}

/// Keeps the pending registration and mails its link. `Ok(email)`: the link went out.
pub(super) async fn send_link(
    ctx: &Ctx<'_>,
    person: &VerifiedPerson,
    password_phc: String,
) -> Result<Result<Email, Problem>, FlowError> {
    let services = ctx.services;
    let (Some(base), Some(email)) = (&services.public_base, &person.email) else {
        return Ok(Err(Problem::form("post.email_unavailable")));
    };
    let now = services.clock.now();
    let keys = send_keys(person, email, ctx.client);
    for (key, cap) in &keys {
        if services.throttle.daily_count(key, now).await? >= *cap {
            let action = ThrottleAction::Registration;
            security_refusal(services, None, ctx.client, action, "post.mail_throttled").await?;
            return Ok(Err(Problem::form("post.mail_throttled")));
        }
    }
    let id = Uuid::new_v4();
    let token = services.random.token();
    let expires_at = now + Duration::hours(LINK_LIFETIME_HOURS);
    let pending = NewPostActivation {
        id,
        token_hash: sha256(&token),
        identity: person.identity(),
        phone: person.phone.clone(),
        email: email.clone(),
        password_phc,
        expires_at,
    };
    services.store.create_post_activation(&pending, now).await?;
    let Some(link) = link(base, id, &encode_token(&token)) else {
        return Ok(Err(Problem::form("post.email_unavailable")));
    };
    for (key, _) in &keys {
        services.throttle.count_daily(key, now).await?;
    }
    let (subject, text) = notices::post_activation_email(&person.full_name, &link, expires_at);
    match services
        .connectors
        .mailer
        .send(email, &subject, &text)
        .await
    {
        Ok(()) => Ok(Ok(email.clone())),
        Err(error) => {
            tracing::warn!(%error, "Vietnam Post activation link not e-mailed");
            Ok(Err(Problem::form("post.mail_unavailable")))
        }
    }
}

fn send_keys(person: &VerifiedPerson, email: &Email, client: &Client) -> Vec<(String, i64)> {
    let mut keys = vec![
        (
            format!("post:link:email:{}", email.as_str().to_lowercase()),
            SENDS_PER_IDENTITY,
        ),
        (
            format!("post:link:id:{}", person.personal_id),
            SENDS_PER_IDENTITY,
        ),
    ];
    if let Some(address) = &client.address {
        keys.push((format!("post:link:address:{address}"), SENDS_PER_ADDRESS));
    }
    keys
}

/// `{base}/register/vietnam-post/activate/{id}?token=…`, on the configured base alone.
fn link(base: &url::Url, id: Uuid, token: &str) -> Option<String> {
    let mut link = base.join(&format!(".{ACTIVATION_PATH}/{id}")).ok()?;
    link.query_pairs_mut().append_pair("token", token);
    Some(link.into())
}

/// The pending registration the link names, if the token is its own, unused and unexpired.
async fn usable(
    services: &Services,
    id: Uuid,
    token: &str,
) -> Result<Result<PostActivation, Problem>, FlowError> {
    let invalid = || Ok(Err(Problem::form("post.link_invalid")));
    let Some(token) = decode_token(token.trim()) else {
        return invalid();
    };
    let Some(pending) = services.store.post_activation(id).await? else {
        return invalid();
    };
    if !equal(&pending.token_hash, &sha256(&token)) {
        return invalid();
    }
    if pending.used_at.is_some() {
        return Ok(Err(Problem::form("post.link_used")));
    }
    if pending.expires_at <= services.clock.now() {
        return Ok(Err(Problem::form("post.link_expired")));
    }
    Ok(Ok(pending))
}

/// What the link's page shows (a GET: nothing changes).
pub(crate) async fn preview(
    services: &Services,
    id: Uuid,
    token: &str,
) -> Result<Result<LinkPreview, Problem>, FlowError> {
    Ok(usable(services, id, token)
        .await?
        .map(|pending| LinkPreview {
            full_name: pending.identity.full_name,
            email: super::masked_email(&pending.email),
            expires_at: pending.expires_at,
        }))
}

/// The page's confirmation: the link is used and the account created, in one transaction.
pub(crate) async fn activate(
    services: &Services,
    id: Uuid,
    token: &str,
    client: &Client,
) -> Result<Result<AccountId, Problem>, FlowError> {
    let pending = match usable(services, id, token).await? {
        Ok(pending) => pending,
        Err(problem) => {
            if problem.code == "post.link_invalid" {
                let action = ThrottleAction::Registration;
                security_refusal(services, None, client, action, "post.link_invalid").await?;
            }
            return Ok(Err(problem));
        }
    };
    let now = services.clock.now();
    let audit = audit_context(client);
    match services
        .store
        .activate_post_registration(pending.id, &audit, now)
        .await
    {
        Ok(account) => Ok(Ok(account.id)),
        // Another click of the same link won, or it expired this instant.
        Err(StoreError::Conflict) => Ok(Err(Problem::form("post.link_used"))),
        Err(StoreError::Duplicate { .. }) => Ok(Err(Problem::form("account.exists"))),
        Err(error) => Err(error.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::link;

    #[test]
    fn links_are_built_on_the_configured_base() {
        let id = uuid::Uuid::nil();
        let base = url::Url::parse("https://dichvucong.gov.vn/").unwrap();
        assert_eq!(
            link(&base, id, "abc").unwrap(),
            format!("https://dichvucong.gov.vn/register/vietnam-post/activate/{id}?token=abc")
        );
        let below = url::Url::parse("https://portal.example/id/").unwrap();
        assert!(
            link(&below, id, "abc")
                .unwrap()
                .starts_with("https://portal.example/id/register/vietnam-post/activate/")
        );
    }
}
