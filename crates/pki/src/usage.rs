//! What a sign-in method lets a certificate be used for: key usage digitalSignature (or
//! nonRepudiation), extended key usage clientAuth when present, and the certificate policies
//! the method allows or refuses. webpki checks neither key usage nor policies.

use der::asn1::ObjectIdentifier;
use x509_cert::Certificate;
use x509_cert::ext::pkix::{CertificatePolicies, ExtendedKeyUsage, KeyUsage};

use crate::cert;
use crate::oid;
use crate::refusal::{KeyUsageProblem, PolicyProblem, Refusal};

/// Which certificate policies a sign-in method accepts. The USB token method, for instance,
/// refuses the policy OIDs of SIM and remote-signing certificates, whose keys do not live on
/// the token in the person's hand.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UsagePolicy {
    allowed: Option<Vec<ObjectIdentifier>>,
    disallowed: Vec<ObjectIdentifier>,
}

impl UsagePolicy {
    /// Any policy, or none, is accepted.
    pub fn any() -> Self {
        Self::default()
    }

    /// Only certificates carrying at least one of these policies are accepted.
    pub fn allowing(mut self, policies: impl IntoIterator<Item = ObjectIdentifier>) -> Self {
        self.allowed.get_or_insert_with(Vec::new).extend(policies);
        self
    }

    /// Certificates carrying any of these policies are refused.
    pub fn disallowing(mut self, policies: impl IntoIterator<Item = ObjectIdentifier>) -> Self {
        self.disallowed.extend(policies);
        self
    }
}

/// Checks key usage, extended key usage and policies.
pub(crate) fn check(certificate: &Certificate, policy: &UsagePolicy) -> Result<(), Refusal> {
    // keyUsage must be present and allow signing (Web eID's rule: a key without it may be
    // meant for encryption only). Vietnamese CAs mark some signing keys nonRepudiation alone;
    // a signature over our challenge is a signature either way, so that bit is accepted too.
    let key_usage = cert::extension::<KeyUsage>(certificate)?;
    if !key_usage.is_some_and(|usage| usage.digital_signature() || usage.non_repudiation()) {
        return Err(Refusal::WrongKeyUsage(KeyUsageProblem::NoDigitalSignature));
    }
    if let Some(extended) = cert::extension::<ExtendedKeyUsage>(certificate)?
        && !extended.0.contains(&oid::KP_CLIENT_AUTH)
    {
        return Err(Refusal::WrongKeyUsage(KeyUsageProblem::NoClientAuth));
    }

    let carried: Vec<ObjectIdentifier> = cert::extension::<CertificatePolicies>(certificate)?
        .map(|policies| policies.0.iter().map(|p| p.policy_identifier).collect())
        .unwrap_or_default();
    if let Some(refused) = carried.iter().find(|p| policy.disallowed.contains(p)) {
        return Err(Refusal::PolicyNotAllowed(PolicyProblem::Disallowed(
            refused.to_string(),
        )));
    }
    if let Some(allowed) = &policy.allowed
        && !carried.iter().any(|p| allowed.contains(p))
    {
        return Err(Refusal::PolicyNotAllowed(PolicyProblem::NoneAllowed));
    }
    Ok(())
}
