//! Tổ chức: the business and agency accounts a person acts for (SPEC A1). The list with the
//! legal representative's claim, one organisation's members (administrators invite, change
//! roles, remove), accepting an invitation's link while signed in as oneself, and the chooser
//! "as myself / on behalf of …" that comes after sign-in and before returning to a relying
//! service.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use flows::{FlowError, Member, Organisation, Problem};
use serde::Deserialize;
use store::{AccountId, Invitation, OrgRole};
use uuid::Uuid;

use super::account::{AccountPost, CsrfForm, local, return_path};
use crate::AppState;
use crate::auth::{NotSignedIn, SignedIn};
use crate::csrf;
use crate::failure::Failure;
use crate::forms::{Form as FormState, Notice};
use crate::i18n::Tr;
use crate::page::{self, Format};
use crate::problems;

/// Where an invitation's link leads; the token follows.
const ACCEPT_PATH: &str = "/account/organisations/accept/";

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/account/organisations", get(list))
        .route("/account/organisations/claim", post(claim))
        .route("/account/organisations/{id}", get(show))
        .route("/account/organisations/{id}/invite", post(invite))
        .route("/account/organisations/{id}/role", post(change_role))
        .route("/account/organisations/{id}/remove", post(remove))
        .route("/account/organisations/{id}/withdraw", post(withdraw))
        .route(
            "/account/organisations/accept/{token}",
            get(invitation).post(accept),
        )
        .route("/acting-for", get(chooser).post(choose))
}

type Signed = Result<SignedIn, NotSignedIn>;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct OrgForm {
    csrf: String,
    tax_code: String,
    personal_id: String,
    role: String,
    /// A member's account, or an invitation's id.
    target: String,
    /// On the chooser: `self` or an organisation's id.
    acting: String,
    return_to: String,
}

impl CsrfForm for OrgForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

type OrgPost = AccountPost<OrgForm>;

fn csrf_of(state: &AppState, signed: &SignedIn) -> String {
    csrf::csrf_token(
        state.settings.csrf_key.expose(),
        &signed.session.id.to_string(),
    )
}

fn to_sign_in(here: &str) -> Response {
    Redirect::to(&format!("/login?return_to={here}")).into_response()
}

fn role_label(tr: &Tr, role: OrgRole) -> String {
    tr.t(&format!("org-role-{}", role.as_str()))
}

fn role_options(tr: &Tr) -> Vec<(String, String)> {
    OrgRole::ALL
        .iter()
        .map(|role| (role.as_str().to_owned(), role_label(tr, *role)))
        .collect()
}

struct OrgRow {
    id: String,
    name: String,
    code: String,
    role: String,
}

impl OrgRow {
    fn of(organisation: &Organisation, tr: &Tr) -> Self {
        Self {
            id: organisation.id().to_string(),
            name: organisation.name().to_owned(),
            code: organisation.code().to_owned(),
            role: role_label(tr, organisation.role),
        }
    }
}

#[derive(Template)]
#[template(path = "organisations.html")]
struct ListPage<'a> {
    tr: &'a Tr,
    csrf: String,
    notice: Option<Notice>,
    organisations: Vec<OrgRow>,
    /// "Đang thay mặt …" for the current session.
    acting: Option<String>,
    claim_form: FormState,
}

#[derive(Debug, Default, Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    tr: Tr,
    signed: Signed,
    Query(query): Query<DoneQuery>,
) -> Response {
    let Ok(signed) = signed else {
        return to_sign_in("/account/organisations");
    };
    let notice = query.done.as_deref().and_then(|done| match done {
        "claimed" | "accepted" => Some(Notice::success(tr.t(&format!("org-done-{done}")))),
        _ => None,
    });
    list_page(&state, &tr, &signed, notice, FormState::new()).await
}

async fn list_page(
    state: &AppState,
    tr: &Tr,
    signed: &SignedIn,
    notice: Option<Notice>,
    claim_form: FormState,
) -> Response {
    let organisations = state.engine.organisations();
    let (mine, acting) = match (
        organisations.of_member(signed.account.id).await,
        organisations.acting_for(&signed.session).await,
    ) {
        (Ok(mine), Ok(acting)) => (mine, acting),
        (Err(error), _) | (_, Err(error)) => {
            return Failure::from(error).respond(tr, Format::Html);
        }
    };
    let page = ListPage {
        tr,
        csrf: csrf_of(state, signed),
        notice,
        organisations: mine.iter().map(|org| OrgRow::of(org, tr)).collect(),
        acting: acting.map(|org| org.name().to_owned()),
        claim_form,
    };
    page::render(StatusCode::OK, tr, &page)
}

