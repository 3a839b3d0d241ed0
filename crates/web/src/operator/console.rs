//! The console's pages: search, an account's page with its actions, and the roles.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::OperatorRole;
use flows::{AccountFile, Capability, Problem, SearchBy};
use serde::Deserialize;
use store::{Account, AccountId, Actor};
use uuid::Uuid;

use super::guard::{CsrfField, OperatorPost, OperatorSession};
use crate::AppState;
use crate::errors::ErrorKind;
use crate::failure::Failure;
use crate::forms::{Form as FormState, Notice};
use crate::i18n::Tr;
use crate::page::{self, Format};
use crate::pages::account::local;
use crate::problems;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/operator", get(home))
        .route("/operator/search", post(search))
        .route("/operator/accounts/{id}", get(account))
        .route("/operator/accounts/{id}/lock", post(lock))
        .route("/operator/accounts/{id}/unlock", post(unlock))
        .route("/operator/accounts/{id}/end-sessions", post(end_sessions))
        .route("/operator/accounts/{id}/reset-phone", post(reset_phone))
        .route("/operator/roles", get(roles))
        .route("/operator/roles/grant", post(grant))
        .route("/operator/roles/revoke", post(revoke))
}

/// An account as a line of search results or of the roles list.
struct AccountLine {
    href: String,
    name: String,
    identifier: String,
    kind: String,
    status: String,
}

fn account_line(account: &Account, tr: &Tr) -> AccountLine {
    let identity = &account.identity;
    let identifier = identity
        .personal_id
        .as_ref()
        .map(ToString::to_string)
        .or_else(|| identity.legacy_cmnd.as_ref().map(ToString::to_string))
        .or_else(|| identity.tax_code.as_ref().map(ToString::to_string))
        .unwrap_or_default();
    AccountLine {
        href: format!("/operator/accounts/{}", account.id),
        name: identity.full_name.clone(),
        identifier,
        kind: tr.t(&format!("operator-kind-{}", account.kind.as_str())),
        status: tr.t(&format!("operator-status-{}", account.status.as_str())),
    }
}

