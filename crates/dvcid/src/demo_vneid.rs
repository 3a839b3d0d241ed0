//! The demo's national eID provider (VNeID): its own process-in-a-task and origin on the demo's
//! port + 1, its own SQLite file in the data folder, texts through the sandbox SMS gateway (so
//! they show in the sandbox's SMS outbox), the portal registered as client `dvcid-portal`, and
//! seeded synthetic people (known to the portal's population database too) in each state.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use connectors::{HttpEndpoint, HttpSmsGateway};
use domain::{Secret, SystemClock, random::OsRandomness};
use sandbox::{Person, Sandbox};
use store::EidLevel;
use tokio::net::TcpListener;
use url::Url;
use vneid::seed::SeedPerson;
use vneid::{PORTAL_CLIENT_ID, PortalClient, Settings, VneidParts};

use crate::demo::demo_secret;
use crate::shutdown;

pub const DATABASE_FILE: &str = "vneid.sqlite3";
/// The demo accounts' password and passcode (printed in the banner; demo use only).
pub const DEMO_PASSWORD: &str = "Vneid@2024";
pub const DEMO_PASSCODE: &str = "246810";

/// The running provider, for the banner and for the portal's side of the federation.
pub struct DemoVneid {
    pub base_url: Url,
    pub portal: PortalClient,
    /// Approved level-2 application, not activated yet.
    pub to_activate: Person,
    /// Active level-2 account.
    pub level_two: Person,
    /// Active level-1 account.
    pub level_one: Person,
    /// Pending application, for the police console.
    pub pending: Person,
}

fn seed(person: &Person) -> SeedPerson {
    SeedPerson {
        personal_id: person.personal_id.clone(),
        full_name: person.full_name.clone(),
        birth_date: person.birth_date,
        gender: person.gender,
        phone: person.phone.clone(),
    }
}

impl DemoVneid {
    /// The issuer exactly as its tokens carry it (no trailing slash), for the portal's side.
    pub fn issuer(&self) -> String {
        self.base_url.as_str().trim_end_matches('/').to_owned()
    }

    /// The portal's `[connectors.vneid]`: this provider, as its registered client.
    pub fn connector_config(&self) -> connectors::VneidConfig {
        connectors::VneidConfig::new(
            self.issuer(),
            self.portal.client_id.clone(),
            Secret::new(self.portal.client_secret.clone()),
        )
    }
}