async fn claim(post: OrgPost) -> Response {
    let tr = &post.tr;
    let result = post
        .state
        .engine
        .organisations()
        .claim_as_representative(&post.signed.account, &post.form.tax_code, &post.client)
        .await;
    match result {
        Ok(Ok(())) => Redirect::to("/account/organisations?done=claimed").into_response(),
        Ok(Err(problem)) => {
            let mut form = FormState::new().with_value("tax_code", post.form.tax_code.clone());
            add_problem(&mut form, &problem, tr, "tax_code");
            list_page(&post.state, tr, &post.signed, None, form).await
        }
        Err(error) => Failure::from(error).respond(tr, Format::Html),
    }
}

/// A refusal beside its field, or over the form.
fn add_problem(form: &mut FormState, problem: &Problem, tr: &Tr, default_field: &'static str) {
    let message = problems::message(problem, tr);
    match problem.field {
        Some(field) => form.add_error(field, message),
        None if default_field.is_empty() => form.add_problem(message),
        None => form.add_problem_with_links(message, problems::links(problem, tr)),
    }
}

struct MemberRow {
    id: String,
    name: String,
    personal_id: String,
    role: String,
    role_value: String,
    added_at: String,
    is_me: bool,
}

struct InvitationRow {
    id: String,
    personal_id: String,
    role: String,
    expires_at: String,
}

#[derive(Template)]
#[template(path = "organisation.html")]
struct OrganisationPage<'a> {
    tr: &'a Tr,
    csrf: String,
    notice: Option<Notice>,
    organisation: OrgRow,
    action: String,
    administrator: bool,
    members: Vec<MemberRow>,
    invitations: Vec<InvitationRow>,
    invite_form: FormState,
    roles: Vec<(String, String)>,
}

async fn show(
    State(state): State<AppState>,
    tr: Tr,
    signed: Signed,
    Path(id): Path<Uuid>,
    Query(query): Query<DoneQuery>,
) -> Response {
    let Ok(signed) = signed else {
        return to_sign_in("/account/organisations");
    };
    let notice = query.done.as_deref().and_then(|done| match done {
        "role" | "removed" | "withdrawn" => {
            Some(Notice::success(tr.t(&format!("org-done-{done}"))))
        }
        _ => None,
    });
    let view = View {
        state: &state,
        tr: &tr,
        signed: &signed,
        organisation: AccountId(id),
    };
    view.render(notice, FormState::new()).await
}

/// One organisation's page, for a member of it.
struct View<'a> {
    state: &'a AppState,
    tr: &'a Tr,
    signed: &'a SignedIn,
    organisation: AccountId,
}

impl View<'_> {
    async fn render(&self, notice: Option<Notice>, invite_form: FormState) -> Response {
        let tr = self.tr;
        let organisations = self.state.engine.organisations();
        let me = self.signed.account.id;
        let loaded = match organisations.of(me, self.organisation).await {
            Ok(Ok(org)) => match organisations.members(me, self.organisation).await {
                Ok(Ok(lists)) => Ok(Ok((org, lists))),
                Ok(Err(problem)) => Ok(Err(problem)),
                Err(error) => Err(error),
            },
            Ok(Err(problem)) => Ok(Err(problem)),
            Err(error) => Err(error),
        };
        let (organisation, (members, invitations)) = match loaded {
            Ok(Ok(loaded)) => loaded,
            Ok(Err(_)) => return not_yours(tr),
            Err(error) => return Failure::from(error).respond(tr, Format::Html),
        };
        let page = OrganisationPage {
            tr,
            csrf: csrf_of(self.state, self.signed),
            notice,
            action: format!("/account/organisations/{}", organisation.id()),
            administrator: organisation.role == OrgRole::Administrator,
            organisation: OrgRow::of(&organisation, tr),
            members: members.iter().map(|m| member_row(m, me, tr)).collect(),
            invitations: invitations.iter().map(|i| invitation_row(i, tr)).collect(),
            invite_form,
            roles: role_options(tr),
        };
        page::render(StatusCode::OK, tr, &page)
    }

    /// After a change: the page with a success note, or again with the refusal.
    async fn after(&self, result: Result<Result<(), Problem>, FlowError>, done: &str) -> Response {
        match result {
            Ok(Ok(())) => Redirect::to(&format!(
                "/account/organisations/{}?done={done}",
                self.organisation
            ))
            .into_response(),
            Ok(Err(problem)) => {
                let notice = Notice::error(problems::message(&problem, self.tr));
                self.render(Some(notice), FormState::new()).await
            }
            Err(error) => Failure::from(error).respond(self.tr, Format::Html),
        }
    }
}

