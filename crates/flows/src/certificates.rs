//! Sign-in with a certificate through the local signing agent (USB token, S7): the challenge
//! the agent signs, and the check of its Web eID token — signature over this site's origin and
//! the challenge, then the certificate's chain, key usage and revocation (`pki`, fail closed).

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use domain::random::Randomness;
use pki::{Refusal, UsagePolicy, ValidCertificate, Validator};
use time::{Duration, OffsetDateTime};

use crate::problem::{Detail, Problem};

/// How long a challenge may be answered (Web eID's recommendation).
pub(crate) const CHALLENGE_LIFETIME: Duration = Duration::minutes(5);

/// What the portal needs to accept certificates: enabled when the deployment configures
/// trust anchors.
pub struct CertificateSignIn {
    validator: Validator,
    /// This site's origin (`https://host[:port]`, no trailing slash): the agent signs it, so a
    /// token made for another site fails here.
    origin: String,
    /// Where the person's local signing agent listens.
    agent_url: String,
    usage: UsagePolicy,
}

impl CertificateSignIn {
    pub fn new(validator: Validator, origin: &str, agent_url: &str) -> Self {
        Self {
            validator,
            origin: origin.trim_end_matches('/').to_owned(),
            agent_url: agent_url.trim_end_matches('/').to_owned(),
            usage: UsagePolicy::any(),
        }
    }

    pub(crate) fn agent_url(&self) -> &str {
        &self.agent_url
    }

    /// The token's certificate, once every check passed; otherwise the reason, worded for the
    /// person.
    pub(crate) async fn verify(
        &self,
        token: &str,
        challenge: &str,
        at: OffsetDateTime,
    ) -> Result<ValidCertificate, Problem> {
        pki::web_eid::verify(
            token,
            &self.origin,
            challenge,
            &self.validator,
            at,
            &self.usage,
        )
        .await
        .map_err(|refusal| refused(&refusal))
    }
}

/// A fresh challenge: 256 bits from the CSPRNG, base64 (44 characters, as Web eID expects).
pub(crate) fn new_challenge(random: &Arc<dyn Randomness>) -> String {
    let mut bytes = [0u8; 32];
    random.fill(&mut bytes);
    STANDARD.encode(bytes)
}

/// A certificate's refusal as the pages and the API show it: its code, and the exact reason
/// (with dates) in both languages.
fn refused(refusal: &Refusal) -> Problem {
    let mut problem = Problem::form(refusal.code());
    problem.detail = Some(Detail {
        rule: refusal.reason_code().unwrap_or(refusal.code()),
        // The pages end the sentence themselves.
        vi: refusal.message_vi().trim_end_matches('.').to_owned(),
        en: refusal.message_en().trim_end_matches('.').to_owned(),
    });
    problem
}
