//! What the server acknowledged (answered 2xx) and therefore must still hold after any crash,
//! and what was in flight when it was killed (either outcome is then acceptable).

use crate::sandbox::Person;
use crate::setup::Account;

/// A refresh-token family the driver holds: the newest token the server gave it.
#[derive(Debug)]
pub struct Family {
    pub account: Account,
    /// The account's session, to open a new family with when this one has ended.
    pub session: String,
    pub token: String,
    /// A rotation of `token` was sent and not answered: the server may have spent it.
    pub rotation_unanswered: bool,
}

/// An account whose password the driver keeps changing.
#[derive(Debug)]
pub struct Changer {
    pub account: Account,
    pub session: String,
    pub password: String,
    /// A change to this password was sent and not answered.
    pub change_unanswered: Option<String>,
    /// Changes made so far: each new password differs from every earlier one.
    pub changes: u64,
}

/// Acknowledgements and interruptions counted over the whole run.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    pub registrations: u64,
    pub sign_ins: u64,
    pub rotations: u64,
    pub password_changes: u64,
    /// Writes sent and not answered because the server was killed.
    pub interrupted: u64,
    /// Families whose unanswered rotation had been made: reusing the old token ended them.
    pub families_reopened: u64,
    pub changes_found_made: u64,
}

/// Everything the driver knows and is owed.
#[derive(Debug, Default)]
pub struct Ledger {
    /// People not registered yet (each is registered at most once, acknowledged or not).
    pub people: Vec<Person>,
    /// Personal IDs of the acknowledged registrations.
    pub registered: Vec<String>,
    /// The accounts sign-ins go to (their password never changes).
    pub signers: Vec<Account>,
    /// Sessions acknowledged by a completed sign-in; none is ever ended by the driver.
    pub sessions: Vec<String>,
    /// Sessions an acknowledged password change ended: none may hold again.
    pub ended_sessions: Vec<String>,
    pub families: Vec<Family>,
    pub changers: Vec<Changer>,
    pub tally: Tally,
}

/// The password every account is registered with.
pub const PASSWORD: &str = "Crash-safety-2026";

/// The `n`th password a changer sets (never one it had before).
pub fn changed_password(n: u64) -> String {
    format!("Crash-change-{n}-2026")
}
