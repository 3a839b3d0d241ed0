//! `dvcid client add|list|show|remove|rotate-secret`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use clap::{Subcommand, ValueEnum};
use domain::random::OsRandomness;
use domain::{AssuranceLevel, SystemClock};
use oidc::clients::{ClientError, auth_method_name, grant_type_name};
use oidc::{ClientRegistry, NewClient};
use serde_json::{Value, json};
use store::{
    ClaimMapping, ClientAuthMethod, ClientSettings, GrantType, OidcClient, SigningAlg, SubjectType,
};

use super::{Opened, Target, instant, print_json};

#[derive(Debug, clap::Args)]
pub struct ClientArgs {
    #[command(subcommand)]
    command: ClientCommand,
}

#[derive(Debug, Subcommand)]
enum ClientCommand {
    /// Register a relying service; its secret is printed once.
    Add(Box<AddArgs>),
    /// List the registered clients.
    List(Target),
    /// Show one client.
    Show {
        id: String,
        #[command(flatten)]
        target: Target,
    },
    /// Remove a client with every code, grant and token issued to it.
    Remove {
        id: String,
        #[command(flatten)]
        target: Target,
    },
    /// Give a client a new secret (printed once); the old one stops working at once.
    RotateSecret {
        id: String,
        #[command(flatten)]
        target: Target,
    },
}

