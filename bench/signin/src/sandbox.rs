//! The sandbox's test-only endpoints (`crates/sandbox/PROTOCOL.md`): its synthetic people and
//! the SMS outbox the OTP codes are read from.

use std::collections::HashSet;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use reqwest::Client;
use serde::Deserialize;

/// A synthetic person, as `GET /sandbox/people` lists them (the fields a registration needs).
#[derive(Debug, Clone, Deserialize)]
pub struct Person {
    pub personal_id: String,
    pub full_name: String,
    pub birth_date: String,
    pub gender: String,
    pub phone: String,
    pub phone_owner_id: String,
}

#[derive(Deserialize)]
struct PeoplePage {
    total: usize,
    people: Vec<Person>,
}

#[derive(Deserialize)]
struct Outbox {
    messages: Vec<Sms>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Sms {
    pub message_id: String,
    pub text: String,
}

impl Sms {
    /// The first run of exactly six digits: the code ("… quoc gia: 123456. Hieu luc …").
    pub fn code(&self) -> Option<String> {
        self.text
            .split(|c: char| !c.is_ascii_digit())
            .find(|run| run.len() == 6)
            .map(str::to_owned)
    }
}

#[derive(Clone)]
pub struct Sandbox {
    http: Client,
    base: String,
}

/// How often, and how long apart, the outbox is read before a code is given up on.
const OUTBOX_TRIES: u32 = 100;
const OUTBOX_PAUSE: Duration = Duration::from_millis(10);

impl Sandbox {
    /// `base` is the sandbox's origin, e.g. `http://127.0.0.1:18490`.
    pub fn new(http: Client, base: &str) -> Self {
        Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    /// Up to `wanted` people who own the phone they use (only they can register by phone),
    /// no two with the same phone.
    pub async fn phone_owners(&self, wanted: usize) -> Result<Vec<Person>> {
        let mut found = Vec::new();
        let mut phones = HashSet::new();
        let mut offset = 0;
        loop {
            let page: PeoplePage = self
                .http
                .get(format!("{}/sandbox/people", self.base))
                .query(&[("limit", 1000), ("offset", offset)])
                .send()
                .await?
                .error_for_status()?
                .json()
                .await?;
            offset += page.people.len();
            for person in page.people {
                if person.phone_owner_id == person.personal_id
                    && phones.insert(person.phone.clone())
                    && found.len() < wanted
                {
                    found.push(person);
                }
            }
            if found.len() >= wanted || offset >= page.total || offset == 0 {
                return Ok(found);
            }
        }
    }

    /// The newest text to `phone`, if any.
    pub async fn newest_sms(&self, phone: &str) -> Result<Option<Sms>> {
        let outbox: Outbox = self
            .http
            .get(format!("{}/sandbox/sms", self.base))
            .query(&[("to", phone), ("limit", "1")])
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        Ok(outbox.messages.into_iter().next())
    }

    /// The code of the newest text to `phone`, waiting until that text is not `seen` (the one
    /// an earlier step used).
    pub async fn new_code(&self, phone: &str, seen: Option<&str>) -> Result<(String, Sms)> {
        for _ in 0..OUTBOX_TRIES {
            if let Some(sms) = self.newest_sms(phone).await?
                && Some(sms.message_id.as_str()) != seen
            {
                let code = sms.code().context("no 6-digit code in the SMS")?;
                return Ok((code, sms));
            }
            tokio::time::sleep(OUTBOX_PAUSE).await;
        }
        bail!("no new SMS to {phone} in the outbox")
    }
}
