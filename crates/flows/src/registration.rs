//! Đăng ký tài khoản công dân (SPEC R2 by mobile subscriber, R3 by BHXH code, R8).
//!
//! ```text
//! Form ──registries confirm the person──▶ Otp ──code──▶ Password ──▶ Registered
//!   │ refusals: fields, personal ID vs birth date/gender, already registered,
//!   │ population DB mismatch, phone not in the person's name, BHXH mismatch, registry down
//! ```
//! Nothing is written until the last step, which creates the account, its default OTP phone,
//! its password and the audit event in one transaction.

use std::marker::PhantomData;

use async_trait::async_trait;
use connectors::ConnectorError;
use domain::{
    AccountKind, BhxhCode, Email, Gender, PasswordContext, PersonalId, PhoneNumber,
    RegistrationChannel,
};
use serde::{Deserialize, Serialize};
use store::{AccountId, Identity, NewAccount, StoreError};
use time::Date;

use crate::common::{audit_context, check_new_password, otp_refused, otp_step, resend, same_name};
use crate::error::FlowError;
use crate::flow::{Acted, Ctx, Flow, Start};
use crate::otp::{OtpCheck, OtpPurpose, SentOtp};
use crate::problem::Problem;
use crate::services::Services;
use crate::throttle::ThrottleAction;
use crate::view::{Action, Done, FlowKind, RegisterBhxhValues, RegisterPhoneValues, Step};

/// The person as the registries confirmed them; what the account will be created from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct VerifiedPerson {
    pub personal_id: PersonalId,
    pub full_name: String,
    pub birth_date: Date,
    pub gender: Gender,
    pub phone: PhoneNumber,
    pub email: Option<Email>,
}

/// What differs between the channels: the form and how the person is confirmed.
#[async_trait]
pub(crate) trait Channel: Send + Sync + 'static {
    type Values: Serialize + for<'de> Deserialize<'de> + Default + Clone + Send + Sync;
    const KIND: FlowKind;
    const CHANNEL: RegistrationChannel;

    fn form(values: &Self::Values) -> Step;
    fn submitted(action: Action) -> Option<Self::Values>;
    async fn confirm(
        ctx: &Ctx<'_>,
        values: &Self::Values,
    ) -> Result<Result<VerifiedPerson, Vec<Problem>>, FlowError>;
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "at", rename_all = "snake_case", bound = "")]
pub(crate) enum Registration<C: Channel> {
    Form {
        values: C::Values,
    },
    Otp {
        person: VerifiedPerson,
        sent: SentOtp,
    },
    Password {
        person: VerifiedPerson,
    },
    Registered {
        account: AccountId,
        #[serde(skip)]
        channel: PhantomData<C>,
    },
}

pub(crate) type RegisterPhone = Registration<ByPhone>;
pub(crate) type RegisterBhxh = Registration<ByBhxh>;

#[async_trait]
impl<C: Channel> Flow for Registration<C> {
    const KIND: FlowKind = C::KIND;

    fn start(_start: &Start, _services: &Services) -> Option<Self> {
        Some(Self::Form {
            values: C::Values::default(),
        })
    }

    fn step(&self, services: &Services) -> Step {
        match self {
            Self::Form { values } => C::form(values),
            Self::Otp { sent, .. } => otp_step(services, sent, Vec::new(), false),
            Self::Password { person } => Step::Password {
                min_length: services.password_policy.min_length_with_second_factor,
                holder: format!("{}, {}", person.full_name, person.personal_id),
            },
            Self::Registered { .. } => Step::Done {
                result: Done::Registered,
            },
        }
    }

