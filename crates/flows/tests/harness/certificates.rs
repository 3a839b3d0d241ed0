//! Certificates in the world: the engine's check trusting the sandbox's root and issuing CAs
//! (revocation over HTTP from the sandbox's OCSP responders and CRLs), Web eID tokens signed
//! as the local signing agent signs them, and certificates bound to accounts as registration
//! binds them.

use std::sync::Arc;
use std::time::Duration;

use aws_lc_rs::digest;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use connectors::revocation::HttpRevocationFetcher;
use domain::{AccountKind, AssuranceLevel, Clock, CredentialKind, RegistrationChannel};
use flows::{
    Action, CertificateSignIn, FlowKind, FlowView, MethodKind, Outcome, SeededRandomness,
    SignInRequest, Started, Step,
};
use pki::{RevocationConfig, TrustAnchors, Validator};
use sandbox::Person;
use sandbox::pki::{CertificateRole, Holder, IssuedCertificate, SandboxPki};
use serde_json::json;
use sha2::{Digest, Sha256};
use store::{
    AccountId, Actor, AuditContext, Identity, NewAccount, NewCredential, NewFlow, NewSession,
    StepWrite,
};
use uuid::Uuid;
use x509_cert::Certificate;
use x509_cert::der::{Decode, Encode};

use super::{START, World};

/// The portal's public origin, which the agent signs.
pub const ORIGIN: &str = "https://dichvucong.test";
/// Where the person's local signing agent listens.
pub const AGENT_URL: &str = "http://127.0.0.1:14571";

/// The certificate check of a portal trusting `pki`'s root, with its issuing CAs configured
/// (a Web eID token carries only the end certificate), asking OCSP and CRLs over HTTP.
pub fn sign_in_check(pki: &SandboxPki) -> CertificateSignIn {
    let anchors = TrustAnchors::from_pem(pki.trust_anchors_pem().as_bytes())
        .unwrap()
        .with_intermediates_pem(pki.intermediates_pem().as_bytes())
        .unwrap();
    let fetcher = HttpRevocationFetcher::new(Duration::from_secs(2)).unwrap();
    let validator = Validator::new(
        anchors,
        Arc::new(fetcher),
        Arc::new(SeededRandomness::new(11)),
        RevocationConfig::default(),
    );
    CertificateSignIn::new(validator, ORIGIN, AGENT_URL)
}

/// A Web eID authentication token (`web-eid:1.0`) as the agent makes it: ES256, raw r ‖ s,
/// over SHA-256(origin) ‖ SHA-256(challenge), with the holder's key.
pub fn web_eid_token(issued: &IssuedCertificate, origin: &str, challenge: &str) -> String {
    let key = EcdsaKeyPair::from_pkcs8(
        &ECDSA_P256_SHA256_FIXED_SIGNING,
        &pem_body(&issued.key_pkcs8_pem),
    )
    .unwrap();
    let mut message = digest::digest(&digest::SHA256, origin.as_bytes())
        .as_ref()
        .to_vec();
    message.extend_from_slice(digest::digest(&digest::SHA256, challenge.as_bytes()).as_ref());
    let signature = key.sign(&SystemRandom::new(), &message).unwrap();
    json!({
        "unverifiedCertificate": STANDARD.encode(&issued.der),
        "algorithm": "ES256",
        "signature": STANDARD.encode(signature.as_ref()),
        "format": "web-eid:1.0",
        "appVersion": "https://web-eid.eu/web-eid-app/releases/2.5.0+0",
    })
    .to_string()
}

fn pem_body(pem: &str) -> Vec<u8> {
    let body: String = pem
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    STANDARD.decode(body).unwrap()
}

/// What an account's binding to a certificate holds: the key (hex SHA-256 of the
/// SubjectPublicKeyInfo), and the certificate's issuer (RFC 4514 text) and serial number.
#[derive(Debug, Clone)]
pub struct Binding {
    pub key: String,
    pub issuer: String,
    pub serial: String,
}

impl Binding {
    pub fn of(issued: &IssuedCertificate) -> Self {
        let certificate = Certificate::from_der(&issued.der).unwrap();
        let tbs = &certificate.tbs_certificate;
        let spki = tbs.subject_public_key_info.to_der().unwrap();
        let key = Sha256::digest(&spki)
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        Self {
            key,
            issuer: tbs.issuer.to_string(),
            serial: issued.serial_hex.clone(),
        }
    }
}

/// The challenge of the local-agent step.
#[track_caller]
pub fn agent_challenge(view: &FlowView) -> String {
    match &view.step {
        Step::LocalAgent { challenge, .. } => challenge.clone(),
        other => panic!("not at the local agent step: {other:?}"),
    }
}

impl World {
    /// The sandbox's certificate of `role`.
    pub fn certificate(&self, role: CertificateRole) -> IssuedCertificate {
        let pki = self.sandbox.pki().expect("a world with certificates");
        pki.certificate(role).expect("issued").clone()
    }

    /// A token of `role`'s certificate for `origin` over `challenge`.
    pub fn web_eid_token(&self, role: CertificateRole, origin: &str, challenge: &str) -> String {
        web_eid_token(&self.certificate(role), origin, challenge)
    }

    /// The synthetic person holding `role`'s personal certificate.
    pub fn certificate_holder(&self, role: CertificateRole) -> Person {
        let Holder::Citizen { personal_id, .. } = self.certificate(role).holder else {
            panic!("{role:?} is an organisation's certificate");
        };
        let people = self.sandbox.people();
        people.by_personal_id(&personal_id).unwrap().clone()
    }

