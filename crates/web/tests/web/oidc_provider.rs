//! The provider under test for the OpenID conformance tests: served with its issuer at its
//! real address, one person registered through the pages, clients registered in the store,
//! and the browser hops of an authorization request (sign-in flow included).

use std::collections::HashMap;

use openidconnect::{IssuerUrl, ProviderMetadataWithLogout};
use reqwest::StatusCode;
use store::testing::TestDb;
use store::{ClientAuthMethod, ClientSettings};
use time::OffsetDateTime;

use super::browser::{Browser, location, registered, sign_in_on};
use super::oidc_rp::{Request, Rp, SignedIn, describe, rp_http};
use super::{Options, person, serve_with};

pub(super) const PASSWORD: &str = "mây trắng bay qua đồi";

/// The provider served with its issuer at its real address, one registered person, and its
/// metadata as the library discovered it.
pub(super) struct Op {
    pub(super) base: String,
    pub(super) metadata: ProviderMetadataWithLogout,
    pub(super) who: sandbox::Person,
}

impl Op {
    pub(super) async fn start(db: &TestDb) -> Self {
        let base = serve_with(
            db,
            Options {
                issuer_is_address: true,
                ..Options::default()
            },
        )
        .await;
        let who = person(0);
        registered(base.clone(), &who, PASSWORD).await;
        let metadata = ProviderMetadataWithLogout::discover_async(
            IssuerUrl::new(base.clone()).unwrap(),
            &rp_http,
        )
        .await
        .unwrap_or_else(|error| panic!("discovery failed: {error:?}"));
        Self {
            base,
            metadata,
            who,
        }
    }

    /// A browser that is not signed in.
    pub(super) async fn browser(&self) -> Browser {
        Browser::new(self.base.clone()).await
    }

    /// Registers a client with the defaults of `settings`, changed by `configure`.
    pub(super) async fn client(
        &self,
        db: &TestDb,
        id: &str,
        configure: impl FnOnce(&mut ClientSettings),
    ) -> Rp {
        let secret = format!("{id}-secret-0f1e2d3c4b5a69788796a5b4c3d2e1f0");
        let redirect = format!("https://{id}.example.vn/oidc/callback");
        let mut settings = settings(&redirect);
        configure(&mut settings);
        add_client(db, id, Some(&secret), settings.clone()).await;
        let secret = (settings.auth_method != ClientAuthMethod::None).then_some(secret);
        self.rp(id, secret.as_deref(), &settings)
    }

    /// The library's client for a registered client.
    pub(super) fn rp(&self, id: &str, secret: Option<&str>, settings: &ClientSettings) -> Rp {
        Rp::new(&self.metadata, &self.base, id, secret, settings)
    }

    /// Follows `request` in `browser`, signing in on the way if sent to the sign-in flow;
    /// returns the parameters the relying service's redirect URI received.
    pub(super) async fn authorize_signing_in(
        &self,
        browser: &mut Browser,
        rp: &Rp,
        request: &Request,
    ) -> HashMap<String, String> {
        let first = browser.get(request.url.as_str()).await;
        assert_eq!(first.status(), StatusCode::SEE_OTHER, "{}", request.url);
        let mut next = location(&first);
        if next.starts_with("/flows/") {
            let resume = sign_in_on(browser, &next, &self.who, PASSWORD).await;
            assert!(resume.starts_with("/authorize/resume/"), "{resume}");
            let back = browser.get(&resume).await;
            assert_eq!(back.status(), StatusCode::SEE_OTHER, "{resume}");
            next = location(&back);
        }
        callback(&next, &rp.redirect)
    }

    /// Signs in (if the browser is not yet), redeems the code and checks the ID token with
    /// the library: what a relying service does on every sign-in.
    pub(super) async fn sign_in(&self, browser: &mut Browser, rp: &Rp) -> SignedIn {
        let request = rp.authorization(|r| r);
        let answer = self.authorize_signing_in(browser, rp, &request).await;
        assert_eq!(
            answer.get("state"),
            Some(request.state.secret()),
            "{answer:?}"
        );
        let code = answer
            .get("code")
            .unwrap_or_else(|| panic!("no code: {answer:?}"));
        let tokens = rp
            .exchange(code, request.verifier)
            .await
            .unwrap_or_else(|error| panic!("code exchange failed: {}", describe(&error)));
        rp.verified(tokens, &request.nonce)
    }
}

/// The settings of a confidential first-party client with one redirect URI.
pub(super) fn settings(redirect_uri: &str) -> ClientSettings {
    ClientSettings::first_party(redirect_uri, &oidc::clients::KNOWN_SCOPES)
}

pub(super) async fn add_client(
    db: &TestDb,
    id: &str,
    secret: Option<&str>,
    settings: ClientSettings,
) {
    let now = OffsetDateTime::now_utc();
    db.store
        .create_client(&store::OidcClient {
            id: id.to_owned(),
            name: format!("Dịch vụ {id}"),
            secret_hash: secret.map(|secret| domain::digest::sha256(secret.as_bytes())),
            settings,
            created_at: now,
            updated_at: now,
        })
        .await
        .unwrap();
}

/// The parameters of a redirect to `redirect_uri`; fails unless `location` is one.
pub(super) fn callback(location: &str, redirect_uri: &str) -> HashMap<String, String> {
    let query = location
        .strip_prefix(redirect_uri)
        .and_then(|rest| rest.strip_prefix('?'))
        .unwrap_or_else(|| panic!("{location} is not a redirect to {redirect_uri}"));
    url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// GET or POST to the userinfo endpoint, outside the library: status and JSON body.
pub(super) async fn userinfo_raw(
    base: &str,
    post: bool,
    header: Option<&str>,
    form: &[(&str, &str)],
) -> (StatusCode, Option<String>, serde_json::Value) {
    let http = reqwest::Client::new();
    let url = format!("{base}/userinfo");
    let mut request = if post {
        http.post(url).form(form)
    } else {
        http.get(url)
    };
    if let Some(token) = header {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|value| value.to_str().unwrap().to_owned());
    let body = response.json().await.unwrap_or(serde_json::Value::Null);
    (status, challenge, body)
}
