//! The carriers' mobile signature service (MSSP, "Sim ký số"): the person confirms a signature
//! on their phone with the PIN of their PKI SIM. Shaped like Mobile-ID's authentication — start
//! a signature, then poll it to a typed end — so that another protocol can stand behind the
//! same trait; the client here speaks ETSI TS 102 204 v1.1.2 over SOAP, as the Vietnamese MSSPs
//! do.

mod etsi;
mod soap;
mod status_codes;
mod wire;

use async_trait::async_trait;
use domain::PhoneNumber;

use crate::error::ConnectorError;

pub use etsi::{EtsiMobileSignature, sha256_digest_info};

/// What the person is asked to sign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MobileSignatureRequest {
    /// The SIM's number.
    pub phone: PhoneNumber,
    /// The SHA-256 hash to sign; it goes out as a DER DigestInfo.
    pub hash: [u8; 32],
    /// Shown on the phone before the PIN (Vietnamese, with the verification code).
    pub display_text: String,
    /// Ours, fresh for every attempt (AP_TransID): never reused, so the SIM never caches a PIN.
    pub transaction_id: String,
}

/// The MSSP's answer to a new request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MobileSignatureStarted {
    /// Sent to the phone; poll with this transaction (MSSP_TransID).
    Pending {
        transaction: String,
    },
    Refused(MobileRefusal),
}

/// Where a request stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MobileSignatureStatus {
    /// The person has not answered yet.
    Outstanding,
    /// Signed: the signature over the DigestInfo (PKCS#1 v1.5 for RSA keys, a DER
    /// ECDSA-Sig-Value for EC keys), and the SIM's certificate (DER) with any intermediates the
    /// MSSP returned.
    Signed {
        signature: Vec<u8>,
        certificate: Vec<u8>,
        chain: Vec<Vec<u8>>,
    },
    Refused(MobileRefusal),
}

/// Why there is no signature, whatever the MSSP's own status code for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MobileRefusal {
    /// The person pressed cancel on the phone.
    UserCancelled,
    /// Too many wrong PINs: the SIM's PIN is blocked.
    PinBlocked,
    /// The SIM card or its signing key is blocked or missing.
    CardBlocked,
    /// The person did not answer in time.
    Expired,
    /// The number has no PKI SIM at this MSSP.
    UnknownUser,
    /// The MSSP knows the SIM's certificate is revoked.
    RevokedCertificate,
    /// The phone could not be reached (off, out of coverage).
    PhoneUnreachable,
    /// Anything else the MSSP refused, by its status code.
    Other(u16),
}

#[async_trait]
pub trait MobileSignatureService: Send + Sync {
    /// Sends the request to the phone and returns at once (asynchronous client–server mode).
    async fn start(
        &self,
        request: &MobileSignatureRequest,
    ) -> Result<MobileSignatureStarted, ConnectorError>;

    /// Where the request `transaction` stands now (MSS_StatusQuery).
    async fn status(&self, transaction: &str) -> Result<MobileSignatureStatus, ConnectorError>;
}
