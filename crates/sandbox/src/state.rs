//! The sandbox's state: the synthetic people and businesses, the certificate authorities, the
//! failure-injection controls, the outboxes and the remote signing service's books.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use domain::random::{OsRandomness, Randomness};
use domain::{Clock, PersonalId, PhoneNumber, SystemClock};
use time::OffsetDateTime;

use url::Url;

use crate::businesses::SyntheticBusinesses;
use crate::control::{Controls, Mode, System};
use crate::email::EmailMessage;
use crate::mssp::{Mssp, NoSuchSim, PhoneMode, PhoneRequest, SimCard};
use crate::outbox::Outbox;
use crate::people::SyntheticPeople;
use crate::pki::{PkiError, SandboxPki};
use crate::smartca::{Books, RemoteSigningMode, RemoteSigningRequest, SignInRefused, SmartCaUser};
use crate::sms::{SmsBox, SmsMessage};

/// How many messages each outbox keeps.
pub const DEFAULT_OUTBOX_CAPACITY: usize = 10_000;

/// Everything the simulated systems share. Build one, wrap it in an `Arc`, and hand it to
/// [`crate::router`] and [`crate::serve_smtp`].
pub struct Sandbox {
    people: SyntheticPeople,
    businesses: SyntheticBusinesses,
    pki: Option<SandboxPki>,
    /// The mobile signature service's SIMs, one per SIM certificate of `pki`.
    mssp: Mssp,
    controls: Controls,
    sms: Mutex<SmsBox>,
    email: Mutex<Outbox<EmailMessage>>,
    /// Back-channel logout tokens the demo relying service received.
    logout_tokens: Mutex<Outbox<String>>,
    /// The remote signing service's codes, tokens, transactions and app modes.
    smartca: Books,
    api_key: Option<String>,
    clock: Arc<dyn Clock>,
    /// Draws the remote signing service's codes and access tokens.
    randomness: Arc<dyn Randomness>,
    next_id: AtomicU64,
}

impl Default for Sandbox {
    /// The default population ([`crate::DEFAULT_SEED`], [`crate::DEFAULT_COUNT`]).
    fn default() -> Self {
        Self::new(SyntheticPeople::default())
    }
}

impl Sandbox {
    pub fn new(people: SyntheticPeople) -> Self {
        Self {
            businesses: SyntheticBusinesses::generate(&people),
            pki: None,
            mssp: Mssp::default(),
            people,
            controls: Controls::default(),
            sms: Mutex::new(SmsBox::new(DEFAULT_OUTBOX_CAPACITY)),
            email: Mutex::new(Outbox::new(DEFAULT_OUTBOX_CAPACITY)),
            logout_tokens: Mutex::new(Outbox::new(DEFAULT_OUTBOX_CAPACITY)),
            smartca: Books::default(),
            api_key: None,
            clock: Arc::new(SystemClock),
            randomness: Arc::new(OsRandomness),
            next_id: AtomicU64::new(1),
        }
    }

    /// Requires `Authorization: Bearer <key>` on every protocol request, as a real system
    /// would; lets tests check that the clients send their key.
    pub fn with_api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// The clock that stamps outbox messages.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The randomness behind the codes and tokens the sandbox hands out (default: the OS).
    pub fn with_randomness(mut self, randomness: Arc<dyn Randomness>) -> Self {
        self.randomness = randomness;
        self
    }

    /// Runs the certificate authorities (see [`SandboxPki::generate`]), their URLs under
    /// `base`, the sandbox's public origin. Call after [`Self::with_clock`]: the certificates'
    /// dates are counted from the clock's day.
    pub fn with_pki(mut self, base: &Url) -> Result<Self, PkiError> {
        let pki = SandboxPki::generate(&self.people, &self.businesses, base, self.clock.now())?;
        self.mssp = Mssp::new(&pki, &self.people, &self.businesses)?;
        self.pki = Some(pki);
        Ok(self)
    }

    /// Keeps at most `capacity` messages in each outbox (clears them).
    pub fn with_outbox_capacity(mut self, capacity: usize) -> Self {
        self.sms = Mutex::new(SmsBox::new(capacity));
        self.email = Mutex::new(Outbox::new(capacity));
        self
    }

    pub fn people(&self) -> &SyntheticPeople {
        &self.people
    }

    /// The national business registry's businesses.
    pub fn businesses(&self) -> &SyntheticBusinesses {
        &self.businesses
    }

    /// The certificate authorities, when started [`Self::with_pki`].
    pub fn pki(&self) -> Option<&SandboxPki> {
        self.pki.as_ref()
    }

