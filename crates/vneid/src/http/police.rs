//! The police console (sandbox only, `/sandbox/police`): stands in for the police's system
//! that registers e-ID applications and approves them (the approval texts the applicant, V1).

use std::collections::HashMap;

use axum::Form;
use axum::response::Response;
use axum::routing::{get, post};
use domain::{PersonalId, PhoneNumber};
use store::{ApplicationStatus, EidLevel};

use super::templates::{self, ApplicationRow};
use super::{State, Transport, fault, page};
use crate::applications::{ApplicationForm, Approval};

const OPERATOR: &str = "sandbox-police";

pub(super) fn routes() -> axum::Router<std::sync::Arc<super::AppState>> {
    axum::Router::new()
        .route("/sandbox/police", get(console))
        .route("/sandbox/police/applications", post(create))
        .route("/sandbox/police/approve", post(approve))
}

async fn render(
    state: &State,
    transport: &Transport,
    error: Option<String>,
    notice: Option<String>,
) -> Response {
    let applications = match state.vneid.applications().await {
        Ok(applications) => applications,
        Err(error) => return fault(transport, &error),
    };
    let mut rows = Vec::with_capacity(applications.len());
    for application in applications {
        let activated = match state
            .vneid
            .store()
            .account_by_personal_id(&application.personal_id)
            .await
        {
            Ok(account) => account.is_some(),
            Err(error) => return fault(transport, &error),
        };
        rows.push(ApplicationRow {
            personal_id: application.personal_id.as_str().to_owned(),
            full_name: application.full_name,
            birth_date: application.birth_date.to_string(),
            phone: application.phone.national(),
            level: application.level.number(),
            approved: application.status == ApplicationStatus::Approved,
            activated,
        });
    }
    let tr = transport.tr();
    page(
        transport,
        &templates::Police {
            tr: &tr,
            rows,
            error,
            notice,
        },
    )
}

async fn console(state: State, transport: Transport) -> Response {
    render(&state, &transport, None, None).await
}

fn field<'a>(fields: &'a HashMap<String, String>, name: &str) -> &'a str {
    fields.get(name).map_or("", |value| value.trim())
}

async fn create(
    state: State,
    transport: Transport,
    Form(fields): Form<HashMap<String, String>>,
) -> Response {
    let tr = transport.tr();
    let personal_id = PersonalId::parse(field(&fields, "personal_id"));
    let phone = PhoneNumber::parse(field(&fields, "phone"));
    let birth_date = time::Date::parse(
        field(&fields, "birth_date"),
        time::macros::format_description!("[year]-[month]-[day]"),
    );
    let full_name = field(&fields, "full_name");
    let level = match field(&fields, "level") {
        "2" => Some(EidLevel::Two),
        "1" => Some(EidLevel::One),
        _ => None,
    };
    let mut problems = Vec::new();
    if personal_id.is_err() {
        problems.push(tr.t("invalid-personal-id"));
    }
    if phone.is_err() {
        problems.push(tr.t("invalid-phone"));
    }
    if birth_date.is_err() {
        problems.push(tr.t("invalid-birth-date"));
    }
    if full_name.is_empty() || full_name.chars().count() > 100 {
        problems.push(tr.t("invalid-full-name"));
    }
    if level.is_none() {
        problems.push(tr.t("invalid-level"));
    }
    let (Ok(personal_id), Ok(phone), Ok(birth_date), Some(level)) =
        (personal_id, phone, birth_date, level)
    else {
        return render(&state, &transport, Some(problems.join(" ")), None).await;
    };
    if !problems.is_empty() {
        return render(&state, &transport, Some(problems.join(" ")), None).await;
    }
    // The personal ID encodes the birth year and gender (SPEC §9).
    if personal_id.birth_year() != birth_date.year() {
        return render(&state, &transport, Some(tr.t("invalid-birth-year")), None).await;
    }
    let form = ApplicationForm {
        gender: personal_id.gender(),
        personal_id,
        full_name: full_name.to_owned(),
        birth_date,
        phone,
        level,
        prior_password: None,
    };
    match state.vneid.create_application(form).await {
        Ok(Some(_)) => render(&state, &transport, None, Some(tr.t("police-created"))).await,
        Ok(None) => render(&state, &transport, Some(tr.t("police-duplicate")), None).await,
        Err(error) => fault(&transport, &error),
    }
}

async fn approve(
    state: State,
    transport: Transport,
    Form(fields): Form<HashMap<String, String>>,
) -> Response {
    let tr = transport.tr();
    let Ok(personal_id) = PersonalId::parse(field(&fields, "personal_id")) else {
        return render(&state, &transport, Some(tr.t("invalid-personal-id")), None).await;
    };
    match state.vneid.approve(&personal_id, OPERATOR).await {
        Ok(Approval::Approved { texted: true }) => {
            render(
                &state,
                &transport,
                None,
                Some(tr.t("police-approved-texted")),
            )
            .await
        }
        Ok(Approval::Approved { texted: false }) => {
            render(
                &state,
                &transport,
                Some(tr.t("police-approved-not-texted")),
                None,
            )
            .await
        }
        Ok(Approval::NotPending) => {
            render(&state, &transport, Some(tr.t("police-not-pending")), None).await
        }
        Err(error) => fault(&transport, &error),
    }
}
