//! Signed-in sessions: a 256-bit random token goes to the browser (or app), its SHA-256 to the
//! store, with idle and absolute expiry and the assurance of the sign-in that made it.

use std::sync::Arc;

use domain::{AccountStatus, AssuranceLevel, Clock};
use store::{Account, AccountId, NewSession, Session, Store};
use time::Duration;
use uuid::Uuid;

use crate::FlowError;
use crate::config::SessionLimits;
use crate::context::Client;
use crate::random::Randomness;
use crate::secrets::{decode_token, encode_token, sha256};

/// A session just opened: the token is shown once, to be set as a cookie or returned to an app.
#[derive(Debug, Clone)]
pub struct IssuedSession {
    pub token: String,
    pub session: Session,
}

pub struct Sessions {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    random: Arc<dyn Randomness>,
    limits: SessionLimits,
}

impl Sessions {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        random: Arc<dyn Randomness>,
        limits: SessionLimits,
    ) -> Self {
        Self {
            store,
            clock,
            random,
            limits,
        }
    }

    pub async fn open(
        &self,
        account: AccountId,
        acr: AssuranceLevel,
        amr: &[&str],
        client: &Client,
    ) -> Result<IssuedSession, FlowError> {
        let now = self.clock.now();
        let token = self.random.token();
        let session = self
            .store
            .create_session(
                &NewSession {
                    id: Uuid::new_v4(),
                    token_hash: sha256(&token),
                    account_id: account,
                    acr,
                    amr: amr.iter().map(|method| (*method).to_owned()).collect(),
                    auth_time: now,
                    client_ip: client.address.clone(),
                    user_agent: client.user_agent.clone(),
                    idle_expires_at: now + self.idle(),
                    absolute_expires_at: now + Duration::seconds(self.limits.absolute_timeout_secs),
                },
                now,
            )
            .await?;
        Ok(IssuedSession {
            token: encode_token(&token),
            session,
        })
    }

    /// The live session and its active account for a token, recording the activity.
    pub async fn authenticate(&self, token: &str) -> Result<Option<(Session, Account)>, FlowError> {
        let Some((session, account)) = self.lookup(token).await? else {
            return Ok(None);
        };
        self.record_activity(&session).await?;
        Ok(Some((session, account)))
    }

    /// The live session and its active account for a token, read only: what a page needs to
    /// show who is signed in, without a write per page view.
    pub async fn lookup(&self, token: &str) -> Result<Option<(Session, Account)>, FlowError> {
        let Some(token) = decode_token(token) else {
            return Ok(None);
        };
        let now = self.clock.now();
        let Some(session) = self
            .store
            .session_by_token_hash(&sha256(&token), now)
            .await?
        else {
            return Ok(None);
        };
        let Some(account) = self.store.account(session.account_id).await? else {
            return Ok(None);
        };
        if account.status != AccountStatus::Active {
            return Ok(None);
        }
        Ok(Some((session, account)))
    }

    /// Records that `session` (just looked up) is in use, extending its idle expiry.
    pub async fn record_activity(&self, session: &Session) -> Result<(), FlowError> {
        let now = self.clock.now();
        // Activity is recorded at most once a minute: a write per request costs more than a
        // minute's precision on a 30-minute idle timeout is worth.
        if now - session.last_seen_at >= Duration::minutes(1) {
            self.store
                .touch_session(session.id, now + self.idle(), now)
                .await?;
        }
        Ok(())
    }

    pub async fn end(&self, session: Uuid) -> Result<(), FlowError> {
        self.store.revoke_session(session, self.clock.now()).await?;
        Ok(())
    }

    pub async fn end_others(&self, account: AccountId, keep: Uuid) -> Result<u64, FlowError> {
        Ok(self
            .store
            .revoke_sessions_of_account(account, Some(keep), self.clock.now())
            .await?)
    }

    pub async fn live(&self, account: AccountId) -> Result<Vec<Session>, FlowError> {
        Ok(self.store.live_sessions(account, self.clock.now()).await?)
    }

    fn idle(&self) -> Duration {
        Duration::seconds(self.limits.idle_timeout_secs)
    }
}