/// Starts the demo's VNeID beside the portal at `portal_base` (listening at `portal`).
/// `legacy_holders` (who have portal accounts of the old card) get active level-2 accounts
/// too: once they add their personal ID on the portal, VNeID opens the same account (L4).
pub async fn start(
    data: &Path,
    portal: SocketAddr,
    portal_base: &Url,
    sandbox: &Sandbox,
    legacy_holders: &[Person],
) -> anyhow::Result<DemoVneid> {
    let wanted = SocketAddr::new(portal.ip(), portal.port().wrapping_add(1));
    let listener = match TcpListener::bind(wanted).await {
        Ok(listener) => listener,
        Err(error) => {
            tracing::warn!(%error, %wanted, "VNeID's port is taken; using another one");
            TcpListener::bind(SocketAddr::new(portal.ip(), 0))
                .await
                .context("cannot listen for the demo VNeID")?
        }
    };
    let base_url = Url::parse(&format!("http://{}/", listener.local_addr()?))?;
    let database_url = store::sqlite::url_for_path(&data.join(DATABASE_FILE));
    let store = store::connect(&database_url, store::ConnectOptions::default())
        .await
        .with_context(|| format!("cannot open the VNeID database in {}", data.display()))?;
    let sms = HttpSmsGateway::new(&HttpEndpoint::new(portal_base.join("sandbox/sms/")?))?;
    let mut settings = Settings::new(base_url.clone());
    settings.sandbox = true;
    let state = vneid::build(
        VneidParts {
            store: Arc::clone(&store),
            clock: Arc::new(SystemClock),
            random: Arc::new(OsRandomness),
            sms: Arc::new(sms),
            argon2: flows::FlowConfig::default().argon2,
            secret: demo_secret(data, "vneid_secret")?.into_bytes(),
            settings,
        },
        oidc::OidcConfig::default(),
        demo_secret(data, "vneid_key_encryption_key")?.as_bytes(),
    )
    .await
    .context("cannot start the demo VNeID")?;
    let portal_client = PortalClient {
        client_id: PORTAL_CLIENT_ID.to_owned(),
        client_secret: demo_secret(data, "vneid_portal_client_secret")?,
        redirect_uri: format!("{portal_base}login/vneid/callback"),
    };
    portal_client.register(store.as_ref()).await?;

    // Synthetic people the portal's population database knows, who own their phone and are
    // none of the portal's own demo identities.
    let taken: Vec<_> = sandbox
        .people()
        .demo_identities()
        .iter()
        .map(|identity| identity.person.personal_id.clone())
        .collect();
    let mut chosen = sandbox
        .people()
        .all()
        .iter()
        .filter(|person| person.owns_phone() && !taken.contains(&person.personal_id))
        .filter(|person| !legacy_holders.contains(person))
        .take(4)
        .cloned();
    let mut next = || {
        chosen
            .next()
            .context("the sandbox has too few people for VNeID")
    };
    let (to_activate, level_two, level_one, pending) = (next()?, next()?, next()?, next()?);
    let engine = &state.vneid;
    vneid::seed::approved_application(engine, &seed(&to_activate), EidLevel::Two, None).await?;
    vneid::seed::active_account(
        engine,
        &seed(&level_two),
        EidLevel::Two,
        DEMO_PASSWORD,
        DEMO_PASSCODE,
    )
    .await?;
    vneid::seed::active_account(
        engine,
        &seed(&level_one),
        EidLevel::One,
        DEMO_PASSWORD,
        DEMO_PASSCODE,
    )
    .await?;
    vneid::seed::pending_application(engine, &seed(&pending), EidLevel::Two).await?;
    for holder in legacy_holders {
        let level = EidLevel::Two;
        vneid::seed::active_account(engine, &seed(holder), level, DEMO_PASSWORD, DEMO_PASSCODE)
            .await?;
    }

    vneid::spawn_housekeeping(&state);
    tokio::spawn(async move {
        if let Err(error) =
            vneid::http::serve(listener, vneid::router(state), shutdown::signal()).await
        {
            tracing::error!(%error, "the demo VNeID stopped");
        }
    });
    Ok(DemoVneid {
        base_url,
        portal: portal_client,
        to_activate,
        level_two,
        level_one,
        pending,
    })
}

/// The banner's VNeID block.
pub fn print_banner(vneid: &DemoVneid, portal_base: &Url) {
    let base = &vneid.base_url;
    let row = |person: &Person| {
        format!(
            "{}  {}  {}  {}",
            person.personal_id,
            person.full_name,
            person.birth_date,
            person.phone.national()
        )
    };
    println!("  VNeID (định danh điện tử / national eID): {base}");
    println!("    Công an / police console:   {base}sandbox/police");
    println!("    Tin nhắn / SMS outbox:      {portal_base}sandbox/sms/page");
    println!("    OpenID Connect:             {base}.well-known/openid-configuration");
    println!(
        "    issuer {}  client_id {}  redirect_uri {}",
        vneid.issuer(),
        vneid.portal.client_id,
        vneid.portal.redirect_uri
    );
    println!(
        "    client_secret:              {}",
        vneid.portal.client_secret
    );
    println!(
        "    1. Kích hoạt / activate (approved, level 2): {}   → {base}activate",
        row(&vneid.to_activate)
    );
    println!(
        "    2. Mức 2 / level 2, active:  {}   password {DEMO_PASSWORD}, passcode {DEMO_PASSCODE}   → {base}login",
        row(&vneid.level_two)
    );
    println!(
        "    3. Mức 1 / level 1, active:  {}   password {DEMO_PASSWORD}, passcode {DEMO_PASSCODE}",
        row(&vneid.level_one)
    );
    println!(
        "    4. Chờ duyệt / pending:      {}   → approve at {base}sandbox/police",
        row(&vneid.pending)
    );
    println!();
}
