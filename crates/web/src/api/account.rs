//! `/api/account`: the account pages' operations for a bearer session.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use flows::Problem;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use store::{AccountPhone, AuditEvent, Session};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::AppState;
use crate::auth::{NotSignedIn, SignedIn};
use crate::client::RequestClient;
use crate::errors::ErrorKind;
use crate::failure::Failure;
use crate::i18n::Tr;
use crate::page::Format;
use crate::problems;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/account", get(overview))
        .route("/api/account/identity/refresh", post(refresh_identity))
        .route("/api/account/phones/default", post(make_default))
        .route("/api/account/phones/remove", post(remove_phone))
        .route("/api/account/certificates/remove", post(remove_certificate))
        .route("/api/account/password", post(change_password))
        .route("/api/account/sessions", get(sessions))
        .route("/api/account/sessions/end-others", post(end_others))
        .route("/api/account/history", get(history))
        .route("/api/session", delete(sign_out))
        .route("/api/phone-change/cancel", post(cancel_phone_change))
}

type Signed = Result<SignedIn, NotSignedIn>;

fn unauthorized(tr: &Tr) -> Response {
    Failure::from(NotSignedIn).respond(tr, Format::Json)
}

fn bad_body(tr: &Tr) -> Response {
    Failure::with_message(ErrorKind::BadRequest, "api-bad-request-body").respond(tr, Format::Json)
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

fn phone_json(phone: &AccountPhone) -> Value {
    json!({ "phone": phone.phone.e164(), "masked": phone.phone.masked(), "default": phone.is_default })
}

fn session_json(session: &Session, current: &Session) -> Value {
    json!({
        "id": session.id,
        "current": session.id == current.id,
        "acr": session.acr.as_str(),
        "amr": session.amr,
        "signed_in_at": rfc3339(session.auth_time),
        "last_seen_at": rfc3339(session.last_seen_at),
        "user_agent": session.user_agent,
        "address": session.client_ip,
    })
}

fn event_json(event: &AuditEvent) -> Value {
    json!({ "at": rfc3339(event.at), "event": event.kind.as_str(), "address": event.client_ip, "details": event.details })
}

/// A refusal of an account operation: 422 with the code and its message.
fn refused(problem: &Problem, tr: &Tr) -> Response {
    let body = json!({
        "error": problem.code,
        "field": problem.field,
        "message": problems::message(problem, tr),
    });
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

fn answer(result: Result<Result<(), Problem>, flows::FlowError>, tr: &Tr) -> Response {
    match result {
        Ok(Ok(())) => StatusCode::NO_CONTENT.into_response(),
        Ok(Err(problem)) => refused(&problem, tr),
        Err(error) => Failure::from(error).respond(tr, Format::Json),
    }
}

async fn overview(State(state): State<AppState>, tr: Tr, signed: Signed) -> Response {
    let Ok(signed) = signed else {
        return unauthorized(&tr);
    };
    match state.engine.accounts().overview_of(&signed.account).await {
        Ok(overview) => {
            let account = &overview.account;
            let identity = &account.identity;
            Json(json!({
                "id": account.id,
                "kind": account.kind.as_str(),
                "status": account.status.as_str(),
                "registration_channel": account.registration_channel.as_str(),
                "personal_id": identity.personal_id,
                "legacy_cmnd": identity.legacy_cmnd,
                "full_name": identity.full_name,
                "birth_date": identity.birth_date.map(|date| date.to_string()),
                "gender": identity.gender,
                "email": account.email,
                "phones": overview.phones.iter().map(phone_json).collect::<Vec<_>>(),
                "certificates": overview.certificates.iter().map(|bound| json!({
                    "key": bound.key,
                    "subject": bound.subject,
                    "issuer": bound.issuer,
                    "serial": bound.serial,
                    "not_after": bound.not_after.map(rfc3339),
                    "last_used_at": bound.last_used_at.map(rfc3339),
                    "via": bound.via,
                    "sim_phone": bound.sim_phone.as_ref().map(|phone| phone.masked()),
                })).collect::<Vec<_>>(),
                "pending_phone_change": overview.pending_phone_change.as_ref().map(|pending| json!({
                    "phone": pending.phone.masked(),
                    "effective_at": rfc3339(pending.effective_at),
                })),
                "session": { "acr": signed.session.acr.as_str(), "amr": signed.session.amr },
            }))
            .into_response()
        }
        Err(error) => Failure::from(error).respond(&tr, Format::Json),
    }
}

async fn refresh_identity(
    State(state): State<AppState>,
    tr: Tr,
    signed: Signed,
    RequestClient(client): RequestClient,
) -> Response {
    let Ok(signed) = signed else {
        return unauthorized(&tr);
    };
    answer(
        state
            .engine
            .accounts()
            .refresh_identity(&signed.account, &client)
            .await,
        &tr,
    )
}

/// A JSON call of a signed-in person: the session, the client and the body. Anything else is
/// answered before the handler runs: no session → 401, a malformed body → 400.
struct SignedJson<T> {
    signed: SignedIn,
    client: flows::Client,
    body: T,
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for SignedJson<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let Ok(tr) = Tr::from_request_parts(&mut parts, state).await;
        let Ok(RequestClient(client)) = RequestClient::from_request_parts(&mut parts, state).await;
        let Ok(signed) = SignedIn::from_request_parts(&mut parts, state).await else {
            return Err(unauthorized(&tr));
        };
        let request = Request::from_parts(parts, body);
        let Ok(Json(body)) = Json::<T>::from_request(request, state).await else {
            return Err(bad_body(&tr));
        };
        Ok(Self {
            signed,
            client,
            body,
        })
    }
}

/// Which OTP phone, and the password again (S4).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PhoneChoice {
    phone: String,
    password: String,
}

