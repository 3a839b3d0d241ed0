//! Flow documents as pages: which heading, which fields, which buttons, and the refusals as
//! field errors or form-level messages.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use flows::{CaptchaPrompt, Done, FlowKind, FlowView, MethodKind, Step};

use crate::AppState;
use crate::forms::{Form, Notice, Tab};
use crate::i18n::{Lang, Tr};
use crate::page;
use crate::problems;

#[derive(Template)]
#[template(path = "flow.html")]
struct FlowPage<'a> {
    tr: &'a Tr,
    view: &'a FlowView,
    /// The step's name, which the template branches on.
    step: &'static str,
    action: String,
    form: Form,
    tabs: Vec<Tab>,
    captcha: Option<CaptchaPart>,
    notice: Option<Notice>,
    otp: OtpPart,
    min_length: usize,
    holder: String,
    done: DonePart,
    outside: OutsidePart,
    /// Registering by certificate: what the certificate proves, shown read-only.
    certificate_facts: Vec<(String, String)>,
}

/// The steps that wait on something outside the page: a redirect out, a confirmation on a
/// phone, a local signing agent.
#[derive(Default)]
struct OutsidePart {
    url: String,
    verification_code: String,
    poll_after_secs: u32,
    challenge: String,
    required: String,
}

#[derive(Default)]
struct OtpPart {
    phone: String,
    resend_seconds: i64,
    resends_left: i32,
    other_phones: Vec<(usize, String)>,
    lost_phone: bool,
    awaits_code: bool,
}

/// The captcha on the page: the proof-of-work challenge for app.js to solve, and the text
/// alternative for browsers without script. Only pages show the text alternative: it is the
/// answer, which the JSON API never carries.
struct CaptchaPart {
    /// The field's label with the digits in words, so that screen readers announce them.
    label: String,
    algorithm: &'static str,
    challenge: String,
    salt: String,
    maxnumber: u64,
    signature: String,
}

impl CaptchaPart {
    fn new(tr: &Tr, prompt: &CaptchaPrompt) -> Self {
        let text = prompt.text_alternative();
        let words = match tr.lang() {
            Lang::Vi => text.vi(),
            Lang::En => text.en(),
        };
        Self {
            label: tr.t_args("field-captcha-words", &[("words", words)]),
            algorithm: prompt.algorithm,
            challenge: prompt.challenge.clone(),
            salt: prompt.salt.clone(),
            maxnumber: prompt.maxnumber,
            signature: prompt.signature.clone(),
        }
    }
}

#[derive(Default)]
struct DonePart {
    title: String,
    message: String,
    link: String,
    link_label: String,
}

