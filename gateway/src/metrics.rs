//! Prometheus metrics: requests and latency by operation name, subgraph fetch latency and
//! errors, plan-cache hits, open subscriptions. Rendered as text at `GET /metrics`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];
/// Operation names beyond this many distinct values are counted as `other` (bounded cardinality).
const MAX_OPERATION_NAMES: usize = 500;

#[derive(Default, Clone)]
struct Histogram {
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        for (i, le) in BUCKETS.iter().enumerate() {
            if seconds <= *le {
                self.buckets[i] += 1;
            }
        }
        self.count += 1;
        self.sum += seconds;
    }

    fn render(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        for (i, le) in BUCKETS.iter().enumerate() {
            let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"{le}\"}} {}", self.buckets[i]);
        }
        let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}", self.count);
        let _ = writeln!(out, "{name}_sum{{{labels}}} {}", self.sum);
        let _ = writeln!(out, "{name}_count{{{labels}}} {}", self.count);
    }
}

#[derive(Default)]
struct Tables {
    requests: BTreeMap<(String, &'static str), Histogram>,
    fetches: BTreeMap<String, Histogram>,
    fetch_errors: BTreeMap<String, u64>,
    fetch_failures: BTreeMap<String, u64>,
}

/// The gateway's metrics.
#[derive(Default)]
pub struct Metrics {
    tables: Mutex<Tables>,
    /// Open client subscriptions.
    pub open_subscriptions: AtomicI64,
    /// Subgraph requests sent, all subgraphs.
    pub subgraph_requests: AtomicU64,
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

impl Metrics {
    /// One client request: its operation name, outcome (`ok`, `error`, `refused`) and duration.
    pub fn request(&self, operation: Option<&str>, outcome: &'static str, took: Duration) {
        let mut t = self.tables.lock().unwrap_or_else(|p| p.into_inner());
        let mut name = operation.unwrap_or("anonymous").to_owned();
        if !t.requests.contains_key(&(name.clone(), outcome)) && t.requests.len() >= MAX_OPERATION_NAMES {
            name = "other".into();
        }
        t.requests.entry((name, outcome)).or_default().observe(took.as_secs_f64());
    }

    /// One subgraph answer (with or without GraphQL errors).
    pub fn subgraph_fetch(&self, subgraph: &str, took: Duration, clean: bool) {
        self.subgraph_requests.fetch_add(1, Ordering::Relaxed);
        let mut t = self.tables.lock().unwrap_or_else(|p| p.into_inner());
        t.fetches.entry(subgraph.to_owned()).or_default().observe(took.as_secs_f64());
        if !clean {
            *t.fetch_errors.entry(subgraph.to_owned()).or_default() += 1;
        }
    }

    /// A subgraph request that got no GraphQL answer (unreachable, timeout).
    pub fn subgraph_failure(&self, subgraph: &str) {
        self.subgraph_requests.fetch_add(1, Ordering::Relaxed);
        let mut t = self.tables.lock().unwrap_or_else(|p| p.into_inner());
        *t.fetch_failures.entry(subgraph.to_owned()).or_default() += 1;
    }

    /// Subgraph requests per subgraph so far (answered ones).
    pub fn subgraph_request_counts(&self) -> BTreeMap<String, u64> {
        let t = self.tables.lock().unwrap_or_else(|p| p.into_inner());
        let mut counts: BTreeMap<String, u64> = t.fetches.iter().map(|(k, h)| (k.clone(), h.count)).collect();
        for (k, n) in &t.fetch_failures {
            *counts.entry(k.clone()).or_default() += n;
        }
        counts
    }

    /// The Prometheus text exposition; `plan_cache` is (hits, misses).
    pub fn render(&self, plan_cache: (u64, u64)) -> String {
        let t = self.tables.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = String::new();
        out.push_str("# HELP gateway_request_duration_seconds GraphQL requests by operation name and outcome.\n");
        out.push_str("# TYPE gateway_request_duration_seconds histogram\n");
        for ((op, outcome), h) in &t.requests {
            h.render(
                &mut out,
                "gateway_request_duration_seconds",
                &format!("operation=\"{}\",outcome=\"{outcome}\"", escape(op)),
            );
        }
        out.push_str("# HELP gateway_subgraph_fetch_duration_seconds Subgraph requests by subgraph.\n");
        out.push_str("# TYPE gateway_subgraph_fetch_duration_seconds histogram\n");
        for (sg, h) in &t.fetches {
            h.render(
                &mut out,
                "gateway_subgraph_fetch_duration_seconds",
                &format!("subgraph=\"{}\"", escape(sg)),
            );
        }
        out.push_str("# HELP gateway_subgraph_errors_total Subgraph answers carrying GraphQL errors.\n");
        out.push_str("# TYPE gateway_subgraph_errors_total counter\n");
        for (sg, n) in &t.fetch_errors {
            let _ = writeln!(out, "gateway_subgraph_errors_total{{subgraph=\"{}\"}} {n}", escape(sg));
        }
        out.push_str("# HELP gateway_subgraph_failures_total Subgraph requests without an answer (unreachable, timeout).\n");
        out.push_str("# TYPE gateway_subgraph_failures_total counter\n");
        for (sg, n) in &t.fetch_failures {
            let _ = writeln!(out, "gateway_subgraph_failures_total{{subgraph=\"{}\"}} {n}", escape(sg));
        }
        let (hits, misses) = plan_cache;
        out.push_str("# HELP gateway_plan_cache_total Prepared-operation cache lookups.\n# TYPE gateway_plan_cache_total counter\n");
        let _ = writeln!(out, "gateway_plan_cache_total{{result=\"hit\"}} {hits}");
        let _ = writeln!(out, "gateway_plan_cache_total{{result=\"miss\"}} {misses}");
        out.push_str("# HELP gateway_open_subscriptions Client subscriptions open now.\n# TYPE gateway_open_subscriptions gauge\n");
        let _ = writeln!(
            out,
            "gateway_open_subscriptions {}",
            self.open_subscriptions.load(Ordering::Relaxed)
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_histograms_and_counters() {
        let m = Metrics::default();
        m.request(Some("Shots"), "ok", Duration::from_millis(3));
        m.subgraph_fetch("hr", Duration::from_millis(1), false);
        m.subgraph_failure("render");
        let text = m.render((5, 2));
        assert!(text.contains("gateway_request_duration_seconds_count{operation=\"Shots\",outcome=\"ok\"} 1"));
        assert!(text.contains("gateway_request_duration_seconds_bucket{operation=\"Shots\",outcome=\"ok\",le=\"0.005\"} 1"));
        assert!(text.contains("gateway_request_duration_seconds_bucket{operation=\"Shots\",outcome=\"ok\",le=\"0.0025\"} 0"));
        assert!(text.contains("gateway_subgraph_errors_total{subgraph=\"hr\"} 1"));
        assert!(text.contains("gateway_subgraph_failures_total{subgraph=\"render\"} 1"));
        assert!(text.contains("gateway_plan_cache_total{result=\"hit\"} 5"));
        assert_eq!(m.subgraph_request_counts().get("render"), Some(&1));
    }
}
