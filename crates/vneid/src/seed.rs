//! Seeds for the demo and for tests: applications in each state and active accounts with a
//! known password and passcode. Idempotent: what exists already is left as it is. Seeds send
//! no SMS.

use domain::{AccountKind, Gender, PersonalId, PhoneNumber, RegistrationChannel};
use store::{
    Actor, AuditContext, EidActivation, EidLevel, EidSecret, EidSecretKind, Identity, NewAccount,
};
use time::Date;

use crate::applications::ApplicationForm;
use crate::service::{Vneid, VneidError};

/// A person to seed (the sandbox's synthetic people, so the portal's population database
/// knows them too).
#[derive(Debug, Clone)]
pub struct SeedPerson {
    pub personal_id: PersonalId,
    pub full_name: String,
    pub birth_date: Date,
    pub gender: Gender,
    pub phone: PhoneNumber,
}

/// The answers every seeded account has (question ids `q1`, `q2`).
pub const SEED_ANSWERS: [(&str, &str); 2] = [("q1", "tiểu học kim đồng"), ("q4", "mực")];

fn form(person: &SeedPerson, level: EidLevel, prior_password: Option<&str>) -> ApplicationForm {
    ApplicationForm {
        personal_id: person.personal_id.clone(),
        full_name: person.full_name.clone(),
        birth_date: person.birth_date,
        gender: person.gender,
        phone: person.phone.clone(),
        level,
        prior_password: prior_password.map(str::to_owned),
    }
}

/// A pending application (for the police console).
pub async fn pending_application(
    vneid: &Vneid,
    person: &SeedPerson,
    level: EidLevel,
) -> Result<(), VneidError> {
    vneid.create_application(form(person, level, None)).await?;
    Ok(())
}

/// An approved application, not yet activated. `prior_password`: the person had an app
/// account before (activation then skips the password step).
pub async fn approved_application(
    vneid: &Vneid,
    person: &SeedPerson,
    level: EidLevel,
    prior_password: Option<&str>,
) -> Result<(), VneidError> {
    vneid
        .create_application(form(person, level, prior_password))
        .await?;
    vneid
        .store
        .approve_application(&person.personal_id, vneid.now())
        .await?;
    Ok(())
}

/// An active account with this password and passcode (and `SEED_ANSWERS`).
pub async fn active_account(
    vneid: &Vneid,
    person: &SeedPerson,
    level: EidLevel,
    password: &str,
    passcode: &str,
) -> Result<(), VneidError> {
    approved_application(vneid, person, level, None).await?;
    if vneid
        .store
        .account_by_personal_id(&person.personal_id)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let mut secrets = vec![EidSecret {
        kind: EidSecretKind::Passcode,
        key: String::new(),
        secret: vneid.passwords.hash(passcode).await?,
    }];
    for (question, answer) in SEED_ANSWERS {
        secrets.push(EidSecret {
            kind: EidSecretKind::SecurityAnswer,
            key: question.to_owned(),
            secret: vneid
                .passwords
                .hash(&crate::rules::normalise_answer(answer))
                .await?,
        });
    }
    let audit = AuditContext {
        actor: Actor::System,
        client_ip: None,
    };
    vneid
        .store
        .activate_eid(
            &EidActivation {
                account: NewAccount {
                    kind: AccountKind::Citizen,
                    identity: Identity {
                        personal_id: Some(person.personal_id.clone()),
                        legacy_cmnd: None,
                        tax_code: None,
                        full_name: person.full_name.clone(),
                        birth_date: Some(person.birth_date),
                        gender: Some(person.gender),
                    },
                    email: None,
                    registration_channel: RegistrationChannel::Vneid,
                    default_phone: Some(person.phone.clone()),
                    password_phc: Some(vneid.passwords.hash(password).await?),
                    audit: audit.clone(),
                },
                secrets,
                flow_id: uuid::Uuid::nil(),
                audit,
            },
            vneid.now(),
        )
        .await?;
    Ok(())
}
