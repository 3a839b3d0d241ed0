//! What an MSSP's status code means. ETSI TS 102 204 fixes a table, but deployed MSSPs speak
//! dialects of it (the Vietnamese one reports success as 408), so the table is chosen by
//! configuration.

use super::MobileRefusal;
use crate::config::StatusCodeTable;

/// The meaning of one status code, for the client's decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Meaning {
    /// 100 REQUEST_OK: taken, sent to the phone.
    Accepted,
    /// The signature is in the answer.
    Signed,
    /// The person has not answered yet.
    Outstanding,
    /// No signature, for a reason the person or their SIM gave.
    Refused(MobileRefusal),
    /// The MSSP found our request malformed (101–103, 107–109).
    BadRequest,
    /// The MSSP does not accept our AP credentials (104).
    Unauthorized,
    /// The MSSP failed (900).
    ServiceError,
}

impl StatusCodeTable {
    pub(super) fn meaning(self, code: u16) -> Meaning {
        match (self, code) {
            (StatusCodeTable::MobileIdVn, 408) => Meaning::Signed,
            (StatusCodeTable::MobileIdVn, 405) => Meaning::Refused(MobileRefusal::UserCancelled),
            (StatusCodeTable::MobileIdVn, 406) => Meaning::Refused(MobileRefusal::Expired),
            (_, code) => etsi(code),
        }
    }
}

fn etsi(code: u16) -> Meaning {
    match code {
        100 => Meaning::Accepted,
        500 | 502 => Meaning::Signed,
        504 => Meaning::Outstanding,
        101..=103 | 107..=109 => Meaning::BadRequest,
        104 => Meaning::Unauthorized,
        900 => Meaning::ServiceError,
        105 => Meaning::Refused(MobileRefusal::UnknownUser),
        208 => Meaning::Refused(MobileRefusal::Expired),
        209 => Meaning::Refused(MobileRefusal::PhoneUnreachable),
        401 => Meaning::Refused(MobileRefusal::UserCancelled),
        402 => Meaning::Refused(MobileRefusal::PinBlocked),
        403 | 404 => Meaning::Refused(MobileRefusal::CardBlocked),
        501 => Meaning::Refused(MobileRefusal::RevokedCertificate),
        other => Meaning::Refused(MobileRefusal::Other(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tables_differ_only_where_the_dialect_does() {
        let etsi = StatusCodeTable::Etsi;
        let vn = StatusCodeTable::MobileIdVn;
        assert_eq!(etsi.meaning(500), Meaning::Signed);
        assert_eq!(
            etsi.meaning(408),
            Meaning::Refused(MobileRefusal::Other(408))
        );
        assert_eq!(vn.meaning(408), Meaning::Signed);
        assert_eq!(vn.meaning(500), Meaning::Signed);
        assert_eq!(
            etsi.meaning(406),
            Meaning::Refused(MobileRefusal::Other(406))
        );
        assert_eq!(vn.meaning(406), Meaning::Refused(MobileRefusal::Expired));
        assert_eq!(
            vn.meaning(405),
            Meaning::Refused(MobileRefusal::UserCancelled)
        );
        for table in [etsi, vn] {
            assert_eq!(table.meaning(504), Meaning::Outstanding);
            assert_eq!(table.meaning(104), Meaning::Unauthorized);
            assert_eq!(
                table.meaning(105),
                Meaning::Refused(MobileRefusal::UnknownUser)
            );
            assert_eq!(
                table.meaning(402),
                Meaning::Refused(MobileRefusal::PinBlocked)
            );
            assert_eq!(
                table.meaning(209),
                Meaning::Refused(MobileRefusal::PhoneUnreachable)
            );
        }
    }
}