    async fn act(&mut self, ctx: &mut Ctx<'_>, action: Action) -> Result<Acted, FlowError> {
        match (&mut *self, action) {
            (
                Self::Form { values },
                action @ (Action::RegisterPhone(_) | Action::RegisterBhxh(_)),
            ) => {
                let Some(submitted) = C::submitted(action) else {
                    return Ok(Acted::problem(Problem::form("action.unexpected")));
                };
                *values = submitted.clone();
                let person = match C::confirm(ctx, &submitted).await? {
                    Ok(person) => person,
                    Err(problems) => return Ok(Acted::problems(problems)),
                };
                match ctx
                    .services
                    .otps
                    .send(
                        ctx.flow,
                        OtpPurpose::Registration,
                        &person.phone,
                        ctx.client,
                    )
                    .await?
                {
                    Ok(sent) => {
                        *self = Self::Otp { person, sent };
                        Ok(Acted::default())
                    }
                    Err(problem) => Ok(Acted::problem(problem)),
                }
            }
            (Self::Otp { person, sent }, Action::Otp { code }) => {
                match ctx
                    .services
                    .otps
                    .check(ctx.flow, OtpPurpose::Registration, sent, &code)
                    .await?
                {
                    OtpCheck::Accepted => {
                        // Said only now, to someone who proved control of the person's phone:
                        // before, the form would tell anyone which IDs have an account.
                        if let Some(problem) =
                            already_registered(ctx.services, &person.personal_id).await?
                        {
                            let used = sent.used();
                            *self = Self::Form {
                                values: C::Values::default(),
                            };
                            return Ok(Acted::problem(problem).write(used));
                        }
                        let used = sent.used();
                        *self = Self::Password {
                            person: person.clone(),
                        };
                        Ok(Acted::default().write(used))
                    }
                    other => Ok(Acted::problem(otp_refused(ctx, other, None).await?)),
                }
            }
            (Self::Otp { sent, .. }, Action::Resend) => {
                resend(ctx, OtpPurpose::Registration, sent).await
            }
            (Self::Password { person }, Action::SetPassword { password, confirm }) => {
                let person = person.clone();
                match create_account(ctx, &person, C::CHANNEL, &password, &confirm).await? {
                    Ok(account) => {
                        *self = Self::Registered {
                            account,
                            channel: PhantomData,
                        };
                        Ok(Acted::default())
                    }
                    Err(problem) => Ok(Acted::problem(problem)),
                }
            }
            (_, _) => Ok(Acted::problem(Problem::form("action.unexpected"))),
        }
    }
}

/// Checks the chosen password (typed twice, policy with the second factor that follows, not
/// built from the person's own data) and creates everything at once.
async fn create_account(
    ctx: &Ctx<'_>,
    person: &VerifiedPerson,
    channel: RegistrationChannel,
    password: &str,
    confirm: &str,
) -> Result<Result<AccountId, Problem>, FlowError> {
    let services = ctx.services;
    let phc = match hash_new_password(services, person, password, confirm).await? {
        Ok(phc) => phc,
        Err(problem) => return Ok(Err(problem)),
    };
    let new = new_citizen(person, channel, phc, ctx.client);
    match services
        .store
        .create_account(&new, services.clock.now())
        .await
    {
        Ok(account) => Ok(Ok(account.id)),
        Err(StoreError::Duplicate { .. }) => Ok(Err(Problem::form("account.exists"))),
        Err(error) => Err(error.into()),
    }
}

/// The chosen password's hash, once the two typings agree and the policy (with the second
/// factor that follows, not built from the person's own data) accepts it.
pub(crate) async fn hash_new_password(
    services: &Services,
    person: &VerifiedPerson,
    password: &str,
    confirm: &str,
) -> Result<Result<String, Problem>, FlowError> {
    if let Err(problem) = check_new_password(services, password, confirm, person_context(person)) {
        return Ok(Err(problem));
    }
    Ok(Ok(services.passwords.hash(password).await?))
}

/// The citizen account a registration creates for the confirmed person.
pub(crate) fn new_citizen(
    person: &VerifiedPerson,
    channel: RegistrationChannel,
    password_phc: String,
    client: &crate::context::Client,
) -> NewAccount {
    NewAccount {
        kind: AccountKind::Citizen,
        identity: person.identity(),
        email: person.email.clone(),
        registration_channel: channel,
        default_phone: Some(person.phone.clone()),
        password_phc: Some(password_phc),
        audit: audit_context(client),
    }
}

impl VerifiedPerson {
    pub(crate) fn identity(&self) -> Identity {
        Identity {
            personal_id: Some(self.personal_id.clone()),
            legacy_cmnd: None,
            tax_code: None,
            full_name: self.full_name.clone(),
            birth_date: Some(self.birth_date),
            gender: Some(self.gender),
        }
    }
}

fn person_context(person: &VerifiedPerson) -> PasswordContext {
    PasswordContext {
        personal_id: Some(person.personal_id.to_string()),
        phones: vec![person.phone.national()],
        birth_date: Some(person.birth_date),
        names: vec![person.full_name.clone()],
    }
}

/// Registration by mobile subscriber (R2).
pub(crate) struct ByPhone;

#[async_trait]
impl Channel for ByPhone {
    type Values = RegisterPhoneValues;
    const KIND: FlowKind = FlowKind::RegisterPhone;
    const CHANNEL: RegistrationChannel = RegistrationChannel::MobileSubscriber;

    fn form(values: &Self::Values) -> Step {
        Step::RegisterPhone {
            values: values.clone(),
        }
    }

    fn submitted(action: Action) -> Option<Self::Values> {
        match action {
            Action::RegisterPhone(values) => Some(values),
            _ => None,
        }
    }

