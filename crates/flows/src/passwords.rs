//! Argon2id for the passwords people choose, on `max_concurrent` threads of its own.
//!
//! Each hashing thread owns one buffer of the configured memory cost, allocated when the
//! thread first hashes (a node at rest keeps none), and reuses it for every later hash: a
//! burst of sign-ins never allocates 19 MiB per request, and the process's memory stays
//! `max_concurrent` × m however long it runs. The threads run at a lower priority than the
//! request handlers, so that a page, a token or a sign-in's other steps preempt a hash instead
//! of waiting for its time slice.
//!
//! Admission: at most `max_concurrent + max_waiting` hashes are admitted at once. Beyond that a
//! request is refused at once with [`FlowError::Busy`] (503 + `Retry-After`) rather than
//! queueing without bound, and it is refused *before* anything is counted against the person
//! (see [`Passwords::admit`]).

use std::panic::AssertUnwindSafe;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{ARGON2ID_IDENT, Algorithm, Argon2, Block, Params, Version};
use thread_priority::{ThreadPriority, set_current_thread_priority};
use tokio::sync::{OnceCell, OwnedSemaphorePermit, Semaphore, oneshot};

use crate::config::Argon2Params;
use crate::error::FlowError;
use domain::digest::equal;
use domain::random::Randomness;

const OUTPUT_LEN: usize = 32;
/// What a refused request is told to wait: about the time the admitted queue takes to drain.
const RETRY_AFTER_SECS: u64 = 2;
/// The hashing threads' priority on the cross-platform 0–99 scale (a nice value of about 10
/// on Linux): below the request handlers, above idle.
const HASHING_PRIORITY: u8 = 25;

type Job = Box<dyn FnOnce(&mut [Block]) + Send>;

pub struct Passwords {
    params: Params,
    admissions: Arc<Semaphore>,
    jobs: Sender<Job>,
    random: Arc<dyn Randomness>,
    /// The hash an unknown account is checked against, so that "no such ID" costs the same
    /// time as "wrong password"; made at the first such check, not at start.
    dummy: OnceCell<String>,
}

/// A place among the hashes admitted: held from before a sign-in is counted until its hash
/// is done.
pub struct Admission<'a> {
    passwords: &'a Passwords,
    _permit: OwnedSemaphorePermit,
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
        let threads = config.max_concurrent.max(1);
        let (jobs, queue) = channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for index in 0..threads {
            let queue = Arc::clone(&queue);
            let block_count = params.block_count();
            std::thread::Builder::new()
                .name(format!("argon2-{index}"))
                .spawn(move || hash_jobs(&queue, block_count))
                .map_err(hashing)?;
        }
        Ok(Self {
            params,
            admissions: Arc::new(Semaphore::new(threads + config.max_waiting)),
            jobs,
            random,
            dummy: OnceCell::new(),
        })
    }

    /// A place among the admitted hashes, or `Busy` when they are all taken. Ask before
    /// counting an attempt, so that a refusal for load never counts against the person.
    pub fn admit(&self) -> Result<Admission<'_>, FlowError> {
        match Arc::clone(&self.admissions).try_acquire_owned() {
            Ok(permit) => Ok(Admission {
                passwords: self,
                _permit: permit,
            }),
            Err(_) => {
                metrics::counter!("dvcid_password_hashes_refused_total").increment(1);
                Err(FlowError::Busy {
                    retry_after_secs: RETRY_AFTER_SECS,
                })
            }
        }
    }

    /// The PHC string of `password` (normalised to NFC first, as the policy counts it).
    pub async fn hash(&self, password: &str) -> Result<String, FlowError> {
        self.admit()?.hash(password).await
    }

    /// Whether `password` matches `phc`; with no `phc` (unknown account) the dummy is checked
    /// and the answer is false.
    pub async fn verify(&self, password: &str, phc: Option<&str>) -> Result<bool, FlowError> {
        self.admit()?.verify(password, phc).await
    }

    async fn dummy(&self) -> Result<&str, FlowError> {
        let dummy = self
            .dummy
            .get_or_try_init(|| async {
                let mut filler = [0u8; 24];
                self.random.fill(&mut filler);
                self.compute_hash(&domain::digest::to_hex(&filler)).await
            })
            .await?;
        Ok(dummy)
    }

    async fn compute_hash(&self, password: &str) -> Result<String, FlowError> {
        let password = domain::password::normalize(password);
        let mut salt = [0u8; 16];
        self.random.fill(&mut salt);
        let params = self.params.clone();
        self.on_thread(move |blocks| {
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

    /// Runs `work` on a hashing thread with that thread's buffer.
    async fn on_thread<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut [Block]) -> Result<T, FlowError> + Send + 'static,
    ) -> Result<T, FlowError> {
        let (answer, answered) = oneshot::channel();
        let job: Job = Box::new(move |buffer| {
            // The receiver is gone only if the request was dropped; nobody waits for the hash.
            let _ = answer.send(work(buffer));
        });
        self.jobs.send(job).map_err(hashing)?;
        answered.await.map_err(hashing)?
    }
}

