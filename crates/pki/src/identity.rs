//! Who a Vietnamese certificate names. Personal certificates carry the ID in the subject's UID
//! (0.9.2342.19200300.100.1.1) as `CCCD:…`, `CMND:…` or a bare number; organisation
//! certificates carry `UID=MST:…` (a tax code, branch form too) and the name in `O=`.

use der::asn1::{Any, Ia5StringRef, PrintableStringRef, TeletexStringRef, Utf8StringRef};
use der::{Tag, Tagged};
use domain::{LegacyCmnd, PersonalId, TaxCode};
use x509_cert::name::Name;

use crate::oid;
use crate::refusal::{IdentityProblem, Refusal};

/// The identity a certificate proves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertIdentity {
    /// A citizen, by số định danh cá nhân (the CCCD number).
    Citizen(PersonalId),
    /// A citizen known only by the 9-digit number of the old identity card (CMND).
    LegacyCitizen(LegacyCmnd),
    /// An organisation (doanh nghiệp, tổ chức), by mã số thuế, with its name from `O=`.
    Organisation { tax_code: TaxCode, name: String },
}

/// One identifier read from a UID.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Claim {
    Personal(PersonalId),
    Legacy(LegacyCmnd),
    Tax(TaxCode),
}

/// The identity and the common name of `subject`, or why there is no identity.
pub(crate) fn read(subject: &Name) -> Result<(CertIdentity, Option<String>), Refusal> {
    let values = |wanted| {
        subject
            .0
            .iter()
            .flat_map(|rdn| rdn.0.iter())
            .filter(move |atv| atv.oid == wanted)
            .filter_map(|atv| text(&atv.value))
    };
    let common_name = values(oid::COMMON_NAME).next();
    let organisation = values(oid::ORGANISATION).next();

    let mut claims: Vec<Claim> = Vec::new();
    let mut first_problem = None;
    for uid in values(oid::UID) {
        match claim(&uid) {
            Ok(found) if !claims.contains(&found) => claims.push(found),
            Ok(_) => {}
            // A broken number under a known prefix is refused outright; an unknown prefix (a
            // passport number, say) only matters when nothing else identifies the holder.
            Err(IdentityProblem::UnknownPrefix(prefix)) => {
                first_problem.get_or_insert(IdentityProblem::UnknownPrefix(prefix));
            }
            Err(problem) => return Err(Refusal::NoIdentity(problem)),
        }
    }
    let identity = identity(claims, organisation).map_err(|problem| {
        Refusal::NoIdentity(match (problem, first_problem) {
            (IdentityProblem::Missing, Some(unknown)) => unknown,
            (problem, _) => problem,
        })
    })?;
    Ok((identity, common_name))
}

fn identity(
    claims: Vec<Claim>,
    organisation: Option<String>,
) -> Result<CertIdentity, IdentityProblem> {
    let mut personal = None;
    let mut legacy = None;
    let mut tax = None;
    for found in claims {
        let slot_taken = match found {
            Claim::Personal(id) => personal.replace(id).is_some(),
            Claim::Legacy(id) => legacy.replace(id).is_some(),
            Claim::Tax(code) => tax.replace(code).is_some(),
        };
        if slot_taken {
            return Err(IdentityProblem::Ambiguous);
        }
    }
    match (tax, personal, legacy) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => Err(IdentityProblem::Ambiguous),
        (Some(tax_code), None, None) => match organisation {
            Some(name) if !name.trim().is_empty() => Ok(CertIdentity::Organisation {
                tax_code,
                name: name.trim().to_owned(),
            }),
            _ => Err(IdentityProblem::NoOrganisationName),
        },
        // The old card's number beside the new one is history; the personal ID decides.
        (None, Some(id), _) => Ok(CertIdentity::Citizen(id)),
        (None, None, Some(id)) => Ok(CertIdentity::LegacyCitizen(id)),
        (None, None, None) => Err(IdentityProblem::Missing),
    }
}

fn claim(uid: &str) -> Result<Claim, IdentityProblem> {
    let invalid = IdentityProblem::Invalid;
    let Some((prefix, number)) = uid.split_once(':') else {
        return personal_number(uid.trim()).map_err(invalid);
    };
    match prefix.trim().to_ascii_uppercase().as_str() {
        "CCCD" => PersonalId::parse(number.trim())
            .map(Claim::Personal)
            .map_err(invalid),
        // 12-digit CMND numbers (issued 2012–2016) are already personal ID numbers.
        "CMND" => personal_number(number.trim()).map_err(invalid),
        "MST" => TaxCode::parse(number.trim())
            .map(Claim::Tax)
            .map_err(invalid),
        other => Err(IdentityProblem::UnknownPrefix(other.to_owned())),
    }
}

fn personal_number(number: &str) -> Result<Claim, domain::Invalid> {
    let digits = number.chars().filter(char::is_ascii_digit).count();
    if digits == LegacyCmnd::LEN {
        LegacyCmnd::parse(number).map(Claim::Legacy)
    } else {
        PersonalId::parse(number).map(Claim::Personal)
    }
}

/// The text of a directory string attribute, whichever string type the CA chose.
fn text(value: &Any) -> Option<String> {
    let text = match value.tag() {
        Tag::Utf8String => value.decode_as::<Utf8StringRef<'_>>().ok()?.to_string(),
        Tag::PrintableString => value
            .decode_as::<PrintableStringRef<'_>>()
            .ok()?
            .to_string(),
        Tag::Ia5String => value.decode_as::<Ia5StringRef<'_>>().ok()?.to_string(),
        Tag::TeletexString => value.decode_as::<TeletexStringRef<'_>>().ok()?.to_string(),
        Tag::BmpString => value.decode_as::<der::asn1::BmpString>().ok()?.to_string(),
        _ => return None,
    };
    Some(text)
}

#[cfg(test)]
mod tests;
