//! The carriers' mobile signature service (MSSP, Sim ký số): ETSI TS 102 204 v1.1.2 over
//! SOAP 1.1 at `/sandbox/mssp/soap/services/MSS_SignaturePort`, serving one PKI SIM per
//! certificate the sandbox CAs issued to a SIM, and a phone simulator page per SIM where the
//! request shows with its verification code and the person signs with the PIN or cancels.
//! Tests set a phone to answer by itself instead (`PhoneMode`).

mod codes;
mod ledger;
mod phone;
mod sims;
mod soap;
mod wire;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::middleware::from_fn_with_state;
use axum::routing::post;
use domain::PhoneNumber;

pub use ledger::{PhoneMode, PhoneRequest};
pub use sims::{BUSINESS_SIM_FALLBACK, SimCard};

use crate::businesses::SyntheticBusinesses;
use crate::control::{System, gate};
use crate::people::SyntheticPeople;
use crate::pki::{PkiError, SandboxPki};
use crate::state::Sandbox;
use ledger::Ledger;
use sims::Sim;

/// The application provider the sandbox MSSP serves (AP_ID and AP_PWD).
pub const AP_ID: &str = "http://ap.sandbox.dvcid.example/dvcid";
pub const AP_PASSWORD: &str = "sandbox-ap-password";
/// The sandbox MSSP's own MSSP_ID.
pub const MSSP_ID: &str = "http://mssp.sandbox.dvcid.example";
/// The PIN of every sandbox SIM (shown on the phone page).
pub const SIM_PIN: &str = "1234";

/// A number with no sandbox PKI SIM.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no sandbox PKI SIM has the number {0}")]
pub struct NoSuchSim(pub String);

/// The SIMs and what the MSSP remembers of them.
#[derive(Default)]
pub(crate) struct Mssp {
    sims: Vec<Sim>,
    ledger: Mutex<Ledger>,
}

impl Mssp {
    /// The SIMs of `pki`'s SIM certificates.
    pub(crate) fn new(
        pki: &SandboxPki,
        people: &SyntheticPeople,
        businesses: &SyntheticBusinesses,
    ) -> Result<Self, PkiError> {
        Ok(Self {
            sims: sims::issue(pki, people, businesses)?,
            ledger: Mutex::default(),
        })
    }

    pub(crate) fn cards(&self) -> Vec<SimCard> {
        self.sims.iter().map(|sim| sim.card.clone()).collect()
    }

    fn sim(&self, msisdn: &PhoneNumber) -> Option<&Sim> {
        self.sims.iter().find(|sim| &sim.card.msisdn == msisdn)
    }

    fn known(&self, msisdn: &PhoneNumber) -> Result<&Sim, NoSuchSim> {
        self.sim(msisdn)
            .ok_or_else(|| NoSuchSim(msisdn.e164().to_owned()))
    }

    fn ledger(&self) -> MutexGuard<'_, Ledger> {
        self.ledger.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn set_mode(&self, msisdn: &PhoneNumber, mode: PhoneMode) -> Result<(), NoSuchSim> {
        self.known(msisdn)?;
        self.ledger().set_mode(msisdn, mode);
        tracing::info!(
            msisdn = msisdn.masked(),
            ?mode,
            "sandbox phone mode changed"
        );
        Ok(())
    }

    pub(crate) fn reset(&self, msisdn: &PhoneNumber) -> Result<(), NoSuchSim> {
        self.known(msisdn)?;
        self.ledger().reset(msisdn);
        Ok(())
    }

    pub(crate) fn requests(&self, msisdn: &PhoneNumber) -> Vec<PhoneRequest> {
        self.ledger().requests_to(msisdn)
    }
}

pub(crate) fn routes(sandbox: &Arc<Sandbox>) -> axum::Router<Arc<Sandbox>> {
    let soap = axum::Router::new()
        .route(
            "/sandbox/mssp/soap/services/MSS_SignaturePort",
            post(soap::endpoint),
        )
        .route_layer(from_fn_with_state(
            (Arc::clone(sandbox), System::Mssp),
            gate,
        ));
    axum::Router::new().merge(soap).merge(phone::routes())
}

#[cfg(test)]
mod tests;
