//! After the disruptions: every write the load was acknowledged is there, read through HAProxy
//! from whichever PostgreSQL is now the primary.

use anyhow::Result;

use crate::api::Dvcid;
use crate::load::{Family, FamilyEnd};
use crate::oauth::TokenEndpoint;
use crate::sandbox::Sandbox;
use crate::sessions;
use crate::setup::Account;

/// How many of the acknowledged writes of one kind are still there.
#[derive(Debug, Default)]
pub struct Found {
    pub acknowledged: usize,
    pub present: usize,
    /// The first few missing, for the report.
    pub missing: Vec<String>,
}

const EXAMPLES: usize = 5;

impl Found {
    fn add(&mut self, what: &str, result: Result<()>) {
        self.acknowledged += 1;
        match result {
            Ok(()) => self.present += 1,
            Err(error) => {
                if self.missing.len() < EXAMPLES {
                    self.missing.push(format!("{what}: {error:#}"));
                }
            }
        }
    }

    pub fn complete(&self) -> bool {
        self.present == self.acknowledged
    }
}

/// Each session the sign-ins opened still signs its holder in.
pub async fn sessions(dvcid: &Dvcid, sessions: &[String]) -> Found {
    let mut found = Found::default();
    for (index, session) in sessions.iter().enumerate() {
        let result = dvcid.account(session).await.map(|_| ());
        found.add(&format!("session {index}"), result);
    }
    found
}

/// Each account registered can be signed in to with its password and an SMS code.
pub async fn accounts(
    dvcid: &Dvcid,
    sandbox: &Sandbox,
    accounts: &[Account],
    password: &str,
) -> Found {
    let mut found = Found::default();
    for account in accounts {
        let result = sign_in(dvcid, sandbox, account, password).await;
        found.add(&account.personal_id, result);
    }
    found
}

async fn sign_in(
    dvcid: &Dvcid,
    sandbox: &Sandbox,
    account: &Account,
    password: &str,
) -> Result<()> {
    let session = sessions::sign_in(dvcid, sandbox, account, password).await?;
    dvcid.account(&session).await.map(|_| ())
}

/// The newest token of each family the load kept refreshes once more. Families revoked for a
/// reuse after an unacknowledged rotation are left out (`load::FamilyEnd`).
pub async fn families(token: &TokenEndpoint, families: &[Family]) -> Found {
    let mut found = Found::default();
    for (index, family) in families.iter().enumerate() {
        if family.end == Some(FamilyEnd::UnacknowledgedRotation) {
            continue;
        }
        let result = token.refresh(&family.newest).await.map(|_| ());
        found.add(&format!("family {index}"), result);
    }
    found
}
