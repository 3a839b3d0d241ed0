//! VNeID's input rules (SPEC §9, as deployed): the password (8–20 characters with upper, lower,
//! digit and special), the 6-digit passcode (no runs, no repeated digit, not the birth date),
//! the fixed list of security questions and how an answer is normalised before hashing.

use time::Date;
use unicode_normalization::UnicodeNormalization;

/// Why a password is refused; each names the rule, for a field message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordRefusal {
    TooShort,
    TooLong,
    NoUpper,
    NoLower,
    NoDigit,
    NoSpecial,
    Mismatch,
}

impl PasswordRefusal {
    pub fn key(self) -> &'static str {
        match self {
            Self::TooShort => "password-too-short",
            Self::TooLong => "password-too-long",
            Self::NoUpper => "password-no-upper",
            Self::NoLower => "password-no-lower",
            Self::NoDigit => "password-no-digit",
            Self::NoSpecial => "password-no-special",
            Self::Mismatch => "password-mismatch",
        }
    }
}

pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 20;

/// The VNeID password rule; `confirmation` must repeat it.
pub fn check_password(password: &str, confirmation: &str) -> Result<(), PasswordRefusal> {
    let length = password.nfc().count();
    if length < PASSWORD_MIN {
        return Err(PasswordRefusal::TooShort);
    }
    if length > PASSWORD_MAX {
        return Err(PasswordRefusal::TooLong);
    }
    if !password.chars().any(char::is_uppercase) {
        return Err(PasswordRefusal::NoUpper);
    }
    if !password.chars().any(char::is_lowercase) {
        return Err(PasswordRefusal::NoLower);
    }
    if !password.chars().any(|c| c.is_ascii_digit()) {
        return Err(PasswordRefusal::NoDigit);
    }
    if !password
        .chars()
        .any(|c| !c.is_alphanumeric() && !c.is_whitespace())
    {
        return Err(PasswordRefusal::NoSpecial);
    }
    if password != confirmation {
        return Err(PasswordRefusal::Mismatch);
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasscodeRefusal {
    NotSixDigits,
    Sequence,
    SameDigits,
    BirthDate,
    Mismatch,
}

impl PasscodeRefusal {
    pub fn key(self) -> &'static str {
        match self {
            Self::NotSixDigits => "passcode-six-digits",
            Self::Sequence => "passcode-sequence",
            Self::SameDigits => "passcode-same-digits",
            Self::BirthDate => "passcode-birth-date",
            Self::Mismatch => "passcode-mismatch",
        }
    }
}

/// The passcode rule: six digits, not an ascending or descending run (123456, 987654), not one
/// digit six times, not the birth date as ddmmyy.
pub fn check_passcode(
    passcode: &str,
    confirmation: &str,
    birth_date: Date,
) -> Result<(), PasscodeRefusal> {
    let digits: Vec<u8> = passcode.bytes().map(|b| b.wrapping_sub(b'0')).collect();
    if digits.len() != 6 || digits.iter().any(|d| *d > 9) {
        return Err(PasscodeRefusal::NotSixDigits);
    }
    let steps: Vec<i16> = digits
        .windows(2)
        .filter_map(|pair| match pair {
            [a, b] => Some(i16::from(*b) - i16::from(*a)),
            _ => None,
        })
        .collect();
    if steps.iter().all(|step| *step == 0) {
        return Err(PasscodeRefusal::SameDigits);
    }
    if steps.iter().all(|step| *step == 1) || steps.iter().all(|step| *step == -1) {
        return Err(PasscodeRefusal::Sequence);
    }
    let ddmmyy = format!(
        "{:02}{:02}{:02}",
        birth_date.day(),
        u8::from(birth_date.month()),
        birth_date.year().rem_euclid(100)
    );
    if passcode == ddmmyy {
        return Err(PasscodeRefusal::BirthDate);
    }
    if passcode != confirmation {
        return Err(PasscodeRefusal::Mismatch);
    }
    Ok(())
}

/// One question of the fixed list: a stable id (stored with the answer's hash) and its texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Question {
    pub id: &'static str,
    pub vi: &'static str,
    pub en: &'static str,
}

pub const QUESTIONS: [Question; 8] = [
    Question {
        id: "q1",
        vi: "Tên trường tiểu học đầu tiên của bạn là gì?",
        en: "What was the name of your first primary school?",
    },
    Question {
        id: "q2",
        vi: "Tên người bạn thân nhất thời thơ ấu của bạn là gì?",
        en: "What was the name of your best childhood friend?",
    },
    Question {
        id: "q3",
        vi: "Bạn sinh ra ở xã/phường nào?",
        en: "In which commune or ward were you born?",
    },
    Question {
        id: "q4",
        vi: "Tên con vật nuôi đầu tiên của bạn là gì?",
        en: "What was the name of your first pet?",
    },
    Question {
        id: "q5",
        vi: "Món ăn bạn yêu thích nhất là gì?",
        en: "What is your favourite dish?",
    },
    Question {
        id: "q6",
        vi: "Tên giáo viên chủ nhiệm lớp 1 của bạn là gì?",
        en: "What was the name of your first-grade form teacher?",
    },
    Question {
        id: "q7",
        vi: "Biệt danh thời nhỏ của bạn là gì?",
        en: "What was your childhood nickname?",
    },
    Question {
        id: "q8",
        vi: "Bạn đã đi du lịch lần đầu tiên ở đâu?",
        en: "Where did you go on your first trip?",
    },
];

