//! What every test needs: the provider on a fresh store with a manual clock, an SMS outbox,
//! synthetic people, and a small browser (cookies, same-origin redirects followed).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use connectors::{ConnectorError, SmsGateway, SmsReceipt};
use domain::random::SeededRandomness;
use domain::{ManualClock, PhoneNumber};
use reqwest::redirect::Policy;
use store::EidLevel;
use store::testing::TestDb;
use url::Url;
use vneid::seed::SeedPerson;
use vneid::{TestParts, VneidApp};

pub const PASSWORD: &str = "Matkhau@2024";
pub const PASSCODE: &str = "135790";

/// Texts sent, in order.
#[derive(Default)]
pub struct Outbox(Mutex<Vec<(PhoneNumber, String)>>);

#[async_trait]
impl SmsGateway for Outbox {
    async fn send(&self, to: &PhoneNumber, text: &str) -> Result<SmsReceipt, ConnectorError> {
        self.0.lock().unwrap().push((to.clone(), text.to_owned()));
        Ok(SmsReceipt {
            message_id: "test".to_owned(),
        })
    }
}

impl Outbox {
    pub fn texts_to(&self, phone: &PhoneNumber) -> Vec<String> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|(to, _)| to == phone)
            .map(|(_, text)| text.clone())
            .collect()
    }

    pub fn count(&self) -> usize {
        self.0.lock().unwrap().len()
    }

    /// The code of the last OTP text to `phone`.
    pub fn last_code(&self, phone: &PhoneNumber) -> String {
        let text = self.texts_to(phone).pop().expect("a text to the phone");
        let start = text.find("la ").expect("a code in the text") + 3;
        text[start..start + 6].to_owned()
    }
}

pub struct World {
    pub app: VneidApp,
    pub clock: Arc<ManualClock>,
    pub sms: Arc<Outbox>,
    pub people: sandbox::SyntheticPeople,
    pub db: TestDb,
}

pub async fn world() -> World {
    world_on(store::testing::sqlite().await).await
}

pub async fn world_on(db: TestDb) -> World {
    let clock = Arc::new(ManualClock::new(time::OffsetDateTime::now_utc()));
    let sms = Arc::new(Outbox::default());
    let app = VneidApp::start_for_tests(TestParts {
        store: Arc::clone(&db.store),
        clock: clock.clone(),
        random: Arc::new(SeededRandomness::new(7)),
        sms: sms.clone(),
    })
    .await
    .expect("the provider starts");
    World {
        app,
        clock,
        sms,
        people: sandbox::SyntheticPeople::generate(sandbox::DEFAULT_SEED, 40),
        db,
    }
}

impl World {
    /// The `n`-th synthetic person, as a seed.
    pub fn person(&self, n: usize) -> SeedPerson {
        let person = self.people.get(n).expect("enough people");
        SeedPerson {
            personal_id: person.personal_id.clone(),
            full_name: person.full_name.clone(),
            birth_date: person.birth_date,
            gender: person.gender,
            phone: person.phone.clone(),
        }
    }

    pub fn browser(&self) -> Browser {
        Browser::new(self.app.base_url().clone())
    }

    pub async fn approved(&self, n: usize, level: EidLevel) -> SeedPerson {
        let person = self.person(n);
        vneid::seed::approved_application(self.app.vneid(), &person, level, None)
            .await
            .unwrap();
        person
    }

    pub async fn active(&self, n: usize, level: EidLevel) -> SeedPerson {
        let person = self.person(n);
        vneid::seed::active_account(self.app.vneid(), &person, level, PASSWORD, PASSCODE)
            .await
            .unwrap();
        person
    }
}

/// What a request ended on: the last page of this origin, or a redirect elsewhere.
pub struct Page {
    pub status: u16,
    pub url: Url,
    pub body: String,
    /// A redirect to another origin (the relying service), not followed.
    pub away: Option<Url>,
}

impl Page {
    pub fn has(&self, text: &str) -> bool {
        self.body.contains(text)
    }

    #[track_caller]
    pub fn assert_has(&self, text: &str) {
        assert!(
            self.has(text),
            "expected {text:?} on {} ({}):\n{}",
            self.url,
            self.status,
            self.body
        );
    }
}

