//! The OpenID provider's HTTP face: discovery, JWKS, authorization (with the sign-in flow and
//! the consent page in between), token, userinfo, introspection, revocation and logout. The
//! protocol is decided by the `oidc` crate; this module turns requests into its typed inputs
//! and its answers into redirects, pages and JSON.
//!
//! These routes sit outside the Origin/Sec-Fetch-Site CSRF layer: relying services post to
//! them from their own sites by design. The forms of dvcid's own pages among them (consent,
//! logout confirmation) carry the session-bound synchronizer token instead. Browser apps
//! registered with web origins may call `/token`, `/userinfo` and `/revoke` cross-origin
//! ([`cors`]).

mod authorize;
mod cors;
mod endpoints;
mod logout;
mod params;

pub(crate) use logout::deliver_logouts;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(endpoints::discovery),
        )
        .route("/jwks.json", get(endpoints::jwks))
        .route(
            "/authorize",
            get(authorize::authorize_get).post(params::post_as_get("/authorize")),
        )
        .route(
            "/authorize/resume/{id}",
            get(authorize::resume).post(authorize::answer_consent),
        )
        .route(
            "/token",
            post(endpoints::token).options(cors::preflight_post),
        )
        .route(
            "/userinfo",
            get(endpoints::userinfo)
                .post(endpoints::userinfo_post)
                .options(cors::preflight_get_post),
        )
        .route("/introspect", post(endpoints::introspect))
        .route(
            "/revoke",
            post(endpoints::revoke).options(cors::preflight_post),
        )
        .route(
            "/logout",
            get(logout::logout_get).post(params::post_as_get("/logout")),
        )
        .route("/logout/confirm", post(logout::confirm))
}
