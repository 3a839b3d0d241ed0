//! The MSSP's memory: each phone's mode and wrong-PIN count, and the latest signature
//! requests with where each stands. Bounded, in memory, lost on restart.

use std::collections::{HashMap, VecDeque};

use domain::PhoneNumber;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::codes;

/// How many requests the MSSP remembers (the oldest are forgotten first).
pub(super) const CAPACITY: usize = 1_000;
/// Wrong PINs in a row that block a SIM's PIN.
pub(super) const PIN_ATTEMPTS: u8 = 3;

/// How a simulated phone answers signature requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhoneMode {
    /// The request waits for the phone page (`/sandbox/phone/{msisdn}`).
    #[default]
    Manual,
    /// Signed with the right PIN.
    Approve,
    /// The person presses cancel (401).
    Cancel,
    /// The person never answers (208).
    Expire,
    /// The person enters wrong PINs until the PIN blocks (402); the SIM itself stays usable.
    WrongPin,
    /// The phone cannot be reached (209).
    Unreachable,
}

impl PhoneMode {
    /// The status code a request gets at once in this mode, or `None` to wait for the page;
    /// [`codes::SIGNATURE`] means sign now.
    fn automatic_answer(self) -> Option<u16> {
        match self {
            PhoneMode::Manual => None,
            PhoneMode::Approve => Some(codes::SIGNATURE),
            PhoneMode::Cancel => Some(codes::USER_CANCEL),
            PhoneMode::Expire => Some(codes::EXPIRED_TRANSACTION),
            PhoneMode::WrongPin => Some(codes::PIN_BLOCKED),
            PhoneMode::Unreachable => Some(codes::OTA_ERROR),
        }
    }
}

/// Where a request stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Outcome {
    Pending,
    Signed {
        signature: Vec<u8>,
    },
    /// Refused with this ETSI status code.
    Refused(u16),
}

/// A signature request as the MSSP keeps it.
#[derive(Debug, Clone)]
pub(super) struct Request {
    pub mssp_trans_id: String,
    pub ap_trans_id: String,
    pub msisdn: PhoneNumber,
    pub display_text: String,
    pub hash: [u8; 32],
    pub verification_code: String,
    pub received_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    /// The AP asked for the signing certificate (AdditionalServices).
    pub wants_certificate: bool,
    pub outcome: Outcome,
    /// Status queries still to answer "outstanding" before an automatic answer shows.
    pub holds: u8,
}

/// A request as tests read it (`Sandbox::phone_requests`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhoneRequest {
    /// MSSP_TransID.
    pub transaction: String,
    /// AP_TransID.
    pub ap_transaction: String,
    /// DataToBeDisplayed, as received.
    pub display_text: String,
    pub verification_code: String,
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    /// `pending`, `signed` or `refused`.
    pub state: &'static str,
    /// The ETSI status code of a refusal.
    pub refusal_code: Option<u16>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Phone {
    mode: PhoneMode,
    wrong_pins: u8,
}

/// What the person did on the phone page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PhoneAnswer {
    Sign { right_pin: bool },
    Cancel,
}

/// What came of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Answered {
    Signed,
    Cancelled,
    /// A wrong PIN, with this many attempts left; the request still waits.
    WrongPin(u8),
    /// The PIN is blocked (now or before): the request is refused with 402.
    Blocked,
    /// The request no longer waits (answered, expired, or a newer one arrived).
    Gone,
}

#[derive(Default)]
pub(super) struct Ledger {
    phones: HashMap<PhoneNumber, Phone>,
    requests: VecDeque<Request>,
}

impl Ledger {
    pub(super) fn mode(&self, msisdn: &PhoneNumber) -> PhoneMode {
        self.phones
            .get(msisdn)
            .map(|phone| phone.mode)
            .unwrap_or_default()
    }

    pub(super) fn set_mode(&mut self, msisdn: &PhoneNumber, mode: PhoneMode) {
        self.phones.entry(msisdn.clone()).or_default().mode = mode;
    }

    pub(super) fn pin_blocked(&self, msisdn: &PhoneNumber) -> bool {
        self.phones
            .get(msisdn)
            .is_some_and(|phone| phone.wrong_pins >= PIN_ATTEMPTS)
    }

    pub(super) fn pins_left(&self, msisdn: &PhoneNumber) -> u8 {
        let used = self.phones.get(msisdn).map_or(0, |phone| phone.wrong_pins);
        PIN_ATTEMPTS.saturating_sub(used)
    }

    /// Unblocks the PIN.
    pub(super) fn reset(&mut self, msisdn: &PhoneNumber) {
        self.phones.entry(msisdn.clone()).or_default().wrong_pins = 0;
    }

