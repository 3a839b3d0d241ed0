//! Activation pages (V2–V3): ID + phone, then one page per step of the stored flow.

use axum::Form;
use axum::response::Response;
use domain::{PersonalId, PhoneNumber};
use uuid::Uuid;

use super::pages::{Fields, field, flow_cookie, gone};
use super::templates::{self, QuestionOption};
use super::{
    ACTIVATION_COOKIE, State, Transport, fault, page, see_other, set_cookie, with_cookies,
};
use crate::activation::ActivationStep;
use crate::rules::QUESTIONS;
use crate::service::Refusal;

pub(super) async fn form(transport: Transport) -> Response {
    let tr = transport.tr();
    page(
        &transport,
        &templates::ActivateStart {
            tr: &tr,
            personal_id: String::new(),
            phone: String::new(),
            error: None,
            id_error: None,
            phone_error: None,
        },
    )
}

pub(super) async fn start(state: State, transport: Transport, Form(fields): Fields) -> Response {
    let tr = transport.tr();
    let id_text = field(&fields, "personal_id").trim().to_owned();
    let phone_text = field(&fields, "phone").trim().to_owned();
    let personal_id = PersonalId::parse(&id_text);
    let phone = PhoneNumber::parse(&phone_text);
    let form = |error: Option<String>, id_error: Option<String>, phone_error: Option<String>| {
        page(
            &transport,
            &templates::ActivateStart {
                tr: &tr,
                personal_id: id_text.clone(),
                phone: phone_text.clone(),
                error,
                id_error,
                phone_error,
            },
        )
    };
    let (personal_id, phone) = match (personal_id, phone) {
        (Ok(id), Ok(phone)) => (id, phone),
        (id, phone) => {
            return form(
                None,
                id.err().map(|_| tr.t("invalid-personal-id")),
                phone.err().map(|_| tr.t("invalid-phone")),
            );
        }
    };
    match state
        .vneid
        .start_activation(&personal_id, &phone, &transport.caller)
        .await
    {
        Ok(Ok(activation)) => with_cookies(
            see_other("/activate/step"),
            &[set_cookie(
                ACTIVATION_COOKIE,
                &activation.id.to_string(),
                state.secure_cookies(),
                None,
            )],
        ),
        Ok(Err(refusal)) => form(Some(tr.t(refusal.key())), None, None),
        Err(error) => fault(&transport, &error),
    }
}

fn step_page(
    transport: &Transport,
    step: &ActivationStep,
    error: Option<String>,
    notice: Option<String>,
) -> Response {
    let tr = transport.tr();
    let (name, phone) = match step {
        ActivationStep::Otp { phone } => ("otp", phone.clone()),
        ActivationStep::Password => ("password", String::new()),
        ActivationStep::Passcode => ("passcode", String::new()),
        ActivationStep::Questions => ("questions", String::new()),
    };
    let questions = QUESTIONS
        .iter()
        .map(|q| QuestionOption {
            id: q.id,
            text: if tr.is_en() { q.en } else { q.vi },
        })
        .collect();
    page(
        transport,
        &templates::ActivateStep {
            tr: &tr,
            step: name,
            phone,
            error,
            notice,
            questions,
        },
    )
}

pub(super) async fn step(state: State, transport: Transport) -> Response {
    let Some(id) = flow_cookie(&transport, ACTIVATION_COOKIE) else {
        return gone(&transport, "/activate");
    };
    match state.vneid.activation(id).await {
        Ok(Some(activation)) => step_page(&transport, &activation.step, None, None),
        Ok(None) => gone(&transport, "/activate"),
        Err(error) => fault(&transport, &error),
    }
}

