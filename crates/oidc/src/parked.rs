//! Authorization requests waiting for the person to sign in or to agree: kept in the store
//! (any node may serve the return), as a flow record of their own kind, expiring with the
//! sign-in flow. The instant a request was first seen is what `prompt=login` and `max_age`
//! compare a fresh sign-in with.

use std::sync::Arc;

use domain::Clock;
use serde::{Deserialize, Serialize};
use store::{NewFlow, Store};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::authorize::AuthorizationRequest;
use crate::error::OidcError;

const KIND: &str = "oidc_authorize";

/// A request parked while the person signs in.
#[derive(Debug, Clone)]
pub struct Parked {
    pub request: AuthorizationRequest,
    pub seen_at: OffsetDateTime,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    request: AuthorizationRequest,
}

pub struct ParkedRequests {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    lifetime: Duration,
}

impl ParkedRequests {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, lifetime: Duration) -> Self {
        Self {
            store,
            clock,
            lifetime,
        }
    }

    pub async fn park(&self, request: &AuthorizationRequest) -> Result<Uuid, OidcError> {
        let now = self.clock.now();
        let state = serde_json::to_value(Stored {
            request: request.clone(),
        })
        .map_err(|error| OidcError::Internal(error.to_string()))?;
        let record = self
            .store
            .create_flow(
                &NewFlow {
                    id: Uuid::new_v4(),
                    kind: KIND.to_owned(),
                    state,
                    account_id: None,
                    expires_at: now + self.lifetime,
                },
                now,
            )
            .await?;
        Ok(record.id)
    }

    /// The parked request, unless it expired, was spent, or the id names another kind of flow.
    pub async fn get(&self, id: Uuid) -> Result<Option<Parked>, OidcError> {
        let Some(record) = self.store.flow(id, self.clock.now()).await? else {
            return Ok(None);
        };
        if record.kind != KIND {
            return Ok(None);
        }
        let stored: Stored = serde_json::from_value(record.state)
            .map_err(|error| OidcError::Internal(error.to_string()))?;
        Ok(Some(Parked {
            request: stored.request,
            seen_at: record.created_at,
        }))
    }

    pub async fn remove(&self, id: Uuid) -> Result<(), OidcError> {
        self.store.delete_flow(id).await?;
        Ok(())
    }
}
