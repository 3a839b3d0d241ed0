//! A flow engine on a fresh store, talking to a real sandbox over HTTP and SMTP, with a manual
//! clock and seeded randomness. OTPs are read from the sandbox's SMS outbox, as a person
//! would read their phone.

use std::sync::Arc;

use connectors::{Connectors, ConnectorsConfig};
use domain::{ManualClock, PasswordPolicy, PhoneNumber};
use flows::{
    Action, Argon2Params, Client, Engine, EngineParts, FlowConfig, FlowKind, FlowView, Outcome,
    SeededRandomness, Started, Step,
};
use sandbox::{DemoRole, Person, Sandbox, SyntheticPeople};
use store::testing::TestDb;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use url::Url;

pub mod certificates;
pub mod vneid;

pub const START: OffsetDateTime = datetime!(2026-11-21 09:00 UTC);

/// Whether the world runs certificate authorities and signs in with certificates.
enum Certificates {
    Off,
    On,
}

pub struct World {
    pub db: TestDb,
    pub engine: Arc<Engine>,
    pub sandbox: Arc<Sandbox>,
    pub clock: Arc<ManualClock>,
    pub client: Client,
    /// VNeID, scripted, when the world signs in with it (`with_vneid`).
    pub vneid: Arc<vneid::ScriptedVneid>,
    connectors: Connectors,
}

pub fn fast_config() -> FlowConfig {
    FlowConfig {
        // Tests exercise the flow, not the hash cost.
        argon2: Argon2Params {
            memory_kib: 256,
            iterations: 1,
            parallelism: 1,
            max_concurrent: 4,
            max_waiting: 64,
        },
        ..FlowConfig::default()
    }
}

impl World {
    pub async fn new(db: TestDb) -> Self {
        Self::with_config(db, fast_config()).await
    }

    pub async fn with_config(db: TestDb, config: FlowConfig) -> Self {
        Self::assemble(db, config, Certificates::Off, false).await
    }

    /// A world whose engine signs in with VNeID (scripted: `World::vneid`).
    pub async fn with_vneid(db: TestDb) -> Self {
        Self::assemble(db, fast_config(), Certificates::Off, true).await
    }

    /// A world whose sandbox runs its certificate authorities (OCSP and CRLs over HTTP, on the
    /// world's clock) and whose engine signs in with certificates trusting them.
    pub async fn with_certificates(db: TestDb) -> Self {
        Self::assemble(db, fast_config(), Certificates::On, false).await
    }

    async fn assemble(
        db: TestDb,
        config: FlowConfig,
        certificates: Certificates,
        with_vneid: bool,
    ) -> Self {
        let http = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let smtp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = Url::parse(&format!("http://{}/", http.local_addr().unwrap())).unwrap();
        let smtp_addr = smtp.local_addr().unwrap();
        let clock = Arc::new(ManualClock::new(START));
        let sandbox = match certificates {
            Certificates::Off => Sandbox::new(SyntheticPeople::generate(sandbox::DEFAULT_SEED, 60)),
            // The businesses' representatives come after the first 64 people.
            Certificates::On => Sandbox::new(SyntheticPeople::generate(sandbox::DEFAULT_SEED, 80))
                .with_clock(clock.clone())
                .with_pki(&base)
                .unwrap(),
        };
        let sandbox = Arc::new(sandbox);
        tokio::spawn(axum::serve(http, sandbox::router(Arc::clone(&sandbox))).into_future());
        tokio::spawn(sandbox::serve_smtp(smtp, Arc::clone(&sandbox)));
        let mut connectors_config = ConnectorsConfig::sandbox(&base, smtp_addr).unwrap();
        // Failure tests should fail fast.
        for endpoint in [
            &mut connectors_config.population,
            &mut connectors_config.subscribers,
            &mut connectors_config.bhxh,
            &mut connectors_config.sms,
        ] {
            endpoint.retries = 0;
            endpoint.timeout_ms = 2_000;
        }
        let mut connectors = Connectors::from_config(&connectors_config).unwrap();
        let vneid = Arc::new(vneid::ScriptedVneid::default());
        if with_vneid {
            connectors.vneid = Some(vneid.clone());
        }
        let engine = Engine::new(EngineParts {
            store: Arc::clone(&db.store),
            connectors: connectors.clone(),
            clock: clock.clone(),
            random: Arc::new(SeededRandomness::new(7)),
            config,
            password_policy: PasswordPolicy::default(),
            otp_key: b"test-otp-key-0123456789abcdef012345".to_vec(),
        })
        .await
        .unwrap();
        let engine = match sandbox.pki() {
            Some(pki) => engine.with_certificate_sign_in(certificates::sign_in_check(pki)),
            None => engine,
        };
        let public_base = Url::parse("https://dichvucong.test/").unwrap();
        let engine = engine.with_public_base(&public_base);
        let engine = if with_vneid {
            engine.with_vneid(&public_base)
        } else {
            engine
        };
        Self {
            db,
            engine: Arc::new(engine),
            sandbox,
            clock,
            client: Client {
                address: Some("203.0.113.9".to_owned()),
                user_agent: Some("flows-test".to_owned()),
                device: None,
            },
            vneid,
            connectors,
        }
    }