/// After a step: the next page, or the same page with the refusal.
async fn after_step(
    state: &State,
    transport: &Transport,
    id: Uuid,
    outcome: Result<Result<ActivationStep, Refusal>, crate::service::VneidError>,
) -> Response {
    match outcome {
        Ok(Ok(_)) => see_other("/activate/step"),
        Ok(Err(Refusal::FlowGone)) => gone(transport, "/activate"),
        Ok(Err(refusal)) => match state.vneid.activation(id).await {
            Ok(Some(activation)) => {
                let tr = transport.tr();
                let text = match refusal {
                    Refusal::WrongOtp { attempts_left } => {
                        tr.t1(refusal.key(), "left", &attempts_left.to_string())
                    }
                    other => tr.t(other.key()),
                };
                step_page(transport, &activation.step, Some(text), None)
            }
            Ok(None) => gone(transport, "/activate"),
            Err(error) => fault(transport, &error),
        },
        Err(error) => fault(transport, &error),
    }
}

pub(super) async fn otp(state: State, transport: Transport, Form(fields): Fields) -> Response {
    let Some(id) = flow_cookie(&transport, ACTIVATION_COOKIE) else {
        return gone(&transport, "/activate");
    };
    let outcome = state.vneid.activation_otp(id, field(&fields, "code")).await;
    after_step(&state, &transport, id, outcome).await
}

pub(super) async fn resend(state: State, transport: Transport) -> Response {
    let Some(id) = flow_cookie(&transport, ACTIVATION_COOKIE) else {
        return gone(&transport, "/activate");
    };
    match state
        .vneid
        .resend_activation_otp(id, &transport.caller)
        .await
    {
        Ok(Ok(())) => match state.vneid.activation(id).await {
            Ok(Some(activation)) => {
                let notice = transport.tr().t("otp-resent");
                step_page(&transport, &activation.step, None, Some(notice))
            }
            Ok(None) => gone(&transport, "/activate"),
            Err(error) => fault(&transport, &error),
        },
        Ok(Err(refusal)) => after_step(&state, &transport, id, Ok(Err(refusal))).await,
        Err(error) => fault(&transport, &error),
    }
}

pub(super) async fn password(state: State, transport: Transport, Form(fields): Fields) -> Response {
    let Some(id) = flow_cookie(&transport, ACTIVATION_COOKIE) else {
        return gone(&transport, "/activate");
    };
    let outcome = state
        .vneid
        .activation_password(
            id,
            field(&fields, "password"),
            field(&fields, "confirmation"),
        )
        .await;
    after_step(&state, &transport, id, outcome).await
}

pub(super) async fn passcode(state: State, transport: Transport, Form(fields): Fields) -> Response {
    let Some(id) = flow_cookie(&transport, ACTIVATION_COOKIE) else {
        return gone(&transport, "/activate");
    };
    let outcome = state
        .vneid
        .activation_passcode(
            id,
            field(&fields, "passcode"),
            field(&fields, "confirmation"),
        )
        .await;
    after_step(&state, &transport, id, outcome).await
}

pub(super) async fn questions(
    state: State,
    transport: Transport,
    Form(fields): Fields,
) -> Response {
    let Some(id) = flow_cookie(&transport, ACTIVATION_COOKIE) else {
        return gone(&transport, "/activate");
    };
    let outcome = state
        .vneid
        .activation_questions(
            id,
            (field(&fields, "question1"), field(&fields, "answer1")),
            (field(&fields, "question2"), field(&fields, "answer2")),
            &transport.caller,
        )
        .await;
    match outcome {
        Ok(Ok(())) => with_cookies(
            see_other("/activate/done"),
            &[set_cookie(
                ACTIVATION_COOKIE,
                "",
                state.secure_cookies(),
                Some(0),
            )],
        ),
        Ok(Err(refusal)) => after_step(&state, &transport, id, Ok(Err(refusal))).await,
        Err(error) => fault(&transport, &error),
    }
}

pub(super) async fn done(transport: Transport) -> Response {
    let tr = transport.tr();
    page(
        &transport,
        &templates::Message {
            tr: &tr,
            title: tr.t("activated-title"),
            text: tr.t("activated-text"),
            link: Some("/login".to_owned()),
            link_text: tr.t("action-sign-in-again"),
        },
    )
}
