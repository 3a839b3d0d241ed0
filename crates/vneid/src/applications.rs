//! E-ID applications (hồ sơ đăng ký tài khoản định danh điện tử): registered by the police
//! (the sandbox console stands in for their system), approved once, and the approval texted
//! to the applicant (SPEC V1).

use domain::{Gender, PersonalId, PhoneNumber};
use store::{
    Actor, AuditContext, AuditKind, EidApplication, EidLevel, NewAuditEvent, NewEidApplication,
    StoreError,
};
use time::Date;

use crate::service::{Vneid, VneidError};

/// A new application as the console or a seed gives it.
#[derive(Debug, Clone)]
pub struct ApplicationForm {
    pub personal_id: PersonalId,
    pub full_name: String,
    pub birth_date: Date,
    pub gender: Gender,
    pub phone: PhoneNumber,
    pub level: EidLevel,
    /// The password of an app account the person had before (activation keeps it).
    pub prior_password: Option<String>,
}

/// What approving did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Approval {
    /// Approved now; `texted` says whether the gateway took the SMS.
    Approved { texted: bool },
    /// No pending application with this ID (unknown, or approved already).
    NotPending,
}

impl Vneid {
    /// Registers a pending application; `None` when the ID has one already.
    pub async fn create_application(
        &self,
        form: ApplicationForm,
    ) -> Result<Option<EidApplication>, VneidError> {
        let prior_password_phc = match &form.prior_password {
            Some(password) => Some(self.passwords.hash(password).await?),
            None => None,
        };
        let new = NewEidApplication {
            personal_id: form.personal_id,
            full_name: form
                .full_name
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            birth_date: form.birth_date,
            gender: form.gender,
            phone: form.phone,
            level: form.level,
            prior_password_phc,
        };
        match self.store.create_application(&new, self.now()).await {
            Ok(application) => Ok(Some(application)),
            Err(StoreError::Duplicate { .. }) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    pub async fn applications(&self) -> Result<Vec<EidApplication>, VneidError> {
        Ok(self.store.applications(200).await?)
    }

    /// Approves a pending application and texts the applicant (V1). The approval stands even
    /// when the gateway is down: the person can still activate, and the operator sees it.
    pub async fn approve(
        &self,
        personal_id: &PersonalId,
        operator: &str,
    ) -> Result<Approval, VneidError> {
        let now = self.now();
        let Some(application) = self.store.approve_application(personal_id, now).await? else {
            return Ok(Approval::NotPending);
        };
        let text = crate::text::approval_sms(
            &application.full_name,
            self.settings.public_base_url.as_str(),
        );
        let texted = match self.sms.send(&application.phone, &text).await {
            Ok(_) => true,
            Err(error) => {
                tracing::warn!(%error, "the approval SMS was not sent");
                false
            }
        };
        self.store
            .append_audit(
                &NewAuditEvent {
                    account_id: None,
                    kind: AuditKind::StatusChanged,
                    context: AuditContext {
                        actor: Actor::Operator(operator.to_owned()),
                        client_ip: None,
                    },
                    details: serde_json::json!({
                        "eid_application": "approved",
                        "personal_id": application.personal_id.as_str(),
                        "texted": texted,
                    }),
                },
                now,
            )
            .await?;
        Ok(Approval::Approved { texted })
    }
}
