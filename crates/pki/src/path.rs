//! Path validation with webpki: from the end-entity certificate through presented or configured
//! intermediates to a trust anchor, at the caller's time. Returns the certificate that issued
//! the end-entity one, which OCSP and CRL checks need.

use rustls_pki_types::{CertificateDer, UnixTime};
use time::OffsetDateTime;
use webpki::{EndEntityCert, Error as WebpkiError, KeyUsage};
use x509_cert::Certificate;

use crate::TrustAnchors;
use crate::cert;
use crate::refusal::{KeyUsageProblem, Refusal};

/// Validates the path of `end_entity` and returns its issuer. The end-entity's own validity
/// dates are checked first so that "expired" names its date rather than an issuer's.
pub(crate) fn validate(
    anchors: &TrustAnchors,
    end_entity: &Certificate,
    end_entity_der: &[u8],
    presented: &[Vec<u8>],
    at: OffsetDateTime,
) -> Result<Certificate, Refusal> {
    let not_before = cert::not_before(end_entity).ok_or(Refusal::Malformed {
        part: "certificate validity",
    })?;
    let not_after = cert::not_after(end_entity).ok_or(Refusal::Malformed {
        part: "certificate validity",
    })?;
    if at < not_before {
        return Err(Refusal::NotYetValid { from: not_before });
    }
    if at > not_after {
        return Err(Refusal::Expired { on: not_after });
    }

    let ee_der = CertificateDer::from(end_entity_der);
    let ee = EndEntityCert::try_from(&ee_der).map_err(|_| Refusal::Malformed {
        part: "certificate",
    })?;
    // What the holder presents is untrusted input: an unreadable extra certificate is left
    // out rather than let it fail a path that the others can build.
    let intermediates: Vec<CertificateDer<'_>> = presented
        .iter()
        .filter(|der| cert::decode(der, "intermediate certificate").is_ok())
        .map(|der| CertificateDer::from(der.as_slice()))
        .chain(anchors.intermediates().iter().cloned())
        .collect();
    let path = ee
        .verify_for_usage(
            webpki::ALL_VERIFICATION_ALGS,
            anchors.trust_anchors(),
            &intermediates,
            unix_time(at),
            KeyUsage::client_auth(),
            None,
            None,
        )
        .map_err(refusal)?;

    // Intermediates run from the end entity towards the anchor: the first one is the issuer.
    match path.intermediate_certificates().next() {
        Some(issuer) => cert::decode(issuer.der().as_ref(), "intermediate certificate"),
        None => anchors
            .root_of(path.anchor())
            .cloned()
            .ok_or_else(|| Refusal::UntrustedIssuer {
                detail: "anchor not found among the configured roots".to_owned(),
            }),
    }
}

fn unix_time(at: OffsetDateTime) -> UnixTime {
    let seconds = u64::try_from(at.unix_timestamp()).unwrap_or(0);
    UnixTime::since_unix_epoch(std::time::Duration::from_secs(seconds))
}

fn refusal(error: WebpkiError) -> Refusal {
    let at = |time: UnixTime| cert::datetime(std::time::Duration::from_secs(time.as_secs()));
    match error {
        WebpkiError::CertExpired { not_after, .. } => match at(not_after) {
            Some(on) => Refusal::Expired { on },
            None => Refusal::Malformed {
                part: "issuer validity",
            },
        },
        WebpkiError::CertNotValidYet { not_before, .. } => match at(not_before) {
            Some(from) => Refusal::NotYetValid { from },
            None => Refusal::Malformed {
                part: "issuer validity",
            },
        },
        #[allow(deprecated)]
        WebpkiError::RequiredEkuNotFound | WebpkiError::RequiredEkuNotFoundContext(_) => {
            Refusal::WrongKeyUsage(KeyUsageProblem::NoClientAuth)
        }
        WebpkiError::BadDer | WebpkiError::BadDerTime | WebpkiError::TrailingData(_) => {
            Refusal::Malformed {
                part: "certificate",
            }
        }
        other => Refusal::UntrustedIssuer {
            detail: format!("{other:?}"),
        },
    }
}
