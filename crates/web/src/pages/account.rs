//! Thông tin tài khoản: identity (read-only, refreshable from the population database), OTP
//! phones, password, sessions and the account's own history. Every form carries the
//! session's CSRF token.

use askama::Template;
use axum::extract::{FromRequest, FromRequestParts, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use flows::Problem;
use serde::Deserialize;
use store::{AuditEvent, Session};
use time::{OffsetDateTime, UtcOffset};

use crate::AppState;
use crate::auth::{NotSignedIn, SESSION_COOKIE, SignedIn};
use crate::client::RequestClient;
use crate::cookies::{self, HostCookie};
use crate::csrf;
use crate::errors::ErrorKind;
use crate::failure::Failure;
use crate::forms::{Form as FormState, Notice};
use crate::i18n::Tr;
use crate::page::{self, Format};
use crate::problems;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/account", get(show))
        .route("/account/identity/refresh", post(refresh_identity))
        .route(
            "/account/identity/personal-id",
            get(personal_id_form).post(add_personal_id),
        )
        .route("/account/phones/default", post(make_default))
        .route("/account/phones/remove", post(remove_phone))
        .route("/account/certificates/remove", post(remove_certificate))
        .route("/account/vneid/unlink", post(unlink_vneid))
        .route("/account/password", post(change_password))
        .route("/account/sessions/end-others", post(end_others))
        .route("/account/signout", post(sign_out))
}

type Signed = Result<SignedIn, NotSignedIn>;

/// Vietnam's time, for dates people read.
const VIETNAM: UtcOffset = match UtcOffset::from_hms(7, 0, 0) {
    Ok(offset) => offset,
    Err(_) => UtcOffset::UTC,
};

pub(crate) fn local(at: OffsetDateTime) -> String {
    let at = at.to_offset(VIETNAM);
    format!(
        "{:02}/{:02}/{} {:02}:{:02}",
        at.day(),
        u8::from(at.month()),
        at.year(),
        at.hour(),
        at.minute()
    )
}

struct PhoneRow {
    e164: String,
    masked: String,
    default: bool,
}

struct CertificateRow {
    key: String,
    /// How it signs in: "USB ký số", "SIM ký số", "VNPT SmartCA".
    via: String,
    subject: String,
    issuer: String,
    not_after: String,
    last_used: String,
}

/// A VNeID identity linked to the account (L4).
struct VneidRow {
    key: String,
    /// "Mức 2".
    level: String,
    linked_at: String,
    last_used: String,
}

struct SessionRow {
    current: bool,
    signed_in_at: String,
    last_seen_at: String,
    device: String,
    address: String,
}

struct EventRow {
    at: String,
    what: String,
    address: String,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage<'a> {
    tr: &'a Tr,
    csrf: String,
    notice: Option<Notice>,
    facts: Vec<(String, String)>,
    /// A citizen's account without a personal ID: "Cập nhật" leads to adding one (L3).
    asks_personal_id: bool,
    phones: Vec<PhoneRow>,
    certificates: Vec<CertificateRow>,
    /// "Gắn chứng thư số": one link per method that signs with a certificate here.
    bind_links: Vec<(String, String)>,
    vneid_links: Vec<VneidRow>,
    has_password: bool,
    /// "09******78 replaces the default at 16:00 22/11/2026", while a change waits.
    pending_phone: Option<String>,
    password_form: FormState,
    sessions: Vec<SessionRow>,
    events: Vec<EventRow>,
}