    /// A second node on the same database and registries, as another server would be.
    pub async fn second_node(&self) -> Engine {
        Engine::new(EngineParts {
            store: Arc::clone(&self.db.store),
            connectors: self.connectors.clone(),
            clock: self.clock.clone(),
            random: Arc::new(SeededRandomness::new(8)),
            config: fast_config(),
            password_policy: PasswordPolicy::default(),
            otp_key: b"test-otp-key-0123456789abcdef012345".to_vec(),
        })
        .await
        .unwrap()
    }

    pub fn person(&self, role: DemoRole) -> Person {
        self.sandbox.people().demo(role).unwrap().clone()
    }

    pub fn advance(&self, seconds: i64) {
        self.clock.advance(Duration::seconds(seconds));
    }

    pub async fn start(&self, kind: FlowKind) -> Started {
        self.start_from(kind, &self.client).await
    }

    /// A flow started by another device or address than the world's own client.
    pub async fn start_from(&self, kind: FlowKind, client: &Client) -> Started {
        self.engine
            .start(kind, Some("/tai-khoan"), None, client)
            .await
            .unwrap()
    }

    pub async fn act(&self, flow: &Started, action: Action) -> Outcome {
        self.engine
            .act(flow.view.id, &flow.binding, &self.client, action)
            .await
            .unwrap()
    }

    /// An action from another device or address than the world's own client.
    pub async fn act_from(&self, flow: &Started, client: &Client, action: Action) -> Outcome {
        self.engine
            .act(flow.view.id, &flow.binding, client, action)
            .await
            .unwrap()
    }

    /// The 6-digit code of the newest SMS to `phone`.
    pub fn last_otp(&self, phone: &PhoneNumber) -> String {
        let messages = self.sandbox.sms_outbox(Some(phone));
        let text = &messages.first().expect("no SMS to this phone").text;
        text.split(|c: char| !c.is_ascii_digit())
            .find(|word| word.len() == 6)
            .unwrap_or_else(|| panic!("no code in {text:?}"))
            .to_owned()
    }

    pub fn sms_count(&self, phone: &PhoneNumber) -> usize {
        self.sandbox.sms_outbox(Some(phone)).len()
    }

    /// Registers `person` by mobile subscriber with `password`, end to end.
    pub async fn register(&self, person: &Person, password: &str) {
        let flow = self.start(FlowKind::RegisterPhone).await;
        let outcome = self.act(&flow, register_action(person)).await;
        assert_step(&outcome.view, "otp");
        let code = self.last_otp(&person.phone);
        assert_step(
            &self.act(&flow, Action::Otp { code }).await.view,
            "password",
        );
        let done = self
            .act(
                &flow,
                Action::SetPassword {
                    password: password.to_owned(),
                    confirm: password.to_owned(),
                },
            )
            .await;
        assert_step(&done.view, "done");
    }

    /// The account registered for `person`.
    pub async fn account_id(&self, person: &Person) -> store::AccountId {
        self.db
            .store
            .account_by_personal_id(&person.personal_id)
            .await
            .unwrap()
            .expect("registered")
            .id
    }

