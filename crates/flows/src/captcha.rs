//! The captcha (mã xác thực), asked once throttling says so (see `throttle`) and always by
//! recovery. It is a proof of work in the ALTCHA format (altcha.org): the page's script, or an
//! app, finds by brute force the secret number behind a SHA-256 challenge, so every attempt
//! costs a script the same second of work it costs a person's phone, and the JSON API carries
//! nothing that is the answer. Pages without script get a text alternative instead: four digits
//! written out in words, which only the server-rendered page shows (`TextAlternative`).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::CaptchaConfig;
use domain::digest::{equal, to_hex};
use domain::random::Randomness;

/// The only algorithm offered; ALTCHA also names SHA-1 and SHA-512, which are refused.
pub const ALGORITHM: &str = "SHA-256";

const VI: [&str; 10] = [
    "không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín",
];
const EN: [&str; 10] = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
];

/// Longer answers are never the typed digits ("7 – 2 – 9 – 4" is 13 characters), so a
/// malformed proof of work cannot pass as text because four of its characters are digits.
const TEXT_ANSWER_MAX_CHARS: usize = 32;
/// A payload is about 250 characters; anything far longer is not worth decoding.
const PAYLOAD_MAX_CHARS: usize = 1024;

/// A captcha as stored in a flow: the challenge and both answers, kept server-side only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Captcha {
    /// The text alternative's answer.
    digits: String,
    /// Absent in flows stored before the proof of work: those take the text answer only.
    #[serde(default)]
    work: Work,
}

/// One proof-of-work challenge and its answer.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
struct Work {
    salt: String,
    number: u64,
    max_number: u64,
    /// Hex SHA-256 of the salt followed by the number in decimal.
    challenge: String,
    /// Hex HMAC-SHA-256 of the challenge (see `Captcha::new`).
    signature: String,
}

/// What the flow document shows: the challenge, under ALTCHA's names, and nothing that
/// answers it. The text alternative rides along for the HTML page but is never serialised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaptchaPrompt {
    pub algorithm: &'static str,
    pub challenge: String,
    pub salt: String,
    pub maxnumber: u64,
    pub signature: String,
    #[serde(skip)]
    text: TextAlternative,
}

/// The digits written out in words, for people whose browser runs no script. Only the
/// server-rendered page may show it: it is the answer in plain text.
#[derive(Clone, PartialEq, Eq)]
pub struct TextAlternative {
    vi: String,
    en: String,
}

/// The solution a client sends: base64 of this JSON. Other members (the widget's `took`)
/// are ignored.
#[derive(Deserialize)]
struct Solution {
    algorithm: String,
    challenge: String,
    number: u64,
    salt: String,
    signature: String,
}

impl Captcha {
    /// A fresh challenge, its number drawn uniformly from `0..=config.max_number`.
    pub fn new(random: &dyn Randomness, config: &CaptchaConfig) -> Self {
        let mut bytes = [0u8; 4];
        random.fill(&mut bytes);
        let digits = bytes
            .iter()
            .map(|byte| char::from(b'0' + byte % 10))
            .collect();

        let mut salt = [0u8; 16];
        random.fill(&mut salt);
        let salt = to_hex(&salt);
        let number = uniform(random, config.max_number);
        let challenge = to_hex(&hash(&salt, number));
        // The flow keeps the challenge and every answer is checked against that copy, so no
        // server-wide key is needed: the signature, which ALTCHA clients expect and send back,
        // is made under a key drawn for this challenge alone and then forgotten.
        let signature = to_hex(&sign(&random.token(), &challenge));
        Self {
            digits,
            work: Work {
                salt,
                number,
                max_number: config.max_number,
                challenge,
                signature,
            },
        }
    }

    pub fn prompt(&self) -> CaptchaPrompt {
        let words = |names: &[&str; 10]| {
            self.digits
                .bytes()
                .filter_map(|digit| names.get(usize::from(digit.wrapping_sub(b'0'))).copied())
                .collect::<Vec<_>>()
                .join(" – ")
        };
        CaptchaPrompt {
            algorithm: ALGORITHM,
            challenge: self.work.challenge.clone(),
            salt: self.work.salt.clone(),
            maxnumber: self.work.max_number,
            signature: self.work.signature.clone(),
            text: TextAlternative {
                vi: words(&VI),
                en: words(&EN),
            },
        }
    }