#[derive(Debug, Default, Deserialize)]
struct ShowQuery {
    done: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    tr: Tr,
    signed: Signed,
    Query(query): Query<ShowQuery>,
) -> Response {
    let Ok(signed) = signed else {
        return Redirect::to("/login?return_to=/account").into_response();
    };
    // Someone who acts for organisations says for whom first, once per sign-in.
    match state
        .engine
        .organisations()
        .needs_choice(&signed.session, &signed.account)
        .await
    {
        Ok(true) => return Redirect::to("/acting-for?return_to=/account").into_response(),
        Ok(false) => {}
        Err(error) => return Failure::from(error).respond(&tr, Format::Html),
    }
    let notice = query.done.as_deref().and_then(|done| {
        let key = match done {
            "refreshed"
            | "default"
            | "removed"
            | "password"
            | "others"
            | "phone"
            | "certificate-removed"
            | "certificate-bound"
            | "vneid-unlinked"
            | "personal-id" => {
                format!("account-done-{done}")
            }
            _ => return None,
        };
        Some(Notice::success(tr.t(&key)))
    });
    account_page(
        &state,
        &tr,
        &signed,
        notice,
        FormState::new(),
        StatusCode::OK,
    )
    .await
}

async fn account_page(
    state: &AppState,
    tr: &Tr,
    signed: &SignedIn,
    notice: Option<Notice>,
    password_form: FormState,
    status: StatusCode,
) -> Response {
    let accounts = state.engine.accounts();
    let id = signed.account.id;
    let (overview, sessions, history) = match (
        accounts.overview(id).await,
        accounts.sessions(id).await,
        accounts.history(id, 30).await,
    ) {
        (Ok(overview), Ok(sessions), Ok(history)) => (overview, sessions, history),
        (Err(error), _, _) | (_, Err(error), _) | (_, _, Err(error)) => {
            return Failure::from(error).respond(tr, Format::Html);
        }
    };
    let account = &overview.account;
    let identity = &account.identity;
    let dash = || "—".to_owned();
    let facts = vec![
        (tr.t("field-full-name"), identity.full_name.clone()),
        (
            tr.t("field-personal-id"),
            identity
                .personal_id
                .as_ref()
                .map_or_else(dash, ToString::to_string),
        ),
        (
            tr.t("field-birth-date"),
            identity.birth_date.map_or_else(dash, |date| {
                format!(
                    "{:02}/{:02}/{}",
                    date.day(),
                    u8::from(date.month()),
                    date.year()
                )
            }),
        ),
        (
            tr.t("field-gender"),
            identity
                .gender
                .map_or_else(dash, |gender| tr.t(&format!("gender-{}", gender.as_str()))),
        ),
        (
            tr.t("field-email"),
            account
                .email
                .as_ref()
                .map_or_else(dash, ToString::to_string),
        ),
        (
            tr.t("account-channel"),
            tr.t(&format!(
                "channel-{}",
                account.registration_channel.as_str().replace('_', "-")
            )),
        ),
    ];
    let facts = match &overview.identity_proofing {
        Some(proofing) => [facts, vec![proofing_fact(tr, proofing)]].concat(),
        None => facts,
    };
    let phones = overview
        .phones
        .iter()
        .map(|phone| PhoneRow {
            e164: phone.phone.e164().to_owned(),
            masked: phone.phone.masked(),
            default: phone.is_default,
        })
        .collect();
    let pending_phone = overview.pending_phone_change.as_ref().map(|pending| {
        tr.t_args(
            "account-phone-pending",
            &[
                ("phone", &pending.phone.masked()),
                ("at", &local(pending.effective_at)),
            ],
        )
    });
    let certificates = overview
        .certificates
        .iter()
        .map(|bound| CertificateRow {
            key: bound.key.clone(),
            via: {
                let method = tr.t(&bound.via.tab_key());
                match &bound.sim_phone {
                    Some(phone) => format!("{method} {}", phone.masked()),
                    None => method,
                }
            },
            subject: bound.name().to_owned(),
            issuer: bound.issuer_name().to_owned(),
            not_after: bound.not_after.map(local).unwrap_or_default(),
            last_used: bound.last_used_at.map_or_else(|| "—".to_owned(), local),
        })
        .collect();
    let bind_links = state
        .engine
        .certificate_methods()
        .into_iter()
        .map(|method| {
            let slug = method.slug();
            let label = tr.t_args(
                "account-bind-certificate",
                &[("method", tr.t(&method.tab_key()).as_str())],
            );
            (format!("/account/certificates/bind/{slug}"), label)
        })
        .collect();
    let vneid_links = overview
        .vneid_links
        .iter()
        .map(|link| VneidRow {
            key: link.key.clone(),
            level: tr.t_args("account-vneid-level", &[("level", &link.level.to_string())]),
            linked_at: local(link.linked_at),
            last_used: link.last_used_at.map_or_else(|| "—".to_owned(), local),
        })
        .collect();
    let page = AccountPage {
        tr,
        certificates,
        bind_links,
        vneid_links,
        has_password: overview.has_password,
        pending_phone,
        csrf: csrf::csrf_token(
            state.settings.csrf_key.expose(),
            &signed.session.id.to_string(),
        ),
        notice,
        facts,
        asks_personal_id: signed.account.kind == domain::AccountKind::Citizen
            && signed.account.identity.personal_id.is_none(),
        phones,
        password_form,
        sessions: sessions
            .iter()
            .map(|session| session_row(session, &signed.session))
            .collect(),
        events: history.iter().map(|event| event_row(event, tr)).collect(),
    };
    page::render(status, tr, &page)
}

