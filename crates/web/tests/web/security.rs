//! The limits strangers cannot spend, end to end through the JSON API, as an app or a script
//! would meet them: a device token that exempts the holder's own app, separate SMS budgets,
//! registration that tells nothing before the OTP, one SMS for many parallel resends, a new
//! OTP phone confirmed by the current one, and every refusal in the account's history.

use reqwest::Client;
use serde_json::{Value, json};

use store::testing::TestDb;

use super::{Options, last_otp, person, serve_with, sms_count, solve_captcha};

const PASSWORD: &str = "mây trắng bay qua đồi";

/// A client of the API; `device` is the `X-Device-Token` it sends, once it has one.
struct App {
    base: String,
    http: Client,
    device: Option<String>,
}

impl App {
    fn new(base: &str) -> Self {
        App {
            base: base.to_owned(),
            http: Client::new(),
            device: None,
        }
    }

    /// Starts a flow; keeps the device token the server hands out to an app without one.
    async fn start(&mut self, kind: &str, bearer: Option<&str>) -> (String, String, Value) {
        let mut request = self
            .http
            .post(format!("{}/api/flows", self.base))
            .json(&json!({ "kind": kind }));
        if let Some(device) = &self.device {
            request = request.header("x-device-token", device);
        }
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let body: Value = request.send().await.unwrap().json().await.unwrap();
        if let Some(device) = body["device_token"].as_str() {
            self.device = Some(device.to_owned());
        }
        (
            body["flow"]["id"].as_str().unwrap().to_owned(),
            body["flow_token"].as_str().unwrap().to_owned(),
            body["flow"].clone(),
        )
    }

    async fn act(&self, id: &str, token: &str, action: Value) -> Value {
        let mut request = self
            .http
            .post(format!("{}/api/flows/{id}", self.base))
            .header("x-flow-token", token)
            .json(&action);
        if let Some(device) = &self.device {
            request = request.header("x-device-token", device);
        }
        request.send().await.unwrap().json().await.unwrap()
    }

    async fn register(&mut self, someone: &sandbox::Person) {
        let (id, token, _) = self.start("register_phone", None).await;
        let body = self.act(&id, &token, register_form(someone)).await;
        assert_eq!(body["flow"]["step"], "otp", "{body}");
        let code = last_otp(&someone.phone);
        self.act(&id, &token, json!({ "action": "otp", "code": code }))
            .await;
        let body = self
            .act(
                &id,
                &token,
                json!({ "action": "set_password", "password": PASSWORD, "confirm": PASSWORD }),
            )
            .await;
        assert_eq!(body["flow"]["result"], "registered", "{body}");
    }

    /// The first step of a sign-in with `password`: the flow document after it.
    async fn try_password(&mut self, someone: &sandbox::Person, password: &str) -> Value {
        let (id, token, _) = self.start("login", None).await;
        self.act(&id, &token, sign_in(someone, password)).await["flow"].clone()
    }

    /// A whole sign-in; the session token.
    async fn sign_in(&mut self, someone: &sandbox::Person) -> String {
        let (id, token, _) = self.start("login", None).await;
        let body = self.act(&id, &token, sign_in(someone, PASSWORD)).await;
        assert_eq!(body["flow"]["step"], "otp", "{body}");
        let code = last_otp(&someone.phone);
        let body = self
            .act(&id, &token, json!({ "action": "otp", "code": code }))
            .await;
        body["session"]["token"].as_str().unwrap().to_owned()
    }
}

/// A served app whose first synthetic person registered through the API, with that app.
async fn with_registered_holder(options: Options) -> (TestDb, String, sandbox::Person, App) {
    let db = store::testing::sqlite().await;
    let base = serve_with(&db, options).await;
    let holder = person(0);
    let mut own = App::new(&base);
    own.register(&holder).await;
    (db, base, holder, own)
}

fn register_form(someone: &sandbox::Person) -> Value {
    json!({
        "action": "register_phone",
        "full_name": someone.full_name,
        "personal_id": someone.personal_id.as_str(),
        "birth_date": someone.birth_date.to_string(),
        "gender": someone.gender.as_str(),
        "phone": someone.phone.national(),
    })
}

fn sign_in(someone: &sandbox::Person, password: &str) -> Value {
    json!({ "action": "sign_in", "identifier": someone.personal_id.as_str(), "password": password })
}

fn codes(flow: &Value) -> Vec<String> {
    flow["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|problem| problem["code"].as_str().unwrap().to_owned())
        .collect()
}

/// A script that knows only the ID stops itself: its address waits, while the holder's own
/// app (its device token) goes straight on; each refusal is in the account's history.
#[tokio::test]
async fn a_script_guessing_passwords_cannot_stop_the_holders_app() {
    let (_db, base, holder, mut own) = with_registered_holder(Options::default()).await;
    assert!(
        own.device.is_some(),
        "an app without a device token is given one"
    );
    let session = own.sign_in(&holder).await;

    let mut script = App::new(&base);
    let mut last = Value::Null;
    for _ in 0..22 {
        // A script that drops the device token is counted by its address.
        script.device = None;
        last = script.try_password(&holder, "đoán mò").await;
    }
    assert!(codes(&last).contains(&"throttled".to_owned()), "{last}");

    let flow = own.try_password(&holder, PASSWORD).await;
    assert_eq!(flow["step"], "otp", "{flow}");

    let history: Value = own
        .http
        .get(format!("{base}/api/account/history"))
        .bearer_auth(&session)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let refusals = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["event"] == "security_refusal")
        .count();
    assert!(refusals > 0, "{history}");
}

