//! The eID provider's engine: what every step shares (store, injected clock and randomness,
//! the SMS gateway, the Argon2id pool, the OTP key and the limits), its errors, and the OTP
//! and SMS-budget helpers the activation and sign-in flows both use. No HTTP here.

use std::sync::Arc;

use connectors::SmsGateway;
use domain::digest::{MacKey, equal};
use domain::random::Randomness;
use domain::{Clock, PhoneNumber};
use flows::Passwords;
use store::{NewOtpChallenge, OtpChallenge, ResendLimit, Store, StoreError};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// The limits and addresses of one provider.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where people reach the provider; the issuer, and the address in the approval SMS.
    pub public_base_url: url::Url,
    /// Mounts the police console (`/sandbox/police`).
    pub sandbox: bool,
    pub flow_lifetime: Duration,
    pub otp_lifetime: Duration,
    pub otp_max_attempts: i32,
    pub otp_resend_after: Duration,
    /// Sends of one code, the first included.
    pub otp_max_sends: i32,
    /// Texts per phone and day that anyone who knows the ID and phone can trigger.
    pub sms_per_phone_per_day: i64,
    pub sms_per_address_per_day: i64,
    /// Activation requests (ID + phone checks) per address and hour: the specific answers of
    /// V2 tell whether an ID has an application, so a stranger may only ask a few.
    pub activation_checks_per_address_per_hour: i64,
    /// Sign-in attempts per address in 15 minutes (password spraying across many IDs).
    pub sign_ins_per_address_per_window: i64,
    /// Wrong passwords or passcodes in a row that lock an account, and for how long.
    pub max_failures: i32,
    pub lock_for: Duration,
    pub session_idle: Duration,
    pub session_absolute: Duration,
}

impl Settings {
    pub fn new(public_base_url: url::Url) -> Self {
        Self {
            public_base_url,
            sandbox: false,
            flow_lifetime: Duration::minutes(15),
            otp_lifetime: Duration::minutes(5),
            otp_max_attempts: 5,
            otp_resend_after: Duration::seconds(60),
            otp_max_sends: 3,
            sms_per_phone_per_day: 5,
            sms_per_address_per_day: 50,
            activation_checks_per_address_per_hour: 30,
            sign_ins_per_address_per_window: 200,
            max_failures: 5,
            lock_for: Duration::minutes(30),
            session_idle: Duration::minutes(30),
            session_absolute: Duration::hours(12),
        }
    }
}

