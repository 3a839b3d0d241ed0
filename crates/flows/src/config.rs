//! The limits of the self-service flows. Every one is configurable (`[flows]` in the server's
//! configuration); the defaults follow NIST SP 800-63B and the portal's published behaviour.

use serde::Deserialize;
use time::Duration;

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct FlowConfig {
    /// How long a flow (sign-in, registration, recovery) may take from start to finish.
    pub flow_lifetime_secs: i64,
    /// How long a lost-phone change waits before the new number replaces the old one; the old
    /// number can cancel it meanwhile.
    pub phone_change_cooldown_secs: i64,
    pub otp: OtpLimits,
    pub throttle: ThrottleLimits,
    pub captcha: CaptchaConfig,
    pub session: SessionLimits,
    pub argon2: Argon2Params,
    pub signing: SigningLimits,
    pub organisations: OrganisationConfig,
}

/// Business and agency accounts' members (`[flows.organisations]`).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct OrganisationConfig {
    /// How long an invitation to act for an organisation can be accepted.
    pub invitation_lifetime_secs: i64,
    /// Invitations one organisation may send a day: what a hijacked administrator session can
    /// spend on other people's phones.
    pub max_invitations_per_day: i64,
    /// The state agencies an operator may create an agency account for
    /// (`[[flows.organisations.agencies]]`).
    pub agencies: Vec<AgencyEntry>,
}

/// A state agency: its identifier code (mã định danh cơ quan) and its name.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AgencyEntry {
    pub code: String,
    pub name: String,
}

impl Default for OrganisationConfig {
    fn default() -> Self {
        Self {
            invitation_lifetime_secs: 7 * 24 * 60 * 60,
            max_invitations_per_day: 50,
            agencies: Vec::new(),
        }
    }
}

/// Confirming on a phone (Sim ký số, SmartCA): how long the page waits and polls, and how many
/// requests may be pushed to one phone.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct SigningLimits {
    /// How long the person has to confirm (the carriers' MSSPs allow about two minutes).
    pub wait_secs: i64,
    /// How often the page asks whether the confirmation arrived.
    pub poll_secs: u32,
    /// Requests pushed to one phone a day from one address: what a stranger typing someone
    /// else's number can spend.
    pub max_pushes_per_phone_per_address_per_day: i64,
    /// Requests pushed to one phone a day in all, to bound push-bombing from many addresses.
    pub max_pushes_per_phone_per_day: i64,
}

impl Default for SigningLimits {
    fn default() -> Self {
        Self {
            wait_secs: 120,
            poll_secs: 2,
            max_pushes_per_phone_per_address_per_day: 5,
            max_pushes_per_phone_per_day: 20,
        }
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct OtpLimits {
    pub lifetime_secs: i64,
    /// Wrong codes allowed per code before it is dead.
    pub max_attempts: i32,
    /// Seconds between two sends to the same flow.
    pub resend_after_secs: i64,
    /// Resends per flow (the first send not counted).
    pub max_resends: i32,
    /// Texts one phone number may receive a day for its holder's own sign-ins and account
    /// changes (strangers cannot spend this budget).
    pub max_sms_per_phone_per_day: i64,
    /// Texts one phone number may receive a day from anonymous requests (registration,
    /// recovery), and texts such requests from one address may cause.
    pub max_anonymous_sms_per_phone_per_day: i64,
    pub max_anonymous_sms_per_address_per_day: i64,
    /// OTP phones an account may add a day.
    pub max_phones_added_per_day: i64,
}

/// Sign-in and recovery throttling, in fixed windows kept in the store. Past `captcha_after`
/// attempts the captcha is required; past `block_after` nothing is tried until the window ends.
/// An attacker who cannot solve captchas cannot lock the holder out.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct ThrottleLimits {
    pub window_secs: i64,
    pub captcha_after_per_account: i64,
    pub block_after_per_account: i64,
    pub captcha_after_per_address: i64,
    pub block_after_per_address: i64,
}

/// The captcha's proof of work. The client tries numbers from 0 until one hashes to the
/// challenge: `max_number / 2` SHA-256 hashes on average, `max_number` at worst. Chromium runs
/// about 85,000 a second through Web Crypto on one busy server core; a cheap phone is taken to
/// run a third of that, so the default (25,000 hashes on average) takes it about a second and
/// a computer a fraction of one. The server checks an answer with one hash. At most 2^53
/// (JavaScript's exact integers).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct CaptchaConfig {
    pub max_number: u64,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct SessionLimits {
    pub idle_timeout_secs: i64,
    pub absolute_timeout_secs: i64,
}

/// Argon2id cost; at least OWASP's m = 19 MiB, t = 2, p = 1.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct Argon2Params {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
    /// Hashes computed at once (threads of their own); more wait in line instead of
    /// exhausting memory.
    pub max_concurrent: usize,
    /// Hashes admitted to wait beyond those running; more are refused at once with 503 and
    /// `Retry-After` instead of queueing without bound (admission control).
    pub max_waiting: usize,
}

impl Default for FlowConfig {
    fn default() -> Self {
        Self {
            flow_lifetime_secs: 15 * 60,
            phone_change_cooldown_secs: 24 * 60 * 60,
            otp: OtpLimits::default(),
            throttle: ThrottleLimits::default(),
            captcha: CaptchaConfig::default(),
            session: SessionLimits::default(),
            argon2: Argon2Params::default(),
            signing: SigningLimits::default(),
            organisations: OrganisationConfig::default(),
        }
    }
}

impl Default for OtpLimits {
    fn default() -> Self {
        Self {
            lifetime_secs: 5 * 60,
            max_attempts: 5,
            resend_after_secs: 60,
            max_resends: 3,
            max_sms_per_phone_per_day: 10,
            max_anonymous_sms_per_phone_per_day: 5,
            max_anonymous_sms_per_address_per_day: 50,
            max_phones_added_per_day: 3,
        }
    }
}

impl Default for ThrottleLimits {
    fn default() -> Self {
        Self {
            window_secs: 15 * 60,
            captcha_after_per_account: 3,
            block_after_per_account: 20,
            captcha_after_per_address: 20,
            block_after_per_address: 200,
        }
    }
}

impl Default for CaptchaConfig {
    fn default() -> Self {
        Self { max_number: 50_000 }
    }
}

impl Default for SessionLimits {
    fn default() -> Self {
        Self {
            idle_timeout_secs: 30 * 60,
            absolute_timeout_secs: 12 * 60 * 60,
        }
    }
}

impl Default for Argon2Params {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Self {
            memory_kib: 19 * 1024,
            iterations: 2,
            parallelism: 1,
            max_concurrent: cores,
            // About one second of waiting at ~60 hashes a second per core.
            max_waiting: 64 * cores,
        }
    }
}

impl FlowConfig {
    pub fn flow_lifetime(&self) -> Duration {
        Duration::seconds(self.flow_lifetime_secs)
    }
}
