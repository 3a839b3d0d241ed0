//! Why a certificate or a Web eID token was refused. A refusal is an outcome the sign-in flow
//! renders, not a fault: each variant names one reason, has a stable dotted code (`code()`,
//! plus `reason_code()` for the finer reason) and a short message in Vietnamese and English.

use std::fmt;

use time::OffsetDateTime;
use time::macros::{format_description, offset};

/// Why a certificate (or the token carrying it) was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The certificate (or one of its issuers) expired at `on`.
    Expired {
        on: OffsetDateTime,
    },
    /// The certificate is valid only from `from`.
    NotYetValid {
        from: OffsetDateTime,
    },
    /// The issuing CA says the certificate was revoked at `on`.
    Revoked {
        on: OffsetDateTime,
        reason: Option<RevocationReason>,
    },
    /// No path to a configured trust anchor; `detail` is for operators' logs only.
    UntrustedIssuer {
        detail: String,
    },
    WrongKeyUsage(KeyUsageProblem),
    PolicyNotAllowed(PolicyProblem),
    /// Fail closed: the revocation status could not be established.
    RevocationUnavailable(UnavailableReason),
    /// The certificate (or an intermediate) is not a readable X.509 certificate.
    Malformed {
        part: &'static str,
    },
    NoIdentity(IdentityProblem),
    /// The Web eID authentication token itself was refused.
    Token(TokenProblem),
}

/// Which key usage the certificate lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyUsageProblem {
    /// keyUsage present without digitalSignature or nonRepudiation.
    NoDigitalSignature,
    /// extendedKeyUsage present without id-kp-clientAuth.
    NoClientAuth,
}

/// Why the certificate's policies do not fit the sign-in method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyProblem {
    /// The certificate carries this policy OID, which the method refuses.
    Disallowed(String),
    /// The method accepts a list of policies and the certificate carries none of them.
    NoneAllowed,
}

/// Why the revocation status could not be established.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnavailableReason {
    /// The certificate names neither an OCSP responder nor a CRL over HTTP.
    NoSource,
    /// Neither the OCSP responder nor a CRL could be fetched.
    Unreachable,
    /// The responder answered with a status other than successful (malformedRequest, …).
    ResponderError,
    MalformedResponse,
    BadSignature,
    /// Signed by neither the issuing CA nor a responder it delegated (id-kp-OCSPSigning).
    UnauthorisedResponder,
    /// The response is not about exactly the CertID asked.
    CertIdMismatch,
    /// thisUpdate is older than the configured maximum age.
    Stale,
    /// thisUpdate is later than now plus the allowed clock skew.
    FromTheFuture,
    /// nextUpdate is past.
    Outdated,
    /// The responder did not echo the nonce and a nonce is required.
    NonceMissing,
    NonceMismatch,
    /// The responder does not know the certificate.
    UnknownStatus,
    UnsupportedAlgorithm,
    CrlMalformed,
    CrlBadSignature,
    /// The CRL's thisUpdate is in the future, or its nextUpdate is past or absent.
    CrlNotCurrent,
}

/// Why no identity could be read from the subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentityProblem {
    /// No UID attribute in the subject.
    Missing,
    /// A UID whose prefix is none of CCCD, CMND, MST (the prefix, never the number).
    UnknownPrefix(String),
    /// The number after the prefix breaks a rule of its kind.
    Invalid(domain::Invalid),
    /// An organisation certificate (UID=MST:…) without O=.
    NoOrganisationName,
    /// Several UIDs naming different identities.
    Ambiguous,
}

/// Why a Web eID authentication token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenProblem {
    /// Shorter than 100 or longer than 10,000 characters.
    Length {
        found: usize,
    },
    /// Not JSON, a field missing, or not base64.
    Malformed,
    UnsupportedFormat,
    UnsupportedAlgorithm,
    /// The signature is not over H(origin) ‖ H(nonce) with the certificate's key: wrong
    /// origin, wrong or replayed nonce, or tampering all end here.
    SignatureMismatch,
}

/// The reasonCode of a revocation (RFC 5280 §5.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevocationReason {
    Unspecified,
    KeyCompromise,
    CaCompromise,
    AffiliationChanged,
    Superseded,
    CessationOfOperation,
    CertificateHold,
    RemoveFromCrl,
    PrivilegeWithdrawn,
    AaCompromise,
}

