use super::*;
use time::macros::datetime;

#[test]
fn dates_are_shown_in_vietnam_time() {
    // 20:00 UTC on 31 December is already 1 January in Hà Nội.
    let refusal = Refusal::Expired {
        on: datetime!(2025-12-31 20:00 UTC),
    };
    assert_eq!(refusal.code(), "pki.expired");
    assert_eq!(
        refusal.message_vi(),
        "Chứng thư số đã hết hạn ngày 01/01/2026."
    );
    assert_eq!(
        refusal.message_en(),
        "The certificate expired on 2026-01-01."
    );
}

#[test]
fn revoked_names_date_and_reason_in_both_languages() {
    let refusal = Refusal::Revoked {
        on: datetime!(2026-03-02 03:00 UTC),
        reason: Some(RevocationReason::KeyCompromise),
    };
    assert_eq!(
        refusal.message_vi(),
        "Chứng thư số đã bị thu hồi ngày 02/03/2026 (lý do: lộ khóa bí mật)."
    );
    assert_eq!(
        refusal.message_en(),
        "The certificate was revoked on 2026-03-02 (reason: key compromise)."
    );
}

#[test]
fn unavailable_carries_its_reason_code_and_names_it() {
    let refusal = Refusal::RevocationUnavailable(UnavailableReason::Stale);
    assert_eq!(refusal.code(), "pki.revocation_unavailable");
    assert_eq!(refusal.reason_code(), Some("stale"));
    assert!(
        refusal
            .message_en()
            .ends_with("the OCSP response is too old.")
    );
    assert!(refusal.message_vi().ends_with("câu trả lời OCSP đã cũ."));
}
