//! What the restarted server must still honour: every acknowledged session, the newest
//! acknowledged refresh token of each family (unless a rotation of it was in flight), and
//! each changed password. A write in flight at the kill may have been made or not; the
//! checks find out which and carry on from there.

use anyhow::{Context, Result};
use tokio::task::JoinSet;

use crate::ledger::{Changer, Family, Ledger};
use crate::oauth::{self, Signer};
use crate::sessions::{self, SESSION_COOKIE};
use crate::writers::Endpoints;

/// Sessions checked at once.
const SESSION_CHECKERS: usize = 8;

/// Runs every check on the restarted server; each broken promise is one message.
pub async fn after_restart(e: &Endpoints, ledger: &mut Ledger) -> Result<Vec<String>> {
    let mut found = Vec::new();
    let lost = ledger.sessions.len() - holding(e, &ledger.sessions).await?;
    if lost > 0 {
        found.push(format!(
            "{lost} of {} acknowledged sign-in sessions no longer hold",
            ledger.sessions.len()
        ));
    }
    let revived = holding(e, &ledger.ended_sessions).await?;
    if revived > 0 {
        found.push(format!(
            "{revived} of {} sessions ended by acknowledged password changes hold again",
            ledger.ended_sessions.len()
        ));
    }
    for family in &mut ledger.families {
        if let Some(violation) = family_continues(e, family, &mut ledger.tally.families_reopened)
            .await
            .context("checking a refresh-token family")?
        {
            found.push(violation);
        }
    }
    for changer in &mut ledger.changers {
        if let Some(violation) = password_settled(e, changer, &mut ledger.tally.changes_found_made)
            .await
            .context("checking a password change")?
        {
            found.push(violation);
        }
    }
    Ok(found)
}

/// How many of `sessions` still hold, checked `SESSION_CHECKERS` at a time.
async fn holding(e: &Endpoints, sessions: &[String]) -> Result<usize> {
    let mut tasks = JoinSet::new();
    for checker in 0..SESSION_CHECKERS {
        let share: Vec<String> = sessions
            .iter()
            .skip(checker)
            .step_by(SESSION_CHECKERS)
            .cloned()
            .collect();
        let account = e.account.clone();
        tasks.spawn(async move {
            let mut holding = 0usize;
            for session in share {
                if account.session_holds(&session).await? {
                    holding += 1;
                }
            }
            anyhow::Ok(holding)
        });
    }
    let mut total = 0;
    while let Some(done) = tasks.join_next().await {
        total += done??;
    }
    Ok(total)
}

/// The family's newest acknowledged token still rotates. When a rotation of it was in
/// flight at the kill and was made, presenting it again within the server's retry grace
/// exchanges it again; later it is a reuse: the server refuses it (and ends the family, which
/// the database check then sees with no live token left), and the driver opens a new family
/// on the same session.
async fn family_continues(
    e: &Endpoints,
    family: &mut Family,
    reopened: &mut u64,
) -> Result<Option<String>> {
    match e.tokens.refresh(&family.token).await {
        Ok(tokens) => {
            family.token = tokens
                .refresh_token
                .context("the refresh answer has no refresh_token")?;
        }
        Err(error) if family.rotation_unanswered && is_invalid_grant(&error) => {
            let signer = Signer::Cookie {
                name: SESSION_COOKIE.to_owned(),
                value: family.session.clone(),
            };
            family.token = oauth::open_family(&e.http, &e.discovery, &e.tokens, &signer)
                .await
                .context("opening a new refresh-token family")?;
            *reopened += 1;
        }
        Err(error) => {
            return Ok(Some(format!(
                "the acknowledged refresh token of {}'s family no longer rotates: {error:#}",
                family.account.personal_id
            )));
        }
    }
    family.rotation_unanswered = false;
    Ok(None)
}

fn is_invalid_grant(error: &anyhow::Error) -> bool {
    format!("{error:#}").contains("invalid_grant")
}

/// The changer's session still holds after an acknowledged change. After an unanswered one,
/// the old session tells whether it was made (a change ends every session in its own
/// transaction): if it was, the new password must sign in.
async fn password_settled(
    e: &Endpoints,
    changer: &mut Changer,
    made: &mut u64,
) -> Result<Option<String>> {
    let holds = e.account.session_holds(&changer.session).await?;
    let Some(new) = changer.change_unanswered.take() else {
        return Ok((!holds).then(|| {
            format!(
                "the session of {}'s acknowledged password change no longer holds",
                changer.account.personal_id
            )
        }));
    };
    if holds {
        return Ok(None);
    }
    changer.account.last_sms = e
        .sandbox
        .newest_sms(&changer.account.phone)
        .await?
        .map(|sms| sms.message_id);
    match sessions::sign_in(&e.dvcid, &e.sandbox, &changer.account, &new).await {
        Ok(session) => {
            changer.session = session;
            changer.password = new;
            changer.changes += 1;
            *made += 1;
            Ok(None)
        }
        Err(error) => Ok(Some(format!(
            "{}'s sessions were ended by an unanswered password change, but the new password \
             does not sign in: {error:#}",
            changer.account.personal_id
        ))),
    }
}
