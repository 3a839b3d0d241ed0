//! The pages' templates (askama, `templates/`): each renders from what its handler computed,
//! texts from the translator.

use askama::Template;

use super::Tr;

#[derive(Template)]
#[template(path = "message.html")]
pub struct Message<'a> {
    pub tr: &'a Tr,
    pub title: String,
    pub text: String,
    pub link: Option<String>,
    pub link_text: String,
}

#[derive(Template)]
#[template(path = "intro.html")]
pub struct Intro<'a> {
    pub tr: &'a Tr,
}

#[derive(Template)]
#[template(path = "activate_start.html")]
pub struct ActivateStart<'a> {
    pub tr: &'a Tr,
    pub personal_id: String,
    pub phone: String,
    pub error: Option<String>,
    pub id_error: Option<String>,
    pub phone_error: Option<String>,
}

pub struct QuestionOption {
    pub id: &'static str,
    pub text: &'static str,
}

#[derive(Template)]
#[template(path = "activate_step.html")]
pub struct ActivateStep<'a> {
    pub tr: &'a Tr,
    /// otp, password, passcode or questions.
    pub step: &'static str,
    pub phone: String,
    pub error: Option<String>,
    pub notice: Option<String>,
    pub questions: Vec<QuestionOption>,
}

#[derive(Template)]
#[template(path = "login.html")]
pub struct Login<'a> {
    pub tr: &'a Tr,
    pub personal_id: String,
    pub error: Option<String>,
    pub id_error: Option<String>,
    pub client_name: Option<String>,
}

#[derive(Template)]
#[template(path = "login_step.html")]
pub struct LoginStep<'a> {
    pub tr: &'a Tr,
    /// passcode or otp.
    pub step: &'static str,
    pub phone: String,
    pub error: Option<String>,
    pub notice: Option<String>,
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct Home<'a> {
    pub tr: &'a Tr,
    pub level: u8,
    pub full_name: String,
    pub personal_id: String,
    pub birth_date: String,
    pub gender: String,
    pub phone: String,
    pub acr: String,
}

pub struct ApplicationRow {
    pub personal_id: String,
    pub full_name: String,
    pub birth_date: String,
    pub phone: String,
    pub level: u8,
    pub approved: bool,
    pub activated: bool,
}

#[derive(Template)]
#[template(path = "police.html")]
pub struct Police<'a> {
    pub tr: &'a Tr,
    pub rows: Vec<ApplicationRow>,
    pub error: Option<String>,
    pub notice: Option<String>,
}