fn session_row(session: &Session, current: &Session) -> SessionRow {
    SessionRow {
        current: session.id == current.id,
        signed_in_at: local(session.auth_time),
        last_seen_at: local(session.last_seen_at),
        device: session
            .user_agent
            .clone()
            .unwrap_or_default()
            .chars()
            .take(80)
            .collect(),
        address: session.client_ip.clone().unwrap_or_default(),
    }
}

fn event_row(event: &AuditEvent, tr: &Tr) -> EventRow {
    EventRow {
        at: local(event.at),
        what: tr.t(&format!("audit-{}", event.kind.as_str().replace('_', "-"))),
        address: event.client_ip.clone().unwrap_or_default(),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct AccountForm {
    csrf: String,
    phone: String,
    password: String,
    /// A certificate: its key, and its subject for the confirmation page's text.
    key: String,
    subject: String,
    current: String,
    new: String,
    confirm: String,
    personal_id: String,
    return_to: String,
}

impl CsrfForm for AccountForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// A signed-in form's CSRF token, checked before its handler runs.
pub(super) trait CsrfForm {
    fn csrf(&self) -> &str;
}

/// A form posted from the account pages: the signed-in person, a CSRF token that belongs to
/// their session, and the fields. Anything else is answered before the handler runs: no
/// session → the sign-in page, a foreign token → 403, a malformed body → 400.
pub(super) struct AccountPost<F = AccountForm> {
    pub(super) state: AppState,
    pub(super) tr: Tr,
    pub(super) signed: SignedIn,
    pub(super) client: flows::Client,
    pub(super) form: F,
}

impl<F> FromRequest<AppState> for AccountPost<F>
where
    F: CsrfForm + serde::de::DeserializeOwned + Send,
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let Ok(tr) = Tr::from_request_parts(&mut parts, state).await;
        let Ok(RequestClient(client)) = RequestClient::from_request_parts(&mut parts, state).await;
        let Ok(signed) = SignedIn::from_request_parts(&mut parts, state).await else {
            return Err(Redirect::to("/login?return_to=/account").into_response());
        };
        let request = Request::from_parts(parts, body);
        let Ok(Form(form)) = Form::<F>::from_request(request, state).await else {
            return Err(Failure::new(ErrorKind::BadRequest).respond(&tr, Format::Html));
        };
        let session = signed.session.id.to_string();
        if !csrf::verify(state.settings.csrf_key.expose(), &session, form.csrf()) {
            return Err(Failure::new(ErrorKind::Csrf).respond(&tr, Format::Html));
        }
        Ok(Self {
            state: state.clone(),
            tr,
            signed,
            client,
            form,
        })
    }
}