impl Admission<'_> {
    pub async fn hash(self, password: &str) -> Result<String, FlowError> {
        self.passwords.compute_hash(password).await
    }

    pub async fn verify(self, password: &str, phc: Option<&str>) -> Result<bool, FlowError> {
        let passwords = self.passwords;
        let password = domain::password::normalize(password);
        let known = phc.is_some();
        let phc = match phc {
            Some(phc) => phc.to_owned(),
            None => passwords.dummy().await?.to_owned(),
        };
        let matches = passwords
            .on_thread(move |blocks| matches(password.as_bytes(), &phc, blocks))
            .await?;
        Ok(known && matches)
    }
}

/// A hashing thread: takes jobs until the `Passwords` that feeds it is dropped.
fn hash_jobs(queue: &Mutex<Receiver<Job>>, block_count: usize) {
    let lowered = HASHING_PRIORITY
        .try_into()
        .map_err(|_| "out of range")
        .and_then(|value| {
            set_current_thread_priority(ThreadPriority::Crossplatform(value)).map_err(|_| "refused")
        });
    if let Err(why) = lowered {
        tracing::debug!(why, "hashing thread keeps the default priority");
    }
    let mut buffer: Vec<Block> = Vec::new();
    loop {
        let job = {
            let queue = queue
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            queue.recv()
        };
        let Ok(job) = job else { return };
        if buffer.len() != block_count {
            buffer = vec![Block::default(); block_count];
        }
        // A job that panics loses its answer (the request sees a hashing error), not the thread.
        if std::panic::catch_unwind(AssertUnwindSafe(|| job(&mut buffer))).is_err() {
            tracing::error!("a password hash panicked");
        }
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
            max_waiting: 2,
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
    async fn hashes_beyond_those_admitted_are_refused_at_once_until_a_place_frees() {
        let config = Argon2Params {
            max_concurrent: 1,
            max_waiting: 1,
            ..config()
        };
        let passwords = Passwords::new(&config, Arc::new(SeededRandomness::new(3)))
            .await
            .unwrap();
        let running = passwords.admit().unwrap();
        let waiting = passwords.admit().unwrap();
        assert!(matches!(
            passwords.admit(),
            Err(FlowError::Busy {
                retry_after_secs: RETRY_AFTER_SECS
            })
        ));
        assert!(matches!(
            passwords.verify("mật khẩu", None).await,
            Err(FlowError::Busy { .. })
        ));
        drop(running);
        let phc = waiting.hash("mật khẩu").await.unwrap();
        // Both places are free again.
        let _one = passwords.admit().unwrap();
        assert!(passwords.verify("mật khẩu", Some(&phc)).await.unwrap());
    }

    #[tokio::test]
    async fn a_hash_that_panics_fails_its_request_and_leaves_the_thread_hashing() {
        let config = Argon2Params {
            max_concurrent: 1,
            ..config()
        };
        let passwords = Passwords::new(&config, Arc::new(SeededRandomness::new(4)))
            .await
            .unwrap();
        let failed = passwords
            .on_thread(|_| -> Result<(), FlowError> { panic!("a broken hash") })
            .await;
        assert!(matches!(failed, Err(FlowError::Hashing(_))), "{failed:?}");
        // The one hashing thread is still there, buffer and all.
        let phc = passwords.hash("mật khẩu").await.unwrap();
        assert!(passwords.verify("mật khẩu", Some(&phc)).await.unwrap());
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