#[derive(Debug, clap::Args)]
struct AddArgs {
    #[command(flatten)]
    target: Target,
    /// The client_id: 3 to 64 of A–Z a–z 0–9 . _ -
    #[arg(long)]
    id: String,
    /// The service's name, as people see it on the consent page.
    #[arg(long)]
    name: String,
    /// An exact redirect URI (repeatable): https, or http://127.0.0.1 / http://[::1].
    #[arg(long = "redirect-uri", value_name = "URI")]
    redirect_uris: Vec<String>,
    /// Where RP-initiated logout may return to (repeatable).
    #[arg(long = "post-logout-redirect-uri", value_name = "URI")]
    post_logout_redirect_uris: Vec<String>,
    /// Where back-channel logout tokens are posted.
    #[arg(long, value_name = "URI")]
    backchannel_logout_uri: Option<String>,
    /// A grant type (repeatable).
    #[arg(long = "grant", value_enum, default_values = ["authorization_code", "refresh_token"])]
    grants: Vec<Grant>,
    /// How the client authenticates at the token endpoint.
    #[arg(long, value_enum, default_value = "client_secret_basic")]
    auth_method: AuthMethod,
    /// A file holding the client's public keys (a JWK Set, or one JWK), for private_key_jwt.
    #[arg(long, value_name = "FILE")]
    jwks: Option<PathBuf>,
    /// A scope the client may ask for (repeatable, or several separated by spaces).
    #[arg(long = "scope", default_values = ["openid", "profile", "phone", "email", "dvc"])]
    scopes: Vec<String>,
    /// The ID token's signing algorithm.
    #[arg(long, value_enum, default_value = "RS256")]
    signing_alg: Alg,
    /// Sign-ins below this level are stepped up for this client.
    #[arg(long, value_enum)]
    min_acr: Option<Level>,
    /// Claim names: OpenID standard ones, or those the portal's services use today too.
    #[arg(long, value_enum, default_value = "standard")]
    claims: Claims,
    /// Give this client its own `sub` for each person (pairwise subject).
    #[arg(long)]
    pairwise: bool,
    /// Ask the person before sharing claims with this client.
    #[arg(long)]
    consent: bool,
    /// Do not require PKCE (confidential clients only).
    #[arg(long)]
    no_pkce: bool,
    /// The origin of a browser app that calls /token, /userinfo and /revoke from its pages
    /// (repeatable): https://host[:port], or http://127.0.0.1 / http://[::1]; no path.
    #[arg(long = "web-origin", value_name = "ORIGIN")]
    web_origins: Vec<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Grant {
    #[value(name = "authorization_code")]
    AuthorizationCode,
    #[value(name = "refresh_token")]
    RefreshToken,
    #[value(name = "client_credentials")]
    ClientCredentials,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum AuthMethod {
    #[value(name = "client_secret_basic")]
    ClientSecretBasic,
    #[value(name = "client_secret_post")]
    ClientSecretPost,
    #[value(name = "private_key_jwt")]
    PrivateKeyJwt,
    #[value(name = "none")]
    None,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Alg {
    #[value(name = "RS256")]
    Rs256,
    #[value(name = "ES256")]
    Es256,
    #[value(name = "EdDSA")]
    EdDsa,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Level {
    #[value(name = "LoA1")]
    LoA1,
    #[value(name = "LoA2")]
    LoA2,
    #[value(name = "LoA3")]
    LoA3,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Claims {
    Standard,
    Portal,
    /// The eID provider's claims (citizenPid, fullName, birthDate, gender, accountLevel).
    Vneid,
}

pub async fn run(args: ClientArgs) -> anyhow::Result<()> {
    match args.command {
        ClientCommand::Add(add) => self::add(*add).await,
        ClientCommand::List(target) => {
            let clients = registry(&target).await?.list().await?;
            if target.json {
                print_json(&Value::Array(clients.iter().map(client_json).collect()))
            } else {
                if clients.is_empty() {
                    println!("No clients are registered (add one with `dvcid client add`).");
                }
                for client in &clients {
                    println!(
                        "{:<32} {:<20} {}",
                        client.id,
                        auth_method_name(client.settings.auth_method),
                        client.name
                    );
                }
                Ok(())
            }
        }
        ClientCommand::Show { id, target } => {
            let client = registry(&target).await?.show(&id).await?;
            print_client(&client, None, target.json)
        }
        ClientCommand::Remove { id, target } => {
            registry(&target).await?.remove(&id).await?;
            if target.json {
                print_json(&json!({ "removed": id }))
            } else {
                println!("Client {id} removed, with every grant and token issued to it.");
                Ok(())
            }
        }
        ClientCommand::RotateSecret { id, target } => {
            let registry = registry(&target).await?;
            let secret = registry.rotate_secret(&id).await?;
            let client = registry.show(&id).await?;
            print_client(&client, Some(&secret), target.json)
        }
    }
}

async fn registry(target: &Target) -> anyhow::Result<ClientRegistry> {
    let opened = Opened::open(target).await?;
    Ok(ClientRegistry::new(
        opened.store,
        Arc::new(OsRandomness),
        Arc::new(SystemClock),
    ))
}

async fn add(args: AddArgs) -> anyhow::Result<()> {
    let jwks = args.jwks.as_deref().map(read_jwks).transpose()?;
    let settings = ClientSettings {
        redirect_uris: args.redirect_uris,
        post_logout_redirect_uris: args.post_logout_redirect_uris,
        backchannel_logout_uri: args.backchannel_logout_uri,
        grant_types: args.grants.iter().map(|grant| grant.into()).collect(),
        auth_method: args.auth_method.into(),
        jwks,
        scopes: args
            .scopes
            .iter()
            .flat_map(|scope| scope.split_whitespace())
            .map(str::to_owned)
            .collect(),
        id_token_alg: args.signing_alg.into(),
        min_acr: args.min_acr.map(Into::into),
        claim_mapping: match args.claims {
            Claims::Standard => ClaimMapping::Standard,
            Claims::Portal => ClaimMapping::Portal,
            Claims::Vneid => ClaimMapping::Vneid,
        },
        subject_type: if args.pairwise {
            SubjectType::Pairwise
        } else {
            SubjectType::Public
        },
        consent: args.consent,
        require_pkce: !args.no_pkce,
        web_origins: args.web_origins,
    };
    let new = NewClient {
        id: args.id,
        name: args.name,
        settings,
    };
    let (client, secret) =
        registry(&args.target)
            .await?
            .add(new)
            .await
            .map_err(|error| match error {
                ClientError::Invalid { field, message } => {
                    anyhow::anyhow!("{}: {message}", flag_of(field))
                }
                other => other.into(),
            })?;
    print_client(&client, secret.as_deref(), args.target.json)
}

/// The flag that sets a registration field, for error messages.
fn flag_of(field: &str) -> &'static str {
    match field {
        "client_id" => "--id",
        "name" => "--name",
        "redirect_uris" => "--redirect-uri",
        "post_logout_redirect_uris" => "--post-logout-redirect-uri",
        "backchannel_logout_uri" => "--backchannel-logout-uri",
        "grant_types" => "--grant",
        "auth_method" => "--auth-method",
        "jwks" => "--jwks",
        "scopes" => "--scope",
        "require_pkce" => "--no-pkce",
        "id_token_alg" => "--signing-alg",
        "web_origins" => "--web-origin",
        _ => "the client",
    }
}

/// The `--jwks` file: a JWK Set, or a single JWK (wrapped into a set).
fn read_jwks(path: &Path) -> anyhow::Result<Value> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("--jwks: cannot read {}", path.display()))?;
    let value: Value = serde_json::from_str(&text)
        .with_context(|| format!("--jwks: {} is not JSON", path.display()))?;
    Ok(if value.get("kty").is_some() {
        json!({ "keys": [value] })
    } else {
        value
    })
}

fn client_json(client: &OidcClient) -> Value {
    let mut value = serde_json::to_value(&client.settings).unwrap_or_else(|_| json!({}));
    if let Some(object) = value.as_object_mut() {
        object.insert("client_id".to_owned(), json!(client.id));
        object.insert("name".to_owned(), json!(client.name));
        object.insert("has_secret".to_owned(), json!(client.secret_hash.is_some()));
        object.insert("created_at".to_owned(), json!(instant(client.created_at)));
        object.insert("updated_at".to_owned(), json!(instant(client.updated_at)));
    }
    value
}

fn print_client(client: &OidcClient, secret: Option<&str>, as_json: bool) -> anyhow::Result<()> {
    if as_json {
        let mut value = json!({ "client": client_json(client) });
        if let Some(secret) = secret {
            value["client_secret"] = json!(secret);
        }
        return print_json(&value);
    }
    let settings = &client.settings;
    let list = |items: &[String]| {
        if items.is_empty() {
            "(none)".to_owned()
        } else {
            items.join("\n                            ")
        }
    };
    let yes_no = |value: bool| if value { "yes" } else { "no" };
    println!("client_id:                  {}", client.id);
    println!("name:                       {}", client.name);
    println!(
        "auth method:                {}",
        auth_method_name(settings.auth_method)
    );
    let grants: Vec<&str> = settings
        .grant_types
        .iter()
        .map(|grant| grant_type_name(*grant))
        .collect();
    println!("grant types:                {}", grants.join(", "));
    println!(
        "redirect URIs:              {}",
        list(&settings.redirect_uris)
    );
    println!(
        "post-logout redirect URIs:  {}",
        list(&settings.post_logout_redirect_uris)
    );
    println!(
        "back-channel logout URI:    {}",
        settings
            .backchannel_logout_uri
            .as_deref()
            .unwrap_or("(none)")
    );
    println!(
        "web origins (CORS):         {}",
        list(&settings.web_origins)
    );
    println!("scopes:                     {}", settings.scopes.join(" "));
    println!(
        "ID token algorithm:         {}",
        oidc::jwt::alg_name(settings.id_token_alg)
    );
    println!(
        "minimum assurance level:    {}",
        settings.min_acr.map_or("(none)", AssuranceLevel::as_str)
    );
    println!(
        "claims:                     {}",
        match settings.claim_mapping {
            ClaimMapping::Standard => "standard",
            ClaimMapping::Portal => "portal",
            ClaimMapping::Vneid => "vneid",
        }
    );
    println!(
        "subject:                    {}",
        match settings.subject_type {
            SubjectType::Public => "public",
            SubjectType::Pairwise => "pairwise",
        }
    );
    println!("asks consent:               {}", yes_no(settings.consent));
    println!(
        "requires PKCE:              {}",
        yes_no(settings.require_pkce)
    );
    if let Some(jwks) = &settings.jwks {
        let count = jwks["keys"].as_array().map_or(0, Vec::len);
        println!("public keys:                {count}");
    }
    println!("created:                    {}", instant(client.created_at));
    if let Some(secret) = secret {
        println!();
        println!("client_secret:              {secret}");
        println!("  Copy it now: it cannot be shown again (only its digest is kept).");
        println!(
            "  `dvcid client rotate-secret {}` makes a new one.",
            client.id
        );
    }
    Ok(())
}

impl From<&Grant> for GrantType {
    fn from(grant: &Grant) -> Self {
        match grant {
            Grant::AuthorizationCode => GrantType::AuthorizationCode,
            Grant::RefreshToken => GrantType::RefreshToken,
            Grant::ClientCredentials => GrantType::ClientCredentials,
        }
    }
}

impl From<AuthMethod> for ClientAuthMethod {
    fn from(method: AuthMethod) -> Self {
        match method {
            AuthMethod::ClientSecretBasic => ClientAuthMethod::ClientSecretBasic,
            AuthMethod::ClientSecretPost => ClientAuthMethod::ClientSecretPost,
            AuthMethod::PrivateKeyJwt => ClientAuthMethod::PrivateKeyJwt,
            AuthMethod::None => ClientAuthMethod::None,
        }
    }
}

impl From<Alg> for SigningAlg {
    fn from(alg: Alg) -> Self {
        match alg {
            Alg::Rs256 => SigningAlg::RS256,
            Alg::Es256 => SigningAlg::ES256,
            Alg::EdDsa => SigningAlg::EdDSA,
        }
    }
}

impl From<Level> for AssuranceLevel {
    fn from(level: Level) -> Self {
        match level {
            Level::LoA1 => AssuranceLevel::LoA1,
            Level::LoA2 => AssuranceLevel::LoA2,
            Level::LoA3 => AssuranceLevel::LoA3,
        }
    }
}
