//! The demo's relying service: one OpenID Connect client registered on every start, whose
//! redirect URI and back-channel logout address are the sandbox's relying-service pages, so
//! that the whole protocol can be tried with a browser and `curl`. Its secret and PKCE
//! verifier live in the demo data folder and are printed in the banner — demo use only.

use std::path::Path;
use std::sync::Arc;

use domain::digest::sha256;
use store::{ClientSettings, OidcClient, Store};
use url::Url;

use crate::demo::demo_secret;

pub const CLIENT_ID: &str = "dvc-demo";

/// What the banner prints to try the provider.
pub struct DemoClient {
    pub secret: String,
    pub redirect_uri: String,
    pub authorize_url: String,
    pub code_verifier: String,
}

/// (Re-)registers the demo client for the demo's current address (the port may change
/// between runs), keeping its secret from the data folder.
pub async fn register(
    store: &Arc<dyn Store>,
    base: &Url,
    data: &Path,
) -> anyhow::Result<DemoClient> {
    let secret = demo_secret(data, "demo_client_secret")?;
    let code_verifier = demo_secret(data, "demo_code_verifier")?;
    let redirect_uri = format!("{base}sandbox/rp/callback");
    let now = time::OffsetDateTime::now_utc();
    store.delete_client(CLIENT_ID).await?;
    store
        .create_client(&OidcClient {
            id: CLIENT_ID.to_owned(),
            name: "Dịch vụ công mẫu (demo)".to_owned(),
            secret_hash: Some(sha256(secret.as_bytes())),
            settings: ClientSettings {
                post_logout_redirect_uris: vec![base.to_string()],
                backchannel_logout_uri: Some(format!("{base}sandbox/rp/backchannel-logout")),
                ..ClientSettings::first_party(
                    &redirect_uri,
                    &["openid", "profile", "phone", "email", "dvc"],
                )
            },
            created_at: now,
            updated_at: now,
        })
        .await?;
    let mut authorize = base.join("authorize")?;
    authorize
        .query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", CLIENT_ID)
        .append_pair("redirect_uri", &redirect_uri)
        .append_pair("scope", "openid profile phone dvc")
        .append_pair("state", "demo-state")
        .append_pair("nonce", "demo-nonce")
        .append_pair("code_challenge", &oidc::pkce::s256(&code_verifier))
        .append_pair("code_challenge_method", "S256");
    Ok(DemoClient {
        secret,
        redirect_uri,
        authorize_url: authorize.to_string(),
        code_verifier,
    })
}
