use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::*;
use domain::random::SeededRandomness;

const EASY: CaptchaConfig = CaptchaConfig { max_number: 5_000 };

fn captcha(seed: u64) -> Captcha {
    Captcha::new(&SeededRandomness::new(seed), &EASY)
}

/// What a client does: try every number up to `maxnumber` until one hashes to the challenge.
fn solve(prompt: &CaptchaPrompt) -> u64 {
    (0..=prompt.maxnumber)
        .find(|number| {
            let digest = Sha256::digest(format!("{}{number}", prompt.salt));
            to_hex(&digest) == prompt.challenge
        })
        .expect("the number is within maxnumber")
}

fn payload(prompt: &CaptchaPrompt, number: u64) -> Value {
    json!({
        "algorithm": prompt.algorithm,
        "challenge": prompt.challenge,
        "number": number,
        "salt": prompt.salt,
        "signature": prompt.signature,
    })
}

fn encode(value: &Value) -> String {
    STANDARD.encode(value.to_string())
}

fn solved_payload(captcha: &Captcha) -> Value {
    let prompt = captcha.prompt();
    let number = solve(&prompt);
    payload(&prompt, number)
}

#[test]
fn a_solved_challenge_is_accepted() {
    let captcha = captcha(1);
    let mut solved = solved_payload(&captcha);
    assert!(captcha.accepts(&encode(&solved), 0));
    // The ALTCHA widget adds how long it took; other members are ignored.
    solved["took"] = json!(812);
    assert!(captcha.accepts(&encode(&solved), 0));
}

#[test]
fn a_wrong_number_is_refused() {
    let captcha = captcha(2);
    let solved = solved_payload(&captcha);
    let number = solved["number"].as_u64().unwrap();
    for wrong in [number + 1, number.saturating_sub(1), 0, EASY.max_number + 1] {
        if wrong == number {
            continue;
        }
        let mut tampered = solved.clone();
        tampered["number"] = json!(wrong);
        assert!(!captcha.accepts(&encode(&tampered), 0), "number {wrong}");
    }
    let mut text = solved.clone();
    text["number"] = json!(number.to_string());
    assert!(
        !captcha.accepts(&encode(&text), 0),
        "the number is a JSON number"
    );
}

#[test]
fn a_tampered_signature_challenge_salt_or_algorithm_is_refused() {
    let captcha = captcha(3);
    let solved = solved_payload(&captcha);
    let flip = |hex: &Value| {
        let hex = hex.as_str().unwrap();
        let last = if hex.ends_with('0') { "1" } else { "0" };
        format!("{}{last}", &hex[..hex.len() - 1])
    };
    for (member, value) in [
        ("signature", json!(flip(&solved["signature"]))),
        ("signature", json!("")),
        ("challenge", json!(flip(&solved["challenge"]))),
        ("salt", json!(flip(&solved["salt"]))),
        ("algorithm", json!("SHA-1")),
        ("algorithm", json!("sha-256")),
    ] {
        let mut tampered = solved.clone();
        tampered[member] = value.clone();
        assert!(
            !captcha.accepts(&encode(&tampered), 0),
            "{member} = {value}"
        );
    }
    for member in ["algorithm", "challenge", "number", "salt", "signature"] {
        let mut missing = solved.clone();
        missing.as_object_mut().unwrap().remove(member);
        assert!(!captcha.accepts(&encode(&missing), 0), "without {member}");
    }
}

#[test]
fn another_flows_solution_is_refused() {
    let ours = captcha(4);
    let theirs = captcha(5);
    assert_ne!(ours.prompt().challenge, theirs.prompt().challenge);
    let solved_elsewhere = solved_payload(&theirs);
    assert!(theirs.accepts(&encode(&solved_elsewhere), 0));
    assert!(!ours.accepts(&encode(&solved_elsewhere), 0));
}

#[test]
fn garbage_is_refused() {
    let captcha = captcha(6);
    let not_json = STANDARD.encode("{\"algorithm\": \"SHA-256\", ");
    let not_an_object = STANDARD.encode("[1, 2, 3]");
    let huge = encode(&json!({ "padding": "x".repeat(2_000) }));
    for answer in [
        "",
        "   ",
        "not base64 at all!",
        "e30=",
        not_json.as_str(),
        not_an_object.as_str(),
        huge.as_str(),
    ] {
        assert!(!captcha.accepts(answer, 0), "{answer:?}");
    }
}

