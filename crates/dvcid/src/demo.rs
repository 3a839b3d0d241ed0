//! `dvcid demo`: everything in one process with no configuration — an SQLite file in a data
//! folder, the sandbox registries on the same port reached through the real HTTP and SMTP
//! clients, and synthetic people. A second run on the same folder keeps what the first wrote.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use connectors::{Connectors, ConnectorsConfig};
use domain::{PasswordPolicy, Secret};
use flows::FlowConfig;
use rand::Rng;
use sandbox::{Sandbox, SyntheticPeople};
use tokio::net::TcpListener;
use url::Url;

use crate::app::{self, Parts};
use crate::certificates::CertificatesConfig;
use crate::demo_client::{self, DemoClient};
use crate::{config, logging, shutdown};

pub const DEFAULT_SEED: u64 = sandbox::DEFAULT_SEED;
pub const DATABASE_FILE: &str = "dvcid.sqlite3";
const SECRETS_FILE: &str = "demo-secrets.toml";
/// The sandbox CAs' root, issuing CAs, certificates and keys, under the data folder.
const PKI_FOLDER: &str = "sandbox-pki";

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Folder for the database and the demo's generated secrets (created if missing).
    #[arg(long, default_value = "./dvcid-data")]
    data: PathBuf,
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// How many synthetic people the sandbox registries know.
    #[arg(long, default_value_t = sandbox::DEFAULT_COUNT)]
    people: usize,
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
    /// Seconds before "Gửi lại OTP" may be pressed (browser tests shorten the 60 s wait).
    #[arg(long, default_value_t = FlowConfig::default().otp.resend_after_secs)]
    otp_resend_after: i64,
    /// Where the USB-token pages look for the local signing agent (`dvcid-agent serve`).
    #[arg(long, default_value_t = crate::certificates::default_agent_url())]
    agent_url: String,
}

pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    logging::init(logging::Format::Human, None)?;
    std::fs::create_dir_all(&args.data)
        .with_context(|| format!("cannot create the data folder {}", args.data.display()))?;
    let otp_key = demo_secret(&args.data, "otp_key")?;
    let database_url = store::sqlite::url_for_path(&args.data.join(DATABASE_FILE));
    let store = store::connect(&database_url, store::ConnectOptions::default())
        .await
        .with_context(|| format!("cannot open the demo database in {}", args.data.display()))?;

    let listener = TcpListener::bind(args.listen).await.with_context(|| {
        format!(
            "cannot listen on {} (choose another with --listen)",
            args.listen
        )
    })?;
    let address = listener.local_addr()?;
    let base = Url::parse(&format!("http://{address}/"))?;
    let sandbox = start_sandbox(
        args.people,
        args.seed,
        SocketAddr::new(address.ip(), 0),
        &base,
    )
    .await?;
    // The sandbox CAs are the demo's trust anchors.
    let certificates = match sandbox.sandbox.pki() {
        Some(pki) => {
            let folder = args.data.join(PKI_FOLDER);
            pki.export(&folder)
                .context("cannot write the sandbox certificates")?;
            Some(CertificatesConfig {
                trust_anchors_dir: folder.join("trust-anchors"),
                intermediates_dir: Some(folder.join("intermediates")),
                agent_url: args.agent_url.clone(),
            })
        }
        None => None,
    };
    // The national eID provider beside the portal (its own origin and database), and the
    // portal signing in with it as any relying party would.
    let legacy_holders: Vec<_> = crate::demo_legacy::holders(sandbox.sandbox.people())
        .cloned()
        .collect();
    let vneid = crate::demo_vneid::start(
        &args.data,
        address,
        &base,
        &sandbox.sandbox,
        &legacy_holders,
    )
    .await?;
    let mut connectors_config = ConnectorsConfig::sandbox(&base, sandbox.smtp)?;
    connectors_config.vneid = Some(vneid.connector_config());
    let connectors = Connectors::from_config(&connectors_config)?;

    let client = demo_client::register(&store, &base, &args.data).await?;
    let key_encryption_key = demo_secret(&args.data, "key_encryption_key")?;
    let flows = demo_flows(args.otp_resend_after);
    let people = sandbox.sandbox.people();
    let legacy_key = otp_key.as_bytes();
    let legacy =
        crate::demo_legacy::seed(&store, &connectors, flows.clone(), legacy_key, people).await?;
    let operator = crate::demo_operator::seed(&store, &sandbox.sandbox).await?;
    let orgs = crate::demo_orgs::seed(&store, &flows, &sandbox.sandbox, &legacy_holders).await?;
    print_banner(&base, &args.data, &sandbox, &client);
    if let Some(operator) = &operator {
        print_operator(&base, operator);
    }
    crate::demo_vneid::print_banner(&vneid, &base);
    crate::demo_legacy::print(&legacy);
    crate::demo_orgs::print(&orgs);
    let parts = Parts {
        store,
        connectors,
        flows,
        password_policy: PasswordPolicy::default(),
        secret: Secret::new(otp_key),
        oidc: oidc::OidcConfig::default(),
        key_encryption_key: Secret::new(key_encryption_key),
        public_base_url: base.to_string(),
        hsts: false,
        sandbox_links: true,
        // The demo is reached directly: no forwarding header is believed.
        trusted_proxies: web::TrustedProxies::default(),
        extra_routes: sandbox::router(sandbox.sandbox),
        certificates,
        audit_checkpoint_every: crate::config::AuditConfig::default().checkpoint_every(),
    };
    app::serve(parts, listener).await
}

