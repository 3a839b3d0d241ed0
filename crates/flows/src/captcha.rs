//! The captcha (mã xác thực): four digits written out in words, in the page's language. Text,
//! not a distorted image, so that screen readers and cheap phones can use it; it is asked only
//! once throttling says so (see `throttle`), where it slows scripted guessing.

use serde::{Deserialize, Serialize};

use crate::random::Randomness;

const VI: [&str; 10] = [
    "không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín",
];
const EN: [&str; 10] = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
];

/// A captcha as stored in a flow; the digits are the answer, kept server-side only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Captcha {
    digits: String,
}

/// What the person is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaptchaPrompt {
    pub words_vi: String,
    pub words_en: String,
}

impl Captcha {
    pub fn new(random: &dyn Randomness) -> Self {
        let mut bytes = [0u8; 4];
        random.fill(&mut bytes);
        let digits = bytes
            .iter()
            .map(|byte| char::from(b'0' + byte % 10))
            .collect();
        Self { digits }
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
            words_vi: words(&VI),
            words_en: words(&EN),
        }
    }

    /// Whether `answer` spells the digits (anything but digits is ignored: "7 2 9 4" is fine).
    pub fn accepts(&self, answer: &str) -> bool {
        let typed: String = answer.chars().filter(char::is_ascii_digit).collect();
        crate::secrets::equal(typed.as_bytes(), self.digits.as_bytes())
    }
}
