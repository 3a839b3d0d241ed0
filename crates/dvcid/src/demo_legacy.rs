//! The demo's account of the old 9-digit card (L1–L3): a person of the sandbox who registered
//! on the portal before the personal ID existed. Signing in with it leads to the screen that
//! asks for the personal ID; once added, "Đăng nhập bằng VNeID" opens the same account (L4).

use std::sync::Arc;

use anyhow::Context;
use connectors::Connectors;
use domain::{LegacyCmnd, PasswordPolicy, SystemClock};
use flows::{Engine, EngineParts, FlowConfig, LegacyAccount, OsRandomness};
use sandbox::{Person, SyntheticPeople};
use store::Store;

/// The password of the demo's legacy account (printed in the banner).
pub const PASSWORD: &str = "Tai-khoan-cu-2019";

/// Where the search for the legacy accounts' holders starts: past the people the demo's other
/// journeys use.
const FIRST_CANDIDATE: usize = 40;

/// How many: one to try by hand, and one for each language of the browser tests.
pub const ACCOUNTS: usize = 3;

pub struct LegacyDemo {
    pub cmnd: LegacyCmnd,
    pub person: Person,
}

/// The holders: the first people from `FIRST_CANDIDATE` on whose phones are their own.
pub fn holders(people: &SyntheticPeople) -> impl Iterator<Item = &Person> {
    people
        .all()
        .iter()
        .skip(FIRST_CANDIDATE)
        .filter(|person| person.owns_phone())
        .take(ACCOUNTS)
}

/// Brings the accounts over (once: a second start finds them there).
pub async fn seed(
    store: &Arc<dyn Store>,
    connectors: &Connectors,
    flows: FlowConfig,
    otp_key: &[u8],
    people: &SyntheticPeople,
) -> anyhow::Result<Vec<LegacyDemo>> {
    let engine = Engine::new(EngineParts {
        store: Arc::clone(store),
        connectors: connectors.clone(),
        clock: Arc::new(SystemClock),
        random: Arc::new(OsRandomness),
        config: flows,
        password_policy: PasswordPolicy::default(),
        otp_key: otp_key.to_vec(),
    })
    .await?;
    let mut seeded = Vec::new();
    for person in holders(people) {
        seeded.push(bring_over(&engine, person).await?);
    }
    Ok(seeded)
}

async fn bring_over(engine: &Engine, person: &Person) -> anyhow::Result<LegacyDemo> {
    // The old card's number: nine digits of the person's own, so that it stays the same.
    let digits = person.personal_id.as_str().get(3..).unwrap_or_default();
    let cmnd = LegacyCmnd::parse(digits).context("the demo's 9-digit card number")?;
    let legacy = LegacyAccount {
        cmnd: cmnd.clone(),
        full_name: person.full_name.clone(),
        birth_date: person.birth_date,
        phone: person.phone.clone(),
        password: PASSWORD.to_owned(),
    };
    match engine.import_legacy_account(&legacy).await? {
        Ok(_) => {}
        Err(problem) if problem.code == "account.exists" => {}
        Err(problem) => anyhow::bail!("the demo's legacy account was refused: {}", problem.code),
    }
    Ok(LegacyDemo {
        cmnd,
        person: person.clone(),
    })
}

/// The banner's lines about them: sign in with the card number and the password, then add
/// the personal ID.
pub fn print(seeded: &[LegacyDemo]) {
    if seeded.is_empty() {
        return;
    }
    println!("  Tài khoản CMND cũ / legacy accounts (L2), mật khẩu / password {PASSWORD}:");
    println!("    (each has a level-2 VNeID account too: add the CCCD, then sign in with VNeID)");
    for legacy in seeded {
        let person = &legacy.person;
        println!(
            "    CMND {}  CCCD {}  OTP {}  {}",
            legacy.cmnd.as_str(),
            person.personal_id.as_str(),
            person.phone.national(),
            person.full_name,
        );
    }
    println!();
}