pub(crate) fn demo_flows(resend_after_secs: i64) -> FlowConfig {
    let mut flows = FlowConfig::default();
    flows.otp.resend_after_secs = resend_after_secs.max(0);
    flows.organisations.agencies = crate::demo_orgs::agencies();
    flows
}

/// `dvcid sandbox`: only the registries, for a `serve` deployment under test.
pub async fn run_sandbox_alone(
    listen: SocketAddr,
    smtp_listen: SocketAddr,
    people: usize,
    seed: u64,
) -> anyhow::Result<()> {
    logging::init(logging::Format::Human, None)?;
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let base = Url::parse(&format!("http://{}/", listener.local_addr()?))?;
    let started = start_sandbox(people, seed, smtp_listen, &base).await?;
    println!(
        "dvcid sandbox: HTTP on http://{}/sandbox/, SMTP on {}, {people} people (seed {seed})",
        listener.local_addr()?,
        started.smtp
    );
    axum::serve(listener, sandbox::router(started.sandbox))
        .with_graceful_shutdown(shutdown::signal())
        .await?;
    Ok(())
}

struct StartedSandbox {
    sandbox: Arc<Sandbox>,
    smtp: SocketAddr,
}

async fn start_sandbox(
    people: usize,
    seed: u64,
    smtp_listen: SocketAddr,
    base: &Url,
) -> anyhow::Result<StartedSandbox> {
    let sandbox = Sandbox::new(SyntheticPeople::generate(seed, people))
        .with_pki(base)
        .context("cannot start the sandbox certificate authorities")?;
    let sandbox = Arc::new(sandbox);
    let smtp = TcpListener::bind(smtp_listen)
        .await
        .with_context(|| format!("cannot listen for SMTP on {smtp_listen}"))?;
    let smtp_address = smtp.local_addr()?;
    tokio::spawn(sandbox::serve_smtp(smtp, Arc::clone(&sandbox)));
    Ok(StartedSandbox {
        sandbox,
        smtp: smtp_address,
    })
}

/// A secret of the demo (`otp_key`, `key_encryption_key`), made once and kept in the data
/// folder beside the others, so that what it protects (OTPs issued before a restart, sealed
/// signing keys) still opens after a restart.
pub fn demo_secret(data: &Path, name: &str) -> anyhow::Result<String> {
    let path = data.join(SECRETS_FILE);
    let mut table = toml::Table::new();
    if let Ok(text) = std::fs::read_to_string(&path) {
        table = text
            .parse()
            .with_context(|| format!("{} is damaged", path.display()))?;
        if let Some(key) = table.get(name).and_then(toml::Value::as_str)
            && key.len() >= config::MIN_SECRET_BYTES
        {
            return Ok(key.to_owned());
        }
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let key: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    table.insert(name.to_owned(), toml::Value::String(key.clone()));
    let text = format!(
        "# Generated by `dvcid demo`; demo use only.\n{}",
        toml::to_string(&table).context("cannot write the demo secrets")?
    );
    write_private(&path, &text)?;
    Ok(key)
}

fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.write_all(text.as_bytes())?;
    Ok(())
}

