//! Every answer the load got, with when it came: the status codes seen and the unavailability
//! window around each disruption are read from it.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::api::UnexpectedStatus;

/// The requests the load makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// `POST /api/flows` (201).
    Start,
    /// `POST /api/flows/{id}` with the password.
    SignIn,
    /// `POST /api/flows/{id}` with the SMS code: the session is opened.
    Otp,
    /// `GET /api/account` with the new session.
    Account,
    /// A whole registration (start, form, code, password).
    Register,
    /// `POST /token` grant_type=refresh_token.
    Refresh,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Start => "start",
            Self::SignIn => "sign_in",
            Self::Otp => "otp",
            Self::Account => "account",
            Self::Register => "register",
            Self::Refresh => "refresh",
        }
    }

    /// What a success answers.
    fn success(self) -> u16 {
        match self {
            Self::Start => 201,
            _ => 200,
        }
    }
}

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Answer {
    Status(u16),
    /// Answered with the expected status, but the flow did not move as it must (a problem in
    /// the answer): a fault of the load or of the server, never expected.
    Refused,
    /// The connection was closed before any answer, on a connection that had carried requests
    /// before. HAProxy does this on purpose when the node died under the request (in HTTP/1.1
    /// it tells the client that nothing was answered, as a server closing an idle connection
    /// does); a client treats it as a 503: the request may or may not have been carried out.
    Closed,
    /// No HTTP answer at all (connection refused, timeout, or cut in the middle of an answer).
    Transport,
}

impl Answer {
    /// How `result` of a `kind` request ended.
    pub fn of<T>(kind: Kind, result: &anyhow::Result<T>) -> Self {
        match result {
            Ok(_) => Self::Status(kind.success()),
            Err(error) => {
                if let Some(status) = error
                    .chain()
                    .find_map(|cause| cause.downcast_ref::<UnexpectedStatus>())
                    .map(|unexpected| unexpected.status.as_u16())
                {
                    Self::Status(status)
                } else if error.chain().any(|cause| {
                    cause
                        .downcast_ref::<hyper::Error>()
                        .is_some_and(hyper::Error::is_incomplete_message)
                }) {
                    Self::Closed
                } else if error
                    .chain()
                    .any(|cause| cause.downcast_ref::<reqwest::Error>().is_some())
                {
                    Self::Transport
                } else {
                    Self::Refused
                }
            }
        }
    }

    fn is_success(self, kind: Kind) -> bool {
        self == Self::Status(kind.success())
    }

    /// Allowed during a disruption: a success, a retry-able 503, or a connection closed
    /// unanswered.
    fn is_allowed(self, kind: Kind) -> bool {
        self.is_success(kind) || matches!(self, Self::Status(503) | Self::Closed)
    }