pub(super) fn flow_page(
    tr: &Tr,
    view: &FlowView,
    notice: Option<Notice>,
    status: StatusCode,
) -> Response {
    let mut form = Form::new();
    let mut otp = OtpPart::default();
    let (mut min_length, mut holder, mut done) = (0, String::new(), DonePart::default());
    let mut outside = OutsidePart::default();
    let mut certificate_facts = Vec::new();
    let step = match &view.step {
        Step::Credentials { identifier } => {
            form.set_value("identifier", identifier.clone());
            "credentials"
        }
        Step::Identify { identifier } => {
            form.set_value("identifier", identifier.clone());
            "identify"
        }
        Step::Otp {
            phone,
            resend_at,
            resends_left,
            other_phones,
            lost_phone,
            awaits_code,
        } => {
            let now = time::OffsetDateTime::now_utc();
            otp = OtpPart {
                phone: phone.clone(),
                // Rounded up: a button enabled early would meet "wait 1 s" from the server.
                resend_seconds: ((*resend_at - now).whole_milliseconds().max(0) + 999) as i64
                    / 1000,
                resends_left: *resends_left,
                other_phones: other_phones.iter().cloned().enumerate().collect(),
                lost_phone: *lost_phone,
                awaits_code: *awaits_code,
            };
            "otp"
        }
        Step::NewPhone { phone } => {
            form.set_value("phone", phone.clone());
            "new_phone"
        }
        Step::PhoneRefused => "phone_refused",
        Step::RegisterPhone { values } => {
            form.set_value("full_name", values.full_name.clone());
            form.set_value("personal_id", values.personal_id.clone());
            form.set_value("birth_date", values.birth_date.clone());
            form.set_value("gender", values.gender.clone());
            form.set_value("phone", values.phone.clone());
            form.set_value("email", values.email.clone());
            "register_phone"
        }
        Step::RegisterVietnamPost { values } => {
            let person = &values.person;
            form.set_value("full_name", person.full_name.clone());
            form.set_value("personal_id", person.personal_id.clone());
            form.set_value("birth_date", person.birth_date.clone());
            form.set_value("gender", person.gender.clone());
            form.set_value("phone", person.phone.clone());
            form.set_value("email", person.email.clone());
            form.set_value("activation", values.activation.clone());
            "register_vietnam_post"
        }
        Step::LinkSent { email, valid_hours } => {
            done = DonePart {
                title: tr.t("done-link-sent-title"),
                message: tr.t_args(
                    "done-link-sent-message",
                    &[
                        ("email", email.as_str()),
                        ("hours", &valid_hours.to_string()),
                    ],
                ),
                link: "/login".to_owned(),
                link_label: tr.t("action-sign-in"),
            };
            "done"
        }
        Step::RegisterBhxh { values } => {
            form.set_value("bhxh_code", values.bhxh_code.clone());
            form.set_value("full_name", values.full_name.clone());
            form.set_value("birth_date", values.birth_date.clone());
            "register_bhxh"
        }
        Step::Password {
            min_length: min,
            holder: who,
        } => {
            min_length = *min;
            holder = who.clone();
            "password"
        }
        Step::AddPhone { phone } => {
            form.set_value("phone", phone.clone());
            "add_phone"
        }
        Step::Done { result } => {
            done = done_part(tr, *result, view);
            "done"
        }
        Step::Unreachable { required } => {
            outside.required = required.as_str().to_owned();
            "unreachable"
        }
        Step::Redirect { url } => {
            outside.url = url.clone();
            "redirect"
        }
        Step::Waiting {
            verification_code,
            poll_after_secs,
            ..
        } => {
            outside.verification_code = verification_code.clone();
            outside.poll_after_secs = *poll_after_secs;
            "waiting"
        }
        Step::RegisterCertificate {
            account_kind: kind,
            full_name,
            identifier,
            issuer,
            not_after,
            email,
        } => {
            form.set_value("email", email.clone());
            let id_label = match kind {
                domain::AccountKind::Citizen => "field-personal-id",
                _ => "field-tax-code",
            };
            certificate_facts = vec![
                (
                    tr.t("register-certificate-kind"),
                    tr.t(&format!("register-kind-{}", kind.as_str())),
                ),
                (tr.t("field-full-name"), full_name.clone()),
                (tr.t(id_label), identifier.clone()),
                (tr.t("register-certificate-issuer"), issuer.clone()),
                (tr.t("register-certificate-not-after"), date(*not_after)),
            ];
            "register_certificate"
        }
        Step::SimPhone { phone } => {
            form.set_value("phone", phone.clone());
            "sim_phone"
        }
        Step::LocalAgent {
            agent_url,
            challenge,
        } => {
            outside.url = agent_url.clone();
            outside.challenge = challenge.clone();
            "local_agent"
        }
    };
    for problem in &view.problems {
        let message = problems::message(problem, tr);
        match problem.field {
            Some(field) => form.add_error(field, message),
            None => form.add_problem_with_links(message, problems::links(problem, tr)),
        }
    }
    let captcha = view
        .captcha
        .as_ref()
        .map(|prompt| CaptchaPart::new(tr, prompt));
    let page = FlowPage {
        tr,
        view,
        step,
        action: format!("/flows/{}", view.id),
        form,
        tabs: flow_tabs(tr, view, &format!("/flows/{}", view.id)),
        captcha,
        notice,
        otp,
        min_length,
        holder,
        done,
        outside,
        certificate_facts,
    };
    let mut response = page::render(status, tr, &page);
    if let Step::LocalAgent { agent_url, .. } = &view.step {
        allow_agent(&mut response, agent_url);
    }
    response
}

