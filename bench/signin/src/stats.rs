//! Latency summaries from the raw samples (a run has a few thousand per request kind, so they
//! are kept whole and sorted rather than binned).

use std::time::Duration;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Summary {
    pub count: usize,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
}

/// Nearest-rank percentiles of `samples`.
pub fn summarize(samples: &[Duration]) -> Summary {
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let total: Duration = sorted.iter().sum();
    Summary {
        count: sorted.len(),
        p50_ms: millis(percentile(&sorted, 50.0)),
        p90_ms: millis(percentile(&sorted, 90.0)),
        p99_ms: millis(percentile(&sorted, 99.0)),
        max_ms: millis(sorted.last().copied().unwrap_or_default()),
        mean_ms: if sorted.is_empty() {
            0.0
        } else {
            millis(total) / sorted.len() as f64
        },
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted
        .get(rank.saturating_sub(1))
        .copied()
        .unwrap_or_default()
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// The median of `values` (the lower middle one for an even count) and their range.
pub fn median_and_range(values: &[f64]) -> (f64, f64, f64) {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let middle = sorted
        .get(sorted.len().saturating_sub(1) / 2)
        .copied()
        .unwrap_or(f64::NAN);
    let low = sorted.first().copied().unwrap_or(f64::NAN);
    let high = sorted.last().copied().unwrap_or(f64::NAN);
    (middle, low, high)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let samples: Vec<Duration> = (1..=100).rev().map(Duration::from_millis).collect();
        let summary = summarize(&samples);
        assert_eq!(summary.count, 100);
        assert!((summary.p50_ms - 50.0).abs() < 1e-9);
        assert!((summary.p99_ms - 99.0).abs() < 1e-9);
        assert!((summary.max_ms - 100.0).abs() < 1e-9);
        assert!((summary.mean_ms - 50.5).abs() < 1e-9);
    }

    #[test]
    fn nothing_to_summarize() {
        assert_eq!(summarize(&[]).count, 0);
        assert!(median_and_range(&[]).0.is_nan());
        assert_eq!(median_and_range(&[3.0, 1.0, 2.0]), (2.0, 1.0, 3.0));
    }
}
