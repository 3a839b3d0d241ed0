//! Argon2id for the passwords people choose, on a bounded pool of blocking threads: a burst of
//! sign-ins queues for a permit instead of allocating 19 MiB per request at once.

use std::sync::Arc;

use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::FlowError;
use crate::config::Argon2Params;
use crate::random::Randomness;

pub struct Passwords {
    params: Params,
    permits: Arc<Semaphore>,
    random: Arc<dyn Randomness>,
    /// The hash an unknown account is checked against, so that "no such ID" costs the same
    /// time as "wrong password".
    dummy: String,
}

impl Passwords {
    pub async fn new(
        config: &Argon2Params,
        random: Arc<dyn Randomness>,
    ) -> Result<Self, FlowError> {
        let params = Params::new(
            config.memory_kib,
            config.iterations,
            config.parallelism,
            None,
        )
        .map_err(|error| FlowError::Hashing(error.to_string()))?;
        let mut passwords = Self {
            params,
            permits: Arc::new(Semaphore::new(config.max_concurrent.max(1))),
            random,
            dummy: String::new(),
        };
        let mut filler = [0u8; 24];
        passwords.random.fill(&mut filler);
        passwords.dummy = passwords.hash(&crate::secrets::to_hex(&filler)).await?;
        Ok(passwords)
    }

    /// The PHC string of `password` (normalised to NFC first, as the policy counts it).
    pub async fn hash(&self, password: &str) -> Result<String, FlowError> {
        let password = domain::password::normalize(password);
        let mut salt = [0u8; 16];
        self.random.fill(&mut salt);
        let params = self.params.clone();
        self.on_pool(move || {
            argon2(params)
                .hash_password_with_salt(password.as_bytes(), &salt)
                .map(|hash| hash.to_string())
                .map_err(|error| FlowError::Hashing(error.to_string()))
        })
        .await
    }

    /// Whether `password` matches `phc`; with no `phc` (unknown account) the dummy is checked
    /// and the answer is false.
    pub async fn verify(&self, password: &str, phc: Option<&str>) -> Result<bool, FlowError> {
        let password = domain::password::normalize(password);
        let known = phc.is_some();
        let phc = phc.unwrap_or(&self.dummy).to_owned();
        let params = self.params.clone();
        let matches = self
            .on_pool(move || {
                Ok(argon2(params)
                    .verify_password(password.as_bytes(), phc.as_str())
                    .is_ok())
            })
            .await?;
        Ok(known && matches)
    }

    async fn on_pool<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, FlowError> + Send + 'static,
    ) -> Result<T, FlowError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|error| FlowError::Hashing(error.to_string()))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|error| FlowError::Hashing(error.to_string()))?
    }
}

fn argon2(params: Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}
