//! Password, then an authenticator app's code (RFC 6238 TOTP: HMAC-SHA-256, 6 digits, 30-second
//! steps, one step of clock skew either way): LoA2, `amr` `pwd` + `otp`, for citizen accounts
//! holding a password and a `totp` credential.
//!
//! Built only with the `test-methods` feature: it shows that a sign-in method is one module
//! and one line of the `methods!` table. Its seed is kept hex-encoded in the credential's
//! `secret`, readable by anyone who reads the database; a production method would seal it
//! under a server key (the column holds only hashes or sealed values), refuse a code already
//! accepted in another flow, and count wrong codes against the account across flows.
//!
//! ```text
//! Credentials ──ID+password(+captcha)──▶ Code ──code of the step before, now or after──▶ Proven
//!   │ the account has no TOTP credential       │ wrong: attempts left (5 per flow),
//!   └─ method.not_offered (stays)              └─ then otp.exhausted until another flow
//! ```

use async_trait::async_trait;
use domain::{AccountKind, AssuranceLevel, AuthMethod, CredentialKind};
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use store::AccountId;
use time::OffsetDateTime;

use super::kind::MethodKind;
use super::method::{Begin, Descriptor, Evidence, Method, Progress};
use crate::error::FlowError;
use crate::flow::{Acted, Ctx};
use crate::password_form::PasswordForm;
use crate::problem::Problem;
use crate::services::Services;
use crate::view::{Action, Step};
use domain::digest::equal;

/// Wrong codes a flow may try.
const MAX_ATTEMPTS: i32 = 5;
/// RFC 6238's time step, in seconds.
const STEP_SECS: i64 = 30;
/// Steps of clock skew accepted either side of the current one.
const SKEW_STEPS: i64 = 1;
const DIGITS: u32 = 6;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "at", rename_all = "snake_case")]
pub(crate) enum Totp {
    Credentials(PasswordForm),
    Code {
        account: AccountId,
        attempts_left: i32,
    },
}

#[async_trait]
impl Method for Totp {
    const DESCRIPTOR: Descriptor = Descriptor {
        kind: MethodKind::Totp,
        account_kinds: &[AccountKind::Citizen],
        needs: &[CredentialKind::Password, CredentialKind::Totp],
        level: AssuranceLevel::LoA2,
        amr: &[AuthMethod::Pwd, AuthMethod::Otp],
    };

    fn begin(begin: &Begin, _services: &Services) -> Self {
        Self::Credentials(PasswordForm::new(begin))
    }

    fn step(&self, services: &Services) -> Step {
        match self {
            Self::Credentials(form) => form.step(),
            // The OTP step with nothing sent: no phone, no resend.
            Self::Code { .. } => Step::Otp {
                phone: String::new(),
                resend_at: services.clock.now(),
                resends_left: 0,
                other_phones: Vec::new(),
                lost_phone: false,
                awaits_code: true,
            },
        }
    }

    async fn act(&mut self, ctx: &mut Ctx<'_>, action: Action) -> Result<Progress, FlowError> {
        let acted = match (&mut *self, action) {
            (
                Self::Credentials(form),
                Action::SignIn {
                    identifier,
                    password,
                    captcha,
                },
            ) => {
                let submitted = form
                    .submit(ctx, &identifier, &password, captcha.as_deref())
                    .await?;
                match submitted {
                    Err(problem) => Acted::problem(problem),
                    Ok(account) => {
                        let credentials = ctx.services.store.credentials(account.id).await?;
                        if Self::DESCRIPTOR.applies_to(account.kind, &credentials) {
                            *self = Self::Code {
                                account: account.id,
                                attempts_left: MAX_ATTEMPTS,
                            };
                            Acted::default()
                        } else {
                            Acted::problem(Problem::form("method.not_offered"))
                        }
                    }
                }
            }
            (
                Self::Code {
                    account,
                    attempts_left,
                },
                Action::Otp { code },
            ) => {
                if *attempts_left <= 0 {
                    Acted::problem(Problem::field("code", "otp.exhausted"))
                } else if let Some(key) = matching_key(ctx, *account, &code).await? {
                    let evidence = Evidence {
                        account: *account,
                        used: vec![
                            (CredentialKind::Password, String::new()),
                            (CredentialKind::Totp, key),
                        ],
                        phone_changed: false,
                        asserted: None,
                    };
                    return Ok(Progress::Proven(evidence, Acted::default()));
                } else {
                    *attempts_left -= 1;
                    Acted::problem(match *attempts_left {
                        0 => Problem::field("code", "otp.exhausted"),
                        left => Problem::field("code", "otp.wrong").attempts_left(left),
                    })
                }
            }
            (_, _) => Acted::problem(Problem::form("action.unexpected")),
        };
        Ok(Progress::Continue(acted))
    }
}

