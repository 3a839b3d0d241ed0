//! Proofing at a Vietnam Post counter (SPEC R4, issue 12): postal staff look up an applicant
//! by personal ID, check their card in person, and record it — the account's identity
//! proofing rises from LoA2 to LoA3, audited with the clerk as the actor, and the holder's
//! phone is told. Who may do this (operator role "post", signed in at LoA3) is the operator
//! console's guard; this service is what the guard lets through.

use domain::{AccountStatus, AssuranceLevel, Gender, PersonalId, RegistrationChannel};
use store::{Account, AccountId, Actor, AuditContext, CounterProof, IdentityProofing};
use time::{Date, OffsetDateTime};

use crate::context::Client;
use crate::error::FlowError;
use crate::notices;
use crate::problem::Problem;
use crate::services::Services;

/// What the counter page shows of an applicant: no photo (the portal has none), so the card
/// in the person's hand is the proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterRecord {
    pub account: AccountId,
    pub personal_id: PersonalId,
    pub full_name: String,
    pub birth_date: Option<Date>,
    pub gender: Option<Gender>,
    pub registered_at: OffsetDateTime,
    pub level: AssuranceLevel,
    /// Set once a counter proved the person (then nothing more is to be done).
    pub proven_at: Option<OffsetDateTime>,
}

/// The longest note a clerk may write.
const NOTE_MAX_CHARS: usize = 500;

pub struct PostCounter<'a> {
    pub(crate) services: &'a Services,
}

impl PostCounter<'_> {
    /// The Vietnam Post account of this personal ID, as the clerk sees it.
    pub async fn look_up(
        &self,
        personal_id: &str,
    ) -> Result<Result<CounterRecord, Problem>, FlowError> {
        let id = match PersonalId::parse(personal_id) {
            Ok(id) => id,
            Err(invalid) => return Ok(Err(Problem::invalid("personal_id", &invalid))),
        };
        let Some(account) = self.services.store.account_by_personal_id(&id).await? else {
            return Ok(Err(Problem::field("personal_id", "counter.not_found")));
        };
        let proofing = self.services.store.identity_proofing(account.id).await?;
        let Some(proofing) = proofing.filter(|_| from_vietnam_post(&account)) else {
            return Ok(Err(Problem::form("counter.not_vietnam_post")));
        };
        Ok(Ok(record(id, &account, &proofing)))
    }

    /// Records that `operator` checked the card of the account's person in person: the
    /// document they saw (the CCCD, whose number is the personal ID, or a passport) and why.
    pub async fn prove(
        &self,
        operator: &str,
        personal_id: &str,
        document_number: &str,
        note: &str,
        client: &Client,
    ) -> Result<Result<CounterRecord, Problem>, FlowError> {
        let found = match self.look_up(personal_id).await? {
            Ok(found) => found,
            Err(problem) => return Ok(Err(problem)),
        };
        let document_number = match document(document_number, &found.personal_id) {
            Ok(number) => number,
            Err(problem) => return Ok(Err(problem)),
        };
        let note = match clerk_note(note) {
            Ok(note) => note,
            Err(problem) => return Ok(Err(problem)),
        };
        if found.proven_at.is_some() {
            return Ok(Err(Problem::form("counter.already_proven")));
        }
        let services = self.services;
        let Some(account) = services.store.account(found.account).await? else {
            return Ok(Err(Problem::field("personal_id", "counter.not_found")));
        };
        if account.status != AccountStatus::Active {
            return Ok(Err(Problem::form("account.locked")));
        }
        let proof = CounterProof {
            account: found.account,
            operator: operator.to_owned(),
            document_number,
            note,
            audit: AuditContext {
                actor: Actor::Operator(operator.to_owned()),
                client_ip: client.address.clone(),
            },
        };
        let now = services.clock.now();
        let Some(proofing) = services.store.prove_at_counter(&proof, now).await? else {
            // Another clerk recorded it a moment ago.
            return Ok(Err(Problem::form("counter.already_proven")));
        };
        tell_holder(services, found.account).await?;
        Ok(Ok(record(found.personal_id, &account, &proofing)))
    }
}

fn from_vietnam_post(account: &Account) -> bool {
    account.registration_channel == RegistrationChannel::VietnamPost
}

fn record(
    personal_id: PersonalId,
    account: &Account,
    proofing: &IdentityProofing,
) -> CounterRecord {
    CounterRecord {
        account: account.id,
        personal_id,
        full_name: account.identity.full_name.clone(),
        birth_date: account.identity.birth_date,
        gender: account.identity.gender,
        registered_at: account.created_at,
        level: proofing.level,
        proven_at: proofing.counter.as_ref().map(|check| check.at),
    }
}

/// The number on the document the clerk holds: letters and digits (a CCCD's 12 digits, a
/// passport's letter and 7 digits). A CCCD number is the personal ID, so a 12-digit number
/// must be the account's own: another person's card proves nothing.
fn document(number: &str, personal_id: &PersonalId) -> Result<String, Problem> {
    let number: String = number.split_whitespace().collect::<String>().to_uppercase();
    if number.is_empty() {
        return Err(Problem::field(
            "document_number",
            "counter.document_required",
        ));
    }
    if !(6..=20).contains(&number.len()) || !number.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(Problem::field(
            "document_number",
            "counter.document_invalid",
        ));
    }
    if number.len() == 12
        && number.bytes().all(|b| b.is_ascii_digit())
        && number != personal_id.as_str()
    {
        return Err(Problem::field(
            "document_number",
            "counter.document_mismatch",
        ));
    }
    Ok(number)
}

/// Why the clerk proved the person (the record an auditor reads): required, one paragraph.
fn clerk_note(note: &str) -> Result<String, Problem> {
    let note = note.split_whitespace().collect::<Vec<_>>().join(" ");
    if note.is_empty() {
        return Err(Problem::field("note", "counter.note_required"));
    }
    if note.chars().count() > NOTE_MAX_CHARS {
        return Err(Problem::field("note", "counter.note_too_long"));
    }
    Ok(note)
}

/// The holder's default phone learns of it: a change to how the account is trusted.
async fn tell_holder(services: &Services, account: AccountId) -> Result<(), FlowError> {
    let phones = services.store.phones(account).await?;
    if let Some(phone) = phones.into_iter().find(|held| held.is_default) {
        let text = notices::proven_at_counter();
        if let Err(error) = services.connectors.sms.send(&phone.phone, &text).await {
            tracing::warn!(%error, "counter proofing notice not sent");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use domain::PersonalId;

    use super::{clerk_note, document};

    #[test]
    fn documents_are_read_and_another_persons_card_is_refused() {
        let id = PersonalId::parse("001092012345").unwrap();
        assert_eq!(document(" 0010 9201 2345 ", &id).unwrap(), "001092012345");
        assert_eq!(document("c1234567", &id).unwrap(), "C1234567");
        let code = |text: &str| document(text, &id).unwrap_err().code;
        assert_eq!(code(""), "counter.document_required");
        assert_eq!(code("12-34"), "counter.document_invalid");
        assert_eq!(code("001092012346"), "counter.document_mismatch");
    }

    #[test]
    fn the_note_is_required_and_bounded() {
        assert_eq!(
            clerk_note("  đã kiểm tra\nCCCD gốc ").unwrap(),
            "đã kiểm tra CCCD gốc"
        );
        assert_eq!(clerk_note(" ").unwrap_err().code, "counter.note_required");
        let long = "a".repeat(501);
        assert_eq!(clerk_note(&long).unwrap_err().code, "counter.note_too_long");
    }
}
