//! Argon2id for the passwords people choose, on a bounded pool: at most `max_concurrent`
//! hashes run at once, each in one of that many preallocated memory buffers. A burst of
//! sign-ins queues for a buffer instead of allocating 19 MiB per request, and the process's
//! memory stays `max_concurrent` × m however long it runs (per-hash allocations would be kept
//! by the allocator's per-thread arenas and grow the resident set).

use std::sync::{Arc, Mutex};

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{ARGON2ID_IDENT, Algorithm, Argon2, Block, Params, Version};
use tokio::sync::Semaphore;

use crate::config::Argon2Params;
use crate::error::FlowError;
use domain::digest::equal;
use domain::random::Randomness;

const OUTPUT_LEN: usize = 32;

pub struct Passwords {
    params: Params,
    permits: Arc<Semaphore>,
    /// One buffer per permit; a holder of a permit always finds one.
    buffers: Arc<Mutex<Vec<Vec<Block>>>>,
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
            Some(OUTPUT_LEN),
        )
        .map_err(hashing)?;
        let slots = config.max_concurrent.max(1);
        let buffers = (0..slots)
            .map(|_| vec![Block::default(); params.block_count()])
            .collect();
        let mut passwords = Self {
            params,
            permits: Arc::new(Semaphore::new(slots)),
            buffers: Arc::new(Mutex::new(buffers)),
            random,
            dummy: String::new(),
        };
        let mut filler = [0u8; 24];
        passwords.random.fill(&mut filler);
        passwords.dummy = passwords.hash(&domain::digest::to_hex(&filler)).await?;
        Ok(passwords)
    }

    /// The PHC string of `password` (normalised to NFC first, as the policy counts it).
    pub async fn hash(&self, password: &str) -> Result<String, FlowError> {
        let password = domain::password::normalize(password);
        let mut salt = [0u8; 16];
        self.random.fill(&mut salt);
        let params = self.params.clone();
        self.on_pool(move |blocks| {
            let mut out = [0u8; OUTPUT_LEN];
            argon2id(params.clone())
                .hash_password_into_with_memory(password.as_bytes(), &salt, &mut out, blocks)
                .map_err(hashing)?;
            let phc = PasswordHash {
                algorithm: ARGON2ID_IDENT,
                version: Some(Version::V0x13.into()),
                params: ParamsString::try_from(&params).map_err(hashing)?,
                salt: Some(Salt::new(&salt).map_err(hashing)?),
                hash: Some(Output::new(&out).map_err(hashing)?),
            };
            Ok(phc.to_string())
        })
        .await
    }

    /// Whether `password` matches `phc`; with no `phc` (unknown account) the dummy is checked
    /// and the answer is false.
    pub async fn verify(&self, password: &str, phc: Option<&str>) -> Result<bool, FlowError> {
        let password = domain::password::normalize(password);
        let known = phc.is_some();
        let phc = phc.unwrap_or(&self.dummy).to_owned();
        let matches = self
            .on_pool(move |blocks| matches(password.as_bytes(), &phc, blocks))
            .await?;
        Ok(known && matches)
    }

    async fn on_pool<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut [Block]) -> Result<T, FlowError> + Send + 'static,
    ) -> Result<T, FlowError> {
        let _permit = self.permits.acquire().await.map_err(hashing)?;
        let taken = self
            .buffers
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .pop();
        let block_count = self.params.block_count();
        let mut buffer = taken.unwrap_or_else(|| vec![Block::default(); block_count]);
        let buffers = Arc::clone(&self.buffers);
        tokio::task::spawn_blocking(move || {
            let result = work(&mut buffer);
            buffers
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .push(buffer);
            result
        })
        .await
        .map_err(hashing)?
    }
}

/// Recomputes the hash with the parameters the PHC string names (older hashes may have other
/// costs: they get memory of their own) and compares in constant time.
fn matches(password: &[u8], phc: &str, blocks: &mut [Block]) -> Result<bool, FlowError> {
    let Ok(hash) = PasswordHash::new(phc) else {
        return Ok(false);
    };
    let (Some(salt), Some(expected)) = (&hash.salt, &hash.hash) else {
        return Ok(false);
    };
    let algorithm = Algorithm::try_from(hash.algorithm.as_str()).map_err(hashing)?;
    let version = Version::try_from(hash.version.unwrap_or(0x13)).map_err(hashing)?;
    let params = Params::try_from(&hash).map_err(hashing)?;
    let argon = Argon2::new(algorithm, version, params.clone());
    let mut out = vec![0u8; expected.len()];
    if params.block_count() == blocks.len() {
        argon.hash_password_into_with_memory(password, salt, &mut out, blocks)
    } else {
        argon.hash_password_into(password, salt, &mut out)
    }
    .map_err(hashing)?;
    Ok(equal(&out, expected.as_bytes()))
}

fn argon2id(params: Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hashing(error: impl std::fmt::Display) -> FlowError {
    FlowError::Hashing(error.to_string())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use argon2::password_hash::PasswordVerifier;

    use super::*;
    use domain::random::SeededRandomness;

    fn config() -> Argon2Params {
        Argon2Params {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
            max_concurrent: 2,
        }
    }

    #[tokio::test]
    async fn hashes_are_standard_phc_strings_that_verify() {
        let passwords = Passwords::new(&config(), Arc::new(SeededRandomness::new(1)))
            .await
            .unwrap();
        let phc = passwords.hash("mây trắng bay qua đồi").await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{phc}");
        // Another implementation agrees.
        let parsed = PasswordHash::new(&phc).unwrap();
        Argon2::default()
            .verify_password(
                b"m\xc3\xa2y tr\xe1\xba\xafng bay qua \xc4\x91\xe1\xbb\x93i",
                &parsed,
            )
            .unwrap();
        assert!(
            passwords
                .verify("mây trắng bay qua đồi", Some(&phc))
                .await
                .unwrap()
        );
        assert!(
            !passwords
                .verify("mây trắng bay qua đồi!", Some(&phc))
                .await
                .unwrap()
        );
        assert!(
            !passwords
                .verify("mây trắng bay qua đồi", None)
                .await
                .unwrap()
        );
        assert!(
            !passwords
                .verify("x", Some("not a phc string"))
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn hashes_with_other_costs_still_verify() {
        let passwords = Passwords::new(&config(), Arc::new(SeededRandomness::new(2)))
            .await
            .unwrap();
        let older = argon2id(Params::new(128, 2, 1, None).unwrap());
        let salt = Salt::new(b"sixteen byte salt").unwrap();
        let phc = argon2::password_hash::CustomizedPasswordHasher::hash_password_customized(
            &older,
            b"old password",
            &salt,
            None,
            None,
            Params::new(128, 2, 1, None).unwrap(),
        )
        .unwrap()
        .to_string();
        assert!(passwords.verify("old password", Some(&phc)).await.unwrap());
        assert!(!passwords.verify("new password", Some(&phc)).await.unwrap());
    }
}
