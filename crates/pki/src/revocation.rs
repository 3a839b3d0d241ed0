//! Revocation checking, fail closed: OCSP at the responder the certificate names, good answers
//! cached until nextUpdate, and the CRL at its distribution point when no responder can be
//! reached. Fetching goes through [`RevocationFetcher`], so this crate knows no HTTP.

use std::sync::Arc;

use async_trait::async_trait;
use der::Encode;
use domain::random::Randomness;
use time::{Duration, OffsetDateTime};
use x509_cert::Certificate;

use crate::cache::OcspCache;
use crate::ocsp::{self, Answer, Status};
use crate::refusal::{Refusal, UnavailableReason};
use crate::{cert, crl};

/// Why a fetch failed. Every failure leads to the CRL fallback, then to a refusal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("no answer within the time allowed")]
    Timeout,
    #[error("cannot connect: {0}")]
    Connect(String),
    #[error("HTTP status {0}")]
    Status(u16),
    #[error("the answer is larger than allowed")]
    TooLarge,
}

/// Fetches OCSP responses and CRLs. Implementations must time out (5 s is Web eID's choice)
/// and bound the size of what they read.
#[async_trait]
pub trait RevocationFetcher: Send + Sync {
    /// POSTs a DER OCSPRequest (`application/ocsp-request`) and returns the body.
    async fn ocsp(&self, url: &str, request_der: Vec<u8>) -> Result<Vec<u8>, FetchError>;
    /// GETs a DER CRL.
    async fn crl(&self, url: &str) -> Result<Vec<u8>, FetchError>;
}

/// How fresh revocation answers must be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevocationConfig {
    /// The oldest thisUpdate accepted in a fresh OCSP response. Responders that answer a
    /// nonce sign on request, so thisUpdate is seconds old; 5 minutes (Web eID uses 2) also
    /// covers a responder whose clock lags ours, while refusing replayed old answers.
    /// Responders that pre-produce answers (RFC 5019) need hours here and `require_nonce`
    /// off.
    pub max_response_age: Duration,
    /// How far a responder's or CA's clock may run ahead of ours (thisUpdate in the future)
    /// or how late a nextUpdate may be (15 minutes, as Web eID).
    pub clock_skew: Duration,
    /// Refuse OCSP responses that do not echo our nonce (RFC 8954).
    pub require_nonce: bool,
    /// A good answer is cached until its nextUpdate but never longer than this, so that a
    /// revocation is seen within this time even when a CA sets nextUpdate days ahead.
    pub max_cache_time: Duration,
}

impl Default for RevocationConfig {
    fn default() -> Self {
        Self {
            max_response_age: Duration::minutes(5),
            clock_skew: Duration::minutes(15),
            require_nonce: true,
            max_cache_time: Duration::hours(1),
        }
    }
}

/// Where the "not revoked" came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckedBy {
    Ocsp,
    /// A good OCSP answer fetched earlier, before its nextUpdate.
    OcspCache,
    Crl,
}

/// Asks OCSP, then the CRL, through the fetcher.
pub(crate) struct RevocationChecker {
    fetcher: Arc<dyn RevocationFetcher>,
    randomness: Arc<dyn Randomness>,
    config: RevocationConfig,
    cache: OcspCache,
}

/// RFC 8954 allows 1 to 32 octets; 32 is Web eID's challenge size too.
const NONCE_LEN: usize = 32;

impl RevocationChecker {
    pub(crate) fn new(
        fetcher: Arc<dyn RevocationFetcher>,
        randomness: Arc<dyn Randomness>,
        config: RevocationConfig,
    ) -> Self {
        Self {
            fetcher,
            randomness,
            config,
            cache: OcspCache::default(),
        }
    }

    /// The revocation status of `subject`, issued by `issuer`, at `at`.
    pub(crate) async fn check(
        &self,
        subject: &Certificate,
        issuer: &Certificate,
        at: OffsetDateTime,
    ) -> Result<CheckedBy, Refusal> {
        let unavailable = Refusal::RevocationUnavailable;
        let cert_id = ocsp::cert_id(issuer, subject).map_err(unavailable)?;
        let cache_key = cert_id
            .to_der()
            .map_err(|_| unavailable(UnavailableReason::MalformedResponse))?;
        if self.cache.is_good(&cache_key, at) {
            return Ok(CheckedBy::OcspCache);
        }

        let ocsp_urls = cert::ocsp_urls(subject)?;
        for url in &ocsp_urls {
            let mut nonce = [0u8; NONCE_LEN];
            self.randomness.fill(&mut nonce);
            let request = ocsp::request(&cert_id, &nonce).map_err(unavailable)?;
            let Ok(response) = self.fetcher.ocsp(url, request).await else {
                continue;
            };
            // A responder that answers wrongly (bad signature, stale, unknown…) is not down:
            // its answer is the refusal, named as such, rather than a reason to look elsewhere.
            match ocsp::read(&response, issuer, &cert_id, &nonce, &self.config, at)
                .map_err(unavailable)?
            {
                Answer::Unavailable => continue,
                Answer::Status(Status::Good { next_update }) => {
                    if let Some(next_update) = next_update {
                        let cap = at.checked_add(self.config.max_cache_time).unwrap_or(at);
                        self.cache.keep_good(cache_key, next_update.min(cap), at);
                    }
                    return Ok(CheckedBy::Ocsp);
                }
                Answer::Status(Status::Revoked { on, reason }) => {
                    return Err(Refusal::Revoked { on, reason });
                }
            }
        }

        let crl_urls = cert::crl_urls(subject)?;
        for url in &crl_urls {
            let Ok(list) = self.fetcher.crl(url).await else {
                continue;
            };
            return match crl::read(&list, issuer, subject, self.config.clock_skew, at)
                .map_err(unavailable)?
            {
                Status::Good { .. } => Ok(CheckedBy::Crl),
                Status::Revoked { on, reason } => Err(Refusal::Revoked { on, reason }),
            };
        }

        Err(unavailable(
            if ocsp_urls.is_empty() && crl_urls.is_empty() {
                UnavailableReason::NoSource
            } else {
                UnavailableReason::Unreachable
            },
        ))
    }
}

/// Whether `time` is later than `at + margin` (or the sum overflows: fail closed).
pub(crate) fn after(time: OffsetDateTime, at: OffsetDateTime, margin: Duration) -> bool {
    at.checked_add(margin).is_none_or(|limit| time > limit)
}

/// Whether `time` is earlier than `at - margin` (or the difference overflows: fail closed).
pub(crate) fn before(time: OffsetDateTime, at: OffsetDateTime, margin: Duration) -> bool {
    at.checked_sub(margin).is_none_or(|limit| time < limit)
}
