//! `bench-failover`: sign-in, registration and refresh-token load through HAProxy while the
//! cluster of `deploy/up.sh` is disrupted (`--step`: the PostgreSQL primary killed, a dvcid
//! node killed), then checks that only successes and 503s were answered, that every
//! acknowledged write is still there, and that a sign-in begun on a node that died is finished
//! on another. `deploy/failover.sh` runs it; `deploy/README.md` has a run's figures.

// Shared with bench-signin and bench-tokens, compiled from their files rather than copied (the
// load generators are binaries). Not every item is used here.
#[allow(dead_code)]
#[path = "../../signin/src/api.rs"]
mod api;
#[allow(dead_code)]
#[path = "../../tokens/src/oauth.rs"]
mod oauth;
#[allow(dead_code)]
#[path = "../../signin/src/sandbox.rs"]
mod sandbox;
#[allow(dead_code)]
#[path = "../../tokens/src/sessions.rs"]
mod sessions;
#[allow(dead_code)]
#[path = "../../signin/src/setup.rs"]
mod setup;

mod checks;
mod journey;
mod load;
mod steps;
mod timeline;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Parser;
use tokio::task::JoinSet;

use crate::api::Dvcid;
use crate::load::{Family, FamilyEnd, Load};
use crate::oauth::{ClientCredentials, Signer, TokenEndpoint};
use crate::sandbox::Sandbox;
use crate::steps::Step;
use crate::timeline::Timeline;

#[derive(Debug, Parser)]
#[command(
    name = "bench-failover",
    about = "Load through HAProxy while the cluster is disrupted; checks what was acknowledged"
)]
struct Args {
    /// dvcid's public origin (HAProxy), e.g. https://127.0.0.1:8443.
    #[arg(long)]
    server: String,
    /// The CA certificate (PEM) HAProxy's certificate is checked against.
    #[arg(long)]
    ca_cert: Option<PathBuf>,
    /// The sandbox's origin.
    #[arg(long)]
    sandbox: String,
    /// One dvcid node's own origin: a sign-in is begun there, and finished through the server
    /// once the node no longer answers (a step must kill it).
    #[arg(long)]
    node: Option<String>,
    #[arg(long)]
    client_id: String,
    #[arg(long)]
    client_secret: String,
    #[arg(long)]
    redirect_uri: String,
    /// Virtual users signing in, one sign-in at a time each.
    #[arg(long, default_value_t = 2)]
    signin_users: usize,
    /// Accounts the sign-in users take turns on.
    #[arg(long, default_value_t = 8)]
    accounts: usize,
    /// Refresh-token families refreshed in a loop, one user each.
    #[arg(long, default_value_t = 8)]
    families: usize,
    /// People the registration user registers, one after the other, during the load.
    #[arg(long, default_value_t = 100)]
    registrations: usize,
    /// How long the load runs.
    #[arg(long, default_value_t = 60.0)]
    duration_secs: f64,
    /// SECS=COMMAND: a disruption (a shell command) that many seconds into the load.
    #[arg(long = "step")]
    steps: Vec<Step>,
    /// The wait between the end of the load and the checks.
    #[arg(long, default_value_t = 3.0)]
    settle_secs: f64,
    #[arg(long, default_value = "Bench-failover-2026")]
    password: String,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let passed = tokio::runtime::Runtime::new()?.block_on(run(args))?;
    if !passed {
        std::process::exit(1);
    }
    Ok(())
}

fn client(ca_cert: Option<&PathBuf>) -> Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(15));
    if let Some(path) = ca_cert {
        let pem = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        builder = builder.tls_certs_merge([reqwest::Certificate::from_pem(&pem)?]);
    }
    Ok(builder.build()?)
}