/// Faults: the store, the hashing pool, a damaged flow. Refusals are data (`Refusal`).
#[derive(Debug, thiserror::Error)]
pub enum VneidError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("password hashing failed: {0}")]
    Hashing(#[from] flows::FlowError),
    #[error("stored flow state is unreadable: {0}")]
    State(#[from] serde_json::Error),
    #[error(transparent)]
    Oidc(#[from] oidc::OidcError),
}

/// Who is asking, as the HTTP layer saw it.
#[derive(Debug, Clone, Default)]
pub struct Caller {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// What a step refused, each with its own message (SPEC V2: a specific message per case).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    NoApplication,
    NotApproved,
    PhoneMismatch,
    AlreadyActive,
    AccountLocked,
    TooManyChecks,
    SmsBudget,
    SmsUnavailable,
    WrongOtp { attempts_left: i32 },
    OtpExpired,
    OtpAttemptsUsed,
    ResendTooSoon,
    ResendsUsed,
    FlowGone,
    InvalidCredentials,
    WrongPasscode,
    Password(crate::rules::PasswordRefusal),
    Passcode(crate::rules::PasscodeRefusal),
    Questions(crate::rules::QuestionsRefusal),
}

impl Refusal {
    /// The translation key of the message.
    pub fn key(self) -> &'static str {
        match self {
            Self::NoApplication => "refused-no-application",
            Self::NotApproved => "refused-not-approved",
            Self::PhoneMismatch => "refused-phone-mismatch",
            Self::AlreadyActive => "refused-already-active",
            Self::AccountLocked => "refused-locked",
            Self::TooManyChecks => "refused-too-many-checks",
            Self::SmsBudget => "refused-sms-budget",
            Self::SmsUnavailable => "refused-sms-unavailable",
            Self::WrongOtp { .. } => "refused-wrong-otp",
            Self::OtpExpired => "refused-otp-expired",
            Self::OtpAttemptsUsed => "refused-otp-attempts",
            Self::ResendTooSoon => "refused-resend-too-soon",
            Self::ResendsUsed => "refused-resends-used",
            Self::FlowGone => "refused-flow-gone",
            Self::InvalidCredentials => "refused-credentials",
            Self::WrongPasscode => "refused-wrong-passcode",
            Self::Password(refusal) => refusal.key(),
            Self::Passcode(refusal) => refusal.key(),
            Self::Questions(refusal) => refusal.key(),
        }
    }
}

/// Everything the provider's flows are built from.
pub struct VneidParts {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub random: Arc<dyn Randomness>,
    pub sms: Arc<dyn SmsGateway>,
    pub argon2: flows::Argon2Params,
    /// The server's secret, from which the OTP, CSRF and pairwise keys are derived.
    pub secret: Vec<u8>,
    pub settings: Settings,
}

pub struct Vneid {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) random: Arc<dyn Randomness>,
    pub(crate) sms: Arc<dyn SmsGateway>,
    pub(crate) passwords: Passwords,
    pub(crate) otp_key: MacKey,
    pub(crate) settings: Settings,
}

/// A key for one purpose from the configured secret.
pub fn derive_key(secret: &[u8], purpose: &[u8]) -> Vec<u8> {
    MacKey::new(secret).sign(&[b"vneid key", purpose]).to_vec()
}

impl Vneid {
    pub async fn new(parts: VneidParts) -> Result<Self, VneidError> {
        let passwords = Passwords::new(&parts.argon2, Arc::clone(&parts.random)).await?;
        Ok(Self {
            store: parts.store,
            clock: parts.clock,
            random: parts.random,
            sms: parts.sms,
            passwords,
            otp_key: MacKey::new(&derive_key(&parts.secret, b"otp")),
            settings: parts.settings,
        })
    }

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub(crate) fn otp_mac(&self, otp: Uuid, purpose: &str, code: &str) -> Vec<u8> {
        self.otp_key
            .sign(&[otp.as_bytes(), purpose.as_bytes(), code.as_bytes()])
            .to_vec()
    }

    /// Counts one text to `phone` for `caller`; false when the day's budget of the phone or
    /// of the address is spent. Kept in the store, so every node counts the same.
    pub(crate) async fn spend_sms_budget(
        &self,
        phone: &PhoneNumber,
        caller: &Caller,
    ) -> Result<bool, VneidError> {
        let now = self.now();
        let day = now.replace_time(time::Time::MIDNIGHT);
        let mut keys = vec![format!("vneid:sms:phone:{}", phone.e164())];
        if let Some(ip) = &caller.ip {
            keys.push(format!("vneid:sms:address:{ip}"));
        }
        let counts = self
            .store
            .hit_all(&keys, day, day + Duration::days(1))
            .await?;
        let phone_ok = counts
            .first()
            .is_some_and(|count| *count <= self.settings.sms_per_phone_per_day);
        let address_ok = counts
            .get(1)
            .is_none_or(|count| *count <= self.settings.sms_per_address_per_day);
        Ok(phone_ok && address_ok)
    }