#[test]
fn the_text_alternative_answers_too() {
    let captcha = captcha(7);
    let prompt = captcha.prompt();
    let text = prompt.text_alternative();
    let digits = digits_of(text.en(), &EN);
    assert_eq!(
        digits,
        digits_of(text.vi(), &VI),
        "both languages spell the same digits"
    );
    assert_eq!(digits.len(), 4);
    assert!(captcha.accepts(&digits, 0));
    let spaced: String = digits.chars().flat_map(|digit| [digit, ' ']).collect();
    assert!(captcha.accepts(&format!("  {spaced} "), 0));
    let wrong: String = digits
        .chars()
        .map(|digit| {
            if digit == '9' {
                '0'
            } else {
                char::from(digit as u8 + 1)
            }
        })
        .collect();
    assert!(!captcha.accepts(&wrong, 0));
    assert!(!captcha.accepts(&digits[..3], 0));
    // A long answer is never taken for typed digits, whatever digits it holds.
    assert!(!captcha.accepts(&format!("{digits}{}", " ".repeat(40) + "x"), 0));
}

fn digits_of(words: &str, names: &[&str; 10]) -> String {
    words
        .split(" – ")
        .map(|word| {
            let digit = names.iter().position(|name| *name == word).unwrap();
            char::from(b'0' + u8::try_from(digit).unwrap())
        })
        .collect()
}

#[test]
fn the_prompt_carries_the_challenge_and_no_answer() {
    let captcha = captcha(8);
    let prompt = captcha.prompt();
    let json = serde_json::to_value(&prompt).unwrap();
    let members: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        members,
        ["algorithm", "challenge", "maxnumber", "salt", "signature"]
    );
    assert_eq!(json["algorithm"], "SHA-256");
    assert_eq!(json["maxnumber"], EASY.max_number);
    assert_eq!(prompt.challenge.len(), 64);
    assert_eq!(prompt.signature.len(), 64);

    let text = json.to_string();
    let debug = format!("{prompt:?}");
    let secret_number = solve(&prompt).to_string();
    let words = prompt.text_alternative();
    for answer in [words.vi(), words.en()] {
        assert!(!text.contains(answer), "{text}");
        assert!(!debug.contains(answer), "{debug}");
    }
    assert!(!text.contains(&format!(":{secret_number},")));
    assert!(!text.contains(&format!(":{secret_number}}}")));
}

#[test]
fn the_number_is_drawn_from_the_injected_randomness_within_maxnumber() {
    assert_eq!(captcha(9), captcha(9), "the same seed, the same challenge");
    assert_ne!(captcha(9).prompt().salt, captcha(10).prompt().salt);

    let tiny = CaptchaConfig { max_number: 3 };
    let random = SeededRandomness::new(11);
    let mut seen = [false; 4];
    for _ in 0..200 {
        let captcha = Captcha::new(&random, &tiny);
        let number = solve(&captcha.prompt());
        seen[usize::try_from(number).unwrap()] = true;
    }
    assert_eq!(seen, [true; 4], "every number of 0..=maxnumber comes up");
}

#[test]
fn a_captcha_stored_before_the_proof_of_work_takes_the_text_answer() {
    let stored: Captcha = serde_json::from_value(json!({ "digits": "7294" })).unwrap();
    assert!(stored.accepts("7 2 9 4", 0));
    let prompt = stored.prompt();
    assert_eq!(prompt.maxnumber, 0);
    assert!(!stored.accepts(&encode(&payload(&prompt, 0)), 0));
}

#[test]
fn a_stored_captcha_reads_back_the_same() {
    let captcha = captcha(12);
    let stored = serde_json::to_string(&captcha).unwrap();
    let read: Captcha = serde_json::from_str(&stored).unwrap();
    assert_eq!(read, captcha);
    assert!(read.accepts(&encode(&solved_payload(&captcha)), 0));
}

#[test]
fn the_difficulty_comes_from_the_flows_configuration() {
    let config: crate::FlowConfig =
        serde_json::from_value(json!({ "captcha": { "max_number": 1_000 } })).unwrap();
    assert_eq!(config.captcha.max_number, 1_000);
    let captcha = Captcha::new(&SeededRandomness::new(13), &config.captcha);
    assert_eq!(captcha.prompt().maxnumber, 1_000);

    let defaults: crate::FlowConfig = serde_json::from_value(json!({})).unwrap();
    assert_eq!(defaults.captcha.max_number, 50_000);
    let unknown = serde_json::from_value::<crate::FlowConfig>(
        json!({ "captcha": { "max_number": 1_000, "expires_secs": 60 } }),
    );
    assert!(unknown.is_err(), "unknown keys are refused");
}