fn role_names(roles: &[OperatorRole], tr: &Tr) -> String {
    roles
        .iter()
        .map(|role| tr.t(&role_key(*role)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn role_key(role: OperatorRole) -> String {
    format!("operator-role-{}", role.as_str().replace('_', "-"))
}

#[derive(Template)]
#[template(path = "operator.html")]
struct HomePage<'a> {
    tr: &'a Tr,
    csrf: &'a str,
    operator_name: String,
    roles: String,
    may_search: bool,
    /// Results link to the account's record only for roles that may read it (not the post
    /// office's, which searches by personal ID for its counter).
    may_view: bool,
    may_grant: bool,
    may_prove_at_counter: bool,
    may_manage_agencies: bool,
    form: FormState,
    search_options: Vec<(&'static str, String)>,
    results: Option<Vec<AccountLine>>,
}

fn home_page(
    session: &OperatorSession,
    form: FormState,
    results: Option<Vec<AccountLine>>,
) -> Response {
    let tr = &session.tr;
    let operator = &session.operator;
    let mut search_options = vec![("personal_id", tr.t("operator-search-by-personal-id"))];
    if operator.may(Capability::Search) {
        search_options.push(("tax_code", tr.t("operator-search-by-tax-code")));
        search_options.push(("phone", tr.t("operator-search-by-phone")));
    }
    let page = HomePage {
        tr,
        csrf: &session.csrf,
        operator_name: operator.account.identity.full_name.clone(),
        roles: role_names(&operator.roles, tr),
        may_search: operator.may(Capability::Search)
            || operator.may(Capability::SearchByPersonalId),
        may_view: operator.may(Capability::ViewAccount),
        may_grant: operator.may(Capability::GrantRoles),
        may_prove_at_counter: operator.may(Capability::CounterProofing),
        may_manage_agencies: operator.may(Capability::ManageAgencies),
        form,
        search_options,
        results,
    };
    page::render(StatusCode::OK, tr, &page)
}

async fn home(session: OperatorSession) -> Response {
    let form = FormState::new().with_value("by", "personal_id");
    home_page(&session, form, None)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SearchForm {
    csrf: String,
    by: String,
    q: String,
}

impl CsrfField for SearchForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

async fn search(State(state): State<AppState>, post: OperatorPost<SearchForm>) -> Response {
    let OperatorPost { session, form } = post;
    let tr = &session.tr;
    let mut page_form = FormState::new()
        .with_value("by", form.by.clone())
        .with_value("q", form.q.clone());
    let Some(by) = SearchBy::parse(&form.by) else {
        let problem = Problem::field("by", "field.required");
        page_form.add_error("by", problems::message(&problem, tr));
        return home_page(&session, page_form, None);
    };
    let operators = state.engine.operators();
    match operators.search(&session.operator, by, &form.q).await {
        Ok(Ok(found)) => {
            let lines = found
                .iter()
                .map(|account| account_line(account, tr))
                .collect();
            home_page(&session, page_form, Some(lines))
        }
        Ok(Err(problem)) if problem.code == "operator.forbidden" => session.refused(&problem),
        Ok(Err(problem)) => {
            page_form.add_error("q", problems::message(&problem, tr));
            home_page(&session, page_form, None)
        }
        Err(error) => Failure::from(error).respond(tr, Format::Html),
    }
}

struct Row {
    label: String,
    detail: String,
}

struct EventLine {
    at: String,
    what: String,
    by: String,
    address: String,
}

#[derive(Template)]
#[template(path = "operator_account.html")]
struct AccountPage<'a> {
    tr: &'a Tr,
    csrf: &'a str,
    action_base: String,
    notice: Option<Notice>,
    facts: Vec<(String, String)>,
    locked: bool,
    credentials: Vec<Row>,
    phones: Vec<Row>,
    sessions: Vec<Row>,
    events: Vec<EventLine>,
    may_lock: bool,
    may_end_sessions: bool,
    may_reset_phone: bool,
    phone_form: FormState,
}

#[derive(Debug, Default, Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

async fn account(
    State(state): State<AppState>,
    session: OperatorSession,
    Path(id): Path<Uuid>,
    Query(query): Query<DoneQuery>,
) -> Response {
    let notice = query.done.as_deref().and_then(|done| match done {
        "locked" | "unlocked" | "sessions-ended" | "phone-reset" => Some(Notice::success(
            session.tr.t(&format!("operator-done-{done}")),
        )),
        _ => None,
    });
    account_page(&state, &session, AccountId(id), notice, FormState::new()).await
}

async fn account_page(
    state: &AppState,
    session: &OperatorSession,
    id: AccountId,
    notice: Option<Notice>,
    phone_form: FormState,
) -> Response {
    let tr = &session.tr;
    let operators = state.engine.operators();
    let file = match operators.view(&session.operator, id).await {
        Ok(Ok(file)) => file,
        Ok(Err(problem)) if problem.code == "operator.forbidden" => {
            return session.refused(&problem);
        }
        Ok(Err(_)) => return Failure::new(ErrorKind::NotFound).respond(tr, Format::Html),
        Err(error) => return Failure::from(error).respond(tr, Format::Html),
    };
    let operator = &session.operator;
    let page = AccountPage {
        tr,
        csrf: &session.csrf,
        action_base: format!("/operator/accounts/{id}"),
        notice,
        facts: facts(&file, tr),
        locked: file.overview.account.status == domain::AccountStatus::Locked,
        credentials: file
            .credentials
            .iter()
            .map(|credential| Row {
                label: tr.t(&format!(
                    "operator-credential-{}",
                    credential.kind.as_str().replace('_', "-")
                )),
                detail: credential.label.clone(),
            })
            .collect(),
        phones: file
            .overview
            .phones
            .iter()
            .map(|phone| Row {
                label: phone.phone.masked(),
                detail: if phone.is_default {
                    tr.t("account-phone-default")
                } else {
                    String::new()
                },
            })
            .collect(),
        sessions: file
            .sessions
            .iter()
            .map(|live| Row {
                label: local(live.auth_time),
                detail: format!(
                    "{} {} · {}",
                    live.acr.as_str(),
                    live.amr.join(" "),
                    live.client_ip.clone().unwrap_or_default()
                ),
            })
            .collect(),
        events: file
            .history
            .iter()
            .map(|event| EventLine {
                at: local(event.at),
                what: tr.t(&format!("audit-{}", event.kind.as_str().replace('_', "-"))),
                by: match &event.actor {
                    Actor::Holder => tr.t("operator-actor-holder"),
                    Actor::System => tr.t("operator-actor-system"),
                    Actor::Operator(name) => {
                        tr.t_args("operator-actor-operator", &[("name", name.as_str())])
                    }
                },
                address: event.client_ip.clone().unwrap_or_default(),
            })
            .collect(),
        may_lock: operator.may(Capability::LockUnlock),
        may_end_sessions: operator.may(Capability::EndSessions),
        may_reset_phone: operator.may(Capability::ResetPhone),
        phone_form,
    };
    page::render(StatusCode::OK, tr, &page)
}

fn facts(file: &AccountFile, tr: &Tr) -> Vec<(String, String)> {
    let account = &file.overview.account;
    let identity = &account.identity;
    let dash = || "—".to_owned();
    let mut facts = vec![
        (tr.t("field-full-name"), identity.full_name.clone()),
        (
            tr.t("operator-kind"),
            tr.t(&format!("operator-kind-{}", account.kind.as_str())),
        ),
        (
            tr.t("operator-status"),
            tr.t(&format!("operator-status-{}", account.status.as_str())),
        ),
        (
            tr.t("field-personal-id"),
            identity
                .personal_id
                .as_ref()
                .map(ToString::to_string)
                .or_else(|| identity.legacy_cmnd.as_ref().map(ToString::to_string))
                .unwrap_or_else(dash),
        ),
        (
            tr.t("account-channel"),
            tr.t(&format!(
                "channel-{}",
                account.registration_channel.as_str().replace('_', "-")
            )),
        ),
        (tr.t("operator-created"), local(account.created_at)),
    ];
    if let Some(tax_code) = &identity.tax_code {
        facts.push((tr.t("operator-tax-code"), tax_code.to_string()));
    }
    if !file.roles.is_empty() {
        let roles: Vec<OperatorRole> = file.roles.iter().map(|grant| grant.role).collect();
        facts.push((tr.t("operator-roles"), role_names(&roles, tr)));
    }
    facts
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ActionForm {
    csrf: String,
    phone: String,
    reason: String,
    document: String,
}

impl CsrfField for ActionForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// After an action on an account: its page with a note, or with the refusal.
async fn after_action(
    state: &AppState,
    session: &OperatorSession,
    id: AccountId,
    result: Result<Result<(), Problem>, flows::FlowError>,
    done: &str,
) -> Response {
    let tr = &session.tr;
    match result {
        Ok(Ok(())) => Redirect::to(&format!("/operator/accounts/{id}?done={done}")).into_response(),
        Ok(Err(problem)) if problem.code == "operator.forbidden" => session.refused(&problem),
        Ok(Err(problem)) => {
            let notice = Notice::error(problems::message(&problem, tr));
            account_page(state, session, id, Some(notice), FormState::new()).await
        }
        Err(error) => Failure::from(error).respond(tr, Format::Html),
    }
}

async fn lock(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    post: OperatorPost<ActionForm>,
) -> Response {
    set_locked(state, AccountId(id), post.session, true).await
}

async fn unlock(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    post: OperatorPost<ActionForm>,
) -> Response {
    set_locked(state, AccountId(id), post.session, false).await
}

async fn set_locked(
    state: AppState,
    id: AccountId,
    session: OperatorSession,
    locked: bool,
) -> Response {
    let operators = state.engine.operators();
    let result = operators.set_locked(&session.operator, id, locked).await;
    let done = if locked { "locked" } else { "unlocked" };
    after_action(&state, &session, id, result, done).await
}

async fn end_sessions(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    post: OperatorPost<ActionForm>,
) -> Response {
    let id = AccountId(id);
    let session = post.session;
    let operators = state.engine.operators();
    let result = operators
        .end_sessions(&session.operator, id)
        .await
        .map(|ended| ended.map(drop));
    // Relying services with back-channel logout hear of the ended sessions now.
    crate::oidc::deliver_logouts(&state);
    after_action(&state, &session, id, result, "sessions-ended").await
}

async fn reset_phone(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    post: OperatorPost<ActionForm>,
) -> Response {
    let OperatorPost { session, form } = post;
    let id = AccountId(id);
    let request = flows::PhoneResetRequest {
        phone: &form.phone,
        reason: &form.reason,
        document: &form.document,
    };
    let operators = state.engine.operators();
    match operators.reset_phone(&session.operator, id, &request).await {
        Ok(Err(problem)) if problem.field.is_some() => {
            let tr = &session.tr;
            let mut phone_form = FormState::new()
                .with_value("phone", form.phone.clone())
                .with_value("reason", form.reason.clone())
                .with_value("document", form.document.clone());
            if let Some(field) = problem.field {
                phone_form.add_error(field, problems::message(&problem, tr));
            }
            account_page(&state, &session, id, None, phone_form).await
        }
        result => after_action(&state, &session, id, result, "phone-reset").await,
    }
}

struct GrantLine {
    account: AccountLine,
    role: String,
    role_value: &'static str,
    personal_id: String,
    granted: String,
}

#[derive(Template)]
#[template(path = "operator_roles.html")]
struct RolesPage<'a> {
    tr: &'a Tr,
    csrf: &'a str,
    notice: Option<Notice>,
    grants: Vec<GrantLine>,
    form: FormState,
    role_options: Vec<(&'static str, String)>,
}

async fn roles(
    State(state): State<AppState>,
    session: OperatorSession,
    Query(query): Query<DoneQuery>,
) -> Response {
    let notice = query.done.as_deref().and_then(|done| match done {
        "granted" | "revoked" => Some(Notice::success(
            session.tr.t(&format!("operator-done-{done}")),
        )),
        _ => None,
    });
    roles_page(&state, &session, notice, FormState::new()).await
}

async fn roles_page(
    state: &AppState,
    session: &OperatorSession,
    notice: Option<Notice>,
    form: FormState,
) -> Response {
    let tr = &session.tr;
    let operators = state.engine.operators();
    let grants = match operators.grants(Some(&session.operator)).await {
        Ok(Ok(grants)) => grants,
        Ok(Err(problem)) => return session.refused(&problem),
        Err(error) => return Failure::from(error).respond(tr, Format::Html),
    };
    let grants = grants
        .iter()
        .filter_map(|(grant, account)| {
            let account = account.as_ref()?;
            Some(GrantLine {
                account: account_line(account, tr),
                role: tr.t(&role_key(grant.role)),
                role_value: grant.role.as_str(),
                personal_id: account
                    .identity
                    .personal_id
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                granted: local(grant.granted_at),
            })
        })
        .collect();
    let role_options = OperatorRole::ALL
        .iter()
        .map(|role| (role.as_str(), tr.t(&role_key(*role))))
        .collect();
    let page = RolesPage {
        tr,
        csrf: &session.csrf,
        notice,
        grants,
        form,
        role_options,
    };
    page::render(StatusCode::OK, tr, &page)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RoleForm {
    csrf: String,
    personal_id: String,
    role: String,
}

impl CsrfField for RoleForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

async fn grant(State(state): State<AppState>, post: OperatorPost<RoleForm>) -> Response {
    change_role(state, post, true).await
}

async fn revoke(State(state): State<AppState>, post: OperatorPost<RoleForm>) -> Response {
    change_role(state, post, false).await
}

async fn change_role(state: AppState, post: OperatorPost<RoleForm>, grant: bool) -> Response {
    let OperatorPost { session, form } = post;
    let tr = &session.tr;
    if let Err(refused) = session.require(&state, Capability::GrantRoles, None).await {
        return refused;
    }
    let mut page_form = FormState::new()
        .with_value("personal_id", form.personal_id.clone())
        .with_value("role", form.role.clone());
    let Ok(role) = form.role.parse::<OperatorRole>() else {
        let problem = Problem::field("role", "field.required");
        page_form.add_error("role", problems::message(&problem, tr));
        return roles_page(&state, &session, None, page_form).await;
    };
    let operators = state.engine.operators();
    let account = match operators.account_by_personal_id(&form.personal_id).await {
        Ok(Ok(account)) => account,
        Ok(Err(problem)) => {
            page_form.add_error("personal_id", problems::message(&problem, tr));
            return roles_page(&state, &session, None, page_form).await;
        }
        Err(error) => return Failure::from(error).respond(tr, Format::Html),
    };
    let operator = Some(&session.operator);
    let result = if grant {
        operators
            .grant(operator, account.id, role, &session.client)
            .await
    } else {
        operators
            .revoke(operator, account.id, role, &session.client)
            .await
    };
    match result {
        Ok(Ok(())) => {
            let done = if grant { "granted" } else { "revoked" };
            Redirect::to(&format!("/operator/roles?done={done}")).into_response()
        }
        Ok(Err(problem)) if problem.code == "operator.forbidden" => session.refused(&problem),
        Ok(Err(problem)) => {
            let notice = Notice::error(problems::message(&problem, tr));
            roles_page(&state, &session, Some(notice), page_form).await
        }
        Err(error) => Failure::from(error).respond(tr, Format::Html),
    }
}