async fn run(args: Args) -> Result<bool> {
    let http = client(args.ca_cert.as_ref())?;
    let dvcid = Dvcid::new(http.clone(), &args.server);
    let sandbox = Sandbox::new(http.clone(), &args.sandbox);
    let discovery = oauth::discover(&http, &args.server, &["refresh_token"]).await?;
    let credentials =
        ClientCredentials::new(&args.client_id, &args.client_secret, &args.redirect_uri)?;
    let token = TokenEndpoint::new(http.clone(), &discovery, credentials);

    // The people: the families' first, then the sign-in accounts, the person of the sign-in
    // that moves, and those registered under load.
    let wanted = args.families + args.accounts + 1 + args.registrations;
    let mut people = sandbox.phone_owners(wanted).await?;
    if people.len() < wanted {
        bail!(
            "the sandbox has {} phone owners, {wanted} are needed",
            people.len()
        );
    }
    let newcomers = people.split_off(args.families + args.accounts + 1);
    let known = people.split_off(args.families);

    eprintln!("setup: {} refresh-token families", args.families);
    let family_accounts =
        sessions::register(&dvcid, &sandbox, args.families, &args.password).await?;
    let sessions = sessions::open(&dvcid, &sandbox, family_accounts, &args.password).await?;
    let mut families = Vec::new();
    for session in sessions {
        let signer = Signer::Cookie {
            name: sessions::SESSION_COOKIE.to_owned(),
            value: session,
        };
        let first = oauth::open_family(&http, &discovery, &token, &signer).await?;
        families.push(Family::new(first));
    }
    eprintln!("setup: {} accounts to sign in to", known.len());
    let mut accounts = setup::register_all(&dvcid, &sandbox, known, &args.password, 2).await?;
    let mover = accounts
        .pop()
        .context("no account for the sign-in that moves")?;

    let journey = match &args.node {
        Some(node) => {
            let node = Dvcid::new(http.clone(), node);
            Some(journey::begin(&node, &mover, &args.password).await?)
        }
        None => None,
    };

    eprintln!(
        "load: {} s; steps: {:?}",
        args.duration_secs,
        args.steps
            .iter()
            .map(|step| format!("{:.1}={}", step.after.as_secs_f64(), step.command))
            .collect::<Vec<_>>()
    );
    let started = Instant::now();
    let duration = Duration::from_secs_f64(args.duration_secs);
    let load = Load {
        dvcid: dvcid.clone(),
        sandbox: sandbox.clone(),
        token: token.clone(),
        password: args.password.clone(),
        timeline: Arc::new(Timeline::new(started)),
        deadline: started + duration,
    };
    let stepping = tokio::spawn(steps::run(args.steps.clone(), started));
    let mut sign_ins = JoinSet::new();
    let users = args.signin_users.clamp(1, accounts.len().max(1));
    let mut shares = vec![Vec::new(); users];
    for (index, account) in accounts.into_iter().enumerate() {
        shares[index % users].push(account);
    }
    for share in shares {
        sign_ins.spawn(load.clone().sign_ins(share));
    }
    let registering = tokio::spawn(load.clone().registrations(newcomers));
    let mut refreshing = JoinSet::new();
    for family in families {
        refreshing.spawn(load.clone().refreshes(family));
    }

    let ran = stepping.await.context("the steps panicked")??;
    let moved = match (&journey, &args.node) {
        (Some(flow), Some(node)) => {
            let readyz = format!("{}/readyz", node.trim_end_matches('/'));
            Some(journey::finish(&readyz, &http, &dvcid, &sandbox, &mover, flow).await)
        }
        _ => None,
    };
    let mut sessions = Vec::new();
    while let Some(opened) = sign_ins.join_next().await {
        sessions.extend(opened.context("a sign-in user panicked")?);
    }
    let registered = registering
        .await
        .context("the registration user panicked")?;
    let mut families = Vec::new();
    while let Some(family) = refreshing.join_next().await {
        families.push(family.context("a refresh user panicked")?);
    }

    tokio::time::sleep(Duration::from_secs_f64(args.settle_secs)).await;
    eprintln!(
        "checks: {} sessions, {} registrations, {} families",
        sessions.len(),
        registered.len(),
        families.len()
    );
    let found_sessions = checks::sessions(&dvcid, &sessions).await;
    let found_accounts = checks::accounts(&dvcid, &sandbox, &registered, &args.password).await;
    let found_families = checks::families(&token, &families).await;

    let outcomes = load.timeline.outcomes();
    println!("== disruptions (unavailability window: first to last failed answer after the step)");
    for (index, step) in ran.iter().enumerate() {
        let until = ran.get(index + 1).map_or(duration, |next| next.began);
        let window = timeline::window(&outcomes, step.began, until);
        let at = |when: Option<Duration>| {
            when.map_or("-".to_owned(), |d| format!("{:.3} s", d.as_secs_f64()))
        };
        println!(
            "{:>6.1} s  {} ({} ms)  [{}]\n          window {} ms ({} failed answers, first {}, last {})",
            step.began.as_secs_f64(),
            step.step.command,
            (step.ended - step.began).as_millis(),
            step.output,
            window.length().as_millis(),
            window.failures,
            at(window.first),
            at(window.last),
        );
    }
    let before = ran.first().map_or(duration, |step| step.began);
    let calm = timeline::window(&outcomes, Duration::ZERO, before);
    println!("   before the first step: {} failed answers", calm.failures);

    println!("== answers by request and status");
    for ((kind, answer), count) in timeline::counts(&outcomes) {
        println!("  {:<9} {:>9}  {count}", kind.name(), answer.label());
    }
    let forbidden = timeline::forbidden(&outcomes);
    println!(
        "  other than success, 503 or closed unanswered: {}",
        forbidden.len()
    );
    for outcome in forbidden.iter().take(10) {
        println!(
            "    {:.3} s {} {}",
            outcome.at.as_secs_f64(),
            outcome.kind.name(),
            outcome.answer.label()
        );
    }

    println!("== acknowledged writes present afterwards");
    for (what, found) in [
        ("sign-in sessions", &found_sessions),
        ("registered accounts (signed in to)", &found_accounts),
        ("refresh families (newest token refreshes)", &found_families),
    ] {
        println!("  {what}: {}/{}", found.present, found.acknowledged);
        for missing in &found.missing {
            println!("    missing: {missing}");
        }
    }
    let revoked = families
        .iter()
        .filter(|family| family.end == Some(FamilyEnd::UnacknowledgedRotation))
        .count();
    let rotations: u64 = families.iter().map(|family| family.rotations).sum();
    println!(
        "  refresh rotations acknowledged: {rotations}; families revoked for reusing a token \
         whose rotation was never acknowledged: {revoked}"
    );

    let moved_ok = match &moved {
        Some(Ok(())) => {
            println!("== sign-in begun on the killed node finished through the others: yes");
            true
        }
        Some(Err(error)) => {
            println!(
                "== sign-in begun on the killed node finished through the others: NO: {error:#}"
            );
            false
        }
        None => true,
    };
    let passed = forbidden.is_empty()
        && calm.failures == 0
        && found_sessions.complete()
        && found_accounts.complete()
        && found_families.complete()
        && moved_ok;
    println!("== {}", if passed { "PASS" } else { "FAIL" });
    Ok(passed)
}
