//! Confirming on a phone (Sim ký số through the carrier's mobile signature service; the VNPT
//! SmartCA app): the server picks a fresh hash, the phone shows the 4-digit verification code
//! derived from it beside the request, and the page waits while the person types their PIN or
//! approves. The wait is part of the flow's stored state, so any node answers the next poll;
//! it gives up on the server's clock, and once it has given up or been cancelled, a late
//! approval on the phone signs nobody in — the transaction is no longer in the state.
//!
//! The signature is checked over the hash kept here, never one the signer names, then the
//! certificate's chain and revocation (`pki`, fail closed).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use connectors::{
    MobileRefusal, MobileSignatureRequest, MobileSignatureStarted, MobileSignatureStatus,
    RemoteCredential, RemoteSession, RemoteSignatureRequest, RemoteSignatureStatus,
};
use domain::PhoneNumber;
use domain::digest::{sha256, to_hex, verification_code};
use pki::ValidCertificate;
use pki::signed_hash::SignedHash;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::common::security_refusal;
use crate::context::Client;
use crate::error::FlowError;
use crate::problem::Problem;
use crate::services::Services;
use crate::throttle::{ThrottleAction, ThrottleKey};
use crate::view::Step;

/// What the person confirms, in the words their phone shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SigningPurpose {
    SignIn,
    Register,
    /// Binding the certificate to a signed-in account.
    Bind,
}

impl SigningPurpose {
    /// Short: SIMs show little. Names the portal, what is confirmed and the code, and warns
    /// against approving a request the person did not start (push fatigue).
    fn display_text(self, code: &str) -> String {
        let what = match self {
            Self::SignIn => "Đăng nhập",
            Self::Register => "Đăng ký tài khoản",
            Self::Bind => "Gắn chứng thư số vào tài khoản",
        };
        format!(
            "Cổng DVC quốc gia: {what}. Mã kiểm tra {code}. Chỉ xác nhận nếu bạn đang thao tác."
        )
    }
}

/// A signature asked of a phone, waiting for its answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PhoneSigning {
    via: Via,
    /// The hash the phone was asked to sign: the signature is checked against this.
    hash: [u8; 32],
    verification_code: String,
    #[serde(with = "time::serde::rfc3339")]
    gives_up_at: OffsetDateTime,
    /// The service is not asked again before this: a page (or a script) polling faster than
    /// the step says costs the signing service nothing.
    #[serde(with = "time::serde::rfc3339")]
    next_ask_at: OffsetDateTime,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "via", rename_all = "snake_case")]
enum Via {
    /// A PKI SIM, by the MSSP's transaction.
    Sim { transaction: String },
    /// A remote signing service: the person's session there (short-lived), the transaction,
    /// and the credential's certificate (base64 DER), known before signing.
    Remote {
        access_token: String,
        transaction: String,
        certificate: String,
        chain: Vec<String>,
    },
}

/// Where a wait stands after a poll.
pub(crate) enum Polled {
    Waiting,
    /// The service could not be asked just now; the wait goes on.
    Unreachable(Problem),
    Signed(Box<ValidCertificate>),
    /// No signature will come: the person refused or did not answer, or the signature or its
    /// certificate failed.
    Refused(Problem),
}

/// A fresh hash to sign and its verification code.
fn challenge(services: &Services) -> ([u8; 32], String) {
    let mut nonce = [0u8; 32];
    services.random.fill(&mut nonce);
    let origin = services
        .certificates
        .as_ref()
        .map(|certificates| certificates.origin().to_owned())
        .unwrap_or_default();
    // The site is named in what is signed, so a signature asked for elsewhere is no use here.
    let hash = sha256(&[b"dvcid phone signing\0", origin.as_bytes(), b"\0", &nonce].concat());
    let code = verification_code(&hash);
    (hash, code)
}

/// Ours, fresh for every request: the MSSP never sees one twice, so no PIN is cached.
fn reference(services: &Services) -> String {
    let mut bytes = [0u8; 12];
    services.random.fill(&mut bytes);
    format!("dvcid-{}", to_hex(&bytes))
}

impl PhoneSigning {
    fn new(services: &Services, via: Via, hash: &[u8; 32], code: String) -> Self {
        let wait = Duration::seconds(services.config.signing.wait_secs);
        let now = services.clock.now();
        Self {
            via,
            hash: *hash,
            verification_code: code,
            gives_up_at: now + wait,
            next_ask_at: now,
        }
    }

