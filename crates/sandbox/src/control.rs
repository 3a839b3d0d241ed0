//! Failure injection: each simulated system can be up, down or slow, and counts the protocol
//! requests it receives, so that the clients' error paths (retries, timeouts) can be tested.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::state::Sandbox;

/// The simulated external systems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum System {
    /// CSDL quốc gia về dân cư — the national population database.
    Population,
    /// CSDL thuê bao — the telecom subscriber database.
    Subscribers,
    /// Bảo hiểm xã hội — the social insurance registry.
    Bhxh,
    /// The SMS gateway.
    Sms,
    /// The mail system (SMTP).
    Email,
    /// Hệ thống thông tin quốc gia về đăng ký doanh nghiệp — the national business registry.
    BusinessRegistry,
    /// The OCSP responders of the sandbox certificate authorities.
    Ocsp,
    /// The CRL distribution points of the sandbox certificate authorities.
    Crl,
    /// The remote signing service (VNPT SmartCA): its sign-in, token and `csc/...` endpoints.
    #[serde(rename = "smartca")]
    SmartCa,
    /// The carriers' mobile signature service (MSSP, Sim ký số), its SOAP port.
    Mssp,
}

impl System {
    pub const ALL: [System; 10] = [
        System::Population,
        System::Subscribers,
        System::Bhxh,
        System::Sms,
        System::Email,
        System::BusinessRegistry,
        System::Ocsp,
        System::Crl,
        System::SmartCa,
        System::Mssp,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            System::Population => "population",
            System::Subscribers => "subscribers",
            System::Bhxh => "bhxh",
            System::Sms => "sms",
            System::Email => "email",
            System::BusinessRegistry => "business_registry",
            System::Ocsp => "ocsp",
            System::Crl => "crl",
            System::SmartCa => "smartca",
            System::Mssp => "mssp",
        }
    }

    /// Whether anyone may ask without the API key: certificate authorities publish OCSP and
    /// CRLs to every relying party, and their clients send no key; SmartCA's callers carry the
    /// person's own access token instead (checked by the service), and the MSSP checks its own
    /// credentials (AP_ID and AP_PWD) in the SOAP message.
    fn is_public(self) -> bool {
        matches!(
            self,
            System::Ocsp | System::Crl | System::SmartCa | System::Mssp
        )
    }
}

impl fmt::Display for System {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a simulated system behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Up,
    /// Every request is refused as unavailable (HTTP 503, SMTP 421).
    Down,
    /// Requests are processed, then the answer waits this long.
    Slow(Duration),
}

#[derive(Default)]
struct SystemControl {
    mode: Mutex<Mode>,
    requests: AtomicU64,
}

/// Mode and request counter of every system.
#[derive(Default)]
pub(crate) struct Controls {
    population: SystemControl,
    subscribers: SystemControl,
    bhxh: SystemControl,
    sms: SystemControl,
    email: SystemControl,
    business_registry: SystemControl,
    ocsp: SystemControl,
    crl: SystemControl,
    smartca: SystemControl,
    mssp: SystemControl,
}

impl Controls {
    fn slot(&self, system: System) -> &SystemControl {
        match system {
            System::Population => &self.population,
            System::Subscribers => &self.subscribers,
            System::Bhxh => &self.bhxh,
            System::Sms => &self.sms,
            System::Email => &self.email,
            System::BusinessRegistry => &self.business_registry,
            System::Ocsp => &self.ocsp,
            System::Crl => &self.crl,
            System::SmartCa => &self.smartca,
            System::Mssp => &self.mssp,
        }
    }

    pub(crate) fn set_mode(&self, system: System, mode: Mode) {
        *self
            .slot(system)
            .mode
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = mode;
    }

    pub(crate) fn mode(&self, system: System) -> Mode {
        *self
            .slot(system)
            .mode
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts one request and tells how to treat it.
    pub(crate) fn admit(&self, system: System) -> Mode {
        self.slot(system).requests.fetch_add(1, Ordering::Relaxed);
        self.mode(system)
    }

    pub(crate) fn requests(&self, system: System) -> u64 {
        self.slot(system).requests.load(Ordering::Relaxed)
    }
}

/// Middleware in front of every protocol route of one system: counts, applies the mode and
/// checks the API key.
pub(crate) async fn gate(
    State((sandbox, system)): State<(Arc<Sandbox>, System)>,
    request: Request,
    next: Next,
) -> Response {
    let mode = sandbox.controls().admit(system);
    if mode == Mode::Down {
        return ApiError::unavailable(format!("the {system} system is down (sandbox)"))
            .into_response();
    }
    if !system.is_public() && !sandbox.authorized(request.headers()) {
        return ApiError::unauthorized().into_response();
    }
    let response = next.run(request).await;
    if let Mode::Slow(delay) = mode {
        // After processing, like a real system that did the work but answers late: a client
        // that gives up has still caused the side effect (which idempotency keys are for).
        tokio::time::sleep(delay).await;
    }
    response
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum ModeName {
    Up,
    Down,
    Slow,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ControlRequest {
    system: System,
    mode: ModeName,
    delay_ms: Option<u64>,
}

#[derive(Debug, Serialize)]
struct SystemState {
    system: System,
    mode: ModeName,
    delay_ms: u64,
    requests: u64,
}

#[derive(Debug, Serialize)]
struct ControlState {
    systems: Vec<SystemState>,
}

fn state_of(sandbox: &Sandbox, system: System) -> SystemState {
    let (mode, delay_ms) = match sandbox.mode(system) {
        Mode::Up => (ModeName::Up, 0),
        Mode::Down => (ModeName::Down, 0),
        Mode::Slow(delay) => (
            ModeName::Slow,
            u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
        ),
    };
    SystemState {
        system,
        mode,
        delay_ms,
        requests: sandbox.requests(system),
    }
}

/// The longest delay accepted, so that a typo cannot hang a demo for days.
const MAX_DELAY_MS: u64 = 600_000;

async fn set_control(
    State(sandbox): State<Arc<Sandbox>>,
    body: Result<Json<ControlRequest>, JsonRejection>,
) -> Result<Json<SystemState>, ApiError> {
    let Json(request) = body.map_err(ApiError::from_json)?;
    let mode = match (request.mode, request.delay_ms) {
        (ModeName::Up, _) => Mode::Up,
        (ModeName::Down, _) => Mode::Down,
        (ModeName::Slow, Some(ms)) if ms <= MAX_DELAY_MS => Mode::Slow(Duration::from_millis(ms)),
        (ModeName::Slow, Some(_)) => {
            return Err(ApiError::bad_request(format!(
                "delay_ms must be at most {MAX_DELAY_MS}"
            )));
        }
        (ModeName::Slow, None) => {
            return Err(ApiError::bad_request("mode \"slow\" needs delay_ms"));
        }
    };
    sandbox.set_mode(request.system, mode);
    tracing::info!(system = %request.system, ?mode, "sandbox mode changed");
    Ok(Json(state_of(&sandbox, request.system)))
}

async fn get_control(State(sandbox): State<Arc<Sandbox>>) -> Json<ControlState> {
    Json(ControlState {
        systems: System::ALL
            .iter()
            .map(|&system| state_of(&sandbox, system))
            .collect(),
    })
}

pub(crate) fn routes() -> axum::Router<Arc<Sandbox>> {
    axum::Router::new().route("/sandbox/control", get(get_control).post(set_control))
}
