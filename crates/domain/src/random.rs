//! Injected randomness: OTP codes, tokens and salts come from a `Randomness`, so that tests can
//! know the code an SMS carries without reading it, and production uses the OS CSPRNG.

use std::sync::Mutex;

use rand::{Rng, SeedableRng};

pub trait Randomness: Send + Sync + 'static {
    fn fill(&self, bytes: &mut [u8]);

    /// A 6-digit code, uniform over 000000–999999 (rejection sampling, no modulo bias).
    fn otp_code(&self) -> String {
        loop {
            let mut bytes = [0u8; 4];
            self.fill(&mut bytes);
            let value = u32::from_le_bytes(bytes);
            // 4_294_000_000 is the largest multiple of 1_000_000 below 2^32.
            if value < 4_294_000_000 {
                return format!("{:06}", value % 1_000_000);
            }
        }
    }

    /// 256 bits for session and flow tokens.
    fn token(&self) -> [u8; 32] {
        let mut bytes = [0u8; 32];
        self.fill(&mut bytes);
        bytes
    }
}

/// The operating system's CSPRNG, through `rand`'s thread-local generator seeded from it.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsRandomness;

impl Randomness for OsRandomness {
    fn fill(&self, bytes: &mut [u8]) {
        rand::rng().fill_bytes(bytes);
    }
}

/// Reproducible randomness for tests and benchmarks; never for production.
#[derive(Debug)]
pub struct SeededRandomness(Mutex<rand::rngs::StdRng>);

impl SeededRandomness {
    pub fn new(seed: u64) -> Self {
        Self(Mutex::new(rand::rngs::StdRng::seed_from_u64(seed)))
    }
}

impl Randomness for SeededRandomness {
    fn fill(&self, bytes: &mut [u8]) {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .fill_bytes(bytes);
    }
}
