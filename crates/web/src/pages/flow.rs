//! Starting, showing and moving on flows from a browser. The flow is bound to the browser by a
//! `__Host-flow-<id>` cookie holding its token; a successful sign-in trades it for the
//! session cookie.

use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use flows::{
    Action, Done, FlowKind, FlowView, RegisterBhxhValues, RegisterPhoneValues, RegisterPostValues,
    Step,
};
use serde::Deserialize;
use uuid::Uuid;

use super::render;
use crate::AppState;
use crate::auth::{SESSION_COOKIE, SignedIn};
use crate::client::RequestClient;
use crate::cookies::{self, HostCookie};
use crate::errors::ErrorKind;
use crate::failure::Failure;
use crate::i18n::Tr;
use crate::page::Format;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(start_login))
        .route("/login/method/{method}", get(start_login_with))
        .route("/register", get(render::register_choice))
        .route("/help/signing-agent", get(render::agent_help))
        .route("/register/phone", get(start_register_phone))
        .route("/register/bhxh", get(start_register_bhxh))
        .route("/register/vietnam-post", get(start_register_post))
        .route("/register/{method}", get(start_register_certificate))
        .route(flows::REMOTE_SIGNING_CALLBACK, get(came_back))
        .route(flows::VNEID_CALLBACK, get(came_back))
        .route(&format!("{}/{{flow}}", flows::VNEID_OUT), get(vneid_out))
        .route("/recovery", get(start_recovery))
        .route("/account/phones/add", get(start_add_phone))
        .route(
            "/account/certificates/bind/{method}",
            get(start_bind_certificate),
        )
        .route("/flows/{id}", get(show).post(submit))
}

#[derive(Debug, Default, Deserialize)]
struct StartQuery {
    return_to: Option<String>,
}

async fn start_login(
    state: State<AppState>,
    tr: Tr,
    client: RequestClient,
    Query(query): Query<StartQuery>,
) -> Response {
    let return_to = query.return_to.as_deref();
    start(state, tr, client, FlowKind::Login, return_to, None).await
}

/// A sign-in tab outside a flow: a sign-in that begins with that method, or, for a method this
/// deployment does not run yet, a page that says so.
async fn start_login_with(
    State(state): State<AppState>,
    tr: Tr,
    RequestClient(client): RequestClient,
    Path(method): Path<String>,
    Query(query): Query<StartQuery>,
) -> Response {
    let Some(first) = flows::MethodKind::from_slug(&method) else {
        return render::coming_soon(tr, &method);
    };
    let request = flows::SignInRequest {
        return_to: query.return_to.as_deref(),
        client: Some(&client),
        first: Some(first),
        ..flows::SignInRequest::default()
    };
    match state.engine.start_sign_in(request).await {
        Ok(started) if started.view.methods.first() == Some(&first) => {
            show_started(&state, &tr, &started, None)
        }
        Ok(_) => render::coming_soon(tr, &method),
        Err(error) => Failure::from(error).respond(&tr, Format::Html),
    }
}

async fn start_register_phone(state: State<AppState>, tr: Tr, client: RequestClient) -> Response {
    start(state, tr, client, FlowKind::RegisterPhone, None, None).await
}

async fn start_register_bhxh(state: State<AppState>, tr: Tr, client: RequestClient) -> Response {
    start(state, tr, client, FlowKind::RegisterBhxh, None, None).await
}

async fn start_register_post(state: State<AppState>, tr: Tr, client: RequestClient) -> Response {
    start(state, tr, client, FlowKind::RegisterVietnamPost, None, None).await
}

/// Registration by certificate, signing through the method in the path (`usb-token`,
/// `sim-pki`, `remote-signing`).
async fn start_register_certificate(
    State(state): State<AppState>,
    tr: Tr,
    Path(method): Path<String>,
) -> Response {
    let kind = FlowKind::RegisterCertificate;
    start_with_certificate(&state, &tr, kind, &method, None).await
}

