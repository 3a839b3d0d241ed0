//! One-time codes by SMS: 6 digits from the injected CSPRNG, stored as a MAC bound to the flow
//! and purpose (a sign-in code is refused by the phone change), single use, attempt-limited,
//! resent only after a cooldown and a bounded number of times, under a daily cap per phone.

use std::sync::Arc;

use connectors::SmsGateway;
use domain::{Clock, PhoneNumber};
use serde::{Deserialize, Serialize};
use store::{NewOtpChallenge, OtpChallenge, ResendLimit, StepWrite, Store};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::config::OtpLimits;
use crate::context::Client;
use crate::error::FlowError;
use crate::notices;
use crate::problem::Problem;
pub use crate::purpose::OtpPurpose;
use crate::throttle::{Throttle, ThrottleKey};
use domain::digest::{MacKey, equal};
use domain::random::Randomness;

/// A code sent and where it went, as a flow remembers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentOtp {
    pub challenge: Uuid,
    pub phone: PhoneNumber,
    pub sent_at: OffsetDateTime,
    /// Sends in this flow so far, resends and other phones included.
    pub sends: i32,
    /// Sends of this challenge as the flow last saw them (the store's compare-and-set).
    #[serde(default = "one")]
    pub challenge_sends: i32,
}

fn one() -> i32 {
    1
}

impl SentOtp {
    /// The write that uses this code up, to commit with the step an accepted code moves on.
    pub(crate) fn used(&self) -> StepWrite {
        StepWrite::ConsumeOtp { id: self.challenge }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtpCheck {
    Accepted,
    Wrong {
        attempts_left: i32,
    },
    /// Too many wrong codes: a new one must be sent.
    Exhausted,
    Expired,
}

pub struct Otps {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) sms: Arc<dyn SmsGateway>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) random: Arc<dyn Randomness>,
    pub(crate) mac: MacKey,
    pub(crate) limits: OtpLimits,
    pub(crate) throttle: Arc<Throttle>,
}

impl Otps {
    /// Sends a new code to `phone`. `previous` is the flow's last send, whose count this one
    /// continues (choosing another phone is a resend too, so it cannot buy more attempts).
    pub async fn send(
        &self,
        flow: Uuid,
        purpose: OtpPurpose,
        phone: &PhoneNumber,
        client: &Client,
    ) -> Result<Result<SentOtp, Problem>, FlowError> {
        self.send_after(flow, purpose, phone, client, None).await
    }

    /// "Chọn phương thức xác thực khác": the code goes to another of the account's phones
    /// instead. It counts as a resend of the flow (it cannot buy more codes) but waits for no
    /// cooldown: the person may not have the first phone at hand.
    pub async fn send_other_phone(
        &self,
        flow: Uuid,
        purpose: OtpPurpose,
        phone: &PhoneNumber,
        client: &Client,
        previous: &SentOtp,
    ) -> Result<Result<SentOtp, Problem>, FlowError> {
        self.send_after(flow, purpose, phone, client, Some(previous))
            .await
    }

    async fn send_after(
        &self,
        flow: Uuid,
        purpose: OtpPurpose,
        phone: &PhoneNumber,
        client: &Client,
        previous: Option<&SentOtp>,
    ) -> Result<Result<SentOtp, Problem>, FlowError> {
        let now = self.clock.now();
        if previous.is_some_and(|previous| self.resends_left(previous) == 0) {
            return Ok(Err(Problem::form("otp.resend_limit")));
        }
        // The claim comes first: of parallel requests only the one that wins it spends the SMS
        // budget.
        if let Some(previous) = previous {
            let limit = ResendLimit {
                expected_sends: previous.challenge_sends,
                sent_before: now,
            };
            if !self
                .store
                .claim_otp_send(previous.challenge, limit, now)
                .await?
            {
                return Ok(Err(Problem::form("otp.resend_limit")));
            }
        }
        if let Err(problem) = self.within_sms_caps(purpose, phone, client, now).await? {
            return Ok(Err(problem));
        }
        let code = self.random.otp_code();
        let challenge = self
            .store
            .create_otp(
                &NewOtpChallenge {
                    id: Uuid::new_v4(),
                    flow_id: flow,
                    purpose: purpose.as_str().to_owned(),
                    phone: phone.clone(),
                    code_mac: self.mac_of(flow, purpose, &code).to_vec(),
                    max_attempts: self.limits.max_attempts,
                    expires_at: now + Duration::seconds(self.limits.lifetime_secs),
                },
                now,
            )
            .await?;
        if let Err(problem) = self.deliver(phone, purpose, &code).await {
            return Ok(Err(problem));
        }
        Ok(Ok(SentOtp {
            challenge: challenge.id,
            phone: phone.clone(),
            sent_at: now,
            sends: previous.map_or(1, |previous| previous.sends + 1),
            challenge_sends: 1,
        }))
    }

    /// A new code on the same challenge, with a new attempt budget: same phone. Of concurrent
    /// resends only one goes out (the store compares the sends it last saw).
    pub async fn resend(
        &self,
        flow: Uuid,
        purpose: OtpPurpose,
        sent: &SentOtp,
        client: &Client,
    ) -> Result<Result<SentOtp, Problem>, FlowError> {
        let now = self.clock.now();
        if let Err(problem) = self.may_resend(sent, now) {
            return Ok(Err(problem));
        }
        let code = self.random.otp_code();
        let mac = self.mac_of(flow, purpose, &code);
        let expires = now + Duration::seconds(self.limits.lifetime_secs);
        let limit = ResendLimit {
            expected_sends: sent.challenge_sends,
            sent_before: now - Duration::seconds(self.limits.resend_after_secs),
        };
        let Some(reissued) = self
            .store
            .reissue_otp(sent.challenge, &mac, expires, limit, now)
            .await?
        else {
            return Ok(Err(Problem::form("otp.resend_too_soon")
                .retry_after(Duration::seconds(self.limits.resend_after_secs))));
        };
        // Only the resend that won the compare-and-set spends the SMS budget.
        if let Err(problem) = self
            .within_sms_caps(purpose, &sent.phone, client, now)
            .await?
        {
            return Ok(Err(problem));
        }
        if let Err(problem) = self.deliver(&sent.phone, purpose, &code).await {
            return Ok(Err(problem));
        }
        Ok(Ok(SentOtp {
            sent_at: now,
            sends: sent.sends + 1,
            challenge_sends: reissued.sends,
            ..sent.clone()
        }))
    }