    /// The PKI SIMs of the mobile signature service (none without [`Self::with_pki`]).
    pub fn sims(&self) -> Vec<SimCard> {
        self.mssp.cards()
    }

    /// How the phone of the SIM `phone` answers signature requests from now on.
    pub fn set_phone_mode(&self, phone: &PhoneNumber, mode: PhoneMode) -> Result<(), NoSuchSim> {
        self.mssp.set_mode(phone, mode)
    }

    /// Unblocks the PIN of the SIM `phone` after three wrong PINs.
    pub fn reset_phone(&self, phone: &PhoneNumber) -> Result<(), NoSuchSim> {
        self.mssp.reset(phone)
    }

    /// The signature requests the phone `phone` received, newest first.
    pub fn phone_requests(&self, phone: &PhoneNumber) -> Vec<PhoneRequest> {
        self.mssp.requests(phone)
    }

    pub(crate) fn mssp(&self) -> &Mssp {
        &self.mssp
    }

    pub fn set_mode(&self, system: System, mode: Mode) {
        self.controls.set_mode(system, mode);
    }

    pub fn mode(&self, system: System) -> Mode {
        self.controls.mode(system)
    }

    /// Protocol requests (SMTP: sessions) received by `system` since start.
    pub fn requests(&self, system: System) -> u64 {
        self.controls.requests(system)
    }

    /// SMS messages, newest first; only those to `to` when given.
    pub fn sms_outbox(&self, to: Option<&PhoneNumber>) -> Vec<SmsMessage> {
        self.sms_box().list(to, usize::MAX)
    }

    /// E-mails, newest first; only those with `to` among the envelope recipients when given
    /// (compared case-insensitively).
    pub fn email_outbox(&self, to: Option<&str>) -> Vec<EmailMessage> {
        crate::email::list(&self.email_box(), to, usize::MAX)
    }

    /// The remote signing service's users: the holders of its certificates (when the sandbox
    /// runs its certificate authorities), then [`crate::SMARTCA_NO_CREDENTIAL`].
    pub fn smartca_users(&self) -> Vec<SmartCaUser<'_>> {
        crate::smartca::users(self)
    }

    /// How `user`'s simulated SmartCA app answers their next signing requests.
    pub fn set_remote_signing_mode(&self, user: &PersonalId, mode: RemoteSigningMode) {
        self.smartca.set_mode(user, mode);
    }

    pub fn remote_signing_mode(&self, user: &PersonalId) -> RemoteSigningMode {
        self.smartca.mode(user)
    }

    /// `user`'s latest signing request at the remote signing service, as their app shows it.
    pub fn last_remote_signing_request(&self, user: &PersonalId) -> Option<RemoteSigningRequest> {
        self.smartca
            .for_user(user, |transaction| Some(transaction.view()))
            .into_iter()
            .next()
    }

    /// The SmartCA sign-in page's step, without a browser: `authorize_url` as the relying
    /// service built it, the user id and password as typed; the redirect back to the relying
    /// service (with `code` and `state`, or an OAuth `error`).
    pub fn smartca_sign_in(
        &self,
        authorize_url: &Url,
        user_id: &str,
        password: &str,
    ) -> Result<Url, SignInRefused> {
        crate::smartca::sign_in_at(self, authorize_url, user_id, password)
    }

    pub(crate) fn smartca(&self) -> &Books {
        &self.smartca
    }

    /// 256 random bits, base64url: a code or an access token.
    pub(crate) fn random_token(&self) -> String {
        domain::digest::encode_token(&self.randomness.token())
    }

    pub(crate) fn controls(&self) -> &Controls {
        &self.controls
    }

    /// Back-channel logout tokens received at the demo relying service, newest first.
    pub fn logout_tokens(&self, limit: usize) -> Vec<String> {
        self.logout_box().newest_first(limit, |_| true)
    }

    pub(crate) fn record_logout_token(&self, token: String) {
        self.logout_box().push(token);
    }

    fn logout_box(&self) -> MutexGuard<'_, Outbox<String>> {
        self.logout_tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// A fresh message number, shared by both outboxes so ids never repeat.
    pub(crate) fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    pub(crate) fn sms_box(&self) -> MutexGuard<'_, SmsBox> {
        self.sms.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn email_box(&self) -> MutexGuard<'_, Outbox<EmailMessage>> {
        self.email.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn authorized(&self, headers: &HeaderMap) -> bool {
        let Some(expected) = &self.api_key else {
            return true;
        };
        headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .is_some_and(|given| given == expected)
    }
}