    pub fn label(self) -> String {
        match self {
            Self::Status(status) => status.to_string(),
            Self::Refused => "refused".to_owned(),
            Self::Closed => "closed unanswered".to_owned(),
            Self::Transport => "no answer".to_owned(),
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Outcome {
    /// Since the load started (when the answer came).
    pub at: Duration,
    pub kind: Kind,
    pub answer: Answer,
}

/// The answers of one run, shared by every worker.
pub struct Timeline {
    started: Instant,
    outcomes: Mutex<Vec<Outcome>>,
}

impl Timeline {
    pub fn new(started: Instant) -> Self {
        Self {
            started,
            outcomes: Mutex::new(Vec::new()),
        }
    }

    /// Records how `result` of a `kind` request ended, and passes it on.
    pub fn record<T>(&self, kind: Kind, result: anyhow::Result<T>) -> anyhow::Result<T> {
        let outcome = Outcome {
            at: self.started.elapsed(),
            kind,
            answer: Answer::of(kind, &result),
        };
        if let Ok(mut outcomes) = self.outcomes.lock() {
            outcomes.push(outcome);
        }
        result
    }

    pub fn outcomes(&self) -> Vec<Outcome> {
        let mut outcomes = self
            .outcomes
            .lock()
            .map(|outcomes| outcomes.clone())
            .unwrap_or_default();
        outcomes.sort_by_key(|outcome| outcome.at);
        outcomes
    }
}

/// How many answers of each kind and status.
pub fn counts(outcomes: &[Outcome]) -> BTreeMap<(Kind, Answer), u64> {
    let mut counts = BTreeMap::new();
    for outcome in outcomes {
        *counts.entry((outcome.kind, outcome.answer)).or_insert(0) += 1;
    }
    counts
}

/// The answers that were neither a success nor a 503.
pub fn forbidden(outcomes: &[Outcome]) -> Vec<Outcome> {
    outcomes
        .iter()
        .filter(|outcome| !outcome.answer.is_allowed(outcome.kind))
        .copied()
        .collect()
}

/// The failed answers in `[from, to)`: how many, and the first and last of them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    pub failures: u64,
    pub first: Option<Duration>,
    pub last: Option<Duration>,
}

impl Window {
    /// From the first failed answer to the last (zero when none failed).
    pub fn length(&self) -> Duration {
        match (self.first, self.last) {
            (Some(first), Some(last)) => last.saturating_sub(first),
            _ => Duration::ZERO,
        }
    }
}

pub fn window(outcomes: &[Outcome], from: Duration, to: Duration) -> Window {
    let failed: Vec<Duration> = outcomes
        .iter()
        .filter(|outcome| outcome.at >= from && outcome.at < to)
        .filter(|outcome| !outcome.answer.is_success(outcome.kind))
        .map(|outcome| outcome.at)
        .collect();
    Window {
        failures: failed.len() as u64,
        first: failed.first().copied(),
        last: failed.last().copied(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(millis: u64, kind: Kind, answer: Answer) -> Outcome {
        Outcome {
            at: Duration::from_millis(millis),
            kind,
            answer,
        }
    }

    #[test]
    fn the_window_runs_from_the_first_to_the_last_failure_in_its_span() {
        let outcomes = [
            at(100, Kind::Refresh, Answer::Status(503)),
            at(1_000, Kind::Start, Answer::Status(201)),
            at(1_200, Kind::Refresh, Answer::Status(503)),
            at(1_500, Kind::Otp, Answer::Transport),
            at(2_700, Kind::SignIn, Answer::Status(503)),
            at(3_000, Kind::SignIn, Answer::Status(200)),
            at(5_000, Kind::Refresh, Answer::Status(503)),
        ];
        let span = window(
            &outcomes,
            Duration::from_millis(1_000),
            Duration::from_millis(5_000),
        );
        assert_eq!(span.failures, 3);
        assert_eq!(span.length(), Duration::from_millis(1_500));
        let quiet = window(
            &outcomes,
            Duration::from_millis(2_800),
            Duration::from_millis(4_000),
        );
        assert_eq!(quiet.failures, 0);
        assert_eq!(quiet.length(), Duration::ZERO);
    }

    #[test]
    fn only_successes_and_503_are_allowed() {
        let outcomes = [
            at(1, Kind::Start, Answer::Status(201)),
            at(2, Kind::Start, Answer::Status(200)),
            at(3, Kind::Refresh, Answer::Status(503)),
            at(4, Kind::Refresh, Answer::Status(500)),
            at(5, Kind::Otp, Answer::Transport),
            at(6, Kind::Otp, Answer::Refused),
        ];
        let refused: Vec<u64> = forbidden(&outcomes)
            .iter()
            .map(|outcome| outcome.at.as_millis() as u64)
            .collect();
        assert_eq!(refused, [2, 4, 5, 6]);
    }

    #[test]
    fn an_error_is_classified_by_what_caused_it() {
        let unexpected: anyhow::Result<()> = Err(anyhow::Error::new(UnexpectedStatus::new(
            reqwest::StatusCode::SERVICE_UNAVAILABLE,
            "{}",
        ))
        .context("otp"));
        assert_eq!(Answer::of(Kind::Otp, &unexpected), Answer::Status(503));
        let refused: anyhow::Result<()> = Err(anyhow::anyhow!("expected step done, got otp"));
        assert_eq!(Answer::of(Kind::Otp, &refused), Answer::Refused);
        assert_eq!(Answer::of(Kind::Start, &Ok(())), Answer::Status(201));
    }
}