    async fn confirm(
        ctx: &Ctx<'_>,
        values: &Self::Values,
    ) -> Result<Result<VerifiedPerson, Vec<Problem>>, FlowError> {
        let person = match read_person(values) {
            Ok(person) => person,
            Err(problems) => return Ok(Err(problems)),
        };
        let probe = RegistryProbe::of(&person);
        if let Some(problem) = probe.refused(ctx).await? {
            return Ok(Err(vec![problem]));
        }
        if let Some(problem) = match_population(ctx, &probe, &person).await? {
            return Ok(Err(vec![problem]));
        }
        match ctx
            .services
            .connectors
            .subscribers
            .subscriber(&person.phone)
            .await
        {
            Ok(owner) if owner.personal_id == person.personal_id => {}
            Ok(_) | Err(ConnectorError::NotFound) => {
                probe.mismatched(ctx, &ConnectorError::NotFound).await?;
                return Ok(Err(vec![Problem::field("phone", "phone.not_owner")]));
            }
            Err(error) => return Ok(Err(vec![registry_refusal(error, Registry::Subscribers)])),
        }
        Ok(Ok(person))
    }
}

/// The person's form (name, personal ID, birth date, gender, phone, optional e-mail) read
/// field by field, every wrong field named; then the personal ID's own rules: it encodes the
/// birth year and gender, which must agree with the typed ones.
pub(crate) fn read_person(values: &RegisterPhoneValues) -> Result<VerifiedPerson, Vec<Problem>> {
    let mut problems = Vec::new();
    let full_name = required_name(&values.full_name, &mut problems);
    let personal_id = parsed(
        "personal_id",
        PersonalId::parse(&values.personal_id),
        &mut problems,
    );
    let birth_date = birth_date(&values.birth_date, &mut problems);
    let gender = match values.gender.trim().parse::<Gender>() {
        Ok(gender) => Some(gender),
        Err(_) => {
            problems.push(Problem::field("gender", "field.required"));
            None
        }
    };
    let phone = parsed("phone", PhoneNumber::parse(&values.phone), &mut problems);
    let email = match values.email.trim() {
        "" => None,
        text => parsed("email", Email::parse(text), &mut problems),
    };
    let (Some(full_name), Some(personal_id), Some(birth_date), Some(gender), Some(phone)) =
        (full_name, personal_id, birth_date, gender, phone)
    else {
        return Err(problems);
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    if let Err(invalid) = personal_id.check_consistent(birth_date, gender) {
        return Err(vec![contradicted_by_id(&invalid)]);
    }
    Ok(VerifiedPerson {
        personal_id,
        full_name,
        birth_date,
        gender,
        phone,
        email,
    })
}

/// The population database must hold the person with this ID, name and birth date; a
/// mismatch is counted against the probe.
pub(crate) async fn match_population(
    ctx: &Ctx<'_>,
    probe: &RegistryProbe<'_>,
    person: &VerifiedPerson,
) -> Result<Option<Problem>, FlowError> {
    let population = &ctx.services.connectors.population;
    match population
        .match_identity(&person.personal_id, &person.full_name, person.birth_date)
        .await
    {
        Ok(()) => Ok(None),
        Err(error) => {
            probe.mismatched(ctx, &error).await?;
            Ok(Some(registry_refusal(error, Registry::Population)))
        }
    }
}

/// Registration by social insurance code (R3): the OTP goes to the phone BHXH has.
pub(crate) struct ByBhxh;

#[async_trait]
impl Channel for ByBhxh {
    type Values = RegisterBhxhValues;
    const KIND: FlowKind = FlowKind::RegisterBhxh;
    const CHANNEL: RegistrationChannel = RegistrationChannel::Bhxh;

    fn form(values: &Self::Values) -> Step {
        Step::RegisterBhxh {
            values: values.clone(),
        }
    }

    fn submitted(action: Action) -> Option<Self::Values> {
        match action {
            Action::RegisterBhxh(values) => Some(values),
            _ => None,
        }
    }

    async fn confirm(
        ctx: &Ctx<'_>,
        values: &Self::Values,
    ) -> Result<Result<VerifiedPerson, Vec<Problem>>, FlowError> {
        let mut problems = Vec::new();
        let code = parsed(
            "bhxh_code",
            BhxhCode::parse(&values.bhxh_code),
            &mut problems,
        );
        let full_name = required_name(&values.full_name, &mut problems);
        let birth_date = birth_date(&values.birth_date, &mut problems);
        let (Some(code), Some(full_name), Some(birth_date)) = (code, full_name, birth_date) else {
            return Ok(Err(problems));
        };
        let probe = RegistryProbe {
            personal_id: code.as_str(),
            phone: None,
        };
        if let Some(problem) = probe.refused(ctx).await? {
            return Ok(Err(vec![problem]));
        }
        let insured = match ctx.services.connectors.bhxh.insured(&code).await {
            Ok(insured) => insured,
            Err(error) => {
                probe.mismatched(ctx, &error).await?;
                return Ok(Err(vec![registry_refusal(error, Registry::Bhxh)]));
            }
        };
        if !same_name(&insured.full_name, &full_name) || insured.birth_date != birth_date {
            probe.mismatched(ctx, &ConnectorError::NotFound).await?;
            return Ok(Err(vec![Problem::form("bhxh.mismatch")]));
        }
        let Some(phone) = insured.phone else {
            return Ok(Err(vec![Problem::form("bhxh.no_phone")]));
        };
        Ok(Ok(VerifiedPerson {
            personal_id: insured.personal_id,
            full_name: insured.full_name,
            birth_date: insured.birth_date,
            gender: insured.gender,
            phone,
            email: None,
        }))
    }
}

/// Registration must not be an oracle into the national registries: identities that did not
/// match are counted per day by ID, by phone and by address, and past a few the registries are
/// not asked again for them.
pub(crate) struct RegistryProbe<'a> {
    personal_id: &'a str,
    phone: Option<&'a str>,
}