/// A flow that proves a certificate by signing through the method in the path (`usb-token`,
/// `sim-pki`, `remote-signing`); a method this deployment does not run is not found.
async fn start_with_certificate(
    state: &AppState,
    tr: &Tr,
    kind: FlowKind,
    method: &str,
    account: Option<store::AccountId>,
) -> Response {
    let Some(method) = flows::MethodKind::from_slug(method) else {
        return Failure::new(ErrorKind::NotFound).respond(tr, Format::Html);
    };
    let return_to = account.map(|_| "/account");
    match state
        .engine
        .start_with_certificate(kind, method, return_to, account)
        .await
    {
        Ok(Some(started)) => show_started(state, tr, &started, None),
        Ok(None) => Failure::new(ErrorKind::NotFound).respond(tr, Format::Html),
        Err(error) => Failure::from(error).respond(tr, Format::Html),
    }
}

#[derive(Debug, Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    #[serde(default)]
    state: String,
    error: Option<String>,
    iss: Option<String>,
}

/// Back from the remote signing service's or VNeID's sign-in: the `state` names the flow,
/// which this browser's flow cookie must open; the flow checks the rest.
async fn came_back(
    State(state): State<AppState>,
    tr: Tr,
    headers: HeaderMap,
    RequestClient(client): RequestClient,
    Query(query): Query<CallbackQuery>,
) -> Response {
    let Some(id) = flows::RemoteSigningTrip::flow_of(&query.state) else {
        return Failure::new(ErrorKind::BadRequest).respond(&tr, Format::Html);
    };
    let binding = cookies::read(&headers, &flow_cookie(id)).unwrap_or_default();
    let action = Action::Callback {
        code: query.code,
        state: query.state,
        error: query.error,
        iss: query.iss,
    };
    match state.engine.act(id, &binding, &client, action).await {
        Ok(outcome) => moved_on(&state, &tr, &outcome).await,
        Err(error) => Failure::from(error).respond(&tr, Format::Html),
    }
}

/// Out to VNeID: its address comes from its discovery document, for the trip this browser's
/// sign-in flow is about to take.
async fn vneid_out(
    State(state): State<AppState>,
    tr: Tr,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
) -> Response {
    let binding = cookies::read(&headers, &flow_cookie(id)).unwrap_or_default();
    match state.engine.vneid_authorization_url(id, &binding).await {
        Ok(Some(url)) => Redirect::to(url.as_str()).into_response(),
        Ok(None) => Redirect::to(&format!("/flows/{id}")).into_response(),
        Err(error) => Failure::from(error).respond(&tr, Format::Html),
    }
}

async fn start_recovery(state: State<AppState>, tr: Tr, client: RequestClient) -> Response {
    start(state, tr, client, FlowKind::Recovery, None, None).await
}

async fn start_add_phone(
    state: State<AppState>,
    tr: Tr,
    client: RequestClient,
    signed: Result<SignedIn, crate::auth::NotSignedIn>,
) -> Response {
    start_for_account(state, tr, client, signed, FlowKind::AddPhone).await
}

async fn start_bind_certificate(
    State(state): State<AppState>,
    tr: Tr,
    Path(method): Path<String>,
    signed: Result<SignedIn, crate::auth::NotSignedIn>,
) -> Response {
    match signed {
        Ok(signed) => {
            let kind = FlowKind::BindCertificate;
            let account = Some(signed.account.id);
            start_with_certificate(&state, &tr, kind, &method, account).await
        }
        Err(_) => Redirect::to("/login?return_to=/account").into_response(),
    }
}

/// A flow of the account pages: for the signed-in account, back to /account when done.
async fn start_for_account(
    state: State<AppState>,
    tr: Tr,
    client: RequestClient,
    signed: Result<SignedIn, crate::auth::NotSignedIn>,
    kind: FlowKind,
) -> Response {
    match signed {
        Ok(signed) => {
            let account = Some(signed.account.id);
            start(state, tr, client, kind, Some("/account"), account).await
        }
        Err(_) => Redirect::to("/login?return_to=/account").into_response(),
    }
}

