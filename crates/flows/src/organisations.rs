//! Business and agency accounts with members acting for them (SPEC A1), on Singapore's
//! Corppass model: a person signs in as themself, then acts for an organisation in a role.
//!
//! - An administrator invites by personal ID and role. The invitation is a single-use link
//!   bound to that personal ID (only its digest is stored); the invitee accepts it signed in as
//!   themself. The inviter sees the same answer whether or not the ID has an account.
//! - The first administrator of a business is its legal representative, as the national
//!   business registry names them: signed in as themself, they claim the business account
//!   while it has no administrator (also a business registered with its organisation
//!   certificate, whose account is the organisation's own). An agency's first administrator is
//!   named by the operator who creates it.
//! - A session acts for one organisation or for the person; relying services learn it at each
//!   token, checked against the membership then (`oidc`).

use domain::digest::{decode_token, encode_token, sha256};
use domain::{AccountKind, PersonalId, PhoneNumber, RegistrationChannel, TaxCode};
use store::{
    Account, AccountId, AuditContext, Identity, Invitation, Membership, NewAccount, NewInvitation,
    OrgRole, Session, StoreError, UniqueField,
};
use time::Duration;
use uuid::Uuid;

use crate::common::audit_context;
use crate::context::Client;
use crate::error::FlowError;
use crate::notices;
use crate::problem::Problem;
use crate::services::Services;
use crate::throttle::ThrottleKey;
use connectors::ConnectorError;

pub struct OrganisationService<'a> {
    pub(crate) services: &'a Services,
}

/// An organisation a person is a member of, in their role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    pub account: Account,
    /// The state agency's identifier code; a business is known by its tax code.
    pub agency_code: Option<String>,
    pub role: OrgRole,
}

impl Organisation {
    pub fn id(&self) -> AccountId {
        self.account.id
    }

    pub fn name(&self) -> &str {
        &self.account.identity.full_name
    }

    /// The tax code or the agency code: what the organisation is known by.
    pub fn code(&self) -> &str {
        match (&self.agency_code, &self.account.identity.tax_code) {
            (Some(code), _) => code,
            (None, Some(tax_code)) => tax_code.as_str(),
            (None, None) => "",
        }
    }
}

/// A member as the organisation's administrators see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub membership: Membership,
    pub name: String,
    pub personal_id: Option<PersonalId>,
}

/// An invitation just sent: the link's token, for the inviter to pass on as well.
#[derive(Debug, Clone)]
pub struct Invited {
    pub invitation: Invitation,
    pub token: String,
}

type Answer<T> = Result<Result<T, Problem>, FlowError>;