/// The local-agent step's script talks to the person's signing agent: the page's policy lets
/// it reach that one origin besides the site's own.
fn allow_agent(response: &mut Response, agent_url: &str) {
    let Ok(url) = url::Url::parse(agent_url) else {
        return;
    };
    let policy = crate::security::csp_connecting_to(&url.origin().ascii_serialization());
    if let Ok(value) = axum::http::HeaderValue::from_str(&policy) {
        response
            .headers_mut()
            .insert(axum::http::header::CONTENT_SECURITY_POLICY, value);
    }
}

fn done_part(tr: &Tr, result: Done, view: &FlowView) -> DonePart {
    let (key, link, label) = match result {
        Done::SignedIn => (
            "done-signed-in",
            view.return_to.clone().unwrap_or_else(|| "/account".into()),
            "action-continue",
        ),
        // Registered by certificate: signing in is by the same token, SIM or service.
        Done::Registered if view.kind == FlowKind::RegisterCertificate => (
            match view.methods.first() {
                Some(MethodKind::SimPki) => "done-registered-sim",
                Some(MethodKind::RemoteSigning) => "done-registered-remote",
                _ => "done-registered-certificate",
            },
            view.methods
                .first()
                .map(|method| format!("/login/method/{}", method.slug()))
                .unwrap_or_else(|| "/login".to_owned()),
            "action-sign-in",
        ),
        Done::Registered => ("done-registered", "/login".to_owned(), "action-sign-in"),
        Done::PasswordReset => ("done-password-reset", "/login".to_owned(), "action-sign-in"),
        Done::PhoneChanged => (
            "done-phone-changed",
            "/account".to_owned(),
            "action-continue",
        ),
        Done::PhoneAdded => ("done-phone-added", "/account".to_owned(), "action-continue"),
        Done::CertificateBound => (
            "done-certificate-bound",
            "/account".to_owned(),
            "action-continue",
        ),
    };
    DonePart {
        title: tr.t(&format!("{key}-title")),
        message: tr.t(&format!("{key}-message")),
        link,
        link_label: tr.t(label),
    }
}

/// A date as people read it, in Vietnam's time: 21/01/2027.
fn date(at: time::OffsetDateTime) -> String {
    let at = at.to_offset(time::macros::offset!(+7));
    format!("{:02}/{:02}/{}", at.day(), u8::from(at.month()), at.year())
}

/// A sign-in flow's tabs: its methods (the running one first in the view, marked current)
/// in the page's order, as buttons that switch to them. A registration or a binding by
/// certificate has its one method and no sign-in tabs.
fn flow_tabs(tr: &Tr, view: &FlowView, action: &str) -> Vec<Tab> {
    if view.kind != FlowKind::Login {
        return Vec::new();
    }
    let Some(running) = view.methods.first() else {
        return Vec::new();
    };
    let mut offered = view.methods.clone();
    offered.sort_by_key(|method| MethodKind::all().iter().position(|known| known == method));
    offered
        .iter()
        .map(|method| {
            let label = tr.t(&method.tab_key());
            Tab::method(action, method.as_str(), label, method == running)
        })
        .collect()
}