    /// Whether `answer` is this challenge's solution (a base64 ALTCHA payload) or, from a
    /// page without script, the digits of the text alternative (anything but digits is
    /// ignored: "7 2 9 4" is fine).
    ///
    /// A proof of work must also have been asked with at least `max_number` (an address
    /// slowed down cannot answer an easier challenge it was given before).
    pub(crate) fn accepts(&self, answer: &str, max_number: u64) -> bool {
        let answer = answer.trim();
        match Solution::decode(answer) {
            Some(solution) => {
                self.work.max_number >= max_number && self.work.is_solved_by(&solution)
            }
            None if answer.chars().count() <= TEXT_ANSWER_MAX_CHARS => {
                let typed: String = answer.chars().filter(char::is_ascii_digit).collect();
                equal(typed.as_bytes(), self.digits.as_bytes())
            }
            None => false,
        }
    }
}

impl Work {
    /// One hash and a few comparisons: microseconds. The challenge, salt and signature must
    /// be this flow's own, so a payload solved for another flow fails here.
    fn is_solved_by(&self, solution: &Solution) -> bool {
        if self.challenge.is_empty() || solution.algorithm != ALGORITHM {
            return false;
        }
        let ours = equal(solution.challenge.as_bytes(), self.challenge.as_bytes())
            & equal(solution.salt.as_bytes(), self.salt.as_bytes())
            & equal(solution.signature.as_bytes(), self.signature.as_bytes());
        let found = solution.number <= self.max_number
            && equal(
                to_hex(&hash(&self.salt, solution.number)).as_bytes(),
                self.challenge.as_bytes(),
            );
        ours && found
    }
}

impl Solution {
    fn decode(answer: &str) -> Option<Self> {
        if answer.len() > PAYLOAD_MAX_CHARS {
            return None;
        }
        let json = STANDARD.decode(answer).ok()?;
        serde_json::from_slice(&json).ok()
    }
}

impl CaptchaPrompt {
    /// The text alternative, for the server-rendered page only; the JSON API must never
    /// carry it (it is not serialised).
    pub fn text_alternative(&self) -> &TextAlternative {
        &self.text
    }
}

impl TextAlternative {
    /// "bảy – hai – chín – bốn".
    pub fn vi(&self) -> &str {
        &self.vi
    }

    /// "seven – two – nine – four".
    pub fn en(&self) -> &str {
        &self.en
    }
}

/// The answer stays out of logs that print a flow document.
impl std::fmt::Debug for TextAlternative {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TextAlternative([redacted])")
    }
}

/// SHA-256 of the salt followed by the number in decimal, as ALTCHA clients compute it.
fn hash(salt: &str, number: u64) -> [u8; 32] {
    let mut digest = Sha256::new();
    digest.update(salt.as_bytes());
    digest.update(number.to_string().as_bytes());
    digest.finalize().into()
}

fn sign(key: &[u8; 32], challenge: &str) -> [u8; 32] {
    // HMAC accepts keys of any length; this cannot fail.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return [0; 32];
    };
    mac.update(challenge.as_bytes());
    mac.finalize().into_bytes().into()
}

/// Uniform over `0..=max` (rejection sampling, no modulo bias).
fn uniform(random: &dyn Randomness, max: u64) -> u64 {
    let Some(span) = max.checked_add(1) else {
        let mut bytes = [0u8; 8];
        random.fill(&mut bytes);
        return u64::from_le_bytes(bytes);
    };
    // The largest multiple of `span` that fits, as a bound below which `value % span` is fair.
    let zone = u64::MAX - u64::MAX % span;
    loop {
        let mut bytes = [0u8; 8];
        random.fill(&mut bytes);
        let value = u64::from_le_bytes(bytes);
        if value < zone {
            return value % span;
        }
    }
}

#[cfg(test)]
mod tests;