impl OrganisationService<'_> {
    /// The organisations the person acts for, oldest membership first.
    pub async fn of_member(&self, person: AccountId) -> Result<Vec<Organisation>, FlowError> {
        let store = &self.services.store;
        let mut organisations = Vec::new();
        for membership in store.memberships_of(person).await? {
            if let Some(organisation) = self.organisation(&membership).await? {
                organisations.push(organisation);
            }
        }
        Ok(organisations)
    }

    /// One organisation of the person; `organisation.not_member` for any other, so that
    /// nobody learns which accounts exist.
    pub async fn of(&self, person: AccountId, organisation: AccountId) -> Answer<Organisation> {
        let membership = self.services.store.membership(organisation, person).await?;
        match membership {
            Some(membership) => Ok(self.organisation(&membership).await?.ok_or_else(not_member)),
            None => Ok(Err(not_member())),
        }
    }

    async fn organisation(
        &self,
        membership: &Membership,
    ) -> Result<Option<Organisation>, FlowError> {
        let store = &self.services.store;
        let Some(account) = store.account(membership.organisation_id).await? else {
            return Ok(None);
        };
        let agency_code = store.agency_code(account.id).await?;
        Ok(Some(Organisation {
            account,
            agency_code,
            role: membership.role,
        }))
    }

    /// The organisation's members and open invitations, for any of its members to read.
    pub async fn members(
        &self,
        person: AccountId,
        organisation: AccountId,
    ) -> Answer<(Vec<Member>, Vec<Invitation>)> {
        if let Err(problem) = self.of(person, organisation).await? {
            return Ok(Err(problem));
        }
        let store = &self.services.store;
        let mut members = Vec::new();
        for membership in store.members(organisation).await? {
            let account = store.account(membership.member_id).await?;
            members.push(Member {
                name: account
                    .as_ref()
                    .map(|a| a.identity.full_name.clone())
                    .unwrap_or_default(),
                personal_id: account.and_then(|a| a.identity.personal_id),
                membership,
            });
        }
        let invitations = store
            .open_invitations(organisation, self.services.clock.now())
            .await?;
        Ok(Ok((members, invitations)))
    }

    /// Invites the holder of `personal_id` to act for the organisation in `role`. Their
    /// default OTP phone, if they have an account, receives the link (`accept_base` followed
    /// by the token); the inviter learns nothing about whether they do.
    pub async fn invite(
        &self,
        administrator: AccountId,
        organisation: AccountId,
        personal_id: &str,
        role: &str,
        accept_base: &str,
        client: &Client,
    ) -> Answer<Invited> {
        let services = self.services;
        let org = match self.administered(administrator, organisation).await? {
            Ok(org) => org,
            Err(problem) => return Ok(Err(problem)),
        };
        let personal_id = match PersonalId::parse(personal_id) {
            Ok(id) => id,
            Err(invalid) => return Ok(Err(Problem::invalid("personal_id", &invalid))),
        };
        let Some(role) = OrgRole::parse(role) else {
            return Ok(Err(Problem::field("role", "organisation.role_unknown")));
        };
        let now = services.clock.now();
        let limits = &services.config.organisations;
        let key = organisation.to_string();
        if !services
            .throttle
            .within_daily_cap(
                &ThrottleKey::Invitations(&key),
                limits.max_invitations_per_day,
                now,
            )
            .await?
        {
            return Ok(Err(Problem::form("invitation.daily_limit")));
        }
        let token = services.random.token();
        let invitation = NewInvitation {
            id: Uuid::now_v7(),
            token_hash: sha256(&token),
            organisation_id: organisation,
            personal_id,
            role,
            invited_by: administrator,
            expires_at: now + Duration::seconds(limits.invitation_lifetime_secs),
        };
        let invitation = services
            .store
            .create_invitation(&invitation, &audit_context(client), now)
            .await?;
        let token = encode_token(&token);
        if let Some(phone) = self.default_phone_of(&invitation.personal_id).await? {
            let link = format!("{accept_base}{token}");
            let text = notices::invited(org.code(), role, &link, invitation.expires_at);
            self.tell(&phone, text, now).await?;
        }
        Ok(Ok(Invited { invitation, token }))
    }

    /// The open invitation of this link, for the person it was sent to only.
    pub async fn invitation(&self, person: &Account, token: &str) -> Answer<(Invitation, Account)> {
        let store = &self.services.store;
        let Some(hash) = decode_token(token).map(|token| sha256(&token)) else {
            return Ok(Err(invalid_invitation()));
        };
        let open = store
            .invitation_by_token(&hash, self.services.clock.now())
            .await?;
        let Some(invitation) =
            open.filter(|i| Some(&i.personal_id) == person.identity.personal_id.as_ref())
        else {
            return Ok(Err(invalid_invitation()));
        };
        match store.account(invitation.organisation_id).await? {
            Some(organisation) => Ok(Ok((invitation, organisation))),
            None => Ok(Err(invalid_invitation())),
        }
    }

    /// Accepts the invitation of this link as the signed-in person: spent, expired, withdrawn
    /// or someone else's links are refused alike (`invitation.invalid`).
    pub async fn accept(
        &self,
        person: &Account,
        token: &str,
        client: &Client,
    ) -> Answer<Membership> {
        let services = self.services;
        let (Some(personal_id), AccountKind::Citizen) = (&person.identity.personal_id, person.kind)
        else {
            return Ok(Err(invalid_invitation()));
        };
        let Some(hash) = decode_token(token).map(|token| sha256(&token)) else {
            return Ok(Err(invalid_invitation()));
        };
        let now = services.clock.now();
        let accepted = services
            .store
            .accept_invitation(&hash, personal_id, person.id, &audit_context(client), now)
            .await;
        match accepted {
            Ok(Some(membership)) => {
                self.tell_member(person.id, membership.organisation_id, |code| {
                    notices::member_added(code, membership.role)
                })
                .await?;
                Ok(Ok(membership))
            }
            Ok(None) => Ok(Err(invalid_invitation())),
            Err(StoreError::Duplicate { .. }) => {
                Ok(Err(Problem::form("organisation.already_member")))
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Withdraws an open invitation.
    pub async fn withdraw(
        &self,
        administrator: AccountId,
        organisation: AccountId,
        invitation: Uuid,
        client: &Client,
    ) -> Answer<()> {
        if let Err(problem) = self.administered(administrator, organisation).await? {
            return Ok(Err(problem));
        }
        let services = self.services;
        let withdrawn = services
            .store
            .withdraw_invitation(
                organisation,
                invitation,
                &audit_context(client),
                services.clock.now(),
            )
            .await?;
        Ok(if withdrawn {
            Ok(())
        } else {
            Err(invalid_invitation())
        })
    }

    /// Gives a member another role; never takes away the last administrator.
    pub async fn change_role(
        &self,
        administrator: AccountId,
        organisation: AccountId,
        member: AccountId,
        role: &str,
        client: &Client,
    ) -> Answer<()> {
        if let Err(problem) = self.administered(administrator, organisation).await? {
            return Ok(Err(problem));
        }
        let Some(role) = OrgRole::parse(role) else {
            return Ok(Err(Problem::field("role", "organisation.role_unknown")));
        };
        let services = self.services;
        let changed = services
            .store
            .change_member_role(
                organisation,
                member,
                role,
                &audit_context(client),
                services.clock.now(),
            )
            .await;
        if changed.is_ok() {
            self.tell_member(member, organisation, |code| {
                notices::member_role_changed(code, role)
            })
            .await?;
        }
        member_refusal(changed)
    }

    /// Removes a member (an administrator may remove themself, unless the last one). Their
    /// sessions stop acting for the organisation at once.
    pub async fn remove(
        &self,
        administrator: AccountId,
        organisation: AccountId,
        member: AccountId,
        client: &Client,
    ) -> Answer<()> {
        let org = match self.administered(administrator, organisation).await? {
            Ok(org) => org,
            Err(problem) => return Ok(Err(problem)),
        };
        let services = self.services;
        let now = services.clock.now();
        let removed = services
            .store
            .remove_member(organisation, member, &audit_context(client), now)
            .await;
        if removed.is_ok()
            && let Some(phone) = self.default_phone(member).await?
        {
            self.tell(&phone, notices::member_removed(org.code()), now)
                .await?;
        }
        member_refusal(removed)
    }

    /// The legal representative, as the national business registry names them, becomes the
    /// first administrator of the business account with this tax code, while it has none.
    pub async fn claim_as_representative(
        &self,
        person: &Account,
        tax_code: &str,
        client: &Client,
    ) -> Answer<()> {
        let services = self.services;
        let tax_code = match TaxCode::parse(tax_code) {
            Ok(code) => code,
            Err(invalid) => return Ok(Err(Problem::invalid("tax_code", &invalid))),
        };
        let Some(personal_id) = &person.identity.personal_id else {
            return Ok(Err(Problem::form("organisation.not_representative")));
        };
        let Some(registry) = &services.connectors.business_registry else {
            return Ok(Err(Problem::form("business_registry.unavailable")));
        };
        let business = match registry.business(&tax_code).await {
            Ok(business) => business,
            Err(ConnectorError::NotFound) => {
                return Ok(Err(Problem::field("tax_code", "business.not_found")));
            }
            Err(error) => {
                tracing::warn!(%error, "business registry unavailable for a claim");
                return Ok(Err(Problem::form("business_registry.unavailable")));
            }
        };
        // The same answer for a business without a portal account: the person is its
        // representative and learns nothing they could not read in the registry.
        if &business.representative != personal_id || !business.active {
            return Ok(Err(Problem::form("organisation.not_representative")));
        }
        let Some(account) = services.store.account_by_tax_code(&tax_code).await? else {
            return Ok(Err(Problem::field("tax_code", "organisation.no_account")));
        };
        let added = services
            .store
            .add_first_administrator(
                account.id,
                person.id,
                &audit_context(client),
                services.clock.now(),
            )
            .await?;
        if !added {
            return Ok(Err(Problem::form("organisation.has_administrator")));
        }
        self.tell_member(person.id, account.id, |code| {
            notices::member_added(code, OrgRole::Administrator)
        })
        .await?;
        Ok(Ok(()))
    }

    /// Creates the account of a state agency from the configured list, with the citizen
    /// account holding `administrator` as its first administrator. Only an operator allowed
    /// to manage agencies does it, through [`crate::OperatorService::create_agency`].
    pub(crate) async fn create_agency(
        &self,
        code: &str,
        administrator: &str,
        audit: AuditContext,
    ) -> Answer<Account> {
        let services = self.services;
        let agencies = &services.config.organisations.agencies;
        let Some(agency) = agencies.iter().find(|agency| agency.code == code.trim()) else {
            return Ok(Err(Problem::field("code", "agency.unknown_code")));
        };
        let personal_id = match PersonalId::parse(administrator) {
            Ok(id) => id,
            Err(invalid) => return Ok(Err(Problem::invalid("personal_id", &invalid))),
        };
        let store = &services.store;
        let admin = store.account_by_personal_id(&personal_id).await?;
        let Some(admin) = admin.filter(|a| a.kind == AccountKind::Citizen) else {
            return Ok(Err(Problem::field("personal_id", "agency.no_such_person")));
        };
        let account = NewAccount {
            kind: AccountKind::Agency,
            identity: Identity {
                personal_id: None,
                legacy_cmnd: None,
                tax_code: None,
                full_name: agency.name.clone(),
                birth_date: None,
                gender: None,
            },
            email: None,
            registration_channel: RegistrationChannel::Operator,
            default_phone: None,
            password_phc: None,
            audit,
        };
        let created = store
            .create_agency(&account, &agency.code, admin.id, services.clock.now())
            .await;
        match created {
            Ok(account) => {
                self.tell_member(admin.id, account.id, |code| {
                    notices::member_added(code, OrgRole::Administrator)
                })
                .await?;
                Ok(Ok(account))
            }
            Err(StoreError::Duplicate {
                field: UniqueField::AgencyCode,
            }) => Ok(Err(Problem::field("code", "agency.exists"))),
            Err(error) => Err(error.into()),
        }
    }

    /// Whether the session's person still has to choose whom they act for: a citizen with
    /// memberships who has not answered the chooser in this session.
    pub async fn needs_choice(
        &self,
        session: &Session,
        account: &Account,
    ) -> Result<bool, FlowError> {
        if account.kind != AccountKind::Citizen {
            return Ok(false);
        }
        let store = &self.services.store;
        let acting = store
            .acting_for(session.id, self.services.clock.now())
            .await?
            .unwrap_or_default();
        Ok(!acting.chosen && !store.memberships_of(account.id).await?.is_empty())
    }

    /// Whom the session acts for now: the organisation, while still a member.
    pub async fn acting_for(&self, session: &Session) -> Result<Option<Organisation>, FlowError> {
        let store = &self.services.store;
        let acting = store
            .acting_for(session.id, self.services.clock.now())
            .await?;
        let Some(organisation) = acting.and_then(|acting| acting.organisation_id) else {
            return Ok(None);
        };
        Ok(self.of(session.account_id, organisation).await?.ok())
    }

    /// Records the choice for the session: `None` as the person themself.
    pub async fn choose(&self, session: &Session, organisation: Option<AccountId>) -> Answer<()> {
        let chosen = self
            .services
            .store
            .choose_acting_for(session.id, organisation, self.services.clock.now())
            .await?;
        Ok(if chosen { Ok(()) } else { Err(not_member()) })
    }

    /// The organisation, if `person` administers it.
    async fn administered(
        &self,
        person: AccountId,
        organisation: AccountId,
    ) -> Answer<Organisation> {
        Ok(match self.of(person, organisation).await? {
            Ok(org) if org.role == OrgRole::Administrator => Ok(org),
            Ok(_) => Err(Problem::form("organisation.not_administrator")),
            Err(problem) => Err(problem),
        })
    }

    async fn default_phone(&self, account: AccountId) -> Result<Option<PhoneNumber>, FlowError> {
        Ok(self
            .services
            .store
            .phones(account)
            .await?
            .into_iter()
            .find(|phone| phone.is_default)
            .map(|phone| phone.phone))
    }

    async fn default_phone_of(
        &self,
        person: &PersonalId,
    ) -> Result<Option<PhoneNumber>, FlowError> {
        match self.services.store.account_by_personal_id(person).await? {
            Some(account) => self.default_phone(account.id).await,
            None => Ok(None),
        }
    }

    /// Tells the member about a change of their membership by SMS.
    async fn tell_member(
        &self,
        member: AccountId,
        organisation: AccountId,
        text: impl FnOnce(&str) -> String,
    ) -> Result<(), FlowError> {
        let store = &self.services.store;
        let Some(phone) = self.default_phone(member).await? else {
            return Ok(());
        };
        let Some(account) = store.account(organisation).await? else {
            return Ok(());
        };
        let code = match store.agency_code(organisation).await? {
            Some(code) => code,
            None => account
                .identity
                .tax_code
                .map(|code| code.as_str().to_owned())
                .unwrap_or_default(),
        };
        self.tell(&phone, text(&code), self.services.clock.now())
            .await
    }

    /// An SMS within the phone's daily cap of texts anyone can cause; a failed send is logged,
    /// not fatal: the change is made and audited.
    async fn tell(
        &self,
        phone: &PhoneNumber,
        text: String,
        now: time::OffsetDateTime,
    ) -> Result<(), FlowError> {
        let services = self.services;
        let cap = services.config.otp.max_anonymous_sms_per_phone_per_day;
        let key = ThrottleKey::SmsForAnyone(phone.e164());
        if !services.throttle.within_daily_cap(&key, cap, now).await? {
            tracing::info!("organisation notice not sent: the phone's daily cap is reached");
            return Ok(());
        }
        if let Err(error) = services.connectors.sms.send(phone, &text).await {
            tracing::warn!(%error, "organisation notice not sent");
        }
        Ok(())
    }
}

fn not_member() -> Problem {
    Problem::form("organisation.not_member")
}

fn invalid_invitation() -> Problem {
    Problem::form("invitation.invalid")
}

/// A membership change's refusals as the administrator sees them.
fn member_refusal(done: Result<(), StoreError>) -> Answer<()> {
    match done {
        Ok(()) => Ok(Ok(())),
        Err(StoreError::LastAdministrator) => {
            Ok(Err(Problem::form("organisation.last_administrator")))
        }
        Err(StoreError::NotFound { .. }) => Ok(Err(Problem::form("member.not_found"))),
        Err(error) => Err(error.into()),
    }
}
