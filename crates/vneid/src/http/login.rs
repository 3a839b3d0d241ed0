//! Sign-in pages (V4): ID + password, the new-device step (passcode or SMS code), then back to
//! the parked authorization request or to the home screen of the account's level.

use std::collections::HashMap;

use axum::Form;
use axum::extract::Query;
use axum::response::Response;
use domain::PersonalId;
use uuid::Uuid;

use super::pages::{Fields, field, flow_cookie, gone};
use super::templates;
use super::{
    AUTHZ_COOKIE, DEVICE_COOKIE, SESSION_COOKIE, SIGN_IN_COOKIE, State, Transport, fault, page,
    see_other, set_cookie, with_cookies,
};
use crate::service::Refusal;
use crate::signin::{Issued, SignInOutcome, SignInStep};

pub(super) async fn form(
    state: State,
    transport: Transport,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let tr = transport.tr();
    let authz = query.get("authz").and_then(|id| Uuid::parse_str(id).ok());
    let parked = match authz {
        Some(id) => state.provider.parked(id).await.ok().flatten(),
        None => None,
    };
    let login_hint = parked
        .as_ref()
        .and_then(|parked| parked.request.login_hint().map(str::to_owned))
        .unwrap_or_default();
    let response = page(
        &transport,
        &templates::Login {
            tr: &tr,
            personal_id: login_hint,
            error: None,
            id_error: None,
            client_name: parked.map(|parked| parked.request.client_name().to_owned()),
        },
    );
    // A sign-in started here is for this request, or for no relying service at all.
    let authz_cookie = match authz {
        Some(id) => set_cookie(AUTHZ_COOKIE, &id.to_string(), state.secure_cookies(), None),
        None => set_cookie(AUTHZ_COOKIE, "", state.secure_cookies(), Some(0)),
    };
    with_cookies(response, &[authz_cookie])
}

/// Where a fresh session goes: back to the parked authorization request, or home.
fn signed_in(state: &State, transport: &Transport, issued: &Issued) -> Response {
    let secure = state.secure_cookies();
    let mut cookies = vec![
        set_cookie(SESSION_COOKIE, &issued.session_token, secure, None),
        set_cookie(SIGN_IN_COOKIE, "", secure, Some(0)),
    ];
    if let Some(device) = &issued.device_token {
        cookies.push(set_cookie(
            DEVICE_COOKIE,
            device,
            secure,
            Some(400 * 86_400),
        ));
    }
    let to = if transport
        .cookie(AUTHZ_COOKIE)
        .is_some_and(|v| !v.is_empty())
    {
        "/authorize/resume"
    } else {
        "/home"
    };
    with_cookies(see_other(to), &cookies)
}

pub(super) async fn login(state: State, transport: Transport, Form(fields): Fields) -> Response {
    let tr = transport.tr();
    let id_text = field(&fields, "personal_id").trim().to_owned();
    let form = |error: Option<String>, id_error: Option<String>| {
        page(
            &transport,
            &templates::Login {
                tr: &tr,
                personal_id: id_text.clone(),
                error,
                id_error,
                client_name: None,
            },
        )
    };
    let Ok(personal_id) = PersonalId::parse(&id_text) else {
        return form(None, Some(tr.t("invalid-personal-id")));
    };
    let device = transport.cookie(DEVICE_COOKIE);
    match state
        .vneid
        .sign_in(
            &personal_id,
            field(&fields, "password"),
            device.as_deref(),
            &transport.caller,
        )
        .await
    {
        Ok(Ok(SignInOutcome::SignedIn(issued))) => signed_in(&state, &transport, &issued),
        Ok(Ok(SignInOutcome::SecondFactor { flow })) => with_cookies(
            see_other("/login/verify"),
            &[set_cookie(
                SIGN_IN_COOKIE,
                &flow.to_string(),
                state.secure_cookies(),
                None,
            )],
        ),
        Ok(Err(refusal)) => form(Some(tr.t(refusal.key())), None),
        Err(error) => fault(&transport, &error),
    }
}

async fn login_step_page(
    state: &State,
    transport: &Transport,
    flow: Uuid,
    error: Option<String>,
    notice: Option<String>,
) -> Response {
    let tr = transport.tr();
    match state.vneid.sign_in_step(flow).await {
        Ok(Some(step)) => {
            let (name, phone) = match step {
                SignInStep::Passcode => ("passcode", String::new()),
                SignInStep::Otp { phone } => ("otp", phone),
            };
            page(
                transport,
                &templates::LoginStep {
                    tr: &tr,
                    step: name,
                    phone,
                    error,
                    notice,
                },
            )
        }
        Ok(None) => gone(transport, "/login"),
        Err(error) => fault(transport, &error),
    }
}

pub(super) async fn step(state: State, transport: Transport) -> Response {
    let Some(flow) = flow_cookie(&transport, SIGN_IN_COOKIE) else {
        return gone(&transport, "/login");
    };
    login_step_page(&state, &transport, flow, None, None).await
}