/// The sign-in page's tabs outside a flow (S1): each starts a sign-in with its method (one
/// this deployment does not run says so).
pub(super) fn login_tabs(tr: &Tr, current: &str) -> Vec<Tab> {
    let own = [
        ("password-sms", "/login"),
        ("usb-token", "/login/method/usb-token"),
        ("sim-pki", "/login/method/sim-pki"),
        ("remote-signing", "/login/method/remote-signing"),
        ("vneid", "/login/method/vneid"),
    ];
    own.into_iter()
        .map(|(id, href)| Tab::new(href, tr.t(&format!("login-tab-{id}")), id == current))
        .collect()
}

#[derive(Template)]
#[template(path = "coming_soon.html")]
struct ComingSoon<'a> {
    tr: &'a Tr,
    tabs: Vec<Tab>,
    notice: Notice,
}

/// The sign-in tabs whose methods this deployment does not run say so.
pub(super) fn coming_soon(tr: Tr, method: &str) -> Response {
    let current = match method {
        "usb-token" | "sim-pki" | "remote-signing" | "vneid" => method,
        _ => "vneid",
    };
    let page = ComingSoon {
        tr: &tr,
        tabs: login_tabs(&tr, current),
        notice: Notice::info(tr.t("login-coming-soon")),
    };
    page::render(StatusCode::OK, &tr, &page)
}

#[derive(Template)]
#[template(path = "help_agent.html")]
struct AgentHelp<'a> {
    tr: &'a Tr,
    /// This site's origin, which the agent must be told to serve.
    origin: String,
}

/// How a person installs and runs the local signing agent (seed 003: "tải về công cụ ký điện
/// tử"); the USB-token sign-in links here when the agent does not answer.
pub(super) async fn agent_help(State(state): State<AppState>, tr: Tr) -> Response {
    let origin = url::Url::parse(&state.settings.public_base_url)
        .map(|url| url.origin().ascii_serialization())
        .unwrap_or_default();
    page::render(StatusCode::OK, &tr, &AgentHelp { tr: &tr, origin })
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterChoice<'a> {
    tr: &'a Tr,
}

/// R1: the account kind, then the channel. Citizens may register by mobile subscriber or by
/// BHXH code now; the other channels and kinds say they are coming.
pub(super) async fn register_choice(tr: Tr) -> Response {
    page::render(StatusCode::OK, &tr, &RegisterChoice { tr: &tr })
}

impl FlowPage<'_> {
    /// The page's title.
    fn title(&self) -> String {
        let key = match (self.view.kind, self.step) {
            (_, "done") => return self.done.title.clone(),
            (FlowKind::Login, "credentials") => "action-sign-in",
            (_, "otp") => "flow-otp-title",
            (_, "new_phone") | (_, "phone_refused") => "flow-new-phone-title",
            (FlowKind::RegisterPhone, _) => "flow-register-phone-title",
            (FlowKind::RegisterBhxh, _) => "flow-register-bhxh-title",
            (FlowKind::RegisterVietnamPost, _) => "flow-register-post-title",
            (FlowKind::Recovery, "identify") | (FlowKind::Recovery, "password") => {
                "action-forgot-password"
            }
            (_, "password") => "flow-password-title",
            (FlowKind::AddPhone, _) => "flow-add-phone-title",
            (FlowKind::RegisterCertificate, _) => match self.view.methods.first() {
                Some(MethodKind::SimPki) => "flow-register-sim-title",
                Some(MethodKind::RemoteSigning) => "flow-register-remote-title",
                _ => "flow-register-certificate-title",
            },
            (FlowKind::BindCertificate, _) => "flow-bind-certificate-title",
            _ => "action-sign-in",
        };
        self.tr.t(key)
    }

    /// Registering by certificate: where the certificate the person just used is.
    fn certificate_lead(&self) -> String {
        self.tr.t(match self.view.methods.first() {
            Some(MethodKind::SimPki) => "flow-register-sim-lead",
            Some(MethodKind::RemoteSigning) => "flow-register-remote-lead",
            _ => "flow-register-certificate-lead",
        })
    }
}
