//! The JSON API driven as a mobile app would: flows by JSON actions, the flow token in a
//! header, OTPs read from the sandbox's SMS outbox, then the account with a bearer session.

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use super::{last_otp, person, serve, solve_captcha};

const PASSWORD: &str = "mây trắng bay qua đồi";

struct Api {
    base: String,
    http: Client,
}

impl Api {
    async fn start(&self, kind: &str, bearer: Option<&str>) -> (String, String, Value) {
        let mut request = self
            .http
            .post(format!("{}/api/flows", self.base))
            .json(&json!({ "kind": kind }));
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.unwrap();
        let id = body["flow"]["id"].as_str().unwrap().to_owned();
        let token = body["flow_token"].as_str().unwrap().to_owned();
        (id, token, body["flow"].clone())
    }

    async fn act(&self, id: &str, token: &str, action: Value, lang: &str) -> (StatusCode, Value) {
        let response = self
            .http
            .post(format!("{}/api/flows/{id}", self.base))
            .header("x-flow-token", token)
            .header("accept-language", lang)
            .json(&action)
            .send()
            .await
            .unwrap();
        (response.status(), response.json().await.unwrap())
    }
}

/// Registers person 0 and signs them in through the JSON API with `http`; the session token.
pub(super) async fn registered_session(base: &str, http: &Client) -> String {
    let api = Api {
        base: base.to_owned(),
        http: http.clone(),
    };
    let someone = person(0);
    let (id, token, _) = api.start("register_phone", None).await;
    let form = json!({
        "action": "register_phone",
        "full_name": someone.full_name,
        "personal_id": someone.personal_id.as_str(),
        "birth_date": someone.birth_date.to_string(),
        "gender": someone.gender.as_str(),
        "phone": someone.phone.national(),
    });
    let (_, body) = api.act(&id, &token, form, "vi").await;
    assert_eq!(body["flow"]["step"], "otp", "{body}");
    let otp = json!({ "action": "otp", "code": last_otp(&someone.phone) });
    api.act(&id, &token, otp, "vi").await;
    let password = json!({ "action": "set_password", "password": PASSWORD, "confirm": PASSWORD });
    let (_, body) = api.act(&id, &token, password, "vi").await;
    assert_eq!(body["flow"]["result"], "registered", "{body}");

    let (id, token, _) = api.start("login", None).await;
    let sign_in = json!({ "action": "sign_in", "identifier": someone.personal_id.as_str(), "password": PASSWORD });
    api.act(&id, &token, sign_in, "vi").await;
    let otp = json!({ "action": "otp", "code": last_otp(&someone.phone) });
    let (_, body) = api.act(&id, &token, otp, "vi").await;
    body["session"]["token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_app_registers_signs_in_and_reads_its_account() {
    let db = store::testing::sqlite().await;
    let api = Api {
        base: serve(&db, false).await,
        http: Client::new(),
    };
    let someone = person(0);

    let (id, token, flow) = api.start("register_phone", None).await;
    assert_eq!(flow["step"], "register_phone");
    let form = json!({
        "action": "register_phone",
        "full_name": someone.full_name,
        "personal_id": someone.personal_id.as_str(),
        "birth_date": someone.birth_date.to_string(),
        "gender": someone.gender.as_str(),
        "phone": someone.phone.national(),
        "email": "",
    });
    let (status, body) = api.act(&id, &token, form, "vi").await;
    assert_eq!(
        (status, &body["flow"]["step"]),
        (StatusCode::OK, &json!("otp")),
        "{body}"
    );
    assert_eq!(body["flow"]["phone"], someone.phone.masked());
    let (_, body) = api
        .act(
            &id,
            &token,
            json!({ "action": "otp", "code": last_otp(&someone.phone) }),
            "vi",
        )
        .await;
    assert_eq!(body["flow"]["step"], "password", "{body}");
    let (_, body) = api
        .act(
            &id,
            &token,
            json!({ "action": "set_password", "password": PASSWORD, "confirm": PASSWORD }),
            "vi",
        )
        .await;
    assert_eq!(body["flow"]["result"], "registered", "{body}");

    let (id, token, _) = api.start("login", None).await;
    let sign_in = json!({ "action": "sign_in", "identifier": someone.personal_id.as_str(), "password": "sai mật khẩu" });
    let (_, body) = api.act(&id, &token, sign_in, "en").await;
    let problem = &body["flow"]["problems"][0];
    assert_eq!(problem["code"], "credentials.invalid", "{body}");
    assert_eq!(problem["message"], "Wrong ID number or password.");
    let sign_in = json!({ "action": "sign_in", "identifier": someone.personal_id.as_str(), "password": PASSWORD });
    let (_, body) = api.act(&id, &token, sign_in, "vi").await;
    assert_eq!(body["flow"]["step"], "otp", "{body}");
    let (_, body) = api
        .act(
            &id,
            &token,
            json!({ "action": "otp", "code": "000000" }),
            "vi",
        )
        .await;
    assert_eq!(
        body["flow"]["problems"][0]["message"], "Mã OTP không đúng. Bạn còn 4 lần thử.",
        "{body}"
    );
    let (_, body) = api
        .act(
            &id,
            &token,
            json!({ "action": "otp", "code": last_otp(&someone.phone) }),
            "vi",
        )
        .await;
    assert_eq!(body["flow"]["result"], "signed_in", "{body}");
    assert_eq!(body["session"]["acr"], "LoA2");
    let session = body["session"]["token"].as_str().unwrap().to_owned();

    let account: Value = api
        .http
        .get(format!("{}/api/account", api.base))
        .bearer_auth(&session)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(account["full_name"], someone.full_name.as_str());
    assert_eq!(account["phones"][0]["default"], true);

    let history: Value = api
        .http
        .get(format!("{}/api/account/history", api.base))
        .bearer_auth(&session)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let events: Vec<&str> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert!(
        events.contains(&"signed_in") && events.contains(&"account_registered"),
        "{events:?}"
    );

    // Removing an OTP phone asks the password again.
    let remove = |password: &str| {
        api.http
            .post(format!("{}/api/account/phones/remove", api.base))
            .bearer_auth(&session)
            .header("accept-language", "en")
            .json(&json!({ "phone": someone.phone.e164(), "password": password }))
            .send()
    };
    let wrong = remove("sai mật khẩu").await.unwrap();
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = wrong.json().await.unwrap();
    assert_eq!(body["error"], "password.wrong", "{body}");
    let removed = remove(PASSWORD).await.unwrap();
    assert_eq!(removed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = removed.json().await.unwrap();
    assert_eq!(body["error"], "phone.last");

    let signed_out = api
        .http
        .delete(format!("{}/api/session", api.base))
        .bearer_auth(&session)
        .send()
        .await
        .unwrap();
    assert_eq!(signed_out.status(), StatusCode::NO_CONTENT);
    let after = api
        .http
        .get(format!("{}/api/account", api.base))
        .bearer_auth(&session)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
}

/// Recovery asks the captcha from the start. The flow document carries the challenge alone;
/// the app solves it, a tampered or reused solution is refused.
#[tokio::test]
async fn an_app_solves_the_captcha_which_the_document_does_not_answer() {
    let db = store::testing::sqlite().await;
    let api = Api {
        base: serve(&db, false).await,
        http: Client::new(),
    };
    let someone = person(0);
    let (id, token, flow) = api.start("recovery", None).await;
    let captcha = flow["captcha"].as_object().expect("the captcha");
    let members: Vec<&str> = captcha.keys().map(String::as_str).collect();
    assert_eq!(
        members,
        ["algorithm", "challenge", "maxnumber", "salt", "signature"],
        "{flow}"
    );
    assert_eq!(flow["captcha"]["algorithm"], "SHA-256");
    let text = flow.to_string();
    // Nothing spelled out: no words, no "a – b" list, in either language.
    for word in ["words", " – ", "không", "một", "zero", "one", "digits"] {
        assert!(!text.contains(word), "{word} in {text}");
    }

    let identify = |captcha: String| json!({ "action": "identify", "identifier": someone.personal_id.as_str(), "captcha": captcha });
    let solution = solve_captcha(&flow["captcha"]);
    let (_, refused) = api
        .act(&id, &token, identify(format!("{solution}x")), "en")
        .await;
    assert_eq!(
        refused["flow"]["problems"][0]["code"], "captcha.wrong",
        "{refused}"
    );
    let (_, reused) = api.act(&id, &token, identify(solution), "en").await;
    assert_eq!(
        reused["flow"]["problems"][0]["code"], "captcha.wrong",
        "a refused attempt spends the challenge: {reused}"
    );
    assert_ne!(
        reused["flow"]["captcha"], flow["captcha"],
        "a new challenge"
    );
    let (status, body) = api
        .act(
            &id,
            &token,
            identify(solve_captcha(&reused["flow"]["captcha"])),
            "en",
        )
        .await;
    assert_eq!(
        (status, &body["flow"]["step"]),
        (StatusCode::OK, &json!("otp")),
        "{body}"
    );
}

#[tokio::test]
async fn api_errors_are_a_code_and_a_translated_message() {
    let db = store::testing::sqlite().await;
    let api = Api {
        base: serve(&db, false).await,
        http: Client::new(),
    };
    let unknown_kind = api
        .http
        .post(format!("{}/api/flows", api.base))
        .header("accept-language", "en")
        .json(&json!({ "kind": "teleport" }))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown_kind.status(), StatusCode::BAD_REQUEST);
    let body: Value = unknown_kind.json().await.unwrap();
    assert_eq!(body["error"], "bad_request");
    assert!(body["message"].as_str().unwrap().contains("kind"), "{body}");

    // A flow id that is not a UUID names no flow: the same JSON answer as an unknown flow.
    let (status, body) = api
        .act("not-a-uuid", "", json!({ "action": "resend" }), "en")
        .await;
    assert_eq!(
        (status, &body["error"]),
        (StatusCode::GONE, &json!("expired")),
        "{body}"
    );
    let shown = api
        .http
        .get(format!("{}/api/flows/0", api.base))
        .send()
        .await
        .unwrap();
    assert_eq!(shown.status(), StatusCode::GONE);
    let body: Value = shown.json().await.unwrap();
    assert_eq!(body["error"], "expired", "{body}");

    let (id, token, _) = api.start("login", None).await;
    let (status, body) = api
        .act(&id, "not-the-token", json!({ "action": "resend" }), "vi")
        .await;
    assert_eq!(
        (status, &body["error"]),
        (StatusCode::GONE, &json!("expired")),
        "{body}"
    );
    let (status, body) = api.act(&id, &token, json!({ "action": "fly" }), "en").await;
    assert_eq!(
        (status, &body["error"]),
        (StatusCode::BAD_REQUEST, &json!("bad_request")),
        "{body}"
    );
    let (status, body) = api
        .act(&id, &token, json!({ "action": "otp", "code": "1" }), "en")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["flow"]["problems"][0]["code"], "action.unexpected",
        "{body}"
    );

    let add_phone = api
        .http
        .post(format!("{}/api/flows", api.base))
        .json(&json!({ "kind": "add_phone" }))
        .send()
        .await
        .unwrap();
    assert_eq!(add_phone.status(), StatusCode::FORBIDDEN);
    let account = api
        .http
        .get(format!("{}/api/account", api.base))
        .send()
        .await
        .unwrap();
    assert_eq!(account.status(), StatusCode::UNAUTHORIZED);
    let body: Value = account.json().await.unwrap();
    assert_eq!(body["error"], "unauthorized");
}

