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

/// Where the search for the legacy account's holder starts: past the people the demo's other
/// journeys use.
const FIRST_CANDIDATE: usize = 40;

pub struct LegacyDemo {
    pub cmnd: LegacyCmnd,
    pub person: Person,
}

/// The holder: the first person from `FIRST_CANDIDATE` on whose phone is their own.
pub fn holder(people: &SyntheticPeople) -> Option<&Person> {
    people
        .all()
        .iter()
        .skip(FIRST_CANDIDATE)
        .find(|person| person.owns_phone())
}

/// Brings the account over (once: a second start finds it there).
pub async fn seed(
    store: &Arc<dyn Store>,
    connectors: &Connectors,
    flows: FlowConfig,
    otp_key: &[u8],
    person: &Person,
) -> anyhow::Result<LegacyDemo> {
    // The old card's number: nine digits of the person's own, so that it stays the same.
    let digits = person.personal_id.as_str().get(3..).unwrap_or_default();
    let cmnd = LegacyCmnd::parse(digits).context("the demo's 9-digit card number")?;
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

/// The banner's lines about it.
pub fn print(legacy: &LegacyDemo) {
    let person = &legacy.person;
    println!(
        "  Tài khoản CMND cũ / legacy account (L2): {}  mật khẩu {}  — {} (OTP → {})",
        legacy.cmnd.as_str(),
        PASSWORD,
        person.full_name,
        person.phone.national()
    );
    println!(
        "    CCCD để cập nhật / personal ID to add: {}",
        person.personal_id.as_str()
    );
}