impl Refusal {
    /// The stable code of the reason, e.g. `pki.expired`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Expired { .. } => "pki.expired",
            Self::NotYetValid { .. } => "pki.not_yet_valid",
            Self::Revoked { .. } => "pki.revoked",
            Self::UntrustedIssuer { .. } => "pki.untrusted_issuer",
            Self::WrongKeyUsage(_) => "pki.key_usage",
            Self::PolicyNotAllowed(_) => "pki.policy_not_allowed",
            Self::RevocationUnavailable(_) => "pki.revocation_unavailable",
            Self::Malformed { .. } => "pki.malformed",
            Self::NoIdentity(_) => "pki.no_identity",
            Self::Token(_) => "pki.token_invalid",
        }
    }

    /// The finer reason under `code()`, where there is one, e.g. `stale`.
    pub fn reason_code(&self) -> Option<&'static str> {
        match self {
            Self::WrongKeyUsage(problem) => Some(match problem {
                KeyUsageProblem::NoDigitalSignature => "digital_signature",
                KeyUsageProblem::NoClientAuth => "client_auth",
            }),
            Self::PolicyNotAllowed(problem) => Some(match problem {
                PolicyProblem::Disallowed(_) => "disallowed",
                PolicyProblem::NoneAllowed => "none_allowed",
            }),
            Self::RevocationUnavailable(reason) => Some(reason.code()),
            Self::NoIdentity(problem) => Some(match problem {
                IdentityProblem::Missing => "missing",
                IdentityProblem::UnknownPrefix(_) => "unknown_prefix",
                IdentityProblem::Invalid(_) => "invalid",
                IdentityProblem::NoOrganisationName => "no_organisation_name",
                IdentityProblem::Ambiguous => "ambiguous",
            }),
            Self::Token(problem) => Some(problem.code()),
            _ => None,
        }
    }

    /// The message for a Vietnamese reader.
    pub fn message_vi(&self) -> String {
        match self {
            Self::Expired { on } => format!("Chứng thư số đã hết hạn ngày {}.", date_vi(*on)),
            Self::NotYetValid { from } => format!(
                "Chứng thư số chưa có hiệu lực; có hiệu lực từ ngày {}.",
                date_vi(*from)
            ),
            Self::Revoked { on, reason } => match reason {
                Some(reason) => format!(
                    "Chứng thư số đã bị thu hồi ngày {} (lý do: {}).",
                    date_vi(*on),
                    reason.label_vi()
                ),
                None => format!("Chứng thư số đã bị thu hồi ngày {}.", date_vi(*on)),
            },
            Self::UntrustedIssuer { .. } => {
                "Chứng thư số không do tổ chức chứng thực được tin cậy cấp.".to_owned()
            }
            Self::WrongKeyUsage(KeyUsageProblem::NoDigitalSignature) => {
                "Chứng thư số không được phép dùng để ký số (thiếu digitalSignature).".to_owned()
            }
            Self::WrongKeyUsage(KeyUsageProblem::NoClientAuth) => {
                "Chứng thư số không được phép dùng để xác thực (thiếu clientAuth).".to_owned()
            }
            Self::PolicyNotAllowed(PolicyProblem::Disallowed(oid)) => format!(
                "Loại chứng thư số này (chính sách {oid}) không dùng được cho cách đăng nhập này."
            ),
            Self::PolicyNotAllowed(PolicyProblem::NoneAllowed) => {
                "Chứng thư số không thuộc loại được chấp nhận cho cách đăng nhập này.".to_owned()
            }
            Self::RevocationUnavailable(reason) => format!(
                "Không kiểm tra được tình trạng thu hồi của chứng thư số: {}.",
                reason.message_vi()
            ),
            Self::Malformed { .. } => "Chứng thư số không đọc được.".to_owned(),
            Self::NoIdentity(_) => "Chứng thư số không ghi số định danh cá nhân, số CMND hay mã \
                                    số thuế đọc được."
                .to_owned(),
            Self::Token(problem) => {
                format!("Chữ ký xác thực không hợp lệ: {}.", problem.message_vi())
            }
        }
    }

    /// The message for an English reader.
    pub fn message_en(&self) -> String {
        match self {
            Self::Expired { on } => format!("The certificate expired on {}.", date_en(*on)),
            Self::NotYetValid { from } => format!(
                "The certificate is not valid yet; it is valid from {}.",
                date_en(*from)
            ),
            Self::Revoked { on, reason } => match reason {
                Some(reason) => format!(
                    "The certificate was revoked on {} (reason: {}).",
                    date_en(*on),
                    reason.label_en()
                ),
                None => format!("The certificate was revoked on {}.", date_en(*on)),
            },
            Self::UntrustedIssuer { .. } => {
                "The certificate was not issued by a trusted certification authority.".to_owned()
            }
            Self::WrongKeyUsage(KeyUsageProblem::NoDigitalSignature) => {
                "The certificate may not be used for signing (digitalSignature missing).".to_owned()
            }
            Self::WrongKeyUsage(KeyUsageProblem::NoClientAuth) => {
                "The certificate may not be used for authentication (clientAuth missing)."
                    .to_owned()
            }
            Self::PolicyNotAllowed(PolicyProblem::Disallowed(oid)) => format!(
                "This kind of certificate (policy {oid}) cannot be used for this sign-in method."
            ),
            Self::PolicyNotAllowed(PolicyProblem::NoneAllowed) => {
                "The certificate is not of a kind accepted for this sign-in method.".to_owned()
            }
            Self::RevocationUnavailable(reason) => format!(
                "The certificate's revocation status could not be checked: {}.",
                reason.message_en()
            ),
            Self::Malformed { .. } => "The certificate could not be read.".to_owned(),
            Self::NoIdentity(_) => "The certificate carries no personal ID number, ID card \
                                    number or tax code that could be read."
                .to_owned(),
            Self::Token(problem) => format!(
                "The authentication token is not valid: {}.",
                problem.message_en()
            ),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message_en())
    }
}