    /// Creates and texts a new code for the flow; the refusal when the budget is spent or the
    /// gateway is down (nothing is sent twice).
    pub(crate) async fn send_new_otp(
        &self,
        flow_id: Uuid,
        purpose: &str,
        phone: &PhoneNumber,
        caller: &Caller,
    ) -> Result<Result<OtpChallenge, Refusal>, VneidError> {
        if !self.spend_sms_budget(phone, caller).await? {
            return Ok(Err(Refusal::SmsBudget));
        }
        let now = self.now();
        let id = Uuid::new_v4();
        let code = self.random.otp_code();
        let challenge = self
            .store
            .create_otp(
                &NewOtpChallenge {
                    id,
                    flow_id,
                    purpose: purpose.to_owned(),
                    phone: phone.clone(),
                    code_mac: self.otp_mac(id, purpose, &code),
                    max_attempts: self.settings.otp_max_attempts,
                    expires_at: now + self.settings.otp_lifetime,
                },
                now,
            )
            .await?;
        if let Err(error) = self.sms.send(phone, &crate::text::otp_sms(&code)).await {
            tracing::warn!(%error, "the SMS gateway did not take the code");
            return Ok(Err(Refusal::SmsUnavailable));
        }
        Ok(Ok(challenge))
    }

    /// Sends the code of `otp` again (a new code, its own attempts), within the limits.
    pub(crate) async fn resend_otp(
        &self,
        otp: Uuid,
        purpose: &str,
        caller: &Caller,
    ) -> Result<Result<(), Refusal>, VneidError> {
        let now = self.now();
        let Some(current) = self.store.otp(otp).await? else {
            return Ok(Err(Refusal::FlowGone));
        };
        if current.sends >= self.settings.otp_max_sends {
            return Ok(Err(Refusal::ResendsUsed));
        }
        if current.last_sent_at + self.settings.otp_resend_after > now {
            return Ok(Err(Refusal::ResendTooSoon));
        }
        if !self.spend_sms_budget(&current.phone, caller).await? {
            return Ok(Err(Refusal::SmsBudget));
        }
        let code = self.random.otp_code();
        let limit = ResendLimit {
            expected_sends: current.sends,
            sent_before: now - self.settings.otp_resend_after,
        };
        let reissued = self
            .store
            .reissue_otp(
                otp,
                &self.otp_mac(otp, purpose, &code),
                now + self.settings.otp_lifetime,
                limit,
                now,
            )
            .await?;
        if reissued.is_none() {
            return Ok(Err(Refusal::ResendTooSoon));
        }
        if let Err(error) = self
            .sms
            .send(&current.phone, &crate::text::otp_sms(&code))
            .await
        {
            tracing::warn!(%error, "the SMS gateway did not take the code");
            return Ok(Err(Refusal::SmsUnavailable));
        }
        Ok(Ok(()))
    }

    /// Spends one attempt at `otp` with `code`; `Ok(())` when it matches (the caller consumes
    /// it with the step it moves on).
    pub(crate) async fn check_otp(
        &self,
        otp: Uuid,
        purpose: &str,
        code: &str,
    ) -> Result<Result<(), Refusal>, VneidError> {
        let now = self.now();
        let Some(challenge) = self.store.take_otp_attempt(otp, now).await? else {
            let known = self.store.otp(otp).await?;
            return Ok(Err(match known {
                Some(challenge) if challenge.expires_at <= now => Refusal::OtpExpired,
                Some(challenge) if challenge.consumed_at.is_none() => Refusal::OtpAttemptsUsed,
                _ => Refusal::FlowGone,
            }));
        };
        let code = code.trim();
        let expected = self.otp_mac(otp, purpose, code);
        if code.len() == 6 && equal(&expected, &challenge.code_mac) {
            Ok(Ok(()))
        } else {
            let left = challenge.max_attempts - challenge.attempts;
            Ok(Err(if left <= 0 {
                Refusal::OtpAttemptsUsed
            } else {
                Refusal::WrongOtp {
                    attempts_left: left,
                }
            }))
        }
    }
}

/// Only the last three digits of a phone are shown back.
pub fn masked(phone: &PhoneNumber) -> String {
    let national = phone.national();
    let tail: String = national
        .chars()
        .rev()
        .take(3)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("*******{tail}")
}
