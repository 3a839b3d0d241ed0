//! Authentication requests waiting for the person, and their expiry.
//!
//! ```text
//!   create ──▶ AwaitingPerson ◀──── wrong PIN, token error (release)
//!                 │      │ claim (CSRF token right)
//!                 │      ▼
//!                 │   Signing ──── signed ──────────▶ Signed  ──┐
//!                 │      └──────── PIN locked ──────▶ Failed  ──┤ delivered once to
//!                 └── cancel ───────────────────────▶ Failed  ──┘ the creating origin, then gone
//!   every state: gone 5 minutes after create; a new request from the same origin replaces it
//! ```

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use subtle::ConstantTimeEq;
use time::{Duration, OffsetDateTime};

use crate::pages::Lang;
use crate::web_eid::{AuthToken, Nonce, Origin};

/// How long a request waits for the person (Web eID's recommended nonce lifetime).
pub const LIFETIME: Duration = Duration::minutes(5);

/// Where "now" comes from; tests move it by hand.
pub trait Clock: Send + Sync {
    fn now(&self) -> OffsetDateTime;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// Why a request ended without a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    Cancelled,
    PinLocked,
}

impl Failure {
    pub fn code(self) -> &'static str {
        match self {
            Self::Cancelled => "user_cancelled",
            Self::PinLocked => "pin_locked",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Self::Cancelled => "the person cancelled in the agent",
            Self::PinLocked => "the PIN of the token is locked",
        }
    }
}

#[derive(Clone, Debug)]
enum State {
    AwaitingPerson,
    Signing,
    Signed(Box<AuthToken>),
    Failed(Failure),
}

#[derive(Clone, Debug)]
struct Request {
    origin: Origin,
    nonce: Nonce,
    lang: Lang,
    csrf: String,
    created: OffsetDateTime,
    state: State,
}

/// What the confirm page needs of a request.
#[derive(Clone, Debug)]
pub struct Pending {
    pub origin: Origin,
    pub nonce: Nonce,
    pub lang: Lang,
    pub csrf: String,
}

/// The answer to the portal's poll.
#[derive(Debug, PartialEq, Eq)]
pub enum Poll {
    /// Unknown, expired or already delivered.
    Gone,
    /// Created by another origin: not yours to read.
    OtherOrigin,
    Pending,
    Signed(Box<AuthToken>),
    Failed(Failure),
}

/// Why the confirm form was not accepted.
#[derive(Debug, PartialEq, Eq)]
pub enum ClaimError {
    Gone,
    BadCsrf,
    /// Already being signed, signed or ended.
    NotAwaiting,
}

#[derive(Default)]
pub struct Requests {
    by_id: Mutex<HashMap<String, Request>>,
}

impl Requests {
    /// Starts a request and returns its id; an earlier request of the same origin ends.
    pub fn create(
        &self,
        origin: Origin,
        nonce: Nonce,
        lang: Lang,
        now: OffsetDateTime,
    ) -> Result<String, aws_lc_rs::error::Unspecified> {
        let id = random_token()?;
        let csrf = random_token()?;
        let mut map = self.lock();
        map.retain(|_, r| !expired(r, now) && r.origin != origin);
        map.insert(
            id.clone(),
            Request {
                origin,
                nonce,
                lang,
                csrf,
                created: now,
                state: State::AwaitingPerson,
            },
        );
        Ok(id)
    }

    /// The request the person is looking at, while it still awaits them.
    pub fn pending(&self, id: &str, now: OffsetDateTime) -> Option<Pending> {
        let map = self.lock();
        let request = map.get(id).filter(|r| !expired(r, now))?;
        matches!(request.state, State::AwaitingPerson).then(|| Pending {
            origin: request.origin.clone(),
            nonce: request.nonce.clone(),
            lang: request.lang,
            csrf: request.csrf.clone(),
        })
    }

    /// Takes the request for signing when the form's CSRF token is right, so a second
    /// submission cannot sign twice.
    pub fn claim(&self, id: &str, csrf: &str, now: OffsetDateTime) -> Result<Pending, ClaimError> {
        let mut map = self.lock();
        let request = map
            .get_mut(id)
            .filter(|r| !expired(r, now))
            .ok_or(ClaimError::Gone)?;
        if !bool::from(request.csrf.as_bytes().ct_eq(csrf.as_bytes())) {
            return Err(ClaimError::BadCsrf);
        }
        if !matches!(request.state, State::AwaitingPerson) {
            return Err(ClaimError::NotAwaiting);
        }
        request.state = State::Signing;
        Ok(Pending {
            origin: request.origin.clone(),
            nonce: request.nonce.clone(),
            lang: request.lang,
            csrf: request.csrf.clone(),
        })
    }

    /// Gives a claimed request back to the person (wrong PIN, token not found).
    pub fn release(&self, id: &str) {
        self.set_state_if_signing(id, State::AwaitingPerson);
    }

    pub fn signed(&self, id: &str, token: AuthToken) {
        self.set_state_if_signing(id, State::Signed(Box::new(token)));
    }

    pub fn failed(&self, id: &str, failure: Failure) {
        if let Some(request) = self.lock().get_mut(id) {
            request.state = State::Failed(failure);
        }
    }

    /// The portal's poll; a final answer is given once, then the request is gone.
    pub fn poll(&self, id: &str, origin: &Origin, now: OffsetDateTime) -> Poll {
        let mut map = self.lock();
        let Some(request) = map.get(id).filter(|r| !expired(r, now)) else {
            map.remove(id);
            return Poll::Gone;
        };
        if request.origin != *origin {
            return Poll::OtherOrigin;
        }
        match &request.state {
            State::AwaitingPerson | State::Signing => Poll::Pending,
            State::Signed(_) | State::Failed(_) => match map.remove(id).map(|r| r.state) {
                Some(State::Signed(token)) => Poll::Signed(token),
                Some(State::Failed(failure)) => Poll::Failed(failure),
                _ => Poll::Gone,
            },
        }
    }

    fn set_state_if_signing(&self, id: &str, state: State) {
        if let Some(request) = self.lock().get_mut(id)
            && matches!(request.state, State::Signing)
        {
            request.state = state;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Request>> {
        self.by_id.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn expired(request: &Request, now: OffsetDateTime) -> bool {
    now >= request.created + LIFETIME
}

/// 256 random bits, URL-safe: request ids and CSRF tokens.
fn random_token() -> Result<String, aws_lc_rs::error::Unspecified> {
    let mut bytes = [0u8; 32];
    SystemRandom::new().fill(&mut bytes)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

#[cfg(test)]
mod tests;