impl std::error::Error for Refusal {}

impl UnavailableReason {
    pub fn code(self) -> &'static str {
        match self {
            Self::NoSource => "no_source",
            Self::Unreachable => "unreachable",
            Self::ResponderError => "responder_error",
            Self::MalformedResponse => "malformed_response",
            Self::BadSignature => "bad_signature",
            Self::UnauthorisedResponder => "unauthorised_responder",
            Self::CertIdMismatch => "cert_id_mismatch",
            Self::Stale => "stale",
            Self::FromTheFuture => "from_the_future",
            Self::Outdated => "outdated",
            Self::NonceMissing => "nonce_missing",
            Self::NonceMismatch => "nonce_mismatch",
            Self::UnknownStatus => "unknown_status",
            Self::UnsupportedAlgorithm => "unsupported_algorithm",
            Self::CrlMalformed => "crl_malformed",
            Self::CrlBadSignature => "crl_bad_signature",
            Self::CrlNotCurrent => "crl_not_current",
        }
    }

    fn message_vi(self) -> &'static str {
        match self {
            Self::NoSource => "chứng thư số không chỉ ra máy chủ OCSP hay danh sách thu hồi (CRL)",
            Self::Unreachable => "không kết nối được máy chủ OCSP hay danh sách thu hồi (CRL)",
            Self::ResponderError => "máy chủ OCSP từ chối trả lời",
            Self::MalformedResponse => "câu trả lời OCSP không đọc được",
            Self::BadSignature => "chữ ký của câu trả lời OCSP không hợp lệ",
            Self::UnauthorisedResponder => {
                "câu trả lời OCSP không do đơn vị được tổ chức chứng thực ủy quyền ký"
            }
            Self::CertIdMismatch => "câu trả lời OCSP không nói về chứng thư số này",
            Self::Stale => "câu trả lời OCSP đã cũ",
            Self::FromTheFuture => "câu trả lời OCSP ghi thời điểm trong tương lai",
            Self::Outdated => "câu trả lời OCSP đã quá hạn cập nhật",
            Self::NonceMissing => "câu trả lời OCSP không kèm số ngẫu nhiên (nonce) của yêu cầu",
            Self::NonceMismatch => "số ngẫu nhiên (nonce) trong câu trả lời OCSP không khớp",
            Self::UnknownStatus => "máy chủ OCSP không biết chứng thư số này",
            Self::UnsupportedAlgorithm => "thuật toán chữ ký không được hỗ trợ",
            Self::CrlMalformed => "danh sách thu hồi (CRL) không đọc được",
            Self::CrlBadSignature => "chữ ký của danh sách thu hồi (CRL) không hợp lệ",
            Self::CrlNotCurrent => "danh sách thu hồi (CRL) đã quá hạn hoặc chưa có hiệu lực",
        }
    }

    fn message_en(self) -> &'static str {
        match self {
            Self::NoSource => "the certificate names no OCSP responder and no CRL",
            Self::Unreachable => "the OCSP responder and the CRL could not be reached",
            Self::ResponderError => "the OCSP responder refused to answer",
            Self::MalformedResponse => "the OCSP response could not be read",
            Self::BadSignature => "the OCSP response's signature is not valid",
            Self::UnauthorisedResponder => {
                "the OCSP response was not signed by a responder the certification authority \
                 authorised"
            }
            Self::CertIdMismatch => "the OCSP response is not about this certificate",
            Self::Stale => "the OCSP response is too old",
            Self::FromTheFuture => "the OCSP response is dated in the future",
            Self::Outdated => "the OCSP response is past its next update",
            Self::NonceMissing => "the OCSP response does not echo the request's nonce",
            Self::NonceMismatch => "the OCSP response's nonce does not match the request",
            Self::UnknownStatus => "the OCSP responder does not know this certificate",
            Self::UnsupportedAlgorithm => "the signature algorithm is not supported",
            Self::CrlMalformed => "the CRL could not be read",
            Self::CrlBadSignature => "the CRL's signature is not valid",
            Self::CrlNotCurrent => "the CRL is out of date or not yet valid",
        }
    }
}

