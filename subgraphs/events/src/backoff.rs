//! Exponential back-off with jitter for the reconnect loops.

use std::time::Duration;

/// Doubles from `initial` up to `max`; [`Backoff::reset`] after a healthy session.
pub(crate) struct Backoff {
    initial: Duration,
    max: Duration,
    current: Duration,
}

impl Backoff {
    pub(crate) fn new(initial: Duration, max: Duration) -> Self {
        Self {
            initial,
            max: max.max(initial),
            current: initial,
        }
    }

    /// The next delay: the current step plus up to 25% jitter (replicas do not retry in step).
    pub(crate) fn next_delay(&mut self) -> Duration {
        let step = self.current;
        self.current = (self.current * 2).min(self.max);
        let jitter_ms = (step.as_millis() as u64 / 4).max(1);
        step + Duration::from_millis(rand_below(jitter_ms))
    }

    pub(crate) fn reset(&mut self) {
        self.current = self.initial;
    }
}

fn rand_below(n: u64) -> u64 {
    // A v4 uuid is 122 random bits; no extra dependency for jitter.
    (uuid::Uuid::new_v4().as_u128() as u64) % n.max(1)
}