impl<'a> RegistryProbe<'a> {
    /// The probe of a person's form: their ID and phone.
    pub(crate) fn of(person: &'a VerifiedPerson) -> Self {
        Self {
            personal_id: person.personal_id.as_str(),
            phone: Some(person.phone.e164()),
        }
    }
}

/// Mismatches a day per personal ID (or BHXH code) and per phone; per address, more, since
/// a carrier's NAT serves many people.
const MISMATCHES_PER_IDENTITY: i64 = 5;
const MISMATCHES_PER_ADDRESS: i64 = 20;

impl RegistryProbe<'_> {
    fn keys(&self, client: &crate::context::Client) -> Vec<(String, i64)> {
        let mut keys = vec![(
            format!("registration:mismatch:id:{}", self.personal_id),
            MISMATCHES_PER_IDENTITY,
        )];
        if let Some(phone) = self.phone {
            keys.push((
                format!("registration:mismatch:phone:{phone}"),
                MISMATCHES_PER_IDENTITY,
            ));
        }
        if let Some(address) = &client.address {
            keys.push((
                format!("registration:mismatch:address:{address}"),
                MISMATCHES_PER_ADDRESS,
            ));
        }
        keys
    }

    pub(crate) async fn refused(&self, ctx: &Ctx<'_>) -> Result<Option<Problem>, FlowError> {
        let services = ctx.services;
        let now = services.clock.now();
        for (key, cap) in self.keys(ctx.client) {
            if services.throttle.daily_count(&key, now).await? >= cap {
                crate::common::security_refusal(
                    services,
                    None,
                    ctx.client,
                    ThrottleAction::Registration,
                    "registration.throttled",
                )
                .await?;
                return Ok(Some(Problem::form("registration.throttled")));
            }
        }
        Ok(None)
    }

    /// Counts a registry's "no such person" or "does not match"; outages are not counted.
    pub(crate) async fn mismatched(
        &self,
        ctx: &Ctx<'_>,
        error: &ConnectorError,
    ) -> Result<(), FlowError> {
        if !matches!(
            error,
            ConnectorError::NotFound | ConnectorError::Mismatch { .. }
        ) {
            return Ok(());
        }
        let services = ctx.services;
        let now = services.clock.now();
        for (key, _) in self.keys(ctx.client) {
            services.throttle.count_daily(&key, now).await?;
        }
        Ok(())
    }
}

pub(crate) async fn already_registered(
    services: &Services,
    id: &PersonalId,
) -> Result<Option<Problem>, FlowError> {
    Ok(services
        .store
        .account_by_personal_id(id)
        .await?
        .map(|_| Problem::form("account.exists")))
}

/// The registries a registration asks, each named in its own refusals: the person is told
/// which record disagrees and which system is not answering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Registry {
    /// CSDL quốc gia về dân cư.
    Population,
    /// CSDL thuê bao di động.
    Subscribers,
    /// Bảo hiểm xã hội.
    Bhxh,
}