async fn start(
    State(state): State<AppState>,
    tr: Tr,
    RequestClient(client): RequestClient,
    kind: FlowKind,
    return_to: Option<&str>,
    account: Option<store::AccountId>,
) -> Response {
    match state.engine.start(kind, return_to, account, &client).await {
        Ok(started) => show_started(&state, &tr, &started, None),
        Err(error) => Failure::from(error).respond(&tr, Format::Html),
    }
}

/// Binds a flow just started to this browser with its cookie and sends the browser to it,
/// in `lang` when given (a relying service's `ui_locales`).
pub(crate) fn show_started(
    state: &AppState,
    tr: &Tr,
    started: &flows::Started,
    lang: Option<&str>,
) -> Response {
    let id = started.view.id;
    let lifetime =
        Duration::from_secs(u64::try_from(state.engine.config().flow_lifetime_secs).unwrap_or(900));
    let cookie = HostCookie::new(&flow_cookie(id), &started.binding)
        .max_age(lifetime)
        .header_value();
    let target = match (out_here(&started.view), lang) {
        (Some(out), _) => out.to_owned(),
        (None, Some(lang)) => format!("/flows/{id}?lang={lang}"),
        (None, None) => format!("/flows/{id}"),
    };
    match cookie {
        Ok(cookie) => redirect_with(&target, vec![cookie]),
        Err(error) => {
            tracing::error!(%error, "flow cookie not built");
            Failure::new(ErrorKind::Internal).respond(tr, Format::Html)
        }
    }
}

async fn show(
    State(state): State<AppState>,
    tr: Tr,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
) -> Response {
    let binding = cookies::read(&headers, &flow_cookie(id)).unwrap_or_default();
    match state.engine.view(id, &binding).await {
        Ok(view) => render::flow_page(&tr, &view, None, StatusCode::OK),
        Err(error) => Failure::from(error).respond(&tr, Format::Html),
    }
}

/// Every field any step's form may send; the pressed button's `action` says which step.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct FlowForm {
    action: String,
    identifier: String,
    password: String,
    captcha: String,
    code: String,
    index: usize,
    phone: String,
    full_name: String,
    personal_id: String,
    birth_date: String,
    gender: String,
    email: String,
    bhxh_code: String,
    confirm: String,
    method: String,
    token: String,
    /// Vietnam Post registration: `sms` or `email`.
    activation: String,
}

impl FlowForm {
    fn into_action(self) -> Option<Action> {
        let captcha = Some(self.captcha).filter(|answer| !answer.trim().is_empty());
        Some(match self.action.as_str() {
            "sign_in" => Action::SignIn {
                identifier: self.identifier,
                password: self.password,
                captcha,
            },
            "otp" => Action::Otp { code: self.code },
            "resend" => Action::Resend,
            "use_phone" => Action::UsePhone { index: self.index },
            "lost_phone" => Action::LostPhone,
            "new_phone" => Action::NewPhone { phone: self.phone },
            "register_phone" => Action::RegisterPhone(RegisterPhoneValues {
                full_name: self.full_name,
                personal_id: self.personal_id,
                birth_date: self.birth_date,
                gender: self.gender,
                phone: self.phone,
                email: self.email,
            }),
            "register_vietnam_post" => Action::RegisterVietnamPost {
                values: RegisterPostValues {
                    person: RegisterPhoneValues {
                        full_name: self.full_name,
                        personal_id: self.personal_id,
                        birth_date: self.birth_date,
                        gender: self.gender,
                        phone: self.phone,
                        email: self.email,
                    },
                    activation: self.activation,
                },
                captcha,
            },
            "register_bhxh" => Action::RegisterBhxh(RegisterBhxhValues {
                bhxh_code: self.bhxh_code,
                full_name: self.full_name,
                birth_date: self.birth_date,
            }),
            "set_password" => Action::SetPassword {
                password: self.password,
                confirm: self.confirm,
            },
            "identify" => Action::Identify {
                identifier: self.identifier,
                captcha,
            },
            "add_phone" => Action::AddPhone {
                password: self.password,
                phone: self.phone,
            },
            "choose_method" => Action::ChooseMethod {
                method: flows::MethodKind::parse(&self.method)?,
            },
            "agent_response" => Action::AgentResponse { token: self.token },
            "register_certificate" => Action::RegisterCertificate { email: self.email },
            "sim_phone" => Action::SimPhone { phone: self.phone },
            "poll" => Action::Poll,
            "cancel" => Action::Cancel,
            _ => return None,
        })
    }
}

