//! The CRL fallback: a certificate revocation list (RFC 5280 §5) fetched from the certificate's
//! distribution point, believed only when the issuing CA signed it and it is current, then
//! searched for the certificate's serial number.

use der::{Decode, Encode};
use time::OffsetDateTime;
use x509_cert::Certificate;
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::CrlReason;

use crate::cert;
use crate::ocsp::Status;
use crate::refusal::{RevocationReason, UnavailableReason};
use crate::revocation::{after, before};
use crate::signature;

/// The status of `subject` according to the CRL `der` of `issuer`, at `at`, allowing `skew`
/// for the CA's clock.
pub(crate) fn read(
    der: &[u8],
    issuer: &Certificate,
    subject: &Certificate,
    skew: time::Duration,
    at: OffsetDateTime,
) -> Result<Status, UnavailableReason> {
    use UnavailableReason as Why;

    let crl = CertificateList::from_der(der).map_err(|_| Why::CrlMalformed)?;
    let tbs = &crl.tbs_cert_list;
    // Indirect CRLs (signed by another issuer) are not accepted.
    if tbs.issuer != issuer.tbs_certificate.subject {
        return Err(Why::CrlBadSignature);
    }
    let signed = tbs.to_der().map_err(|_| Why::CrlMalformed)?;
    signature::verify_signed(
        &issuer.tbs_certificate.subject_public_key_info,
        &crl.signature_algorithm,
        &signed,
        &crl.signature,
    )
    .map_err(|_| Why::CrlBadSignature)?;

    let time_of = |t: x509_cert::time::Time| cert::datetime(t.to_unix_duration());
    let this_update = time_of(tbs.this_update).ok_or(Why::CrlMalformed)?;
    // A CRL without nextUpdate gives no bound on how stale it may be: not current.
    let next_update = tbs
        .next_update
        .and_then(time_of)
        .ok_or(Why::CrlNotCurrent)?;
    if after(this_update, at, skew) || before(next_update, at, skew) {
        return Err(Why::CrlNotCurrent);
    }

    let serial = &subject.tbs_certificate.serial_number;
    let entry = tbs
        .revoked_certificates
        .iter()
        .flatten()
        .find(|entry| entry.serial_number == *serial);
    let Some(entry) = entry else {
        return Ok(Status::Good { next_update: None });
    };
    let reason = entry
        .crl_entry_extensions
        .iter()
        .flatten()
        .find(|ext| ext.extn_id == <CrlReason as der::oid::AssociatedOid>::OID)
        .and_then(|ext| CrlReason::from_der(ext.extn_value.as_bytes()).ok());
    // removeFromCRL only appears in delta CRLs, which name certificates no longer on hold.
    if reason == Some(CrlReason::RemoveFromCRL) {
        return Ok(Status::Good { next_update: None });
    }
    Ok(Status::Revoked {
        on: time_of(entry.revocation_date).ok_or(Why::CrlMalformed)?,
        reason: reason.map(RevocationReason::from),
    })
}