/// A refusal of the second step: locked and vanished flows start again, others stay.
async fn step_refused(
    state: &State,
    transport: &Transport,
    flow: Uuid,
    refusal: Refusal,
) -> Response {
    let tr = transport.tr();
    match refusal {
        Refusal::FlowGone => gone(transport, "/login"),
        Refusal::AccountLocked => page(
            transport,
            &templates::Message {
                tr: &tr,
                title: tr.t("locked-title"),
                text: tr.t(refusal.key()),
                link: Some("/login".to_owned()),
                link_text: tr.t("action-back"),
            },
        ),
        Refusal::WrongOtp { attempts_left } => {
            let text = tr.t1(refusal.key(), "left", &attempts_left.to_string());
            login_step_page(state, transport, flow, Some(text), None).await
        }
        other => login_step_page(state, transport, flow, Some(tr.t(other.key())), None).await,
    }
}

pub(super) async fn passcode(state: State, transport: Transport, Form(fields): Fields) -> Response {
    second_factor(state, transport, fields, SecondFactor::Passcode).await
}

/// What a new device gives after the password: the passcode, or the code sent by SMS.
#[derive(Clone, Copy)]
enum SecondFactor {
    Passcode,
    Otp,
}

async fn second_factor(
    state: State,
    transport: Transport,
    fields: std::collections::HashMap<String, String>,
    factor: SecondFactor,
) -> Response {
    let Some(flow) = flow_cookie(&transport, SIGN_IN_COOKIE) else {
        return gone(&transport, "/login");
    };
    let device = transport.cookie(DEVICE_COOKIE);
    let (device, caller) = (device.as_deref(), &transport.caller);
    let vneid = &state.vneid;
    let answer = match factor {
        SecondFactor::Passcode => {
            let passcode = field(&fields, "passcode");
            vneid.sign_in_passcode(flow, passcode, device, caller).await
        }
        SecondFactor::Otp => {
            let code = field(&fields, "code");
            vneid.sign_in_otp(flow, code, device, caller).await
        }
    };
    match answer {
        Ok(Ok(issued)) => signed_in(&state, &transport, &issued),
        Ok(Err(refusal)) => step_refused(&state, &transport, flow, refusal).await,
        Err(error) => fault(&transport, &error),
    }
}

pub(super) async fn send_otp(state: State, transport: Transport) -> Response {
    let Some(flow) = flow_cookie(&transport, SIGN_IN_COOKIE) else {
        return gone(&transport, "/login");
    };
    match state.vneid.sign_in_send_otp(flow, &transport.caller).await {
        Ok(Ok(())) => {
            let notice = transport.tr().t("otp-sent");
            login_step_page(&state, &transport, flow, None, Some(notice)).await
        }
        Ok(Err(refusal)) => step_refused(&state, &transport, flow, refusal).await,
        Err(error) => fault(&transport, &error),
    }
}

pub(super) async fn otp(state: State, transport: Transport, Form(fields): Fields) -> Response {
    second_factor(state, transport, fields, SecondFactor::Otp).await
}

pub(super) async fn home(state: State, transport: Transport) -> Response {
    let Some(token) = transport.cookie(SESSION_COOKIE) else {
        return see_other("/login");
    };
    let (session, account) = match state.vneid.session(&token).await {
        Ok(Some(found)) => found,
        Ok(None) => return see_other("/login"),
        Err(error) => return fault(&transport, &error),
    };
    let level = match state.vneid.level_of(&account).await {
        Ok(level) => level,
        Err(error) => return fault(&transport, &error),
    };
    let phone = match state.vneid.store().phones(account.id).await {
        Ok(phones) => phones
            .into_iter()
            .find(|phone| phone.is_default)
            .map(|phone| crate::service::masked(&phone.phone))
            .unwrap_or_default(),
        Err(error) => return fault(&transport, &error),
    };
    let tr = transport.tr();
    let identity = &account.identity;
    page(
        &transport,
        &templates::Home {
            tr: &tr,
            level: level.number(),
            full_name: identity.full_name.clone(),
            personal_id: identity
                .personal_id
                .as_ref()
                .map(|id| id.as_str().to_owned())
                .unwrap_or_default(),
            birth_date: identity
                .birth_date
                .map(|date| {
                    format!(
                        "{:02}/{:02}/{:04}",
                        date.day(),
                        u8::from(date.month()),
                        date.year()
                    )
                })
                .unwrap_or_default(),
            gender: identity
                .gender
                .map(|gender| match (tr.is_en(), gender) {
                    (true, domain::Gender::Male) => "Male".to_owned(),
                    (true, domain::Gender::Female) => "Female".to_owned(),
                    (false, gender) => gender.name_vi().to_owned(),
                })
                .unwrap_or_default(),
            phone,
            acr: session.acr.as_str().to_owned(),
        },
    )
}

pub(super) async fn logout(state: State, transport: Transport) -> Response {
    if let Some(token) = transport.cookie(SESSION_COOKIE)
        && let Err(error) = state.vneid.sign_out(&token).await
    {
        return fault(&transport, &error);
    }
    with_cookies(
        see_other("/"),
        &[set_cookie(
            SESSION_COOKIE,
            "",
            state.secure_cookies(),
            Some(0),
        )],
    )
}