    /// Asks the PKI SIM of `phone` to sign. Anyone can type a number, so pushes to one phone
    /// are capped per asking address (the stranger's own budget) and in all (to bound
    /// push-bombing); the holder keeps their other methods when the cap is reached.
    pub(crate) async fn sim(
        services: &Services,
        client: &Client,
        phone: &PhoneNumber,
        purpose: SigningPurpose,
    ) -> Result<Result<Self, Problem>, FlowError> {
        let Some(mssp) = &services.connectors.mobile_signature else {
            return Ok(Err(Problem::form("method.not_offered")));
        };
        if !within_push_caps(services, client, phone).await? {
            return Ok(Err(Problem::form("signing.daily_limit")));
        }
        let (hash, code) = challenge(services);
        let request = MobileSignatureRequest {
            phone: phone.clone(),
            hash,
            display_text: purpose.display_text(&code),
            transaction_id: reference(services),
        };
        match mssp.start(&request).await {
            Ok(MobileSignatureStarted::Pending { transaction }) => {
                let via = Via::Sim { transaction };
                Ok(Ok(Self::new(services, via, &hash, code)))
            }
            Ok(MobileSignatureStarted::Refused(refusal)) => Ok(Err(mobile_refusal(refusal))),
            Err(error) => {
                tracing::warn!(%error, phone = %phone.masked(), "mobile signature not started");
                Ok(Err(Problem::form("signing.unavailable")))
            }
        }
    }

    /// Asks the remote signing service to push a request to the person's app.
    pub(crate) async fn remote(
        services: &Services,
        session: &RemoteSession,
        credential: &RemoteCredential,
        purpose: SigningPurpose,
    ) -> Result<Result<Self, Problem>, FlowError> {
        let Some(remote) = &services.connectors.remote_signing else {
            return Ok(Err(Problem::form("method.not_offered")));
        };
        let (hash, code) = challenge(services);
        let request = RemoteSignatureRequest {
            credential_id: credential.id.clone(),
            hash,
            description: purpose.display_text(&code),
            reference: reference(services),
        };
        match remote.request_signature(session, &request).await {
            Ok(transaction) => {
                let via = Via::Remote {
                    access_token: session.access_token.expose().clone(),
                    transaction,
                    certificate: STANDARD.encode(&credential.certificate),
                    chain: credential
                        .chain
                        .iter()
                        .map(|c| STANDARD.encode(c))
                        .collect(),
                };
                Ok(Ok(Self::new(services, via, &hash, code)))
            }
            Err(error) => {
                tracing::warn!(%error, "remote signature not requested");
                Ok(Err(Problem::form("signing.unavailable")))
            }
        }
    }

    pub(crate) fn step(&self, services: &Services) -> Step {
        Step::Waiting {
            verification_code: self.verification_code.clone(),
            poll_after_secs: services.config.signing.poll_secs,
            gives_up_at: self.gives_up_at,
        }
    }

    /// Asks the service where the request stands, at most once in half the polling interval;
    /// a signature is checked before it counts.
    pub(crate) async fn poll(
        &mut self,
        services: &Services,
        client: &Client,
    ) -> Result<Polled, FlowError> {
        let now = services.clock.now();
        if now >= self.gives_up_at {
            return Ok(Polled::Refused(Problem::form("signing.timed_out")));
        }
        if now < self.next_ask_at {
            return Ok(Polled::Waiting);
        }
        let interval = i64::from(services.config.signing.poll_secs / 2).max(1);
        self.next_ask_at = now + Duration::seconds(interval);
        let answer = match &self.via {
            Via::Sim { transaction } => sim_status(services, transaction).await,
            Via::Remote {
                access_token,
                transaction,
                certificate,
                chain,
            } => remote_status(services, access_token, transaction, certificate, chain).await,
        };
        let (signature, certificate, chain) = match answer {
            Answer::Polled(polled) => return Ok(polled),
            Answer::Signed {
                signature,
                certificate,
                chain,
            } => (signature, certificate, chain),
        };
        let Some(certificates) = &services.certificates else {
            return Ok(Polled::Refused(Problem::form("method.not_offered")));
        };
        let signed = SignedHash {
            hash: &self.hash,
            signature: &signature,
            certificate: &certificate,
            chain: &chain,
        };
        match certificates.verify_signed_hash(signed, now).await {
            Ok(valid) => Ok(Polled::Signed(Box::new(valid))),
            Err(problem) => {
                let reason = problem.code;
                security_refusal(services, None, client, ThrottleAction::SignIn, reason).await?;
                Ok(Polled::Refused(problem))
            }
        }
    }
}