/// The key of the account's TOTP credential whose code `typed` is now, if any.
async fn matching_key(
    ctx: &Ctx<'_>,
    account: AccountId,
    typed: &str,
) -> Result<Option<String>, FlowError> {
    let store = &ctx.services.store;
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    let now = ctx.services.clock.now();
    for credential in store.credentials(account).await? {
        if credential.kind != CredentialKind::Totp {
            continue;
        }
        let secret = store
            .credential_secret(account, CredentialKind::Totp, &credential.key)
            .await?;
        let Some(seed) = secret.as_deref().and_then(from_hex) else {
            tracing::warn!(%account, "a TOTP credential without a readable seed");
            continue;
        };
        if accepted(&seed, &typed, now) {
            return Ok(Some(credential.key));
        }
    }
    Ok(None)
}

/// Whether `typed` is the code of the current step or of one within the skew.
fn accepted(seed: &[u8], typed: &str, now: OffsetDateTime) -> bool {
    let current = now.unix_timestamp().div_euclid(STEP_SECS);
    let mut found = false;
    for step in current - SKEW_STEPS..=current + SKEW_STEPS {
        let code = u64::try_from(step)
            .ok()
            .and_then(|step| code_at(seed, step));
        // Every candidate is compared, so the time taken does not say which one matched.
        found |= code.is_some_and(|code| equal(code.as_bytes(), typed.as_bytes()));
    }
    found
}

/// RFC 6238's code for time step `step` (RFC 4226 dynamic truncation of HMAC-SHA-256).
fn code_at(seed: &[u8], step: u64) -> Option<String> {
    let mut mac = Hmac::<Sha256>::new_from_slice(seed).ok()?;
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest.last()? & 0x0f);
    let bytes: [u8; 4] = digest.get(offset..offset + 4)?.try_into().ok()?;
    let binary = u32::from_be_bytes(bytes) & 0x7fff_ffff;
    let code = binary % 10u32.pow(DIGITS);
    Some(format!("{code:0width$}", width = DIGITS as usize))
}

fn from_hex(text: &str) -> Option<Vec<u8>> {
    let text = text.as_bytes();
    if !text.len().is_multiple_of(2) {
        return None;
    }
    text.chunks(2)
        .map(|pair| {
            let pair = std::str::from_utf8(pair).ok()?;
            u8::from_str_radix(pair, 16).ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use time::OffsetDateTime;

    use super::{accepted, code_at, from_hex};

    const SEED: &[u8] = b"12345678901234567890123456789012";

    fn at(unix: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(unix).unwrap()
    }

    /// RFC 6238 Appendix B's SHA-256 values, cut to their last six digits.
    #[test]
    fn codes_are_rfc_6238s() {
        for (unix, code) in [
            (59_u64, "119246"),
            (1_111_111_109, "084774"),
            (1_111_111_111, "062674"),
            (1_234_567_890, "819424"),
            (2_000_000_000, "698825"),
            (20_000_000_000, "737706"),
        ] {
            assert_eq!(code_at(SEED, unix / 30).as_deref(), Some(code), "{unix}");
        }
    }

    #[test]
    fn one_step_of_skew_either_way_and_no_more() {
        let now = at(1_234_567_890);
        let step = 1_234_567_890 / 30;
        for (offset, expected) in [(-2, false), (-1, true), (0, true), (1, true), (2, false)] {
            let code = code_at(SEED, (step + offset) as u64).unwrap();
            assert_eq!(accepted(SEED, &code, now), expected, "step {offset:+}");
        }
        assert!(!accepted(SEED, "", now));
        assert!(!accepted(SEED, "8194240", now));
    }

    #[test]
    fn seeds_are_hex() {
        assert_eq!(from_hex("00ff10"), Some(vec![0, 255, 16]));
        assert_eq!(from_hex("0"), None);
        assert_eq!(from_hex("zz"), None);
        assert_eq!(from_hex("é"), None);
    }
}
