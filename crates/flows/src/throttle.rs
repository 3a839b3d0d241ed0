//! Attempt counting for sign-in and recovery, in fixed windows kept in the store so that it
//! holds across nodes and restarts. Each attempt is counted before any password is checked, so
//! concurrent guesses cannot slip past the limit.

use std::sync::Arc;

use store::Store;
use time::{Duration, OffsetDateTime};

use crate::FlowError;
use crate::config::ThrottleLimits;

/// What the next attempt may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    Open,
    /// Only with a solved captcha.
    CaptchaRequired,
    /// Not at all until the window ends.
    Blocked {
        retry_after: Duration,
    },
}

pub struct Throttle {
    store: Arc<dyn Store>,
    limits: ThrottleLimits,
}

impl Throttle {
    pub fn new(store: Arc<dyn Store>, limits: ThrottleLimits) -> Self {
        Self { store, limits }
    }

    /// Counts an attempt of `action` ("sign_in", "recovery") on `account_key` from `address`
    /// and says what it may do.
    pub async fn attempt(
        &self,
        action: &str,
        account_key: &str,
        address: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<Gate, FlowError> {
        let window = Duration::seconds(self.limits.window_secs.max(1));
        let start = window_start(now, window);
        let expires = start + window;
        let per_account = self
            .store
            .hit(&format!("{action}:account:{account_key}"), start, expires)
            .await?;
        let per_address = match address {
            Some(address) => {
                self.store
                    .hit(&format!("{action}:address:{address}"), start, expires)
                    .await?
            }
            None => 0,
        };
        let limits = &self.limits;
        Ok(
            if per_account > limits.block_after_per_account
                || per_address > limits.block_after_per_address
            {
                Gate::Blocked {
                    retry_after: expires - now,
                }
            } else if per_account > limits.captcha_after_per_account
                || per_address > limits.captcha_after_per_address
            {
                Gate::CaptchaRequired
            } else {
                Gate::Open
            },
        )
    }

    /// Whether the next attempt will need the captcha, without counting one.
    pub async fn next_needs_captcha(
        &self,
        action: &str,
        account_key: &str,
        address: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<bool, FlowError> {
        let window = Duration::seconds(self.limits.window_secs.max(1));
        let start = window_start(now, window);
        let per_account = self
            .store
            .hits(&format!("{action}:account:{account_key}"), start)
            .await?;
        let per_address = match address {
            Some(address) => {
                self.store
                    .hits(&format!("{action}:address:{address}"), start)
                    .await?
            }
            None => 0,
        };
        Ok(per_account >= self.limits.captcha_after_per_account
            || per_address >= self.limits.captcha_after_per_address)
    }

    /// Counts one event against a daily cap (SMS per phone); true while within it.
    pub async fn within_daily_cap(
        &self,
        key: &str,
        cap: i64,
        now: OffsetDateTime,
    ) -> Result<bool, FlowError> {
        let day = Duration::days(1);
        let start = window_start(now, day);
        Ok(self.store.hit(key, start, start + day).await? <= cap)
    }
}

fn window_start(now: OffsetDateTime, window: Duration) -> OffsetDateTime {
    let seconds = window.whole_seconds().max(1);
    let start = now.unix_timestamp().div_euclid(seconds) * seconds;
    OffsetDateTime::from_unix_timestamp(start).unwrap_or(now)
}
