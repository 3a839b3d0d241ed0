//! Sign-in with a certificate through the local signing agent (USB token, S7): the challenge
//! the agent signs, and the check of its Web eID token — signature over this site's origin and
//! the challenge, then the certificate's chain, key usage and revocation (`pki`, fail closed).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use pki::{Refusal, UsagePolicy, ValidCertificate, Validator};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::common::security_refusal;
use crate::context::Client;
use crate::error::FlowError;
use crate::problem::{Detail, Problem};
use crate::services::Services;
use crate::throttle::ThrottleAction;
use crate::view::Step;

/// How long a challenge may be answered (Web eID's recommendation).
const CHALLENGE_LIFETIME: Duration = Duration::minutes(5);

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

    /// This site's origin, which every signature for it names.
    pub(crate) fn origin(&self) -> &str {
        &self.origin
    }

    /// The certificate that signed the hash this site chose (a PKI SIM, a remote signing
    /// service), once the signature and every check of the certificate passed.
    pub(crate) async fn verify_signed_hash(
        &self,
        signed: pki::signed_hash::SignedHash<'_>,
        at: OffsetDateTime,
    ) -> Result<ValidCertificate, Problem> {
        pki::signed_hash::verify(signed, &self.validator, at, &self.usage)
            .await
            .map_err(|refusal| refused(&refusal))
    }

    /// The token's certificate, once every check passed; otherwise the reason, worded for the
    /// person.
    async fn verify(
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

/// What the local signing agent must sign, kept in the flow's state: answered once, within
/// five minutes, then replaced whatever the outcome.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct AgentChallenge {
    challenge: String,
    #[serde(with = "time::serde::rfc3339")]
    issued_at: OffsetDateTime,
}

impl AgentChallenge {
    /// A fresh challenge: 256 bits from the CSPRNG, base64 (44 characters, as Web eID
    /// expects).
    pub(crate) fn new(services: &Services) -> Self {
        let mut bytes = [0u8; 32];
        services.random.fill(&mut bytes);
        Self {
            challenge: STANDARD.encode(bytes),
            issued_at: services.clock.now(),
        }
    }

    pub(crate) fn step(&self, services: &Services) -> Step {
        let agent_url = services
            .certificates
            .as_ref()
            .map(|certificates| certificates.agent_url.clone())
            .unwrap_or_default();
        Step::LocalAgent {
            agent_url,
            challenge: self.challenge.clone(),
        }
    }

    /// The agent's token checked against this challenge, which is used up: the certificate,
    /// or the refusal to show (audited as a security refusal when the token or certificate
    /// fails).
    pub(crate) async fn answer(
        &mut self,
        services: &Services,
        client: &Client,
        token: &str,
    ) -> Result<Result<ValidCertificate, Problem>, FlowError> {
        let Some(certificates) = &services.certificates else {
            return Ok(Err(Problem::form("method.not_offered")));
        };
        let now = services.clock.now();
        let asked = std::mem::replace(self, Self::new(services));
        if now > asked.issued_at + CHALLENGE_LIFETIME {
            return Ok(Err(Problem::form("agent.challenge_expired")));
        }
        match certificates.verify(token, &asked.challenge, now).await {
            Ok(certificate) => Ok(Ok(certificate)),
            Err(problem) => {
                let reason = problem.code;
                security_refusal(services, None, client, ThrottleAction::SignIn, reason).await?;
                Ok(Err(problem))
            }
        }
    }
}

/// A distinguished name's common name, which is what people recognise ("Huỳnh Thị Hồng",
/// "VNPT Certification Authority"); the whole name when it has none.
pub(crate) fn common_name(dn: &str) -> &str {
    dn.split(',')
        .find_map(|part| part.trim().strip_prefix("CN="))
        .unwrap_or(dn)
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
