//! VNeID as the flows see it: the `IdentityProvider` seam, scripted. The real OpenID Connect
//! client is tested against a hostile issuer in `connectors`, and against the real VNeID
//! provider in `web`; here the linking rules are, on both backends.

use std::sync::Mutex;

use async_trait::async_trait;
use connectors::{
    ConnectorError, EidLevel, FederatedAuthorization, FederatedCallback, FederatedIdentity,
    IdentityProvider, System,
};
use sandbox::Person;
use url::Url;

pub const ISSUER: &str = "https://vneid.test";

#[derive(Default)]
pub struct ScriptedVneid {
    answer: Mutex<Option<Result<FederatedIdentity, ConnectorError>>>,
    /// Every trip the browser was sent on.
    pub trips: Mutex<Vec<FederatedAuthorization>>,
    /// Every code redeemed.
    pub redeemed: Mutex<Vec<FederatedCallback>>,
}

impl ScriptedVneid {
    /// The next code redeems to this person at this level, with subject `subject`.
    pub fn will_vouch_for(&self, person: &Person, level: EidLevel, subject: &str) {
        *self.answer.lock().unwrap() = Some(Ok(identity(person, level, subject)));
    }

    pub fn will_answer(&self, answer: Result<FederatedIdentity, ConnectorError>) {
        *self.answer.lock().unwrap() = Some(answer);
    }

    pub fn redeemed_count(&self) -> usize {
        self.redeemed.lock().unwrap().len()
    }

    pub fn last_trip(&self) -> FederatedAuthorization {
        self.trips.lock().unwrap().last().cloned().expect("a trip")
    }
}

pub fn identity(person: &Person, level: EidLevel, subject: &str) -> FederatedIdentity {
    FederatedIdentity {
        issuer: ISSUER.to_owned(),
        subject: subject.to_owned(),
        personal_id: person.personal_id.clone(),
        full_name: person.full_name.clone(),
        birth_date: Some(person.birth_date),
        gender: Some(person.gender),
        level,
        acr: level.assurance(),
        amr: vec!["pwd".to_owned(), "otp".to_owned()],
        auth_time: None,
    }
}

#[async_trait]
impl IdentityProvider for ScriptedVneid {
    fn issuer(&self) -> &str {
        ISSUER
    }

    async fn authorization_url(
        &self,
        trip: &FederatedAuthorization,
    ) -> Result<Url, ConnectorError> {
        self.trips.lock().unwrap().push(trip.clone());
        let pairs = [
            ("state", trip.state.as_str()),
            ("nonce", trip.nonce.as_str()),
        ];
        Ok(Url::parse_with_params(&format!("{ISSUER}/authorize"), pairs).unwrap())
    }

    async fn redeem(
        &self,
        _trip: &FederatedAuthorization,
        callback: &FederatedCallback,
    ) -> Result<FederatedIdentity, ConnectorError> {
        self.redeemed.lock().unwrap().push(callback.clone());
        self.answer
            .lock()
            .unwrap()
            .take()
            .unwrap_or(Err(ConnectorError::Rejected {
                system: System::Vneid,
                reason: "invalid_grant".to_owned(),
            }))
    }
}