    pub async fn check(
        &self,
        flow: Uuid,
        purpose: OtpPurpose,
        sent: &SentOtp,
        code: &str,
    ) -> Result<OtpCheck, FlowError> {
        let now = self.clock.now();
        let Some(challenge) = self.store.take_otp_attempt(sent.challenge, now).await? else {
            return self.why_closed(sent.challenge, now).await;
        };
        let typed: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        let expected = self.mac_of(flow, purpose, &typed);
        let bound = challenge.flow_id == flow && challenge.purpose == purpose.as_str();
        // Right: the caller commits `SentOtp::used` with the step it moves on, which uses
        // the code up (single use) in the same transaction.
        if bound && equal(&expected, &challenge.code_mac) {
            return Ok(OtpCheck::Accepted);
        }
        Ok(match challenge.max_attempts - challenge.attempts {
            0 => OtpCheck::Exhausted,
            left => OtpCheck::Wrong {
                attempts_left: left,
            },
        })
    }

    /// When the next send is allowed, for the countdown on the page.
    pub fn resend_at(&self, sent: &SentOtp) -> OffsetDateTime {
        sent.sent_at + Duration::seconds(self.limits.resend_after_secs)
    }

    pub fn resends_left(&self, sent: &SentOtp) -> i32 {
        (self.limits.max_resends + 1 - sent.sends).max(0)
    }

    fn may_resend(&self, sent: &SentOtp, now: OffsetDateTime) -> Result<(), Problem> {
        if self.resends_left(sent) == 0 {
            return Err(Problem::form("otp.resend_limit"));
        }
        let at = self.resend_at(sent);
        if now < at {
            return Err(Problem::form("otp.resend_too_soon").retry_after(at - now));
        }
        Ok(())
    }

    /// Daily SMS caps, by who can spend them: a holder who proved the password has a budget
    /// per phone that strangers cannot touch; anonymous requests (registration, recovery) have
    /// their own, smaller one per phone and one per requesting address.
    async fn within_sms_caps(
        &self,
        purpose: OtpPurpose,
        phone: &PhoneNumber,
        client: &Client,
        now: OffsetDateTime,
    ) -> Result<Result<(), Problem>, FlowError> {
        let throttle = &self.throttle;
        if !purpose.anonymous() {
            let key = ThrottleKey::SmsForSignIn(phone.e164());
            let within = throttle
                .within_daily_cap(&key, self.limits.max_sms_per_phone_per_day, now)
                .await?;
            return Ok(within.then_some(()).ok_or(Problem::form("sms.daily_limit")));
        }
        if let Some(address) = client.address.as_deref() {
            let key = ThrottleKey::SmsFromAddress(address);
            let cap = self.limits.max_anonymous_sms_per_address_per_day;
            if !throttle.within_daily_cap(&key, cap, now).await? {
                return Ok(Err(Problem::form("sms.daily_limit")));
            }
        }
        let key = ThrottleKey::SmsForAnyone(phone.e164());
        let cap = self.limits.max_anonymous_sms_per_phone_per_day;
        let within = throttle.within_daily_cap(&key, cap, now).await?;
        Ok(within.then_some(()).ok_or(Problem::form("sms.daily_limit")))
    }

    async fn deliver(
        &self,
        phone: &PhoneNumber,
        purpose: OtpPurpose,
        code: &str,
    ) -> Result<(), Problem> {
        let minutes = (self.limits.lifetime_secs / 60).max(1);
        match self
            .sms
            .send(phone, &notices::otp(purpose, code, minutes))
            .await
        {
            Ok(_) => Ok(()),
            Err(error) => {
                tracing::warn!(%error, phone = %phone.masked(), "OTP SMS not delivered");
                Err(Problem::form("sms.unavailable"))
            }
        }
    }

    async fn why_closed(&self, id: Uuid, now: OffsetDateTime) -> Result<OtpCheck, FlowError> {
        let challenge: Option<OtpChallenge> = self.store.otp(id).await?;
        Ok(match challenge {
            Some(challenge) if challenge.consumed_at.is_none() && challenge.expires_at <= now => {
                OtpCheck::Expired
            }
            Some(_) => OtpCheck::Exhausted,
            None => OtpCheck::Expired,
        })
    }

    fn mac_of(&self, flow: Uuid, purpose: OtpPurpose, code: &str) -> [u8; 32] {
        self.mac.sign(&[
            flow.as_bytes(),
            purpose.as_str().as_bytes(),
            code.as_bytes(),
        ])
    }
}

/// A code that was not accepted, as the person sees it.
pub(crate) fn otp_refusal(check: OtpCheck) -> Problem {
    match check {
        OtpCheck::Wrong { attempts_left } => {
            Problem::field("code", "otp.wrong").attempts_left(attempts_left)
        }
        OtpCheck::Exhausted => Problem::field("code", "otp.exhausted"),
        OtpCheck::Expired | OtpCheck::Accepted => Problem::field("code", "otp.expired"),
    }
}