/// Who the demo's USB tokens hold, and how to start the local signing agent with them.
fn print_usb_tokens(data: &Path, sandbox: &Sandbox) {
    use sandbox::pki::{CertificateRole, Holder};
    let Some(pki) = sandbox.pki() else {
        return;
    };
    let who = |role| match pki.certificate(role).map(|issued| &issued.holder) {
        Some(Holder::Citizen {
            personal_id,
            full_name,
        }) => format!("{full_name} ({personal_id})"),
        Some(Holder::Organisation { tax_code, name }) => format!("{name} (MST {tax_code})"),
        None => String::new(),
    };
    println!(
        "  USB ký số / USB token: scripts/demo-token {}   (SoftHSM2 tokens, PIN 123456; needs softhsm2)",
        data.display()
    );
    println!("    công dân / citizen:  {}", who(CertificateRole::Citizen));
    println!(
        "    doanh nghiệp / business: {}",
        who(CertificateRole::Business)
    );
    println!(
        "    then: /register/usb-token (register with the token), then /login/method/usb-token (sign in at LoA3)"
    );
}

/// The PKI SIMs and SmartCA users to sign in with, and where their phone and app are.
fn print_phone_signing(base: &Url, sandbox: &Sandbox) {
    let sims = sandbox.sims();
    if !sims.is_empty() {
        println!("  SIM ký số / PKI SIM:  PIN 1234; /register/sim-pki, then /login/method/sim-pki");
    }
    for sim in &sims {
        let digits = sim.msisdn.e164().trim_start_matches('+');
        println!(
            "    {}  {}  ({})  phone: {base}sandbox/phone/{digits}",
            sim.msisdn.national(),
            sim.holder,
            sim.role.id()
        );
    }
    let users: Vec<_> = sandbox
        .smartca_users()
        .into_iter()
        .filter(|user| user.certificate.is_some())
        .collect();
    if !users.is_empty() {
        println!(
            "  VNPT SmartCA:         password {}; /register/remote-signing, then /login/method/remote-signing",
            sandbox::SMARTCA_PASSWORD
        );
    }
    for user in users {
        let role = user
            .certificate
            .map(|issued| issued.role.id())
            .unwrap_or_default();
        println!(
            "    {}  {}  ({role})  app: {base}sandbox/smartca/app/{}",
            user.personal_id, user.full_name, user.personal_id
        );
    }
}

/// Who signs in to the operator console, and how.
fn print_operator(base: &Url, operator: &crate::demo_operator::DemoOperator) {
    println!(
        "  Operator console:     {base}operator — sign in with SIM ký số {}, PIN 1234 ({}, {}, every role)",
        operator.sim, operator.full_name, operator.personal_id
    );
    println!("    phone:              {base}{}", operator.phone_page);
    println!();
}

fn print_banner(base: &Url, data: &Path, started: &StartedSandbox, client: &DemoClient) {
    let sandbox = &started.sandbox;
    println!();
    println!("  dvcid demo — Cổng Dịch vụ công quốc gia · tài khoản (sandbox)");
    println!("  Data folder:          {}", data.display());
    println!("  Trang chủ / Home:     {base}");
    println!("  SMS đã gửi / SMS:     {base}sandbox/sms/page");
    println!("  E-mail đã gửi:        {base}sandbox/email/page");
    println!(
        "  Bưu điện / VN Post:   {base}register/vietnam-post (SMS OTP or e-mail link: read it at {base}sandbox/email/page)"
    );
    println!("  SMTP (sandbox):       {}", started.smtp);
    println!("  Công dân / People:    {base}sandbox/people");
    println!(
        "  Chứng thư số / PKI:   {base}sandbox/pki  (files: {})",
        data.join(PKI_FOLDER).display()
    );
    print_usb_tokens(data, sandbox);
    print_phone_signing(base, sandbox);
    println!("  Health / metrics:     {base}healthz  {base}readyz  {base}metrics");
    println!();
    println!("  OpenID Connect:       {base}.well-known/openid-configuration");
    println!("    client_id:          {}", demo_client::CLIENT_ID);
    println!("    client_secret:      {}", client.secret);
    println!("    redirect_uri:       {}", client.redirect_uri);
    println!("    code_verifier:      {}", client.code_verifier);
    println!("    sign in:            {}", client.authorize_url);
    println!(
        "    then:               curl -u {}:{} -d grant_type=authorization_code -d code=CODE -d redirect_uri={} -d code_verifier={} {base}token",
        demo_client::CLIENT_ID,
        client.secret,
        client.redirect_uri,
        client.code_verifier
    );
    println!();
    print!(
        "{}",
        crate::demo_identities::text(&sandbox.people().demo_identities())
    );
    println!();
}