pub fn question(id: &str) -> Option<&'static Question> {
    QUESTIONS.iter().find(|question| question.id == id)
}

/// What is hashed of an answer: Unicode NFC, trimmed, lower-case, runs of white space as one
/// space — so "  Hà   Nội " and "hà nội" are the same answer.
pub fn normalise_answer(answer: &str) -> String {
    let composed: String = answer.nfc().collect();
    let lowered = composed.to_lowercase();
    lowered.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuestionsRefusal {
    UnknownQuestion,
    SameQuestion,
    EmptyAnswer,
    AnswerTooLong,
}

impl QuestionsRefusal {
    pub fn key(self) -> &'static str {
        match self {
            Self::UnknownQuestion => "questions-unknown",
            Self::SameQuestion => "questions-same",
            Self::EmptyAnswer => "questions-empty-answer",
            Self::AnswerTooLong => "questions-answer-too-long",
        }
    }
}

pub const ANSWER_MAX: usize = 100;

/// Two different questions of the list, each with a non-empty answer; the normalised answers.
pub fn check_questions(
    first: (&str, &str),
    second: (&str, &str),
) -> Result<[(&'static str, String); 2], QuestionsRefusal> {
    let (Some(q1), Some(q2)) = (question(first.0), question(second.0)) else {
        return Err(QuestionsRefusal::UnknownQuestion);
    };
    if q1.id == q2.id {
        return Err(QuestionsRefusal::SameQuestion);
    }
    let a1 = normalise_answer(first.1);
    let a2 = normalise_answer(second.1);
    if a1.is_empty() || a2.is_empty() {
        return Err(QuestionsRefusal::EmptyAnswer);
    }
    if a1.chars().count() > ANSWER_MAX || a2.chars().count() > ANSWER_MAX {
        return Err(QuestionsRefusal::AnswerTooLong);
    }
    Ok([(q1.id, a1), (q2.id, a2)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn passwords() {
        assert_eq!(
            check_password("Ab1!", "Ab1!"),
            Err(PasswordRefusal::TooShort)
        );
        assert_eq!(
            check_password("Abcdefgh1!Abcdefgh1!x", "Abcdefgh1!Abcdefgh1!x"),
            Err(PasswordRefusal::TooLong)
        );
        assert_eq!(
            check_password("abcdefg1!", "abcdefg1!"),
            Err(PasswordRefusal::NoUpper)
        );
        assert_eq!(
            check_password("ABCDEFG1!", "ABCDEFG1!"),
            Err(PasswordRefusal::NoLower)
        );
        assert_eq!(
            check_password("Abcdefgh!", "Abcdefgh!"),
            Err(PasswordRefusal::NoDigit)
        );
        assert_eq!(
            check_password("Abcdefgh1", "Abcdefgh1"),
            Err(PasswordRefusal::NoSpecial)
        );
        assert_eq!(
            check_password("Abcdefg1!", "Abcdefg1?"),
            Err(PasswordRefusal::Mismatch)
        );
        assert_eq!(check_password("Abcdefg1!", "Abcdefg1!"), Ok(()));
        assert_eq!(check_password("Đường1!xy", "Đường1!xy"), Ok(()));
    }

    #[test]
    fn passcodes() {
        let birth = date!(1990 - 03 - 07);
        for run in [
            "123456", "234567", "456789", "012345", "654321", "987654", "543210",
        ] {
            assert_eq!(
                check_passcode(run, run, birth),
                Err(PasscodeRefusal::Sequence),
                "{run}"
            );
        }
        for same in ["000000", "111111", "999999"] {
            assert_eq!(
                check_passcode(same, same, birth),
                Err(PasscodeRefusal::SameDigits)
            );
        }
        assert_eq!(
            check_passcode("070390", "070390", birth),
            Err(PasscodeRefusal::BirthDate)
        );
        assert_eq!(
            check_passcode("12345", "12345", birth),
            Err(PasscodeRefusal::NotSixDigits)
        );
        assert_eq!(
            check_passcode("12a456", "12a456", birth),
            Err(PasscodeRefusal::NotSixDigits)
        );
        assert_eq!(
            check_passcode("１２３４５６", "", birth),
            Err(PasscodeRefusal::NotSixDigits)
        );
        assert_eq!(
            check_passcode("135790", "135791", birth),
            Err(PasscodeRefusal::Mismatch)
        );
        assert_eq!(check_passcode("135790", "135790", birth), Ok(()));
        assert_eq!(check_passcode("123457", "123457", birth), Ok(()));
    }

    #[test]
    fn answers_are_normalised() {
        // "Nội" decomposed (o + combining circumflex + combining dot below) equals composed.
        let decomposed = "  H\u{0061}\u{0300}   N\u{006F}\u{0302}\u{0323}i \t";
        assert_eq!(normalise_answer(decomposed), "hà nội");
        assert_eq!(normalise_answer("HÀ NỘI"), "hà nội");
    }

    #[test]
    fn two_different_questions() {
        assert_eq!(
            check_questions(("q1", "a"), ("q1", "b")),
            Err(QuestionsRefusal::SameQuestion)
        );
        assert_eq!(
            check_questions(("q1", "a"), ("q9", "b")),
            Err(QuestionsRefusal::UnknownQuestion)
        );
        assert_eq!(
            check_questions(("q1", "  "), ("q2", "b")),
            Err(QuestionsRefusal::EmptyAnswer)
        );
        let ok = check_questions(("q1", " A  B "), ("q2", "c")).unwrap();
        assert_eq!(ok[0], ("q1", "a b".to_owned()));
    }
}
