//! Signed-in sessions: a 256-bit random token goes to the browser (or app), its SHA-256 to the
//! store, with idle and absolute expiry and the assurance of the sign-in that made it.

use std::sync::Arc;

use domain::{AccountStatus, AssuranceLevel, AuthMethod, Clock};
use store::{Account, AccountId, NewSession, Session, StepWrite, Store};
use time::Duration;
use uuid::Uuid;

use crate::config::SessionLimits;
use crate::context::Client;
use crate::error::FlowError;
use domain::digest::{decode_token, encode_token, sha256};
use domain::random::Randomness;

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

    /// Opens a session at once (a password change re-issues the one in use).
    pub async fn open(
        &self,
        account: AccountId,
        acr: AssuranceLevel,
        amr: &[String],
        client: &Client,
    ) -> Result<IssuedSession, FlowError> {
        let (issued, new) = self.new_session(account, acr, amr.to_vec(), client);
        let session = self.store.create_session(&new, self.clock.now()).await?;
        Ok(IssuedSession {
            token: issued.token,
            session,
        })
    }

    /// A session for a sign-in, as the write its flow step commits with the rest.
    pub(crate) fn prepare(
        &self,
        account: AccountId,
        acr: AssuranceLevel,
        amr: &[AuthMethod],
        client: &Client,
    ) -> (IssuedSession, StepWrite) {
        let amr = amr
            .iter()
            .map(|method| method.as_str().to_owned())
            .collect();
        let (issued, new) = self.new_session(account, acr, amr, client);
        (issued, StepWrite::OpenSession(new))
    }

    /// Step-up: the signed-in session keeps its token and gains the new method — its level
    /// becomes the higher of the two, its `amr` the union, its `auth_time` now. `None` when
    /// that session has ended meanwhile or belongs to another account (a new one is opened).
    pub(crate) async fn raise(
        &self,
        id: Uuid,
        account: AccountId,
        level: AssuranceLevel,
        amr: &[AuthMethod],
    ) -> Result<Option<(StepWrite, Session)>, FlowError> {
        let now = self.clock.now();
        let Some(mut session) = self.store.session(id, now).await? else {
            return Ok(None);
        };
        if session.account_id != account {
            return Ok(None);
        }
        session.acr = session.acr.max(level);
        for method in amr {
            if !session.amr.iter().any(|held| held == method.as_str()) {
                session.amr.push(method.as_str().to_owned());
            }
        }
        session.auth_time = now;
        let write = StepWrite::RaiseSession {
            id,
            acr: session.acr,
            amr: session.amr.clone(),
            auth_time: now,
        };
        Ok(Some((write, session)))
    }

    fn new_session(
        &self,
        account: AccountId,
        acr: AssuranceLevel,
        amr: Vec<String>,
        client: &Client,
    ) -> (IssuedSession, NewSession) {
        let now = self.clock.now();
        let token = self.random.token();
        let new = NewSession {
            id: Uuid::new_v4(),
            token_hash: sha256(&token),
            account_id: account,
            acr,
            amr,
            auth_time: now,
            client_ip: client.address.clone(),
            user_agent: client.user_agent.clone(),
            idle_expires_at: now + self.idle(),
            absolute_expires_at: now + Duration::seconds(self.limits.absolute_timeout_secs),
        };
        let session = Session {
            id: new.id,
            account_id: account,
            acr,
            amr: new.amr.clone(),
            auth_time: now,
            client_ip: new.client_ip.clone(),
            user_agent: new.user_agent.clone(),
            created_at: now,
            last_seen_at: now,
            idle_expires_at: new.idle_expires_at,
            absolute_expires_at: new.absolute_expires_at,
        };
        let issued = IssuedSession {
            token: encode_token(&token),
            session,
        };
        (issued, new)
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