    /// A new account of the holder of `role`'s certificate, without password or phone (as a
    /// registration by USB token leaves it): the citizen of its personal ID, or the business
    /// of its tax code.
    pub async fn holder_account(&self, role: CertificateRole) -> AccountId {
        let (kind, identity) = match self.certificate(role).holder {
            Holder::Citizen { .. } => {
                let person = self.certificate_holder(role);
                let identity = Identity {
                    personal_id: Some(person.personal_id.clone()),
                    legacy_cmnd: None,
                    tax_code: None,
                    full_name: person.full_name.clone(),
                    birth_date: Some(person.birth_date),
                    gender: Some(person.gender),
                };
                (AccountKind::Citizen, identity)
            }
            Holder::Organisation { tax_code, name } => {
                let identity = Identity {
                    personal_id: None,
                    legacy_cmnd: None,
                    tax_code: Some(tax_code),
                    full_name: name,
                    birth_date: None,
                    gender: None,
                };
                (AccountKind::Business, identity)
            }
        };
        let account = NewAccount {
            kind,
            identity,
            email: None,
            registration_channel: RegistrationChannel::UsbToken,
            default_phone: None,
            password_phc: None,
            audit: AuditContext {
                actor: Actor::System,
                client_ip: None,
            },
        };
        let store = &self.db.store;
        store.create_account(&account, START).await.unwrap().id
    }

    /// Binds `role`'s certificate to `account`, as registration or the account page does.
    pub async fn bind_certificate(&self, account: AccountId, role: CertificateRole) {
        self.bind_certificate_as(account, &Binding::of(&self.certificate(role)))
            .await;
    }

    /// Writes a certificate binding as given: one `AddCredential` write of a flow's step.
    pub async fn bind_certificate_as(&self, account: AccountId, binding: &Binding) {
        let store = &self.db.store;
        let flow = NewFlow {
            id: Uuid::new_v4(),
            kind: "bind_certificate".to_owned(),
            state: json!({}),
            account_id: Some(account),
            expires_at: START + time::Duration::days(1),
        };
        let flow = store.create_flow(&flow, START).await.unwrap();
        let write = StepWrite::AddCredential {
            account,
            credential: NewCredential {
                kind: CredentialKind::Certificate,
                key: binding.key.clone(),
                public_data: json!({ "issuer": binding.issuer, "serial": binding.serial }),
                secret: None,
            },
            audit: AuditContext {
                actor: Actor::Holder,
                client_ip: None,
            },
        };
        store
            .save_step(&flow, flow.version, &[write], START)
            .await
            .unwrap();
    }

    /// A signed-in session of `account` at `level`, as an earlier sign-in left it.
    pub async fn session_at(&self, account: AccountId, level: AssuranceLevel) -> Uuid {
        let now = self.clock.now();
        let session = NewSession {
            id: Uuid::new_v4(),
            token_hash: [7; 32],
            account_id: account,
            acr: level,
            amr: vec!["pwd".to_owned(), "sms".to_owned()],
            auth_time: now,
            client_ip: None,
            user_agent: None,
            idle_expires_at: now + time::Duration::minutes(30),
            absolute_expires_at: now + time::Duration::hours(12),
        };
        self.db
            .store
            .create_session(&session, now)
            .await
            .unwrap()
            .id
    }

    /// A sign-in that begins with `method`'s tab.
    pub async fn start_sign_in_with(&self, method: MethodKind) -> Started {
        let request = SignInRequest {
            client: Some(&self.client),
            first: Some(method),
            ..SignInRequest::default()
        };
        self.engine.start_sign_in(request).await.unwrap()
    }

    /// A registration whose certificate signs through `method`.
    pub async fn start_certificate_registration(&self, method: MethodKind) -> Started {
        let kind = FlowKind::RegisterCertificate;
        self.engine
            .start_with_certificate(kind, method, None, None)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("registration by {method:?} is offered"))
    }

    /// A relying service asks LoA3 of `account`, signed in at LoA2: the signed-in session and
    /// the sign-in that would raise it.
    pub async fn step_up_to_loa3(&self, account: AccountId) -> (Uuid, Started) {
        let session = self.session_at(account, AssuranceLevel::LoA2).await;
        let request = SignInRequest {
            acr_preference: vec![AssuranceLevel::LoA3],
            signed_in: Some((session, account)),
            client: Some(&self.client),
            ..SignInRequest::default()
        };
        (session, self.engine.start_sign_in(request).await.unwrap())
    }

    /// Binding a certificate to `account` on its account page, signing through `method`.
    pub async fn start_binding(&self, account: AccountId, method: MethodKind) -> Started {
        let kind = FlowKind::BindCertificate;
        self.engine
            .start_with_certificate(kind, method, Some("/account"), Some(account))
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("binding by {method:?} is offered"))
    }

    /// Polls a waiting step as its page does, every 2 seconds, until it ends (the sandbox
    /// answers "outstanding" at least once).
    pub async fn poll_until_over(&self, flow: &Started) -> Outcome {
        for _ in 0..5 {
            self.advance(2);
            let outcome = self.act(flow, Action::Poll).await;
            let waiting = matches!(outcome.view.step, Step::Waiting { .. });
            if !waiting || !outcome.view.problems.is_empty() {
                return outcome;
            }
        }
        panic!("still waiting after five polls");
    }

    /// A sign-in on the "USB ký số" tab.
    pub async fn start_usb_sign_in(&self) -> Started {
        let request = SignInRequest {
            return_to: Some("/tai-khoan"),
            client: Some(&self.client),
            first: Some(MethodKind::UsbToken),
            ..SignInRequest::default()
        };
        self.engine.start_sign_in(request).await.unwrap()
    }
}