/// After an operation: to the page with a success note, or the page again with the refusal.
async fn after(
    post: &AccountPost,
    result: Result<Result<(), Problem>, flows::FlowError>,
    done: &str,
) -> Response {
    let tr = &post.tr;
    match result {
        Ok(Ok(())) => Redirect::to(&format!("/account?done={done}")).into_response(),
        Ok(Err(problem)) => {
            let notice = Notice::error(problems::message(&problem, tr));
            let form = FormState::new();
            account_page(
                &post.state,
                tr,
                &post.signed,
                Some(notice),
                form,
                StatusCode::OK,
            )
            .await
        }
        // The forms post to addresses without a page: a waiting page goes back to the account.
        Err(error) => Failure::from(error)
            .returning_to("/account")
            .respond(tr, Format::Html),
    }
}

async fn refresh_identity(post: AccountPost) -> Response {
    let accounts = post.state.engine.accounts();
    let result = accounts
        .refresh_identity(&post.signed.account, &post.client)
        .await;
    after(&post, result, "refreshed").await
}

/// L2–L3: an account without a personal ID (the old 9-digit card) is asked for the number
/// of its citizen identity card, after signing in and from the account page; "Bỏ qua" goes on
/// to where the person was going.
#[derive(Template)]
#[template(path = "personal_id.html")]
struct PersonalIdPage<'a> {
    tr: &'a Tr,
    csrf: String,
    return_to: String,
    form: FormState,
}

#[derive(Debug, Default, Deserialize)]
struct ReturnQuery {
    return_to: Option<String>,
}

/// Where "Bỏ qua" and a successful update go: a relative path on this site, else the account.
pub(super) fn return_path(asked: Option<&str>) -> String {
    asked
        .and_then(flows::safe_return_path)
        .unwrap_or_else(|| "/account".to_owned())
}

async fn personal_id_form(
    State(state): State<AppState>,
    tr: Tr,
    signed: Signed,
    Query(query): Query<ReturnQuery>,
) -> Response {
    let Ok(signed) = signed else {
        return Redirect::to("/login?return_to=/account").into_response();
    };
    let page = PersonalIdPage {
        tr: &tr,
        csrf: csrf::csrf_token(
            state.settings.csrf_key.expose(),
            &signed.session.id.to_string(),
        ),
        return_to: return_path(query.return_to.as_deref()),
        form: FormState::new(),
    };
    page::render(StatusCode::OK, &tr, &page)
}

async fn add_personal_id(post: AccountPost) -> Response {
    let accounts = post.state.engine.accounts();
    let typed = &post.form.personal_id;
    let result = accounts
        .add_personal_id(&post.signed.account, typed, &post.client)
        .await;
    let return_to = return_path(Some(post.form.return_to.as_str()));
    let tr = &post.tr;
    match result {
        Ok(Ok(())) if return_to == "/account" => {
            Redirect::to("/account?done=personal-id").into_response()
        }
        Ok(Ok(())) => Redirect::to(&return_to).into_response(),
        Ok(Err(problem)) => {
            let mut form = FormState::new();
            form.set_value("personal_id", typed.clone());
            let message = problems::message(&problem, tr);
            match problem.field {
                Some(field) => form.add_error(field, message),
                None => form.add_problem_with_links(message, problems::links(&problem, tr)),
            }
            let page = PersonalIdPage {
                tr,
                csrf: post.form.csrf.clone(),
                return_to,
                form,
            };
            page::render(StatusCode::OK, tr, &page)
        }
        Err(error) => Failure::from(error).respond(tr, Format::Html),
    }
}

/// Making another OTP phone the default, removing one, or removing a certificate: the account
/// page's button leads to a page that asks the password again (S4), which posts back here.
#[derive(Clone, Copy)]
enum ConfirmedChange {
    MakeDefault,
    Remove,
    RemoveCertificate,
    UnlinkVneid,
}