/// Recovery requests from strangers spend only the anonymous SMS budget and look the same
/// once it is spent; the holder's sign-in SMS still arrives.
#[tokio::test]
async fn strangers_recovery_requests_leave_the_sign_in_sms_alone() {
    let (_db, base, holder, mut own) = with_registered_holder(Options::default()).await;
    let before = sms_count(&holder.phone);
    for _ in 0..8 {
        let mut stranger = App::new(&base);
        let (id, token, flow) = stranger.start("recovery", None).await;
        let identify = json!({
            "action": "identify",
            "identifier": holder.personal_id.as_str(),
            "captcha": solve_captcha(&flow["captcha"]),
        });
        let body = stranger.act(&id, &token, identify).await;
        assert_eq!(body["flow"]["step"], "otp", "{body}");
        assert!(codes(&body["flow"]).is_empty(), "{body}");
    }
    // The registration was anonymous too: four more reach the cap of five.
    assert_eq!(sms_count(&holder.phone) - before, 4, "the anonymous cap");
    let flow = own.try_password(&holder, PASSWORD).await;
    assert_eq!(flow["step"], "otp", "{flow}");
    assert_eq!(sms_count(&holder.phone) - before, 5);
}

/// Registering an ID that has an account goes on to the OTP like any other; only the person
/// with the phone learns that the account exists.
#[tokio::test]
async fn registration_tells_of_an_account_only_after_the_otp() {
    let db = store::testing::sqlite().await;
    let base = serve_with(&db, Options::default()).await;
    let holder = person(0);
    let mut first = App::new(&base);
    first.register(&holder).await;
    let mut again = App::new(&base);
    let (id, token, _) = again.start("register_phone", None).await;
    let body = again.act(&id, &token, register_form(&holder)).await;
    assert_eq!(body["flow"]["step"], "otp", "{body}");
    let body = again
        .act(
            &id,
            &token,
            json!({ "action": "otp", "code": last_otp(&holder.phone) }),
        )
        .await;
    assert_eq!(codes(&body["flow"]), ["account.exists"], "{body}");
}

/// Thirty parallel "Gửi lại OTP" send one SMS; a new OTP phone is texted only after the
/// current phone confirmed, and the current phone is told.
#[tokio::test]
async fn parallel_resends_send_once_and_a_new_phone_needs_the_current_one() {
    let mut config = super::test_flow_config();
    config.otp.resend_after_secs = 0;
    let options = Options {
        flows: Some(config),
        ..Options::default()
    };
    let (_db, _, holder, mut own) = with_registered_holder(options).await;
    let (id, token, _) = own.start("login", None).await;
    own.act(&id, &token, sign_in(&holder, PASSWORD)).await;
    let before = sms_count(&holder.phone);
    let resends = (0..30).map(|_| own.act(&id, &token, json!({ "action": "resend" })));
    futures_util::future::join_all(resends).await;
    assert_eq!(sms_count(&holder.phone) - before, 1);
    let body = own
        .act(
            &id,
            &token,
            json!({ "action": "otp", "code": last_otp(&holder.phone) }),
        )
        .await;
    let session = body["session"]["token"].as_str().unwrap().to_owned();

    let new_phone = domain::PhoneNumber::parse("0912000333").unwrap();
    let (id, token, _) = own.start("add_phone", Some(&session)).await;
    let add = json!({ "action": "add_phone", "password": PASSWORD, "phone": new_phone.national() });
    let body = own.act(&id, &token, add).await;
    assert_eq!(body["flow"]["step"], "otp", "{body}");
    assert_eq!(sms_count(&new_phone), 0, "the current phone confirms first");
    let body = own
        .act(
            &id,
            &token,
            json!({ "action": "otp", "code": last_otp(&holder.phone) }),
        )
        .await;
    assert_eq!(body["flow"]["step"], "otp", "{body}");
    let body = own
        .act(
            &id,
            &token,
            json!({ "action": "otp", "code": last_otp(&new_phone) }),
        )
        .await;
    assert_eq!(body["flow"]["result"], "phone_added", "{body}");
    assert_eq!(
        sms_count(&holder.phone) - before,
        3,
        "resend, confirm, notice"
    );
}

