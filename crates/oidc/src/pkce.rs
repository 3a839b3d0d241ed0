//! PKCE (RFC 7636), S256 only: `plain` would let whoever sees the authorization request redeem
//! the code. A challenge sent without a method means `plain` (RFC 7636 §4.3), so it is refused
//! too. At the token endpoint a verifier without a stored challenge is a downgrade attempt.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::digest::{equal, sha256};

/// The challenge to store with the code, or why the authorization request is refused
/// (`invalid_request`, with this description).
pub fn parse_challenge(
    challenge: Option<&str>,
    method: Option<&str>,
) -> Result<Option<String>, &'static str> {
    match (challenge, method) {
        (None, None) => Ok(None),
        (None, Some(_)) => Err("code_challenge_method was sent without code_challenge"),
        (Some(_), None) => Err("code_challenge_method is required and must be S256"),
        (Some(_), Some(method)) if method != "S256" => {
            Err("only the S256 code_challenge_method is supported")
        }
        (Some(challenge), Some(_)) => {
            // The base64url form of a SHA-256 digest: 43 characters, no padding.
            let decoded = URL_SAFE_NO_PAD.decode(challenge).ok();
            if challenge.len() == 43 && decoded.is_some_and(|bytes| bytes.len() == 32) {
                Ok(Some(challenge.to_owned()))
            } else {
                Err("code_challenge must be the base64url SHA-256 of the verifier (43 characters)")
            }
        }
    }
}

/// Why a token request's verifier does not fit the code (`invalid_grant`, with this description).
pub fn verify(stored_challenge: Option<&str>, verifier: Option<&str>) -> Result<(), &'static str> {
    match (stored_challenge, verifier) {
        (None, None) => Ok(()),
        (None, Some(_)) => {
            Err("code_verifier was sent but the authorization request had no code_challenge")
        }
        (Some(_), None) => Err("code_verifier is required"),
        (Some(challenge), Some(verifier)) => {
            if !well_formed_verifier(verifier) {
                return Err("code_verifier must be 43 to 128 unreserved characters");
            }
            if equal(s256(verifier).as_bytes(), challenge.as_bytes()) {
                Ok(())
            } else {
                Err("code_verifier does not match the code_challenge")
            }
        }
    }
}

/// The S256 challenge of a verifier.
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(sha256(verifier.as_bytes()))
}

/// RFC 7636 §4.1: 43–128 characters of `[A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~"`.
fn well_formed_verifier(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~'))
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 7636 appendix B.
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn s256_matches_the_rfc_example() {
        assert_eq!(s256(VERIFIER), CHALLENGE);
        assert_eq!(verify(Some(CHALLENGE), Some(VERIFIER)), Ok(()));
    }

    #[test]
    fn only_s256_challenges_are_accepted() {
        assert_eq!(parse_challenge(None, None), Ok(None));
        assert_eq!(
            parse_challenge(Some(CHALLENGE), Some("S256")),
            Ok(Some(CHALLENGE.to_owned()))
        );
        assert!(parse_challenge(Some(CHALLENGE), Some("plain")).is_err());
        assert!(parse_challenge(Some(CHALLENGE), Some("s256")).is_err());
        // No method means plain.
        assert!(parse_challenge(Some(CHALLENGE), None).is_err());
        assert!(parse_challenge(None, Some("S256")).is_err());
        // Anything 43 characters long that decodes to 32 bytes looks like a digest.
        assert!(parse_challenge(Some(VERIFIER), Some("S256")).is_ok());
        assert!(parse_challenge(Some("short"), Some("S256")).is_err());
        assert!(parse_challenge(Some(&format!("{CHALLENGE}A")), Some("S256")).is_err());
        assert!(
            parse_challenge(
                Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM"),
                Some("S256")
            )
            .is_err()
        );
    }

    #[test]
    fn downgrade_missing_and_wrong_verifiers_are_refused() {
        assert_eq!(verify(None, None), Ok(()));
        // A verifier for a code that had no challenge: the attacker stripped it.
        assert!(verify(None, Some(VERIFIER)).is_err());
        assert!(verify(Some(CHALLENGE), None).is_err());
        let wrong = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXK";
        assert!(verify(Some(CHALLENGE), Some(wrong)).is_err());
        // Sending the challenge itself as the verifier (what `plain` would accept).
        assert!(verify(Some(CHALLENGE), Some(CHALLENGE)).is_err());
    }

    #[test]
    fn verifier_length_and_alphabet_are_checked() {
        let short = "a".repeat(42);
        let long = "a".repeat(129);
        let with_space = format!("{} ", "a".repeat(43));
        for bad in [short.as_str(), long.as_str(), with_space.as_str()] {
            let challenge = s256(bad);
            assert!(verify(Some(&challenge), Some(bad)).is_err(), "{bad:?}");
        }
        let longest = "~._-".repeat(32);
        assert_eq!(verify(Some(&s256(&longest)), Some(&longest)), Ok(()));
    }
}