async fn submit(
    State(state): State<AppState>,
    tr: Tr,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    RequestClient(client): RequestClient,
    form: Result<Form<FlowForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let binding = cookies::read(&headers, &flow_cookie(id)).unwrap_or_default();
    let Some(action) = form.ok().and_then(|Form(form)| form.into_action()) else {
        return Failure::new(ErrorKind::BadRequest).respond(&tr, Format::Html);
    };
    match state.engine.act(id, &binding, &client, action).await {
        Ok(outcome) => moved_on(&state, &tr, &outcome).await,
        Err(error) => Failure::from(error).respond(&tr, Format::Html),
    }
}

/// Where a flow the browser moved on goes next: signed in, back to the signed-in page after a
/// step-up, the next step (post/redirect/get), or this step again with its refusals.
async fn moved_on(state: &AppState, tr: &Tr, outcome: &flows::Outcome) -> Response {
    let view = &outcome.view;
    if let Some(session) = &outcome.session {
        // L2: an account without a personal ID is asked for one on the way (it may skip).
        let asks = state
            .engine
            .accounts()
            .asks_personal_id(session.session.account_id)
            .await;
        return match asks {
            Ok(asks) => signed_in(state, tr, view, &session.token, asks),
            Err(error) => Failure::from(error).respond(tr, Format::Html),
        };
    }
    if outcome.raised {
        // Step-up: the session cookie stays; its level was raised.
        let target = view.return_to.as_deref().unwrap_or("/account");
        return Redirect::to(target).into_response();
    }
    if let (true, Some(out)) = (view.problems.is_empty(), out_here(view)) {
        return Redirect::to(out).into_response();
    }
    if view.problems.is_empty() {
        // Post/redirect/get: reloading the next page does not resubmit.
        Redirect::to(&format!("/flows/{}", view.id)).into_response()
    } else {
        render::flow_page(tr, view, None, StatusCode::OK)
    }
}

/// The sign-in is complete: the session cookie replaces the flow's, and the person goes where
/// they were going.
fn signed_in(
    state: &AppState,
    tr: &Tr,
    view: &FlowView,
    token: &str,
    asks_personal_id: bool,
) -> Response {
    let lifetime = Duration::from_secs(
        u64::try_from(state.engine.config().session.absolute_timeout_secs).unwrap_or(43_200),
    );
    let session = HostCookie::new(SESSION_COOKIE, token)
        .max_age(lifetime)
        .header_value();
    let forget = cookies::removal(&flow_cookie(view.id));
    let (Ok(session), Ok(forget)) = (session, forget) else {
        return Failure::new(ErrorKind::Internal).respond(tr, Format::Html);
    };
    let target = match view.step {
        Step::Done {
            result: Done::PhoneChanged,
        } => "/account?done=phone".to_owned(),
        _ => view
            .return_to
            .clone()
            .unwrap_or_else(|| "/account".to_owned()),
    };
    let target = if asks_personal_id {
        let mut detour = url::form_urlencoded::Serializer::new(String::new());
        detour.append_pair("return_to", &target);
        format!("/account/identity/personal-id?{}", detour.finish())
    } else {
        target
    };
    redirect_with(&target, vec![session, forget])
}

fn redirect_with(target: &str, cookies: Vec<HeaderValue>) -> Response {
    let mut response = Redirect::to(target).into_response();
    for cookie in cookies {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// A step that sends the browser out through a page of this site (VNeID's `out`): straight
/// there, without a page that only says "continue". After a refusal the step's page is shown,
/// so that the person reads why before going out again.
fn out_here(view: &FlowView) -> Option<&str> {
    match &view.step {
        Step::Redirect { url } if url.starts_with(flows::VNEID_OUT) => Some(url),
        _ => None,
    }
}

fn flow_cookie(id: Uuid) -> String {
    format!("flow-{}", id.simple())
}