    /// "Mất số điện thoại nhận OTP" to the end: `person` signs in with `password`, says the OTP
    /// phone is lost, gives `new_phone` and types the code it receives; the last outcome.
    pub async fn change_lost_phone(
        &self,
        person: &Person,
        password: &str,
        new_phone: &PhoneNumber,
    ) -> Outcome {
        let flow = self.start(FlowKind::Login).await;
        self.act(&flow, sign_in_action(person, password)).await;
        self.act(&flow, Action::LostPhone).await;
        let phone = new_phone.national();
        self.act(&flow, Action::NewPhone { phone }).await;
        let code = self.last_otp(new_phone);
        self.act(&flow, Action::Otp { code }).await
    }

    /// Password and OTP; returns the session token.
    pub async fn sign_in(&self, person: &Person, password: &str) -> String {
        let flow = self.start(FlowKind::Login).await;
        let outcome = self.act(&flow, sign_in_action(person, password)).await;
        assert_step(&outcome.view, "otp");
        let code = self.last_otp(&person.phone);
        let done = self.act(&flow, Action::Otp { code }).await;
        assert_step(&done.view, "done");
        done.session.expect("a session").token
    }
}

pub fn register_values(person: &Person) -> flows::RegisterPhoneValues {
    flows::RegisterPhoneValues {
        full_name: person.full_name.clone(),
        personal_id: person.personal_id.to_string(),
        birth_date: person.birth_date.to_string(),
        gender: person.gender.as_str().to_owned(),
        phone: person.phone.national(),
        email: String::new(),
    }
}

pub fn register_action(person: &Person) -> Action {
    Action::RegisterPhone(register_values(person))
}

pub fn sign_in_action(person: &Person, password: &str) -> Action {
    Action::SignIn {
        identifier: person.personal_id.to_string(),
        password: password.to_owned(),
        captcha: None,
    }
}

pub fn step_name(view: &FlowView) -> String {
    serde_json::to_value(view).unwrap()["step"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[track_caller]
pub fn assert_step(view: &FlowView, step: &str) {
    assert_eq!(step_name(view), step, "{view:#?}");
}

#[track_caller]
pub fn assert_problem(view: &FlowView, code: &str) {
    let codes: Vec<&str> = view.problems.iter().map(|p| p.code).collect();
    assert!(
        codes.contains(&code),
        "expected {code} in {codes:?}: {view:#?}"
    );
}

/// Solves the captcha as the page's script or an app does: tries every number up to
/// `maxnumber` until SHA-256(salt + number) is the challenge, and answers with the ALTCHA
/// payload (base64 of its JSON).
pub fn solve_captcha(view: &FlowView) -> String {
    use base64::Engine as _;
    use sha2::{Digest, Sha256};

    let prompt = view.captcha.as_ref().expect("a captcha");
    let challenge = serde_json::to_value(prompt).unwrap();
    let salt = challenge["salt"].as_str().unwrap();
    let number = (0..=challenge["maxnumber"].as_u64().unwrap())
        .find(|number| {
            let digest = Sha256::digest(format!("{salt}{number}"));
            digest
                .iter()
                .map(|byte| format!("{byte:02x}"))
                .collect::<String>()
                == challenge["challenge"].as_str().unwrap()
        })
        .expect("a number that hashes to the challenge");
    let payload = serde_json::json!({
        "algorithm": challenge["algorithm"],
        "challenge": challenge["challenge"],
        "number": number,
        "salt": salt,
        "signature": challenge["signature"],
    });
    base64::engine::general_purpose::STANDARD.encode(payload.to_string())
}

/// Reads the captcha's text alternative as a person without script would: the digits
/// spelled in English on the page.
pub fn read_captcha_words(view: &FlowView) -> String {
    const WORDS: [&str; 10] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    ];
    let prompt = view.captcha.as_ref().expect("a captcha");
    prompt
        .text_alternative()
        .en()
        .split(" – ")
        .map(|word| {
            let digit = WORDS.iter().position(|known| *known == word).unwrap();
            char::from(b'0' + u8::try_from(digit).unwrap())
        })
        .collect()
}

pub fn otp_phone(view: &FlowView) -> String {
    match &view.step {
        Step::Otp { phone, .. } => phone.clone(),
        other => panic!("not at the OTP step: {other:?}"),
    }
}