fn member_row(member: &Member, me: AccountId, tr: &Tr) -> MemberRow {
    let membership = &member.membership;
    MemberRow {
        id: membership.member_id.to_string(),
        name: member.name.clone(),
        personal_id: member
            .personal_id
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        role: role_label(tr, membership.role),
        role_value: membership.role.as_str().to_owned(),
        added_at: local(membership.added_at),
        is_me: membership.member_id == me,
    }
}

fn invitation_row(invitation: &Invitation, tr: &Tr) -> InvitationRow {
    InvitationRow {
        id: invitation.id.to_string(),
        personal_id: invitation.personal_id.to_string(),
        role: role_label(tr, invitation.role),
        expires_at: local(invitation.expires_at),
    }
}

/// An organisation the person is not a member of looks like one that does not exist.
fn not_yours(tr: &Tr) -> Response {
    Failure::with_message(
        crate::errors::ErrorKind::NotFound,
        "problem-organisation-not-member",
    )
    .respond(tr, Format::Html)
}

fn view<'a>(post: &'a OrgPost, id: Uuid) -> View<'a> {
    View {
        state: &post.state,
        tr: &post.tr,
        signed: &post.signed,
        organisation: AccountId(id),
    }
}

/// The member or invitation a form names; a malformed one is nobody.
fn target(post: &OrgPost) -> Uuid {
    Uuid::parse_str(post.form.target.trim()).unwrap_or_default()
}

async fn invite(Path(id): Path<Uuid>, post: OrgPost) -> Response {
    let view = view(&post, id);
    let tr = &post.tr;
    let accept_base = format!(
        "{}{}",
        post.state.settings.public_base_url.trim_end_matches('/'),
        ACCEPT_PATH
    );
    let result = post
        .state
        .engine
        .organisations()
        .invite(
            post.signed.account.id,
            AccountId(id),
            &post.form.personal_id,
            &post.form.role,
            &accept_base,
            &post.client,
        )
        .await;
    match result {
        // The same words whether or not the ID has an account: the link is shown to pass on.
        Ok(Ok(invited)) => {
            let link = format!("{accept_base}{}", invited.token);
            let notice = Notice::success(tr.t_args(
                "org-invited",
                &[
                    ("id", invited.invitation.personal_id.as_str()),
                    ("link", link.as_str()),
                ],
            ));
            view.render(Some(notice), FormState::new()).await
        }
        Ok(Err(problem)) => {
            let mut form = FormState::new()
                .with_value("personal_id", post.form.personal_id.clone())
                .with_value("role", post.form.role.clone());
            add_problem(&mut form, &problem, tr, "");
            view.render(None, form).await
        }
        Err(error) => Failure::from(error).respond(tr, Format::Html),
    }
}

async fn change_role(Path(id): Path<Uuid>, post: OrgPost) -> Response {
    let result = post
        .state
        .engine
        .organisations()
        .change_role(
            post.signed.account.id,
            AccountId(id),
            AccountId(target(&post)),
            &post.form.role,
            &post.client,
        )
        .await;
    view(&post, id).after(result, "role").await
}

async fn remove(Path(id): Path<Uuid>, post: OrgPost) -> Response {
    let result = post
        .state
        .engine
        .organisations()
        .remove(
            post.signed.account.id,
            AccountId(id),
            AccountId(target(&post)),
            &post.client,
        )
        .await;
    // Removing oneself leaves the organisation: its page is no longer theirs.
    if matches!(result, Ok(Ok(()))) && target(&post) == post.signed.account.id.0 {
        return Redirect::to("/account/organisations").into_response();
    }
    view(&post, id).after(result, "removed").await
}

async fn withdraw(Path(id): Path<Uuid>, post: OrgPost) -> Response {
    let result = post
        .state
        .engine
        .organisations()
        .withdraw(
            post.signed.account.id,
            AccountId(id),
            target(&post),
            &post.client,
        )
        .await;
    view(&post, id).after(result, "withdrawn").await
}

#[derive(Template)]
#[template(path = "invitation.html")]
struct InvitationPage<'a> {
    tr: &'a Tr,
    csrf: String,
    action: String,
    /// "… invites you to act for … as …".
    lead: String,
    notice: Option<Notice>,
}

