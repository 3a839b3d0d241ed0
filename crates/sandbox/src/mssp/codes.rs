//! The ETSI TS 102 204 status codes the sandbox MSSP answers, with their names.

pub(super) const REQUEST_OK: u16 = 100;
pub(super) const WRONG_PARAM: u16 = 101;
pub(super) const MISSING_PARAM: u16 = 102;
pub(super) const UNAUTHORIZED_ACCESS: u16 = 104;
pub(super) const UNKNOWN_CLIENT: u16 = 105;
pub(super) const EXPIRED_TRANSACTION: u16 = 208;
pub(super) const OTA_ERROR: u16 = 209;
pub(super) const USER_CANCEL: u16 = 401;
pub(super) const PIN_BLOCKED: u16 = 402;
pub(super) const SIGNATURE: u16 = 500;
pub(super) const OUTSTANDING_TRANSACTION: u16 = 504;
pub(super) const INTERNAL_ERROR: u16 = 900;

/// The name ETSI gives `code` (StatusMessage, faultstring).
pub(super) fn name(code: u16) -> &'static str {
    match code {
        REQUEST_OK => "REQUEST_OK",
        WRONG_PARAM => "WRONG_PARAM",
        MISSING_PARAM => "MISSING_PARAM",
        UNAUTHORIZED_ACCESS => "UNAUTHORIZED_ACCESS",
        UNKNOWN_CLIENT => "UNKNOWN_CLIENT",
        EXPIRED_TRANSACTION => "EXPIRED_TRANSACTION",
        OTA_ERROR => "OTA_ERROR",
        USER_CANCEL => "USER_CANCEL",
        PIN_BLOCKED => "PIN_NR_BLOCKED",
        SIGNATURE => "SIGNATURE",
        OUTSTANDING_TRANSACTION => "OUTSTANDING_TRANSACTION",
        _ => "INTERNAL_ERROR",
    }
}