/// What the service said, before the signature is checked.
enum Answer {
    Polled(Polled),
    Signed {
        signature: Vec<u8>,
        certificate: Vec<u8>,
        chain: Vec<Vec<u8>>,
    },
}

fn unreachable() -> Answer {
    Answer::Polled(Polled::Unreachable(Problem::form("signing.unavailable")))
}

async fn sim_status(services: &Services, transaction: &str) -> Answer {
    let Some(mssp) = &services.connectors.mobile_signature else {
        return Answer::Polled(Polled::Refused(Problem::form("method.not_offered")));
    };
    match mssp.status(transaction).await {
        Ok(MobileSignatureStatus::Outstanding) => Answer::Polled(Polled::Waiting),
        Ok(MobileSignatureStatus::Signed {
            signature,
            certificate,
            chain,
        }) => Answer::Signed {
            signature,
            certificate,
            chain,
        },
        Ok(MobileSignatureStatus::Refused(refusal)) => {
            Answer::Polled(Polled::Refused(mobile_refusal(refusal)))
        }
        Err(error) => {
            tracing::warn!(%error, "mobile signature status unknown");
            unreachable()
        }
    }
}

async fn remote_status(
    services: &Services,
    access_token: &str,
    transaction: &str,
    certificate: &str,
    chain: &[String],
) -> Answer {
    let Some(remote) = &services.connectors.remote_signing else {
        return Answer::Polled(Polled::Refused(Problem::form("method.not_offered")));
    };
    let session = RemoteSession {
        access_token: domain::Secret::new(access_token.to_owned()),
    };
    let refused = |code| Answer::Polled(Polled::Refused(Problem::form(code)));
    match remote.signature_status(&session, transaction).await {
        Ok(RemoteSignatureStatus::Waiting) => Answer::Polled(Polled::Waiting),
        Ok(RemoteSignatureStatus::Signed { signature }) => {
            let decoded: Option<(Vec<u8>, Vec<Vec<u8>>)> = STANDARD
                .decode(certificate)
                .ok()
                .zip(chain.iter().map(|c| STANDARD.decode(c).ok()).collect());
            match decoded {
                Some((certificate, chain)) => Answer::Signed {
                    signature,
                    certificate,
                    chain,
                },
                None => refused("pki.malformed"),
            }
        }
        Ok(RemoteSignatureStatus::Refused) => refused("signing.cancelled"),
        Ok(RemoteSignatureStatus::Expired) => refused("signing.timed_out"),
        Ok(RemoteSignatureStatus::Failed(code)) => {
            tracing::warn!(code, "remote signing service could not sign");
            refused("signing.failed")
        }
        Err(error) => {
            tracing::warn!(%error, "remote signature status unknown");
            unreachable()
        }
    }
}

/// The MSSP's refusal as the person reads it.
fn mobile_refusal(refusal: MobileRefusal) -> Problem {
    Problem::form(match refusal {
        MobileRefusal::UserCancelled => "signing.cancelled",
        MobileRefusal::PinBlocked => "signing.pin_blocked",
        MobileRefusal::CardBlocked => "signing.card_blocked",
        MobileRefusal::Expired => "signing.timed_out",
        MobileRefusal::UnknownUser => "signing.no_sim",
        MobileRefusal::RevokedCertificate => "pki.revoked",
        MobileRefusal::PhoneUnreachable => "signing.phone_unreachable",
        MobileRefusal::Other(code) => {
            tracing::warn!(code, "mobile signature refused");
            "signing.failed"
        }
    })
}

/// Counts one push to `phone` against the asking address's budget and the phone's own; true
/// while within both.
async fn within_push_caps(
    services: &Services,
    client: &Client,
    phone: &PhoneNumber,
) -> Result<bool, FlowError> {
    let limits = &services.config.signing;
    let now = services.clock.now();
    let throttle = &services.throttle;
    let address = client.address.as_deref().unwrap_or("unknown");
    let from_address = ThrottleKey::PushesFrom(phone.e164(), address);
    if !throttle
        .within_daily_cap(
            &from_address,
            limits.max_pushes_per_phone_per_address_per_day,
            now,
        )
        .await?
    {
        return Ok(false);
    }
    let to_phone = ThrottleKey::PushesTo(phone.e164());
    throttle
        .within_daily_cap(&to_phone, limits.max_pushes_per_phone_per_day, now)
        .await
}
