//! Attempt counting in fixed windows kept in the store, so that it holds across nodes and
//! restarts. Each attempt is counted before any password is checked, so concurrent guesses
//! cannot slip past the limit.
//!
//! Who can spend a limit decides its shape (NIST SP 800-63B 5.2.2: rate limiting must not let
//! an attacker deny service):
//! - per (account, device) for a device that signed in to the account before, else per
//!   (account, address): the attacker's own budget; past it, that device or address waits;
//! - per account, all devices together: only raises the captcha, which the holder can solve;
//! - per address (a carrier's NAT serves thousands): only raises the captcha, never refuses;
//! - consecutive failures per account, over any time: past the ceiling (≤ 100) only recovery
//!   unlocks it, except on a device that signed in to the account before.
//!   A device that signed in to the account before is exempt from the account and address
//!   limits: the holder's phone keeps working while strangers guess elsewhere.

use std::sync::Arc;

use store::{StepWrite, Store};
use time::{Duration, OffsetDateTime};

use crate::config::{CaptchaConfig, ThrottleLimits};
use crate::error::FlowError;

/// What is being attempted; part of every counter's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThrottleAction {
    SignIn,
    Recovery,
    /// The password asked again on the account pages.
    PasswordCheck,
    /// Identity checks against the national registries while registering.
    Registration,
    /// Cancel codes of lost-phone changes.
    PhoneChangeCancel,
    /// OTP codes (refusals are recorded; the codes' own attempt limits live with them).
    Otp,
}

impl ThrottleAction {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::SignIn => "sign_in",
            Self::Recovery => "recovery",
            Self::PasswordCheck => "password_check",
            Self::Registration => "registration",
            Self::PhoneChangeCancel => "phone_change_cancel",
            Self::Otp => "otp",
        }
    }
}