async fn make_default(
    State(state): State<AppState>,
    tr: Tr,
    call: SignedJson<PhoneChoice>,
) -> Response {
    let (account, choice) = (call.signed.account.id, &call.body);
    let accounts = state.engine.accounts();
    let done = accounts
        .make_default_phone(account, &choice.phone, &choice.password, &call.client)
        .await;
    answer(done, &tr)
}

async fn remove_phone(
    State(state): State<AppState>,
    tr: Tr,
    call: SignedJson<PhoneChoice>,
) -> Response {
    let (account, choice) = (call.signed.account.id, &call.body);
    let accounts = state.engine.accounts();
    let done = accounts
        .remove_phone(account, &choice.phone, &choice.password, &call.client)
        .await;
    answer(done, &tr)
}

/// Which certificate, and the password again when the account has one.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CertificateChoice {
    key: String,
    #[serde(default)]
    password: String,
}

async fn remove_certificate(
    State(state): State<AppState>,
    tr: Tr,
    call: SignedJson<CertificateChoice>,
) -> Response {
    let (account, choice) = (call.signed.account.id, &call.body);
    let accounts = state.engine.accounts();
    let done = accounts
        .unbind_certificate(account, &choice.key, &choice.password, &call.client)
        .await;
    answer(done, &tr)
}

/// "Hủy đổi số điện thoại": the ID and the code the replaced phone received; nobody needs to
/// be signed in, the code is the proof.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PhoneChangeCancel {
    identifier: String,
    code: String,
}

async fn cancel_phone_change(
    State(state): State<AppState>,
    tr: Tr,
    RequestClient(client): RequestClient,
    body: Result<Json<PhoneChangeCancel>, JsonRejection>,
) -> Response {
    let Ok(Json(cancel)) = body else {
        return bad_body(&tr);
    };
    let done = state
        .engine
        .cancel_phone_change(&cancel.identifier, &cancel.code, &client)
        .await;
    answer(done, &tr)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordChange {
    current: String,
    new: String,
    confirm: String,
}

async fn change_password(
    State(state): State<AppState>,
    tr: Tr,
    call: SignedJson<PasswordChange>,
) -> Response {
    let (signed, change) = (&call.signed, &call.body);
    let accounts = state.engine.accounts();
    match accounts
        .change_password(
            &signed.session,
            &signed.account,
            &change.current,
            &change.new,
            &change.confirm,
            &call.client,
        )
        .await
    {
        Ok(Ok(session)) => {
            crate::oidc::deliver_logouts(&state);
            Json(json!({ "session": { "token": session.token } })).into_response()
        }
        Ok(Err(problem)) => refused(&problem, &tr),
        Err(error) => Failure::from(error).respond(&tr, Format::Json),
    }
}

async fn sessions(State(state): State<AppState>, tr: Tr, signed: Signed) -> Response {
    let Ok(signed) = signed else {
        return unauthorized(&tr);
    };
    match state.engine.accounts().sessions(signed.account.id).await {
        Ok(list) => {
            let list: Vec<Value> = list
                .iter()
                .map(|s| session_json(s, &signed.session))
                .collect();
            Json(json!({ "sessions": list })).into_response()
        }
        Err(error) => Failure::from(error).respond(&tr, Format::Json),
    }
}

async fn end_others(State(state): State<AppState>, tr: Tr, signed: Signed) -> Response {
    let Ok(signed) = signed else {
        return unauthorized(&tr);
    };
    match state
        .engine
        .accounts()
        .end_other_sessions(signed.account.id, &signed.session)
        .await
    {
        Ok(ended) => {
            crate::oidc::deliver_logouts(&state);
            Json(json!({ "ended": ended })).into_response()
        }
        Err(error) => Failure::from(error).respond(&tr, Format::Json),
    }
}

async fn history(State(state): State<AppState>, tr: Tr, signed: Signed) -> Response {
    let Ok(signed) = signed else {
        return unauthorized(&tr);
    };
    match state
        .engine
        .accounts()
        .history(signed.account.id, 100)
        .await
    {
        Ok(events) => Json(json!({ "events": events.iter().map(event_json).collect::<Vec<_>>() }))
            .into_response(),
        Err(error) => Failure::from(error).respond(&tr, Format::Json),
    }
}

async fn sign_out(
    State(state): State<AppState>,
    tr: Tr,
    signed: Signed,
    RequestClient(client): RequestClient,
) -> Response {
    let Ok(signed) = signed else {
        return unauthorized(&tr);
    };
    match state
        .engine
        .accounts()
        .sign_out(&signed.session, &client)
        .await
    {
        Ok(()) => {
            crate::oidc::deliver_logouts(&state);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(error) => Failure::from(error).respond(&tr, Format::Json),
    }
}
