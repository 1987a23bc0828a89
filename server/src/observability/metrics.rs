//! The node's Prometheus metrics.
//!
//! Per token cache (label `cache="file"|"index"`): entries at scrape time,
//! hits, misses, and evictions by cause. Counters are registered with every
//! label value up front so a scrape shows zeros rather than gaps.
//!
//! Per security config file (label `file`): how often it was reloaded after
//! a change was noticed.

use prometheus::{Encoder, IntCounter, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder};

use crate::authc::service::{CacheObserver, EvictionCause, TokenSource};

/// The registry a node scrapes from.
pub struct Metrics {
    registry: Registry,
    entries: IntGaugeVec,
    hits: IntCounterVec,
    misses: IntCounterVec,
    evictions: IntCounterVec,
    reloads: IntCounterVec,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// A registry with every series at zero.
    pub fn new() -> Self {
        let registry = Registry::new();
        let entries = IntGaugeVec::new(
            Opts::new("service_token_cache_entries", "Entries in the service token cache at scrape time."),
            &["cache"],
        )
        .expect("valid metric");
        let hits = IntCounterVec::new(
            Opts::new("service_token_cache_hits_total", "Lookups answered from the service token cache."),
            &["cache"],
        )
        .expect("valid metric");
        let misses = IntCounterVec::new(
            Opts::new("service_token_cache_misses_total", "Lookups the service token cache could not answer."),
            &["cache"],
        )
        .expect("valid metric");
        let evictions = IntCounterVec::new(
            Opts::new("service_token_cache_evictions_total", "Entries removed from the service token cache, by cause."),
            &["cache", "cause"],
        )
        .expect("valid metric");
        let reloads = IntCounterVec::new(
            Opts::new(
                "security_config_reloads_total",
                "Completed reloads of a security config file after a change was noticed.",
            ),
            &["file"],
        )
        .expect("valid metric");
        registry.register(Box::new(entries.clone())).expect("unique metric");
        registry.register(Box::new(hits.clone())).expect("unique metric");
        registry.register(Box::new(misses.clone())).expect("unique metric");
        registry.register(Box::new(evictions.clone())).expect("unique metric");
        registry.register(Box::new(reloads.clone())).expect("unique metric");
        let metrics = Metrics { registry, entries, hits, misses, evictions, reloads };
        for source in TokenSource::ALL {
            let _ = metrics.cache(source);
            metrics.entries.with_label_values(&[source.label()]).set(0);
        }
        metrics
    }

    /// The counters of the token cache of `source`.
    pub fn cache(&self, source: TokenSource) -> CacheMetrics {
        let label = source.label();
        CacheMetrics {
            hits: self.hits.with_label_values(&[label]),
            misses: self.misses.with_label_values(&[label]),
            evictions: EvictionCause::ALL.map(|cause| self.evictions.with_label_values(&[label, cause.label()])),
        }
    }

    /// The reload counter of the security config files.
    pub fn reloads(&self) -> ReloadCounter {
        ReloadCounter(self.reloads.clone())
    }

    /// The text exposition, with the entry gauges set to `entries`.
    pub fn render(&self, entries: &[(TokenSource, u64)]) -> String {
        for (source, count) in entries {
            self.entries.with_label_values(&[source.label()]).set(i64::try_from(*count).unwrap_or(i64::MAX));
        }
        let mut out = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut out).expect("encoding to a Vec cannot fail");
        String::from_utf8(out).expect("the text format is UTF-8")
    }
}

/// The counters of one cache, cheap to clone.
#[derive(Clone)]
pub struct CacheMetrics {
    hits: IntCounter,
    misses: IntCounter,
    evictions: [IntCounter; 6],
}

impl CacheMetrics {
    /// Hits and misses so far, for tests that must know which path a lookup
    /// took.
    #[cfg(test)]
    pub(crate) fn hits_and_misses(&self) -> (u64, u64) {
        (self.hits.get(), self.misses.get())
    }
}

impl CacheObserver for CacheMetrics {
    fn hit(&self) {
        self.hits.inc();
    }

    fn miss(&self) {
        self.misses.inc();
    }

    fn evicted(&self, cause: EvictionCause, count: u64) {
        let index = EvictionCause::ALL.iter().position(|c| *c == cause).expect("every cause is listed");
        if count > 0 {
            self.evictions[index].inc_by(count);
        }
    }
}

/// Reloads per security config file, cheap to clone.
#[derive(Clone)]
pub struct ReloadCounter(IntCounterVec);

impl ReloadCounter {
    /// Shows `file` at zero until its first reload.
    pub fn register(&self, file: &str) {
        let _ = self.0.with_label_values(&[file]);
    }

    /// Counts a completed reload of `file`.
    pub fn reloaded(&self, file: &str) {
        self.0.with_label_values(&[file]).inc();
    }
}
