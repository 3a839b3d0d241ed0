//! The self-service flows of dvcid — sign-in, registration, recovery, OTP phone changes — as
//! state machines persisted in the store, so that any node can continue any step. Each flow
//! is driven by `Action`s and shown through one `FlowView`, for the HTML pages and the JSON
//! API alike. Refusals ("wrong OTP", "not your phone") are data in the view; only faults are
//! errors.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod account;
mod add_phone;
mod bind_certificate;
mod captcha;
mod certificate_proof;
mod certificates;
mod common;
mod config;
mod context;
mod engine;
mod error;
mod federation;
mod flow;
mod import;
mod login;
mod methods;
mod notices;
mod operators;
mod organisations;
mod otp;
mod password_form;
mod passwords;
mod persist;
mod phone_change;
mod problem;
mod proofing;
mod purpose;
mod recovery;
mod register_certificate;
mod registration;
mod remote_authorization;
mod services;
mod sessions;
mod signing;
mod throttle;
mod vietnam_post;
mod view;

pub use account::{AccountService, CertificateSummary, Overview, VneidLink};
pub use captcha::{CaptchaPrompt, TextAlternative};
pub use certificates::CertificateSignIn;
pub use config::{
    AgencyEntry, Argon2Params, CaptchaConfig, FlowConfig, OrganisationConfig, OtpLimits,
    SessionLimits, SigningLimits, ThrottleLimits,
};
pub use context::Client;
pub use domain::digest::{MacKey, sha256};
pub use domain::random::{OsRandomness, Randomness, SeededRandomness};
pub use engine::{Engine, EngineParts, Outcome, SignInRequest, Started, safe_return_path};
pub use error::FlowError;
pub use import::LegacyAccount;
pub use methods::vneid::{VNEID_CALLBACK, VNEID_OUT};
pub use methods::{Descriptor, MethodKind};
pub use operators::{
    AccountFile, Capability, ConsoleAccess, CredentialLine, Operator, OperatorService,
    PhoneResetRequest, SearchBy, allows, capabilities,
};
pub use organisations::{Invited, Member, Organisation, OrganisationService};
pub use otp::OtpPurpose;
/// The Argon2id pool, shared with the eID provider (`vneid`) for its passwords, passcodes and
/// security answers.
pub use passwords::Passwords;
pub use problem::{Detail, PROBLEM_CODES, Problem};
pub use remote_authorization::{Authorization as RemoteSigningTrip, REMOTE_SIGNING_CALLBACK};
pub use sessions::{IssuedSession, Sessions};
pub use vietnam_post::{
    ACTIVATION_PATH as POST_ACTIVATION_PATH, CounterRecord, LinkPreview, PostCounter,
};
pub use view::{
    Action, ActivateBy, Done, FlowKind, FlowView, RegisterBhxhValues, RegisterPhoneValues,
    RegisterPostValues, Step,
};