async fn invitation(
    State(state): State<AppState>,
    tr: Tr,
    signed: Signed,
    Path(token): Path<String>,
) -> Response {
    let action = format!("{ACCEPT_PATH}{token}");
    let Ok(signed) = signed else {
        // Sign in as oneself first; the link comes back here.
        return to_sign_in(&action);
    };
    let shown = state
        .engine
        .organisations()
        .invitation(&signed.account, &token)
        .await;
    let (lead, notice) = match shown {
        Ok(Ok((invitation, organisation))) => {
            let lead = tr.t_args(
                "org-invitation-lead",
                &[
                    ("organisation", organisation.identity.full_name.as_str()),
                    ("role", role_label(&tr, invitation.role).as_str()),
                    ("until", local(invitation.expires_at).as_str()),
                ],
            );
            (lead, None)
        }
        Ok(Err(problem)) => (
            String::new(),
            Some(Notice::error(problems::message(&problem, &tr))),
        ),
        Err(error) => return Failure::from(error).respond(&tr, Format::Html),
    };
    let page = InvitationPage {
        tr: &tr,
        csrf: csrf_of(&state, &signed),
        action,
        lead,
        notice,
    };
    page::render(StatusCode::OK, &tr, &page)
}

async fn accept(Path(token): Path<String>, post: OrgPost) -> Response {
    let tr = &post.tr;
    let result = post
        .state
        .engine
        .organisations()
        .accept(&post.signed.account, &token, &post.client)
        .await;
    match result {
        Ok(Ok(_)) => Redirect::to("/account/organisations?done=accepted").into_response(),
        Ok(Err(problem)) => {
            let page = InvitationPage {
                tr,
                csrf: post.form.csrf.clone(),
                action: format!("{ACCEPT_PATH}{token}"),
                lead: String::new(),
                notice: Some(Notice::error(problems::message(&problem, tr))),
            };
            page::render(StatusCode::OK, tr, &page)
        }
        Err(error) => Failure::from(error).respond(tr, Format::Html),
    }
}

#[derive(Template)]
#[template(path = "acting_for.html")]
struct ChooserPage<'a> {
    tr: &'a Tr,
    csrf: String,
    return_to: String,
    form: FormState,
    options: Vec<(String, String)>,
}

#[derive(Debug, Default, Deserialize)]
struct ReturnQuery {
    return_to: Option<String>,
}

async fn chooser(
    State(state): State<AppState>,
    tr: Tr,
    signed: Signed,
    Query(query): Query<ReturnQuery>,
) -> Response {
    let Ok(signed) = signed else {
        return to_sign_in("/account");
    };
    let return_to = return_path(query.return_to.as_deref());
    chooser_page(&state, &tr, &signed, return_to, FormState::new()).await
}

async fn chooser_page(
    state: &AppState,
    tr: &Tr,
    signed: &SignedIn,
    return_to: String,
    mut form: FormState,
) -> Response {
    let organisations = state.engine.organisations();
    let (mine, acting) = match (
        organisations.of_member(signed.account.id).await,
        organisations.acting_for(&signed.session).await,
    ) {
        (Ok(mine), Ok(acting)) => (mine, acting),
        (Err(error), _) | (_, Err(error)) => {
            return Failure::from(error).respond(tr, Format::Html);
        }
    };
    if form.value("acting").is_empty() {
        let current = acting.map_or_else(|| "self".to_owned(), |org| org.id().to_string());
        form.set_value("acting", current);
    }
    let mut options = vec![("self".to_owned(), tr.t("acting-self"))];
    options.extend(mine.iter().map(|org| {
        let label = tr.t_args(
            "acting-organisation",
            &[
                ("name", org.name()),
                ("code", org.code()),
                ("role", role_label(tr, org.role).as_str()),
            ],
        );
        (org.id().to_string(), label)
    }));
    let page = ChooserPage {
        tr,
        csrf: csrf_of(state, signed),
        return_to,
        form,
        options,
    };
    page::render(StatusCode::OK, tr, &page)
}

async fn choose(post: OrgPost) -> Response {
    let tr = &post.tr;
    let return_to = return_path(Some(post.form.return_to.as_str()));
    let organisation = match post.form.acting.as_str() {
        "self" => None,
        other => Some(AccountId(Uuid::parse_str(other).unwrap_or_default())),
    };
    let result = post
        .state
        .engine
        .organisations()
        .choose(&post.signed.session, organisation)
        .await;
    match result {
        Ok(Ok(())) => Redirect::to(&return_to).into_response(),
        Ok(Err(problem)) => {
            let mut form = FormState::new();
            form.add_error("acting", problems::message(&problem, tr));
            chooser_page(&post.state, tr, &post.signed, return_to, form).await
        }
        Err(error) => Failure::from(error).respond(tr, Format::Html),
    }
}
