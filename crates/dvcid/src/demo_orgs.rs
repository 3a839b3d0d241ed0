//! The demo's organisations (SPEC A1): a business of the sandbox business registry whose legal
//! representative is its administrator, a state agency (sandbox list) with its first
//! administrator, and people to invite — each a citizen account with a password, so that they
//! sign in with password and SMS OTP like anyone.

use std::sync::Arc;

use anyhow::Context;
use domain::{AccountKind, RegistrationChannel};
use flows::{AgencyEntry, FlowConfig, OsRandomness, Passwords};
use sandbox::{Business, BusinessStatus, Person, Sandbox};
use store::{Account, Actor, AuditContext, Identity, NewAccount, Store, StoreError};

/// The password of the demo's organisation people (printed in the banner).
pub const PASSWORD: &str = "To-chuc-demo-2026";

/// The first business the demo may take: the ones before it hold the sandbox's organisation
/// certificates, and register themselves with them.
const FIRST_BUSINESS: usize = 4;
/// Where the search for the people to invite starts: past the businesses' representatives.
const FIRST_INVITEE: usize = 64;
/// One to try by hand, and one for each language of the browser tests.
const INVITEES: usize = 3;

/// Sandbox data: state agencies with made-up identifier codes in the national format
/// (`000.00.NN.HNN`), for `[flows.organisations] agencies`.
pub fn agencies() -> Vec<AgencyEntry> {
    [
        ("000.00.15.H04", "Sở Tư pháp tỉnh Bắc Ninh (sandbox)"),
        (
            "000.00.31.H29",
            "UBND phường Bến Nghé, TP. Hồ Chí Minh (sandbox)",
        ),
        (
            "000.00.12.H26",
            "Sở Kế hoạch và Đầu tư TP. Hà Nội (sandbox)",
        ),
    ]
    .into_iter()
    .map(|(code, name)| AgencyEntry {
        code: code.to_owned(),
        name: name.to_owned(),
    })
    .collect()
}

pub struct OrgDemo {
    pub business: Business,
    pub representative: Person,
    pub agency: AgencyEntry,
    pub agency_admin: Person,
    pub invitees: Vec<Person>,
}

/// Seeds them (once: a second start finds them there). `taken`: people the demo's other
/// journeys already use.
pub async fn seed(
    store: &Arc<dyn Store>,
    flows: &FlowConfig,
    sandbox: &Sandbox,
    taken: &[Person],
) -> anyhow::Result<Option<OrgDemo>> {
    let people = sandbox.people();
    let free = |person: &&Person| !taken.iter().any(|t| t.personal_id == person.personal_id);
    let business = sandbox
        .businesses()
        .all()
        .iter()
        .skip(FIRST_BUSINESS)
        .filter(|b| b.status == BusinessStatus::Active && !b.tax_code.as_str().contains('-'))
        .find(|b| {
            people
                .by_personal_id(&b.legal_representative.personal_id)
                .is_some_and(|p| free(&p))
        });
    let (Some(business), Some(agency)) = (business, flows.organisations.agencies.first()) else {
        return Ok(None);
    };
    let Some(representative) = people.by_personal_id(&business.legal_representative.personal_id)
    else {
        return Ok(None);
    };
    let mut others = people.all().iter().skip(FIRST_INVITEE).filter(free);
    let Some(agency_admin) = others.next() else {
        return Ok(None);
    };
    let invitees: Vec<Person> = others.take(INVITEES).cloned().collect();

    let passwords = Passwords::new(&flows.argon2, Arc::new(OsRandomness)).await?;
    let phc = passwords.hash(PASSWORD).await?;
    let representative_account = citizen(store, representative, &phc).await?;
    let admin_account = citizen(store, agency_admin, &phc).await?;
    for invitee in &invitees {
        citizen(store, invitee, &phc).await?;
    }
    let now = time::OffsetDateTime::now_utc();
    let business_account = match store.account_by_tax_code(&business.tax_code).await? {
        Some(account) => account,
        None => {
            let new = organisation(AccountKind::Business, &business.name, Some(business));
            store.create_account(&new, now).await?
        }
    };
    // The registry names the representative: the demo records them as the first
    // administrator, as their own claim on the account page would.
    store
        .add_first_administrator(business_account.id, representative_account.id, &demo(), now)
        .await?;
    if store.agency_by_code(&agency.code).await?.is_none() {
        let mut new = organisation(AccountKind::Agency, &agency.name, None);
        new.registration_channel = RegistrationChannel::Operator;
        store
            .create_agency(&new, &agency.code, admin_account.id, now)
            .await
            .context("the demo's agency")?;
    }
    Ok(Some(OrgDemo {
        business: business.clone(),
        representative: representative.clone(),
        agency: agency.clone(),
        agency_admin: agency_admin.clone(),
        invitees,
    }))
}

fn demo() -> AuditContext {
    AuditContext {
        actor: Actor::Operator("demo".to_owned()),
        client_ip: None,
    }
}

fn organisation(kind: AccountKind, name: &str, business: Option<&Business>) -> NewAccount {
    NewAccount {
        kind,
        identity: Identity {
            personal_id: None,
            legacy_cmnd: None,
            tax_code: business.map(|b| b.tax_code.clone()),
            full_name: name.to_owned(),
            birth_date: None,
            gender: None,
        },
        email: None,
        registration_channel: RegistrationChannel::UsbToken,
        default_phone: None,
        password_phc: None,
        audit: demo(),
    }
}

/// The person's citizen account with the demo password, made unless it exists.
async fn citizen(store: &Arc<dyn Store>, person: &Person, phc: &str) -> anyhow::Result<Account> {
    if let Some(account) = store.account_by_personal_id(&person.personal_id).await? {
        return Ok(account);
    }
    let new = NewAccount {
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
        registration_channel: RegistrationChannel::MobileSubscriber,
        default_phone: Some(person.phone.clone()),
        password_phc: Some(phc.to_owned()),
        audit: demo(),
    };
    match store
        .create_account(&new, time::OffsetDateTime::now_utc())
        .await
    {
        Ok(account) => Ok(account),
        Err(StoreError::Duplicate { .. }) => anyhow::bail!(
            "the demo's organisation person {} is taken by another account",
            person.personal_id
        ),
        Err(error) => Err(error.into()),
    }
}

/// The banner's lines: who signs in for the business and the agency, and whom to invite.
pub fn print(seeded: &Option<OrgDemo>) {
    let Some(demo) = seeded else {
        return;
    };
    let line = |person: &Person| {
        format!(
            "CCCD {}  OTP {}  {}",
            person.personal_id.as_str(),
            person.phone.national(),
            person.full_name
        )
    };
    println!("  Tổ chức / organisations (sandbox), mật khẩu / password {PASSWORD}:");
    println!(
        "    doanh nghiệp / business: {} (MST {})",
        demo.business.name, demo.business.tax_code
    );
    println!(
        "      người đại diện theo pháp luật, quản trị / legal representative, administrator: {}",
        line(&demo.representative)
    );
    println!(
        "    cơ quan / agency: {} ({})",
        demo.agency.name, demo.agency.code
    );
    println!(
        "      quản trị / administrator: {}",
        line(&demo.agency_admin)
    );
    println!("    người để mời / people to invite:");
    for invitee in &demo.invitees {
        println!("      {}", line(invitee));
    }
    println!("    then: /account/organisations (invite, accept, act for the organisation)");
    println!();
}
