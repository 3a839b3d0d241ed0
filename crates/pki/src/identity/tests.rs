use std::str::FromStr;

use super::*;

fn subject(text: &str) -> Name {
    Name::from_str(text).unwrap()
}

fn refused(text: &str) -> IdentityProblem {
    match read(&subject(text)) {
        Err(Refusal::NoIdentity(problem)) => problem,
        other => panic!("{text}: expected no identity, got {other:?}"),
    }
}

#[test]
fn personal_certificates_by_cccd_cmnd_or_bare_number() {
    let (identity, cn) = read(&subject("CN=Nguyễn Văn An,UID=CCCD:001099012345,C=VN")).unwrap();
    assert_eq!(
        identity,
        CertIdentity::Citizen(PersonalId::parse("001099012345").unwrap())
    );
    assert_eq!(cn.as_deref(), Some("Nguyễn Văn An"));

    let (identity, _) = read(&subject("CN=Tran Thi B,UID=CMND:123456789")).unwrap();
    assert_eq!(
        identity,
        CertIdentity::LegacyCitizen(LegacyCmnd::parse("123456789").unwrap())
    );
    // A 12-digit CMND is a personal ID number.
    let (identity, _) = read(&subject("UID=CMND:079199000123")).unwrap();
    assert_eq!(
        identity,
        CertIdentity::Citizen(PersonalId::parse("079199000123").unwrap())
    );
    let (identity, _) = read(&subject("UID=001099012345")).unwrap();
    assert_eq!(
        identity,
        CertIdentity::Citizen(PersonalId::parse("001099012345").unwrap())
    );
    let (identity, _) = read(&subject("UID=123456789")).unwrap();
    assert!(matches!(identity, CertIdentity::LegacyCitizen(_)));
}

#[test]
fn organisation_certificates_by_tax_code_and_name() {
    let (identity, _) = read(&subject(
        "CN=Cong ty A,O=Công ty TNHH A,UID=MST:0100109106,C=VN",
    ))
    .unwrap();
    assert_eq!(
        identity,
        CertIdentity::Organisation {
            tax_code: TaxCode::parse("0100109106").unwrap(),
            name: "Công ty TNHH A".to_owned(),
        }
    );
    let (identity, _) = read(&subject("O=Chi nhánh A,UID=MST:0314409058-002")).unwrap();
    match identity {
        CertIdentity::Organisation { tax_code, .. } => assert_eq!(tax_code.branch(), Some(2)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn new_number_beside_the_old_card_decides() {
    let (identity, _) = read(&subject("UID=CMND:123456789,UID=CCCD:001099012345")).unwrap();
    assert!(matches!(identity, CertIdentity::Citizen(_)));
}

#[test]
fn refusals_name_the_problem() {
    assert_eq!(refused("CN=Nguyen Van A,C=VN"), IdentityProblem::Missing);
    assert_eq!(
        refused("UID=HC:B1234567"),
        IdentityProblem::UnknownPrefix("HC".to_owned())
    );
    // A wrong check digit in the tax code.
    assert!(matches!(
        refused("O=A,UID=MST:0100109107"),
        IdentityProblem::Invalid(domain::Invalid::TaxCodeCheckDigit { .. })
    ));
    // Province code 000 does not exist.
    assert!(matches!(
        refused("UID=CCCD:000099012345"),
        IdentityProblem::Invalid(domain::Invalid::ProvinceUnknown { .. })
    ));
    assert_eq!(
        refused("UID=MST:0100109106"),
        IdentityProblem::NoOrganisationName
    );
    assert_eq!(
        refused("O=A,UID=MST:0100109106,UID=CCCD:001099012345"),
        IdentityProblem::Ambiguous
    );
    assert_eq!(
        refused("UID=CCCD:001099012345,UID=CCCD:079199000123"),
        IdentityProblem::Ambiguous
    );
}

#[test]
fn an_unknown_prefix_beside_a_known_one_is_ignored() {
    let (identity, _) = read(&subject("UID=HC:B1234567,UID=CCCD:001099012345")).unwrap();
    assert!(matches!(identity, CertIdentity::Citizen(_)));
}