    /// Applies the person's answer to the waiting request `transaction`, signing with
    /// `sign`. A wrong PIN counts towards blocking the SIM's PIN, for later requests too.
    pub(super) fn answer(
        &mut self,
        msisdn: &PhoneNumber,
        transaction: &str,
        now: OffsetDateTime,
        answer: PhoneAnswer,
        sign: impl FnOnce(&[u8; 32]) -> Outcome,
    ) -> Answered {
        let Some(hash) = self
            .pending(msisdn, now)
            .filter(|request| request.mssp_trans_id == transaction)
            .map(|request| request.hash)
        else {
            return Answered::Gone;
        };
        let (outcome, answered) = match answer {
            PhoneAnswer::Cancel => (Outcome::Refused(codes::USER_CANCEL), Answered::Cancelled),
            PhoneAnswer::Sign { .. } if self.pin_blocked(msisdn) => {
                (Outcome::Refused(codes::PIN_BLOCKED), Answered::Blocked)
            }
            PhoneAnswer::Sign { right_pin: true } => {
                self.phones.entry(msisdn.clone()).or_default().wrong_pins = 0;
                (sign(&hash), Answered::Signed)
            }
            PhoneAnswer::Sign { right_pin: false } => {
                let phone = self.phones.entry(msisdn.clone()).or_default();
                phone.wrong_pins = phone.wrong_pins.saturating_add(1).min(PIN_ATTEMPTS);
                match PIN_ATTEMPTS - phone.wrong_pins {
                    0 => (Outcome::Refused(codes::PIN_BLOCKED), Answered::Blocked),
                    left => return Answered::WrongPin(left),
                }
            }
        };
        if let Some(request) = self.pending(msisdn, now) {
            request.outcome = outcome;
        }
        answered
    }

    /// Keeps `request`, answered at once when the phone is in an automatic mode (signing with
    /// `sign`); the first status query of an automatic answer still says "outstanding".
    pub(super) fn add(&mut self, mut request: Request, sign: impl FnOnce(&[u8; 32]) -> Outcome) {
        if let Some(code) = self.mode(&request.msisdn).automatic_answer() {
            request.outcome = if code == codes::SIGNATURE {
                sign(&request.hash)
            } else {
                Outcome::Refused(code)
            };
            request.holds = 1;
        }
        if self.requests.len() >= CAPACITY {
            self.requests.pop_front();
        }
        self.requests.push_back(request);
    }

    /// The request `mssp_trans_id` as a status query sees it at `now`: expired when pending
    /// past its time-out; an automatic answer held back once.
    pub(super) fn query(&mut self, mssp_trans_id: &str, now: OffsetDateTime) -> Option<Request> {
        let request = self
            .requests
            .iter_mut()
            .find(|request| request.mssp_trans_id == mssp_trans_id)?;
        expire(request, now);
        if request.holds > 0 {
            request.holds -= 1;
            let mut held = request.clone();
            held.outcome = Outcome::Pending;
            return Some(held);
        }
        Some(request.clone())
    }

    /// The newest request to `msisdn` still waiting for the person at `now`.
    pub(super) fn pending(
        &mut self,
        msisdn: &PhoneNumber,
        now: OffsetDateTime,
    ) -> Option<&mut Request> {
        self.requests
            .iter_mut()
            .rev()
            .filter(|request| &request.msisdn == msisdn)
            .find_map(|request| {
                expire(request, now);
                (request.outcome == Outcome::Pending).then_some(request)
            })
    }

    pub(super) fn requests_to(&self, msisdn: &PhoneNumber) -> Vec<PhoneRequest> {
        self.requests
            .iter()
            .rev()
            .filter(|request| &request.msisdn == msisdn)
            .map(|request| {
                let (state, refusal_code) = match request.outcome {
                    Outcome::Pending => ("pending", None),
                    Outcome::Signed { .. } => ("signed", None),
                    Outcome::Refused(code) => ("refused", Some(code)),
                };
                PhoneRequest {
                    transaction: request.mssp_trans_id.clone(),
                    ap_transaction: request.ap_trans_id.clone(),
                    display_text: request.display_text.clone(),
                    verification_code: request.verification_code.clone(),
                    received_at: request.received_at,
                    state,
                    refusal_code,
                }
            })
            .collect()
    }
}

fn expire(request: &mut Request, now: OffsetDateTime) {
    if request.outcome == Outcome::Pending && now >= request.expires_at {
        request.outcome = Outcome::Refused(codes::EXPIRED_TRANSACTION);
    }
}

/// When a request received at `at` with `TimeOut` seconds expires.
pub(super) fn expiry(at: OffsetDateTime, time_out_secs: u32) -> OffsetDateTime {
    at + Duration::seconds(i64::from(time_out_secs))
}