#[tokio::test]
async fn the_openapi_document_describes_every_route() {
    let db = store::testing::sqlite().await;
    let base = serve(&db, false).await;
    let document: Value = reqwest::get(format!("{base}/api/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    let paths = document["paths"].as_object().unwrap();
    for path in [
        "/api/flows",
        "/api/flows/{id}",
        "/api/account",
        "/api/account/identity/refresh",
        "/api/account/phones/default",
        "/api/account/phones/remove",
        "/api/account/password",
        "/api/account/sessions",
        "/api/account/sessions/end-others",
        "/api/account/history",
        "/api/session",
        "/api/phone-change/cancel",
        "/api/account/certificates/remove",
    ] {
        assert!(paths.contains_key(path), "{path} is not described");
    }
    let codes: Vec<&str> =
        document["components"]["schemas"]["Problem"]["properties"]["code"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|code| code.as_str().unwrap())
            .collect();
    let mut expected = flows::PROBLEM_CODES.to_vec();
    let mut listed = codes.clone();
    expected.sort_unstable();
    listed.sort_unstable();
    assert_eq!(
        listed, expected,
        "the document lists exactly the problem codes"
    );
}

/// The sign-in methods the flow document names and `choose_method` takes are every built-in
/// method (the test-only ones aside).
#[test]
fn the_openapi_document_lists_every_sign_in_method() {
    let document: Value = serde_json::from_str(include_str!("../../src/api/openapi.json")).unwrap();
    let mut expected: Vec<&str> = flows::MethodKind::all()
        .into_iter()
        .map(flows::MethodKind::as_str)
        .filter(|method| *method != "totp")
        .collect();
    expected.sort_unstable();
    let mut enums = Vec::new();
    let mut stack = vec![&document];
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(map) => {
                let names_methods = map
                    .get("enum")
                    .and_then(Value::as_array)
                    .is_some_and(|values| values.iter().any(|v| v == "password_sms"));
                if names_methods {
                    enums.push(map["enum"].clone());
                }
                stack.extend(map.values());
            }
            Value::Array(values) => stack.extend(values),
            _ => {}
        }
    }
    assert_eq!(enums.len(), 2, "the flow's methods and choose_method's");
    for listed in enums {
        let mut listed: Vec<&str> = listed
            .as_array()
            .unwrap()
            .iter()
            .map(|method| method.as_str().unwrap())
            .collect();
        listed.sort_unstable();
        assert_eq!(listed, expected);
    }
}

#[test]
fn every_problem_code_has_a_message_in_both_languages() {
    for lang in [web::Lang::Vi, web::Lang::En] {
        let tr = web::Tr::new(lang, "/");
        for code in flows::PROBLEM_CODES {
            let key = format!("problem-{}", code.replace(['.', '_'], "-"));
            let text = tr.t_args(
                &key,
                &[
                    ("minutes", "1"),
                    ("seconds", "1"),
                    ("left", "1"),
                    ("field", "x"),
                ],
            );
            assert_ne!(text, key, "{key} missing in {lang:?}");
        }
    }
}