/// The counters' keys, built in one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ThrottleKey<'a> {
    Account(ThrottleAction, &'a str),
    AccountDevice(ThrottleAction, &'a str, &'a str),
    AccountAddress(ThrottleAction, &'a str, &'a str),
    Address(ThrottleAction, &'a str),
    /// Consecutive failures of an account, reset by a success.
    Failures(&'a str),
    /// SMS a phone received today, by who asked: the holder signing in, or anyone.
    SmsForSignIn(&'a str),
    SmsForAnyone(&'a str),
    /// SMS anonymous requests (registration, recovery) sent from one address today.
    SmsFromAddress(&'a str),
    /// OTP phones an account added today.
    PhonesAdded(&'a str),
    /// Signing requests pushed to a phone today: from one address, and in all.
    PushesFrom(&'a str, &'a str),
    PushesTo(&'a str),
    /// Invitations an organisation sent today.
    Invitations(&'a str),
}

impl ThrottleKey<'_> {
    pub fn text(&self) -> String {
        match self {
            Self::Account(action, key) => format!("{}:account:{key}", action.as_str()),
            Self::AccountDevice(action, key, device) => {
                format!("{}:account_device:{key}:{device}", action.as_str())
            }
            Self::AccountAddress(action, key, address) => {
                format!("{}:account_address:{key}:{address}", action.as_str())
            }
            Self::Address(action, address) => format!("{}:address:{address}", action.as_str()),
            Self::Failures(key) => format!("failures:{key}"),
            Self::SmsForSignIn(phone) => format!("sms:sign_in:{phone}"),
            Self::SmsForAnyone(phone) => format!("sms:anyone:{phone}"),
            Self::SmsFromAddress(address) => format!("sms:address:{address}"),
            Self::PhonesAdded(account) => format!("phones_added:{account}"),
            Self::PushesFrom(phone, address) => format!("pushes:from:{phone}:{address}"),
            Self::PushesTo(phone) => format!("pushes:to:{phone}"),
            Self::Invitations(organisation) => format!("invitations:{organisation}"),
        }
    }
}

/// Who is attempting: the account's key, and the device and address it comes from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Attempt<'a> {
    pub action: ThrottleAction,
    pub account: &'a str,
    /// The device cookie's id, when the browser or app has one.
    pub device: Option<&'a str>,
    pub address: Option<&'a str>,
    /// The device signed in to this account before.
    pub known_device: bool,
}

/// What the next attempt may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    Open,
    /// Only with a solved captcha.
    CaptchaRequired,
    /// Only with a solved captcha of ten times the work: an address past its block limit is
    /// slowed, never refused (it may be a carrier's NAT).
    SlowCaptcha,
    /// Not at all until the window ends.
    Blocked {
        retry_after: Duration,
    },
    /// Too many consecutive failures: only recovery (a new password) opens the account again.
    RecoveryOnly,
}

/// How much work the captcha the next attempt needs must cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum CaptchaWork {
    Normal,
    /// Ten times the work: the address is past its block limit (see `Gate::SlowCaptcha`).
    Slow,
}

impl CaptchaWork {
    /// The proof of work's `max_number` for this level.
    pub(crate) fn max_number(self, config: &CaptchaConfig) -> u64 {
        match self {
            Self::Normal => config.max_number,
            Self::Slow => config.max_number.saturating_mul(10),
        }
    }
}

/// The long-term ceiling of consecutive failures (NIST SP 800-63B: at most 100).
const CONSECUTIVE_FAILURE_CEILING: i64 = 100;
/// Consecutive failures are remembered this long without a success.
const FAILURE_MEMORY_DAYS: i64 = 365;

pub struct Throttle {
    store: Arc<dyn Store>,
    limits: ThrottleLimits,
}

impl Throttle {
    pub fn new(store: Arc<dyn Store>, limits: ThrottleLimits) -> Self {
        Self { store, limits }
    }

    /// Counts an attempt — on its own budget, the account's and the address's, in one
    /// transaction — and says what it may do.
    pub(crate) async fn attempt(
        &self,
        attempt: &Attempt<'_>,
        now: OffsetDateTime,
    ) -> Result<Gate, FlowError> {
        let (start, expires) = self.window(now);
        let limits = &self.limits;
        let mut keys = vec![own_key(attempt).text()];
        if !attempt.known_device {
            keys.push(ThrottleKey::Account(attempt.action, attempt.account).text());
            if let Some(address) = attempt.address {
                keys.push(ThrottleKey::Address(attempt.action, address).text());
            }
        }
        let counts = self.store.hit_all(&keys, start, expires).await?;
        let count = |index: usize| counts.get(index).copied().unwrap_or(0);
        let (own, account, address) = (count(0), count(1), count(2));
        if own > limits.block_after_per_account {
            return Ok(Gate::Blocked {
                retry_after: expires - now,
            });
        }
        if attempt.known_device {
            return Ok(if own > limits.captcha_after_per_account {
                Gate::CaptchaRequired
            } else {
                Gate::Open
            });
        }
        if self.failures(attempt.account).await? >= CONSECUTIVE_FAILURE_CEILING {
            return Ok(Gate::RecoveryOnly);
        }
        Ok(if address > limits.block_after_per_address {
            Gate::SlowCaptcha
        } else if own > limits.captcha_after_per_account
            || account > limits.block_after_per_account
            || address > limits.captcha_after_per_address
        {
            Gate::CaptchaRequired
        } else {
            Gate::Open
        })
    }

    /// The captcha the next attempt from this device or address will need, without counting
    /// one — so the page can show it before the submit that needs it.
    pub(crate) async fn next_needs_captcha(
        &self,
        attempt: &Attempt<'_>,
        now: OffsetDateTime,
    ) -> Result<Option<CaptchaWork>, FlowError> {
        let (start, _) = self.window(now);
        let own = self.store.hits(&own_key(attempt).text(), start).await?;
        let own_needs =
            (own >= self.limits.captcha_after_per_account).then_some(CaptchaWork::Normal);
        if attempt.known_device {
            return Ok(own_needs);
        }
        let address = match attempt.address {
            Some(address) => {
                self.address_needs_captcha(attempt.action, address, now)
                    .await?
            }
            None => None,
        };
        Ok(address.max(own_needs))
    }

    /// The captcha the next attempt from `address` needs because of the address alone:
    /// before the first submit, when the person is not known yet.
    pub(crate) async fn address_needs_captcha(
        &self,
        action: ThrottleAction,
        address: &str,
        now: OffsetDateTime,
    ) -> Result<Option<CaptchaWork>, FlowError> {
        let (start, _) = self.window(now);
        let hits = self
            .store
            .hits(&ThrottleKey::Address(action, address).text(), start)
            .await?;
        Ok(if hits >= self.limits.block_after_per_address {
            Some(CaptchaWork::Slow)
        } else if hits >= self.limits.captcha_after_per_address {
            Some(CaptchaWork::Normal)
        } else {
            None
        })
    }

    /// A wrong password: one more consecutive failure for the account.
    pub(crate) async fn failed(&self, account: &str, now: OffsetDateTime) -> Result<(), FlowError> {
        let (start, expires) = failure_window(now);
        self.store
            .hit(&ThrottleKey::Failures(account).text(), start, expires)
            .await?;
        Ok(())
    }

    /// A right password: the consecutive failures and this device's or address's own count
    /// start again, so successful sign-ins never lead to a captcha — the write that resets
    /// them, to commit with the step.
    pub(crate) fn succeeded(attempt: &Attempt<'_>) -> StepWrite {
        StepWrite::ForgetHits {
            keys: vec![
                ThrottleKey::Failures(attempt.account).text(),
                own_key(attempt).text(),
            ],
        }
    }

    /// A new password through recovery: the consecutive failures are forgotten.
    pub(crate) async fn recovered(&self, account: &str) -> Result<(), FlowError> {
        Ok(self
            .store
            .reset_hits(&[ThrottleKey::Failures(account).text()])
            .await?)
    }

    async fn failures(&self, account: &str) -> Result<i64, FlowError> {
        Ok(self
            .store
            .hits(
                &ThrottleKey::Failures(account).text(),
                OffsetDateTime::UNIX_EPOCH,
            )
            .await?)
    }

    /// Counts one event against a daily cap; true while within it.
    pub(crate) async fn within_daily_cap(
        &self,
        key: &ThrottleKey<'_>,
        cap: i64,
        now: OffsetDateTime,
    ) -> Result<bool, FlowError> {
        let day = Duration::days(1);
        let start = window_start(now, day);
        Ok(self.store.hit(&key.text(), start, start + day).await? <= cap)
    }

    /// Today's count of `key`.
    pub(crate) async fn daily_count(
        &self,
        key: &str,
        now: OffsetDateTime,
    ) -> Result<i64, FlowError> {
        let start = window_start(now, Duration::days(1));
        Ok(self.store.hits(key, start).await?)
    }

    /// Counts one event of today on `key`.
    pub(crate) async fn count_daily(
        &self,
        key: &str,
        now: OffsetDateTime,
    ) -> Result<(), FlowError> {
        let day = Duration::days(1);
        let start = window_start(now, day);
        self.store.hit(key, start, start + day).await?;
        Ok(())
    }

    fn window(&self, now: OffsetDateTime) -> (OffsetDateTime, OffsetDateTime) {
        let window = Duration::seconds(self.limits.window_secs.max(1));
        let start = window_start(now, window);
        (start, start + window)
    }
}

/// The attempt's own budget: a known device's own, or else its address's. A device the account
/// has not seen counts by its address: new device tokens are free to get, so they must not
/// buy new budgets.
fn own_key<'a>(attempt: &Attempt<'a>) -> ThrottleKey<'a> {
    match (attempt.known_device, attempt.device, attempt.address) {
        (true, Some(device), _) => {
            ThrottleKey::AccountDevice(attempt.action, attempt.account, device)
        }
        (_, _, Some(address)) => {
            ThrottleKey::AccountAddress(attempt.action, attempt.account, address)
        }
        (_, _, None) => ThrottleKey::Account(attempt.action, attempt.account),
    }
}

fn failure_window(now: OffsetDateTime) -> (OffsetDateTime, OffsetDateTime) {
    // One long window: the count runs until a success resets it.
    let start = OffsetDateTime::UNIX_EPOCH;
    (start, now + Duration::days(FAILURE_MEMORY_DAYS))
}

fn window_start(now: OffsetDateTime, window: Duration) -> OffsetDateTime {
    let seconds = window.whole_seconds().max(1);
    let start = now.unix_timestamp().div_euclid(seconds) * seconds;
    OffsetDateTime::from_unix_timestamp(start).unwrap_or(now)
}