/// A browser without script: a cookie jar, redirects within the origin followed.
pub struct Browser {
    http: reqwest::Client,
    base: Url,
    cookies: Mutex<HashMap<String, String>>,
}

impl Browser {
    pub fn new(base: Url) -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(Policy::none())
                .build()
                .unwrap(),
            base,
            cookies: Mutex::new(HashMap::new()),
        }
    }

    /// The same browser (its cookies) talking to another node at `base`.
    pub fn on(&self, base: Url) -> Browser {
        let other = Browser::new(base);
        *other.cookies.lock().unwrap() = self.cookies.lock().unwrap().clone();
        other
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.lock().unwrap().get(name).cloned()
    }

    fn header(&self) -> String {
        self.cookies
            .lock()
            .unwrap()
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn absorb(&self, response: &reqwest::Response) {
        for value in response.headers().get_all(reqwest::header::SET_COOKIE) {
            let text = value.to_str().unwrap();
            let pair = text.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            let deleting = text.contains("Max-Age=0") || value.is_empty();
            let mut jar = self.cookies.lock().unwrap();
            if deleting {
                jar.remove(name);
            } else {
                jar.insert(name.to_owned(), value.to_owned());
            }
        }
    }

    pub async fn get(&self, path: &str) -> Page {
        let url = self.base.join(path).unwrap();
        let request = self.http.get(url.clone()).header("cookie", self.header());
        self.finish(url, request).await
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        let url = self.base.join(path).unwrap();
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let request = self
            .http
            .post(url.clone())
            .header("cookie", self.header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        self.finish(url, request).await
    }

    async fn finish(&self, mut url: Url, request: reqwest::RequestBuilder) -> Page {
        let mut response = request.send().await.unwrap();
        for _ in 0..10 {
            self.absorb(&response);
            if !response.status().is_redirection() {
                break;
            }
            let location = response.headers()[reqwest::header::LOCATION]
                .to_str()
                .unwrap()
                .to_owned();
            let next = url.join(&location).unwrap();
            if next.origin() != self.base.origin() {
                return Page {
                    status: response.status().as_u16(),
                    url,
                    body: String::new(),
                    away: Some(next),
                };
            }
            url = next;
            response = self
                .http
                .get(url.clone())
                .header("cookie", self.header())
                .send()
                .await
                .unwrap();
        }
        let status = response.status().as_u16();
        Page {
            status,
            url,
            body: response.text().await.unwrap(),
            away: None,
        }
    }
}

/// "Gửi yêu cầu" with the person's ID and phone: the first step of activation.
pub async fn request_activation(browser: &Browser, person: &SeedPerson) -> Page {
    browser
        .post(
            "/activate",
            &[
                ("personal_id", person.personal_id.as_str()),
                ("phone", &person.phone.national()),
            ],
        )
        .await
}

/// Activates `person` in `browser` to the end, with these answers.
pub async fn activate(world: &World, browser: &Browser, person: &SeedPerson) -> Page {
    let page = request_activation(browser, person).await;
    page.assert_has("name=\"code\"");
    let code = world.sms.last_code(&person.phone);
    let page = browser.post("/activate/otp", &[("code", &code)]).await;
    page.assert_has("name=\"password\"");
    let page = browser
        .post(
            "/activate/password",
            &[("password", PASSWORD), ("confirmation", PASSWORD)],
        )
        .await;
    page.assert_has("name=\"passcode\"");
    let page = browser
        .post(
            "/activate/passcode",
            &[("passcode", PASSCODE), ("confirmation", PASSCODE)],
        )
        .await;
    page.assert_has("name=\"question1\"");
    browser
        .post(
            "/activate/questions",
            &[
                ("question1", "q1"),
                ("answer1", "  Trường   KIM Đồng "),
                ("question2", "q3"),
                ("answer2", "Phường 5"),
            ],
        )
        .await
}

/// Signs in with the password, then the passcode when the device is new.
pub async fn sign_in(browser: &Browser, person: &SeedPerson) -> Page {
    let page = browser
        .post(
            "/login",
            &[
                ("personal_id", person.personal_id.as_str()),
                ("password", PASSWORD),
            ],
        )
        .await;
    if page.has("name=\"passcode\"") {
        browser
            .post("/login/passcode", &[("passcode", PASSCODE)])
            .await
    } else {
        page
    }
}