impl ConfirmedChange {
    fn action(self) -> &'static str {
        match self {
            Self::MakeDefault => "/account/phones/default",
            Self::Remove => "/account/phones/remove",
            Self::RemoveCertificate => "/account/certificates/remove",
            Self::UnlinkVneid => "/account/vneid/unlink",
        }
    }

    /// The form field naming what is changed.
    fn field(self) -> &'static str {
        match self {
            Self::MakeDefault | Self::Remove => "phone",
            Self::RemoveCertificate | Self::UnlinkVneid => "key",
        }
    }

    /// The `done` note on the account page afterwards.
    fn done(self) -> &'static str {
        match self {
            Self::MakeDefault => "default",
            Self::Remove => "removed",
            Self::RemoveCertificate => "certificate-removed",
            Self::UnlinkVneid => "vneid-unlinked",
        }
    }

    /// The confirmation page's title and lead text keys.
    fn texts(self) -> (&'static str, &'static str) {
        match self {
            Self::MakeDefault => ("account-make-default", "account-make-default-lead"),
            Self::Remove => ("account-remove-phone", "account-remove-phone-lead"),
            Self::RemoveCertificate => (
                "account-remove-certificate",
                "account-remove-certificate-lead",
            ),
            Self::UnlinkVneid => ("account-unlink-vneid", "account-unlink-vneid-lead"),
        }
    }
}

#[derive(Template)]
#[template(path = "account_confirm.html")]
struct ConfirmPage<'a> {
    tr: &'a Tr,
    csrf: &'a str,
    title: String,
    lead: String,
    action: &'static str,
    field: &'static str,
    value: &'a str,
    form: FormState,
}

fn confirm_page(post: &AccountPost, change: ConfirmedChange, form: FormState) -> Response {
    let tr = &post.tr;
    let value = match change {
        ConfirmedChange::RemoveCertificate | ConfirmedChange::UnlinkVneid => &post.form.key,
        _ => &post.form.phone,
    };
    // What the texts name: the phone masked, or the certificate's subject.
    let named = match change {
        ConfirmedChange::RemoveCertificate => post.form.subject.clone(),
        ConfirmedChange::UnlinkVneid => "VNeID".to_owned(),
        _ => domain::PhoneNumber::parse(value)
            .map(|phone| phone.masked())
            .unwrap_or_default(),
    };
    let (title, lead) = change.texts();
    let page = ConfirmPage {
        tr,
        csrf: &post.form.csrf,
        title: tr.t_args(title, &[("phone", &named)]),
        lead: tr.t_args(lead, &[("phone", &named)]),
        action: change.action(),
        field: change.field(),
        value,
        form,
    };
    page::render(StatusCode::OK, tr, &page)
}

async fn make_default(post: AccountPost) -> Response {
    confirmed_change(post, ConfirmedChange::MakeDefault).await
}

async fn remove_phone(post: AccountPost) -> Response {
    confirmed_change(post, ConfirmedChange::Remove).await
}

async fn remove_certificate(post: AccountPost) -> Response {
    confirmed_change(post, ConfirmedChange::RemoveCertificate).await
}

async fn unlink_vneid(post: AccountPost) -> Response {
    confirmed_change(post, ConfirmedChange::UnlinkVneid).await
}

/// Asks the engine; a missing password leads to the page asking it, a wrong one to that page
/// saying so. (An account made by certificate has no password: its removal goes straight on.)
async fn confirmed_change(post: AccountPost, change: ConfirmedChange) -> Response {
    let form = &post.form;
    let accounts = post.state.engine.accounts();
    let account = post.signed.account.id;
    let (phone, password, client) = (&form.phone, &form.password, &post.client);
    let result = match change {
        ConfirmedChange::MakeDefault => {
            accounts
                .make_default_phone(account, phone, password, client)
                .await
        }
        ConfirmedChange::Remove => {
            accounts
                .remove_phone(account, phone, password, client)
                .await
        }
        ConfirmedChange::RemoveCertificate => {
            accounts
                .unbind_certificate(account, &form.key, password, client)
                .await
        }
        ConfirmedChange::UnlinkVneid => {
            accounts
                .unlink_vneid(account, &form.key, password, client)
                .await
        }
    };
    match result {
        Ok(Err(problem)) if problem.field == Some("password") => {
            let mut confirm = FormState::new();
            if !password.is_empty() {
                confirm.add_error("password", problems::message(&problem, &post.tr));
            }
            confirm_page(&post, change, confirm)
        }
        result => after(&post, result, change.done()).await,
    }
}

