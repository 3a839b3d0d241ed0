//! The transport facts the flows need about the person's device, gathered once.

use std::convert::Infallible;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;

use crate::AppState;

/// `flows::Client` from the connection: its address (behind a trusted proxy, the address the
/// proxy forwarded for) and user agent.
pub struct RequestClient(pub flows::Client);

impl FromRequestParts<AppState> for RequestClient {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let address = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(peer)| {
                state
                    .settings
                    .trusted_proxies
                    .client_address(peer.ip(), &parts.headers)
                    .to_string()
            });
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|value| value.to_str().ok())
            .map(|agent| agent.chars().take(256).collect());
        Ok(Self(flows::Client {
            address,
            user_agent,
            // Only a device that presented its token counts as one: a request without it is
            // counted by its address, so dropping the cookie buys no fresh budget.
            device: parts
                .extensions
                .get::<crate::device::Device>()
                .filter(|device| !device.minted)
                .map(|device| device.id.clone()),
        }))
    }
}