impl TokenProblem {
    pub fn code(self) -> &'static str {
        match self {
            Self::Length { .. } => "length",
            Self::Malformed => "malformed",
            Self::UnsupportedFormat => "unsupported_format",
            Self::UnsupportedAlgorithm => "unsupported_algorithm",
            Self::SignatureMismatch => "signature_mismatch",
        }
    }

    fn message_vi(self) -> &'static str {
        match self {
            Self::Length { .. } => "độ dài không hợp lệ",
            Self::Malformed => "không đọc được",
            Self::UnsupportedFormat => "định dạng không được hỗ trợ",
            Self::UnsupportedAlgorithm => "thuật toán chữ ký không được hỗ trợ",
            Self::SignatureMismatch => "chữ ký không khớp với trang và mã thử thách này",
        }
    }

    fn message_en(self) -> &'static str {
        match self {
            Self::Length { .. } => "its length is out of bounds",
            Self::Malformed => "it could not be read",
            Self::UnsupportedFormat => "its format is not supported",
            Self::UnsupportedAlgorithm => "its signature algorithm is not supported",
            Self::SignatureMismatch => "its signature does not match this site and challenge",
        }
    }
}

impl RevocationReason {
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Unspecified => "không nêu",
            Self::KeyCompromise => "lộ khóa bí mật",
            Self::CaCompromise => "tổ chức chứng thực bị lộ khóa",
            Self::AffiliationChanged => "thay đổi thông tin",
            Self::Superseded => "đã được thay thế",
            Self::CessationOfOperation => "ngừng hoạt động",
            Self::CertificateHold => "tạm dừng",
            Self::RemoveFromCrl => "gỡ khỏi danh sách thu hồi",
            Self::PrivilegeWithdrawn => "rút quyền",
            Self::AaCompromise => "đơn vị cấp thuộc tính bị lộ khóa",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::Unspecified => "unspecified",
            Self::KeyCompromise => "key compromise",
            Self::CaCompromise => "CA compromise",
            Self::AffiliationChanged => "affiliation changed",
            Self::Superseded => "superseded",
            Self::CessationOfOperation => "cessation of operation",
            Self::CertificateHold => "on hold",
            Self::RemoveFromCrl => "removed from CRL",
            Self::PrivilegeWithdrawn => "privilege withdrawn",
            Self::AaCompromise => "AA compromise",
        }
    }
}

impl From<x509_cert::ext::pkix::CrlReason> for RevocationReason {
    fn from(reason: x509_cert::ext::pkix::CrlReason) -> Self {
        use x509_cert::ext::pkix::CrlReason as R;
        match reason {
            R::Unspecified => Self::Unspecified,
            R::KeyCompromise => Self::KeyCompromise,
            R::CaCompromise => Self::CaCompromise,
            R::AffiliationChanged => Self::AffiliationChanged,
            R::Superseded => Self::Superseded,
            R::CessationOfOperation => Self::CessationOfOperation,
            R::CertificateHold => Self::CertificateHold,
            R::RemoveFromCRL => Self::RemoveFromCrl,
            R::PrivilegeWithdrawn => Self::PrivilegeWithdrawn,
            R::AaCompromise => Self::AaCompromise,
        }
    }
}

// Dates are shown in Vietnam's time zone (UTC+7), where the portal's users are.
fn date_vi(at: OffsetDateTime) -> String {
    at.to_offset(offset!(+7))
        .format(format_description!("[day]/[month]/[year]"))
        .unwrap_or_else(|_| at.to_string())
}

fn date_en(at: OffsetDateTime) -> String {
    at.to_offset(offset!(+7))
        .format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_else(|_| at.to_string())
}

#[cfg(test)]
mod tests;