async fn change_password(post: AccountPost) -> Response {
    let AccountPost {
        state,
        tr,
        signed,
        client,
        form,
    } = post;
    let accounts = state.engine.accounts();
    let result = accounts
        .change_password(
            &signed.session,
            &signed.account,
            &form.current,
            &form.new,
            &form.confirm,
            &client,
        )
        .await;
    match result {
        Ok(Ok(session)) => {
            crate::oidc::deliver_logouts(&state);
            let lifetime = std::time::Duration::from_secs(
                u64::try_from(state.engine.config().session.absolute_timeout_secs)
                    .unwrap_or(43_200),
            );
            match HostCookie::new(SESSION_COOKIE, &session.token)
                .max_age(lifetime)
                .header_value()
            {
                Ok(cookie) => with_cookie(
                    Redirect::to("/account?done=password").into_response(),
                    cookie,
                ),
                Err(_) => Failure::new(ErrorKind::Internal).respond(&tr, Format::Html),
            }
        }
        Ok(Err(problem)) => {
            let mut password_form = FormState::new();
            let message = problems::message(&problem, &tr);
            match problem.field {
                Some(field) => password_form.add_error(field, message),
                None => password_form.add_problem(message),
            }
            account_page(&state, &tr, &signed, None, password_form, StatusCode::OK).await
        }
        Err(error) => Failure::from(error)
            .returning_to("/account")
            .respond(&tr, Format::Html),
    }
}

async fn end_others(post: AccountPost) -> Response {
    let AccountPost {
        state, tr, signed, ..
    } = post;
    match state
        .engine
        .accounts()
        .end_other_sessions(signed.account.id, &signed.session)
        .await
    {
        Ok(_) => {
            crate::oidc::deliver_logouts(&state);
            Redirect::to("/account?done=others").into_response()
        }
        Err(error) => Failure::from(error).respond(&tr, Format::Html),
    }
}

async fn sign_out(post: AccountPost) -> Response {
    let AccountPost {
        state,
        tr,
        signed,
        client,
        ..
    } = post;
    if let Err(error) = state
        .engine
        .accounts()
        .sign_out(&signed.session, &client)
        .await
    {
        return Failure::from(error).respond(&tr, Format::Html);
    }
    crate::oidc::deliver_logouts(&state);
    match cookies::removal(SESSION_COOKIE) {
        Ok(cookie) => with_cookie(Redirect::to("/").into_response(), cookie),
        Err(_) => Redirect::to("/").into_response(),
    }
}

fn with_cookie(mut response: Response, cookie: HeaderValue) -> Response {
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

/// The account's identity proofing as its holder reads it: by whom, at which level, and what
/// raises it.
fn proofing_fact(tr: &Tr, proofing: &store::IdentityProofing) -> (String, String) {
    let source = tr.t(&format!(
        "channel-{}",
        proofing.source.as_str().replace('_', "-")
    ));
    let level = proofing.level.as_str();
    let text = match &proofing.counter {
        Some(check) => {
            let at = check.at.to_offset(time::macros::offset!(+7));
            let date = format!("{:02}/{:02}/{}", at.day(), u8::from(at.month()), at.year());
            tr.t_args(
                "account-proofing-counter",
                &[
                    ("source", source.as_str()),
                    ("level", level),
                    ("date", &date),
                ],
            )
        }
        None => tr.t_args(
            "account-proofing-online",
            &[("source", source.as_str()), ("level", level)],
        ),
    };
    (tr.t("account-proofing"), text)
}
