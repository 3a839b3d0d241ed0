//! The object identifiers the crate reads, named once.

use der::asn1::ObjectIdentifier as Oid;

// Subject attributes.
pub(crate) const UID: Oid = Oid::new_unwrap("0.9.2342.19200300.100.1.1");
pub(crate) const COMMON_NAME: Oid = Oid::new_unwrap("2.5.4.3");
pub(crate) const ORGANISATION: Oid = Oid::new_unwrap("2.5.4.10");

// Extended key usages.
pub(crate) const KP_CLIENT_AUTH: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.2");
pub(crate) const KP_OCSP_SIGNING: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.9");

// Access methods and OCSP.
pub(crate) const AD_OCSP: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.48.1");
pub(crate) const OCSP_BASIC: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.48.1.1");
pub(crate) const SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");

// Public key and signature algorithms.
pub(crate) const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
pub(crate) const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
pub(crate) const SHA384_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");
pub(crate) const SHA512_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.13");
pub(crate) const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
pub(crate) const ECDSA_WITH_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
pub(crate) const ECDSA_WITH_SHA384: Oid = Oid::new_unwrap("1.2.840.10045.4.3.3");
pub(crate) const ECDSA_WITH_SHA512: Oid = Oid::new_unwrap("1.2.840.10045.4.3.4");
pub(crate) const ED25519: Oid = Oid::new_unwrap("1.3.101.112");
pub(crate) const CURVE_P256: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
pub(crate) const CURVE_P384: Oid = Oid::new_unwrap("1.3.132.0.34");
pub(crate) const CURVE_P521: Oid = Oid::new_unwrap("1.3.132.0.35");