/// After a few mismatches for one ID a day, registration stops asking the registries about it.
#[tokio::test]
async fn registration_stops_asking_the_registries_after_mismatches() {
    let db = store::testing::sqlite().await;
    let base = serve_with(&db, Options::default()).await;
    let someone = person(0);
    for round in 0..5 {
        let mut script = App::new(&base);
        let (id, token, _) = script.start("register_phone", None).await;
        let mut form = register_form(&someone);
        let names = [
            "Người Khác",
            "Lê Văn Tám",
            "Trần Thị Bé",
            "Phạm Văn Út",
            "Hà Thị Na",
        ];
        form["full_name"] = json!(names[round]);
        let body = script.act(&id, &token, form).await;
        assert!(!codes(&body["flow"]).is_empty(), "{body}");
    }
    let mut honest = App::new(&base);
    let (id, token, _) = honest.start("register_phone", None).await;
    let body = honest.act(&id, &token, register_form(&someone)).await;
    assert_eq!(codes(&body["flow"]), ["registration.throttled"], "{body}");
}

/// A lost-phone change through the JSON API: it waits out its cool-down, the session it opened
/// cannot change phones meanwhile, and the replaced phone's code cancels it and ends that
/// session; a wrong code gets the same answer as an unknown ID.
#[tokio::test]
async fn a_lost_phone_change_waits_and_the_old_phone_cancels_it() {
    let (db, base, holder, mut own) = with_registered_holder(Options::default()).await;
    // The account's OTP phone is one the holder lost; the subscriber database says
    // `holder.phone` is theirs.
    let lost = domain::PhoneNumber::parse("0867000111").unwrap();
    let account = db
        .store
        .account_by_personal_id(&holder.personal_id)
        .await
        .unwrap()
        .unwrap()
        .id;
    let system = store::AuditContext {
        actor: store::Actor::System,
        client_ip: None,
    };
    let now = time::OffsetDateTime::now_utc();
    db.store
        .add_phone(account, &lost, true, &system, now)
        .await
        .unwrap();
    db.store
        .remove_phone(account, &holder.phone, &system, now)
        .await
        .unwrap();

    let (id, token, _) = own.start("login", None).await;
    let body = own.act(&id, &token, sign_in(&holder, PASSWORD)).await;
    assert_eq!(body["flow"]["step"], "otp", "{body}");
    own.act(&id, &token, json!({ "action": "lost_phone" }))
        .await;
    let new_phone = json!({ "action": "new_phone", "phone": holder.phone.national() });
    let body = own.act(&id, &token, new_phone).await;
    assert_eq!(body["flow"]["step"], "otp", "{body}");
    let code = last_otp(&holder.phone);
    let body = own
        .act(&id, &token, json!({ "action": "otp", "code": code }))
        .await;
    let session = body["session"]["token"].as_str().unwrap().to_owned();

    let http = Client::new();
    let overview: Value = http
        .get(format!("{base}/api/account"))
        .bearer_auth(&session)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(overview["phones"][0]["phone"], lost.e164(), "{overview}");
    let pending = &overview["pending_phone_change"];
    assert_eq!(pending["phone"], holder.phone.masked(), "{overview}");
    assert!(pending["effective_at"].is_string(), "{overview}");
    let removed: Value = http
        .post(format!("{base}/api/account/phones/remove"))
        .bearer_auth(&session)
        .json(&json!({ "phone": lost.e164(), "password": PASSWORD }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(removed["error"], "phone_change.pending", "{removed}");

    let warning = super::sms_texts(&lost).into_iter().next().unwrap();
    let cancel_code = warning
        .split(|c: char| !c.is_ascii_alphanumeric())
        .find(|word| {
            word.len() == 8
                && word
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        })
        .unwrap_or_else(|| panic!("no cancel code in {warning:?}"))
        .to_owned();
    let cancel = |identifier: String, code: String| {
        http.post(format!("{base}/api/phone-change/cancel"))
            .json(&json!({ "identifier": identifier, "code": code }))
            .send()
    };
    let wrong = cancel(holder.personal_id.to_string(), "AAAAAAAA".into())
        .await
        .unwrap();
    assert_eq!(wrong.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    let wrong: Value = wrong.json().await.unwrap();
    let stranger = person(1).personal_id.to_string();
    let unknown: Value = cancel(stranger, cancel_code.clone())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(wrong["error"], "phone_change.cancel_invalid", "{wrong}");
    assert_eq!(wrong, unknown, "the same answer for another ID");
    let cancelled = cancel(holder.personal_id.to_string(), cancel_code)
        .await
        .unwrap();
    assert_eq!(cancelled.status(), reqwest::StatusCode::NO_CONTENT);

    let after = http
        .get(format!("{base}/api/account"))
        .bearer_auth(&session)
        .send()
        .await
        .unwrap();
    assert_eq!(
        after.status(),
        reqwest::StatusCode::UNAUTHORIZED,
        "the change's session ended"
    );
    let phones = db.store.phones(account).await.unwrap();
    assert_eq!(phones.len(), 1);
    assert_eq!(phones[0].phone, lost, "the change never happens");
    assert!(
        db.store
            .pending_phone_change(account)
            .await
            .unwrap()
            .is_none()
    );
}
