//! The PKI SIMs the sandbox MSSP serves: one per certificate the sandbox CAs issued to a SIM
//! ([`KeyHolder::Sim`]), on the holder's phone number, with the certificate's key inside.

use std::collections::HashSet;

use aws_lc_rs::digest::{Digest, SHA256};
use aws_lc_rs::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair};
use der::Encode;
use domain::PhoneNumber;
use serde::Serialize;

use super::codes;
use super::ledger::Outcome;
use crate::businesses::SyntheticBusinesses;
use crate::people::SyntheticPeople;
use crate::pki::{CertificateRole, Holder, IssuedCertificate, KeyHolder, PkiError, SandboxPki};

/// The organisation SIM's number when its legal representative is not among the people, or
/// already holds a personal SIM on their phone (documented in PROTOCOL.md).
pub const BUSINESS_SIM_FALLBACK: &str = "+84969000999";

/// A PKI SIM as the tests and pages see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SimCard {
    pub msisdn: PhoneNumber,
    pub role: CertificateRole,
    /// The certificate holder's name (a person, or the organisation).
    pub holder: String,
}

/// A SIM with its key and certificates.
pub(super) struct Sim {
    pub card: SimCard,
    key: EcdsaKeyPair,
    /// The certificate, DER.
    pub certificate: Vec<u8>,
    /// Its issuing CA, DER.
    pub chain: Vec<Vec<u8>>,
}

impl Sim {
    /// Signed: the DER ECDSA-Sig-Value over `hash`, the SHA-256 digest the SIM was given
    /// (refused as an internal error if the key fails).
    pub(super) fn sign(&self, hash: &[u8; 32]) -> Outcome {
        let signature = Digest::import_less_safe(hash, &SHA256)
            .and_then(|digest| self.key.sign_digest(&digest));
        match signature {
            Ok(signature) => Outcome::Signed {
                signature: signature.as_ref().to_vec(),
            },
            Err(_) => Outcome::Refused(codes::INTERNAL_ERROR),
        }
    }
}

/// The SIMs of `pki`'s certificates; a SIM whose number another SIM already has is left out.
pub(super) fn issue(
    pki: &SandboxPki,
    people: &SyntheticPeople,
    businesses: &SyntheticBusinesses,
) -> Result<Vec<Sim>, PkiError> {
    let issued: Vec<&IssuedCertificate> = pki
        .issued()
        .iter()
        .filter(|issued| issued.role.key_holder() == KeyHolder::Sim)
        .collect();
    let mut taken = HashSet::new();
    let mut sims = Vec::with_capacity(issued.len());
    // Personal SIMs first, so the organisation SIM steps aside on a shared phone.
    let (personal, organisations): (Vec<_>, Vec<_>) = issued
        .into_iter()
        .partition(|issued| matches!(issued.holder, Holder::Citizen { .. }));
    for issued in personal.into_iter().chain(organisations) {
        let Some((msisdn, holder)) = number(issued, people, businesses, &taken) else {
            tracing::warn!(
                role = issued.role.id(),
                "no free number for a sandbox PKI SIM"
            );
            continue;
        };
        taken.insert(msisdn.clone());
        sims.push(sim(pki, issued, msisdn, holder)?);
    }
    Ok(sims)
}

fn number(
    issued: &IssuedCertificate,
    people: &SyntheticPeople,
    businesses: &SyntheticBusinesses,
    taken: &HashSet<PhoneNumber>,
) -> Option<(PhoneNumber, String)> {
    match &issued.holder {
        Holder::Citizen {
            personal_id,
            full_name,
        } => {
            let phone = people.by_personal_id(personal_id)?.phone.clone();
            (!taken.contains(&phone)).then(|| (phone, full_name.clone()))
        }
        Holder::Organisation { tax_code, name } => {
            let representative = businesses
                .by_tax_code(tax_code)
                .and_then(|business| {
                    people.by_personal_id(&business.legal_representative.personal_id)
                })
                .map(|person| person.phone.clone())
                .filter(|phone| !taken.contains(phone));
            let phone = match representative {
                Some(phone) => phone,
                None => PhoneNumber::parse(BUSINESS_SIM_FALLBACK)
                    .ok()
                    .filter(|phone| !taken.contains(phone))?,
            };
            Some((phone, name.clone()))
        }
    }
}

fn sim(
    pki: &SandboxPki,
    issued: &IssuedCertificate,
    msisdn: PhoneNumber,
    holder: String,
) -> Result<Sim, PkiError> {
    let key_error = || PkiError::Key(format!("sim/{}", issued.role.id()));
    let pkcs8 = rcgen::KeyPair::from_pem(&issued.key_pkcs8_pem)?.serialize_der();
    let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &pkcs8)
        .map_err(|_| key_error())?;
    let chain = match pki.authorities().get(issued.ca) {
        Some(ca) => vec![ca.ca.cert.to_der()?],
        None => Vec::new(),
    };
    Ok(Sim {
        card: SimCard {
            msisdn,
            role: issued.role,
            holder,
        },
        key,
        certificate: issued.der.clone(),
        chain,
    })
}
