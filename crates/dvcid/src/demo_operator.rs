//! The demo's operator: the holder of the sandbox's operator PKI SIM (`sim_operator`), with an
//! account bound to that SIM's certificate — as a registration by SIM leaves it — and every
//! operator role, so that the console can be tried in a browser at LoA3 without a USB token.
//! A second start keeps the account and the grants.

use std::sync::Arc;

use anyhow::Context;
use der::{Decode, Encode};
use domain::{AccountKind, OperatorRole, RegistrationChannel};
use sandbox::Sandbox;
use sandbox::pki::{CertificateRole, Holder};
use serde_json::json;
use sha2::{Digest, Sha256};
use store::{
    AccountId, Actor, AuditContext, Identity, NewAccount, NewCredential, NewFlow, StepWrite, Store,
};
use x509_cert::Certificate;

/// Who to sign in to the console as.
pub struct DemoOperator {
    pub full_name: String,
    pub personal_id: String,
    /// The PKI SIM's number (national form) and its phone simulator page's path.
    pub sim: String,
    pub phone_page: String,
}

/// Makes (or finds) the operator's account and grants it every role.
pub async fn seed(
    store: &Arc<dyn Store>,
    sandbox: &Sandbox,
) -> anyhow::Result<Option<DemoOperator>> {
    let role = CertificateRole::SimOperator;
    let (Some(pki), Some(card)) = (
        sandbox.pki(),
        sandbox.sims().into_iter().find(|sim| sim.role == role),
    ) else {
        return Ok(None);
    };
    let issued = pki
        .certificate(role)
        .context("the operator SIM's certificate")?;
    let Holder::Citizen {
        personal_id,
        full_name,
    } = &issued.holder
    else {
        anyhow::bail!("the operator SIM's certificate names an organisation");
    };
    let person = sandbox
        .people()
        .by_personal_id(personal_id)
        .context("the operator SIM's holder among the synthetic people")?;
    let system = AuditContext {
        actor: Actor::System,
        client_ip: None,
    };
    let now = time::OffsetDateTime::now_utc();
    let account = match store.account_by_personal_id(personal_id).await? {
        Some(account) => account.id,
        None => {
            let account = NewAccount {
                kind: AccountKind::Citizen,
                identity: Identity {
                    personal_id: Some(personal_id.clone()),
                    legacy_cmnd: None,
                    tax_code: None,
                    full_name: full_name.clone(),
                    birth_date: Some(person.birth_date),
                    gender: Some(person.gender),
                },
                email: None,
                registration_channel: RegistrationChannel::SimPki,
                default_phone: None,
                password_phc: None,
                audit: system.clone(),
            };
            let credential = sim_credential(
                &issued.der,
                &issued.serial_hex,
                issued.not_after,
                card.msisdn.e164(),
            )?;
            create_with_certificate(store, account, credential, now).await?
        }
    };
    for role in OperatorRole::ALL {
        store.grant_role(account, role, &system, now).await?;
    }
    let digits = card.msisdn.e164().trim_start_matches('+').to_owned();
    Ok(Some(DemoOperator {
        full_name: full_name.clone(),
        personal_id: personal_id.to_string(),
        sim: card.msisdn.national(),
        phone_page: format!("sandbox/phone/{digits}"),
    }))
}

/// The certificate as a registration by SIM binds it: the SHA-256 of its public key (hex), its
/// subject, issuer and serial, and the SIM it signs on.
fn sim_credential(
    der: &[u8],
    serial_hex: &str,
    not_after: time::OffsetDateTime,
    msisdn: &str,
) -> anyhow::Result<NewCredential> {
    let certificate = Certificate::from_der(der)?;
    let tbs = &certificate.tbs_certificate;
    let spki = tbs.subject_public_key_info.to_der()?;
    let key: String = Sha256::digest(&spki)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    Ok(NewCredential {
        kind: domain::CredentialKind::Certificate,
        key,
        public_data: json!({
            "subject": tbs.subject.to_string(),
            "issuer": tbs.issuer.to_string(),
            "serial": serial_hex,
            "not_after": not_after.unix_timestamp(),
            "via": flows::MethodKind::SimPki.as_str(),
            "phone": msisdn,
        }),
        secret: None,
    })
}

/// The account and its certificate in one transaction: the write a registration's last step
/// makes (`StepWrite::CreateAccount`), committed through a flow made for it and then removed.
async fn create_with_certificate(
    store: &Arc<dyn Store>,
    account: NewAccount,
    credential: NewCredential,
    now: time::OffsetDateTime,
) -> anyhow::Result<AccountId> {
    let id = AccountId(uuid::Uuid::now_v7());
    let flow = NewFlow {
        id: uuid::Uuid::new_v4(),
        kind: "register_certificate".to_owned(),
        state: json!({}),
        account_id: None,
        expires_at: now + time::Duration::minutes(1),
    };
    let flow = store.create_flow(&flow, now).await?;
    let write = StepWrite::CreateAccount {
        id,
        account,
        credentials: vec![credential],
    };
    store.save_step(&flow, flow.version, &[write], now).await?;
    store.delete_flow(flow.id).await?;
    Ok(id)
}