/// A registry's answer as the person sees it; outages are logged for operators and worded as
/// the system's problem, not the person's.
pub(crate) fn registry_refusal(error: ConnectorError, registry: Registry) -> Problem {
    match (error, registry) {
        (ConnectorError::NotFound, Registry::Bhxh) => Problem::field("bhxh_code", "bhxh.not_found"),
        (ConnectorError::NotFound, _) => Problem::field("personal_id", "identity.not_found"),
        (ConnectorError::Mismatch { .. }, Registry::Bhxh) => Problem::form("bhxh.mismatch"),
        (ConnectorError::Mismatch { .. }, _) => Problem::form("identity.mismatch"),
        (other, _) => {
            tracing::warn!(error = %other, ?registry, "registry unavailable during registration");
            match registry {
                Registry::Population => Problem::form("population.unavailable"),
                Registry::Subscribers => Problem::form("subscribers.unavailable"),
                Registry::Bhxh => Problem::form("bhxh.unavailable"),
            }
        }
    }
}

/// The personal ID number encodes the birth year and gender; when the typed ones disagree, the
/// refusal goes on the field the person most likely mistyped, saying what the number holds.
pub(crate) fn contradicted_by_id(invalid: &domain::Invalid) -> Problem {
    match invalid {
        domain::Invalid::GenderMismatch { .. } => {
            Problem::field("gender", "personal_id.gender_mismatch").explained(invalid)
        }
        domain::Invalid::BirthYearMismatch { .. } => {
            Problem::field("birth_date", "personal_id.birth_year_mismatch").explained(invalid)
        }
        other => Problem::invalid("personal_id", other),
    }
}

pub(crate) fn parsed<T>(
    field: &'static str,
    result: Result<T, domain::Invalid>,
    problems: &mut Vec<Problem>,
) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(invalid) => {
            problems.push(Problem::invalid(field, &invalid));
            None
        }
    }
}

pub(crate) fn required_name(text: &str, problems: &mut Vec<Problem>) -> Option<String> {
    let name = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        problems.push(Problem::field("full_name", "field.required"));
        None
    } else if name.chars().count() > 100
        || name.chars().any(|c| c.is_control() || c.is_ascii_digit())
    {
        problems.push(Problem::field("full_name", "full_name.invalid"));
        None
    } else {
        Some(name)
    }
}

/// `YYYY-MM-DD` (the date input) or `DD/MM/YYYY` (how Vietnamese forms write it, with or
/// without leading zeros: `21/1/1992`, and `.` or `-` between the parts).
pub(crate) fn birth_date(text: &str, problems: &mut Vec<Problem>) -> Option<Date> {
    let text = text.trim();
    if text.is_empty() {
        problems.push(Problem::field("birth_date", "field.required"));
        return None;
    }
    match parse_date(text) {
        Some(date) if date.year() >= 1900 => Some(date),
        _ => {
            problems.push(Problem::field("birth_date", "birth_date.invalid"));
            None
        }
    }
}

/// A calendar date written year first (`1992-01-21`) or day first (`21/1/1992`); the year has
/// four digits, the day and month one or two.
fn parse_date(text: &str) -> Option<Date> {
    let mut parts = text.split(['/', '-', '.']).map(str::trim);
    let (first, second, third) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let (year, month, day) = if first.len() == 4 {
        (first, second, third)
    } else {
        (third, second, first)
    };
    let number = |digits: &str, widths: std::ops::RangeInclusive<usize>| {
        (widths.contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| digits.parse::<u16>().ok())
            .flatten()
    };
    let year = i32::from(number(year, 4..=4)?);
    let month = time::Month::try_from(u8::try_from(number(month, 1..=2)?).ok()?).ok()?;
    let day = u8::try_from(number(day, 1..=2)?).ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::parse_date;

    #[test]
    fn birth_dates_are_read_as_people_write_them() {
        for text in [
            "21/1/1992",
            "21/01/1992",
            "1992-01-21",
            "1992-1-21",
            " 21 / 1 / 1992 ",
            "21.01.1992",
            "21-1-1992",
        ] {
            assert_eq!(parse_date(text), Some(date!(1992 - 01 - 21)), "{text:?}");
        }
        assert_eq!(parse_date("1/2/2003"), Some(date!(2003 - 02 - 01)));
        assert_eq!(parse_date("29/2/2000"), Some(date!(2000 - 02 - 29)));
    }

    #[test]
    fn impossible_or_ambiguous_dates_are_refused() {
        for text in [
            "",
            "21/13/1992",
            "32/1/1992",
            "29/2/2001",
            "21/1/92",
            "1992/21/1",
            "21/1",
            "21/1/1992/1",
            "21/+1/1992",
            "021/1/1992",
            "21 1 1992",
            "ngày 21/1/1992",
        ] {
            assert_eq!(parse_date(text), None, "{text:?}");
        }
    }
}
