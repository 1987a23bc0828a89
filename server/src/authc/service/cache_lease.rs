//! Why a token a cluster-wide clear removed (a deleted token, or one the
//! clear-cache API named) is refused by every node once the clear is
//! acknowledged: not only by the nodes that answered it, but also by one
//! that was frozen, cut off, overloaded or restarted meanwhile.
//!
//! Every node is registered in the security index (`cache_leases`). A node
//! answers from its token caches only under a *lease*: while its last check
//! of its own row started less than `cache.lease` ago and found no fence on
//! it. It checks every second (`security_index::monitor`); when the lease
//! has run out (the node was paused, overloaded, or cannot reach the index)
//! the next request that wants the caches checks first, and without a
//! successful check it asks the stores and caches nothing.
//!
//! A coordinating node fences every registered node that did not
//! acknowledge its clear (a member that failed, or a node it does not know
//! of), and answers only once a lease has passed since the first fence that
//! node has outstanding. A fenced node empties its caches at its next check,
//! before it uses them again.
//!
//! Why that is enough: take a clear acknowledged at time `t` and any node
//! `N`. Either `N` acknowledged it, and removed the entries (a lookup racing
//! the clear cannot cache its answer: see `caching_token_store`); or `N` was
//! registered when the coordinator read the registry, was fenced, and every
//! check of `N` that started before the fence had expired by `t`, while every
//! later one found the fence; or `N` registered after that read, no more
//! than `REGISTRY_MAX_AGE` before `t`, and a new node's caches stay off for
//! `WARM_UP`, longer than that, so whatever `N` caches it read after the
//! clear. An authentication that read a cache before `t` may still finish
//! after it: it was concurrent with the clear. This needs the nodes' clocks
//! to run at about the same rate, not to agree.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::authc::service::EvictionCause;
use crate::authc::service::token_caches::TokenCaches;
use crate::common::background_task::BackgroundTask;
use crate::config::{Setting, values};
use crate::security_index::{SecurityIndex, StoreError};

/// How long a node answers from its caches without a check; at least two
/// checks' worth, or it would lapse between checks.
pub const CACHE_LEASE_SETTING: Setting<Duration> = Setting::new(
    "xpack.security.authc.service_token.cache.lease",
    "10s",
    |key, value| values::time_at_least(key, value, Duration::from_secs(2)),
    "how long a node answers from its token caches without confirming, through the security index, that it missed \
     no cluster-wide clear; a clear or delete some node did not acknowledge answers only after this",
);

/// How old a coordinator's view of the registry may be when it answers a
/// clear.
const REGISTRY_MAX_AGE: Duration = Duration::from_millis(100);
/// How long a node that registered keeps its caches off: longer than any
/// coordinator's view of the registry may be old.
const WARM_UP: Duration = Duration::from_millis(250);
/// Added to every wait for a lease to run out: clocks that run at slightly
/// different rates, and the time a fence takes to commit.
const MARGIN: Duration = Duration::from_millis(200);
/// How long a check may take before it counts as failed.
const CHECK_TIMEOUT: Duration = Duration::from_secs(1);
/// How often a node checks its row.
const CHECK_INTERVAL: Duration = Duration::from_secs(1);

/// This node's lease on its token caches, and its part in fencing the
/// others.
pub struct CacheLease {
    index: Arc<SecurityIndex>,
    node_id: String,
    lease: Duration,
    caches: Arc<TokenCaches>,
    /// The other caches the lease covers (realm and role caches), emptied
    /// with the token caches.
    others: parking_lot::Mutex<Vec<Box<dyn Fn() + Send + Sync>>>,
    /// What the instants below count from.
    base: Instant,
    /// When the caches may first be used (nanoseconds after `base`).
    usable_from: AtomicU64,
    /// When the last check that found this node caught up started
    /// (nanoseconds after `base`).
    checked_at: AtomicU64,
    /// The generation this node last caught up with.
    seen_generation: AtomicI64,
    /// One check at a time.
    checking: tokio::sync::Mutex<()>,
    /// The registry as last read, and when the read started.
    registry: parking_lot::Mutex<(Instant, Arc<Vec<String>>)>,
    reading_registry: tokio::sync::Mutex<()>,
    /// For each node this node fenced: the generation its outstanding fences
    /// start at, and when this node wrote that first one.
    fenced_since: parking_lot::Mutex<HashMap<String, (i64, Instant)>>,
}

impl CacheLease {
    /// Registers `node_id` in `index` and starts its lease on `caches`,
    /// which are empty: they may be used once the warm-up has passed.
    pub async fn start(
        index: Arc<SecurityIndex>,
        node_id: &str,
        lease: Duration,
        caches: Arc<TokenCaches>,
    ) -> Result<CacheLease, StoreError> {
        let generation = index.register_node(node_id).await?;
        let base = Instant::now();
        let stale = base.checked_sub(REGISTRY_MAX_AGE).unwrap_or(base);
        Ok(CacheLease {
            index,
            node_id: node_id.to_string(),
            lease,
            caches,
            others: parking_lot::Mutex::new(Vec::new()),
            base,
            usable_from: AtomicU64::new(WARM_UP.as_nanos() as u64),
            // The generation was read just now: a check.
            checked_at: AtomicU64::new(1),
            seen_generation: AtomicI64::new(generation),
            checking: tokio::sync::Mutex::new(()),
            registry: parking_lot::Mutex::new((stale, Arc::new(Vec::new()))),
            reading_registry: tokio::sync::Mutex::new(()),
            fenced_since: parking_lot::Mutex::new(HashMap::new()),
        })
    }

    /// Has `clear` empty another cache the lease covers whenever the token
    /// caches are emptied for a missed clear.
    pub fn also_clears(&self, clear: impl Fn() + Send + Sync + 'static) {
        self.others.lock().push(Box::new(clear));
    }

    /// Empties every cache the lease covers.
    fn empty_caches(&self) -> u64 {
        let removed = self.caches.invalidate_all(EvictionCause::MissedClear);
        for clear in self.others.lock().iter() {
            clear();
        }
        removed
    }

    fn nanos(&self, instant: Instant) -> u64 {
        instant.saturating_duration_since(self.base).as_nanos() as u64
    }

    /// Whether this node may answer from its caches now.
    pub fn holds(&self) -> bool {
        let now = self.nanos(Instant::now());
        let checked_at = self.checked_at.load(Ordering::Acquire);
        now >= self.usable_from.load(Ordering::Acquire)
            && checked_at > 0
            && now.saturating_sub(checked_at) < self.lease.as_nanos() as u64
    }

    /// Renews the lease for a request that wants the caches: waits out the
    /// warm-up, or checks now. Whether the lease holds afterwards.
    pub async fn renew(&self) -> bool {
        let warm_up_left =
            Duration::from_nanos(self.usable_from.load(Ordering::Acquire).saturating_sub(self.nanos(Instant::now())));
        if !warm_up_left.is_zero() {
            tokio::time::sleep(warm_up_left).await;
        }
        if self.holds() {
            return true;
        }
        let _checking = self.checking.lock().await;
        // Another request may have checked while this one waited.
        self.holds() || (self.check_locked().await.is_ok() && self.holds())
    }

    /// Checks this node's row: renews the lease if the node is caught up,
    /// empties the caches first if it was fenced, registers it again if its
    /// row is gone (a new index). The periodic check.
    pub async fn check(&self) -> Result<(), StoreError> {
        let _checking = self.checking.lock().await;
        self.check_locked().await
    }

    async fn check_locked(&self) -> Result<(), StoreError> {
        let started = Instant::now();
        let generation = tokio::time::timeout(CHECK_TIMEOUT, self.index.node_generation(&self.node_id))
            .await
            .map_err(|_| StoreError("the security index did not answer in time".to_string()))??;
        match generation {
            Some(generation) if generation == self.seen_generation.load(Ordering::Acquire) => {}
            Some(generation) => {
                let removed = self.empty_caches();
                tracing::info!(removed, "this node missed a cluster-wide clear; its security caches were emptied");
                self.index.node_synced(&self.node_id, generation).await?;
                self.seen_generation.store(generation, Ordering::Release);
            }
            None => {
                // Nobody may know of this node yet: warm up again.
                self.empty_caches();
                let generation = self.index.register_node(&self.node_id).await?;
                self.seen_generation.store(generation, Ordering::Release);
                self.usable_from.store(self.nanos(Instant::now() + WARM_UP), Ordering::Release);
                tracing::info!("this node was not registered in the security index; registered it again");
            }
        }
        self.checked_at.fetch_max(self.nanos(started).max(1), Ordering::AcqRel);
        Ok(())
    }

    /// Checks this node's row every second, until dropped.
    pub fn start_checks(self: &Arc<Self>) -> BackgroundTask {
        let lease = Arc::clone(self);
        BackgroundTask::spawn(async move {
            loop {
                tokio::time::sleep(CHECK_INTERVAL).await;
                if let Err(error) = lease.check().await {
                    tracing::debug!(%error, "could not renew the cache lease");
                }
            }
        })
    }

    /// Takes this node out of the registry, when it stops.
    pub async fn stop(&self) {
        if let Err(error) = self.index.deregister_node(&self.node_id).await {
            tracing::warn!(%error, "could not take this node out of the security index's registry");
        }
    }

    /// The registered nodes, read again if the last read is older than
    /// `REGISTRY_MAX_AGE`.
    async fn registry(&self) -> Arc<Vec<String>> {
        let fresh = |registry: &(Instant, Arc<Vec<String>>)| registry.0.elapsed() < REGISTRY_MAX_AGE;
        if let Some(nodes) = Some(self.registry.lock().clone()).filter(fresh) {
            return nodes.1;
        }
        let _reading = self.reading_registry.lock().await;
        if let Some(nodes) = Some(self.registry.lock().clone()).filter(fresh) {
            return nodes.1;
        }
        let started = Instant::now();
        match self.index.registered_nodes().await {
            Ok(nodes) => {
                let nodes = Arc::new(nodes);
                *self.registry.lock() = (started, Arc::clone(&nodes));
                nodes
            }
            Err(error) => {
                tracing::warn!(%error, "could not read the registry of nodes; using the last one read");
                Arc::clone(&self.registry.lock().1)
            }
        }
    }

    /// Fences every registered node that did not `acknowledge` a clear; how
    /// long the coordinator must wait before it answers (zero when every
    /// node acknowledged).
    pub async fn fence_all_but(&self, acknowledged: impl Fn(&str) -> bool) -> Duration {
        let registry = self.registry().await;
        let unacknowledged: Vec<&str> =
            registry.iter().map(String::as_str).filter(|node| !acknowledged(node)).collect();
        if unacknowledged.is_empty() {
            return Duration::ZERO;
        }
        let fenced = match self.index.fence_nodes(&unacknowledged).await {
            Ok(fenced) => fenced,
            Err(error) => {
                // Those nodes lose their leases unless they reach the index,
                // where they would have found the fence.
                tracing::warn!(
                    %error,
                    nodes = ?unacknowledged,
                    "could not fence the nodes that missed a clear; waiting out their leases"
                );
                return self.lease + MARGIN;
            }
        };
        let now = Instant::now();
        let mut since = self.fenced_since.lock();
        fenced
            .iter()
            .map(|fence| {
                let first_outstanding = fence.synced_generation + 1;
                // Known when it started only if this node wrote the first
                // outstanding fence; otherwise counted from now.
                let started = match since.get(&fence.node_id) {
                    Some((generation, at)) if *generation == first_outstanding => *at,
                    _ => {
                        since.insert(fence.node_id.clone(), (first_outstanding, now));
                        now
                    }
                };
                tracing::debug!(node_id = %fence.node_id, "fenced a node that did not acknowledge a clear");
                (started + self.lease + MARGIN).saturating_duration_since(now)
            })
            .max()
            .unwrap_or(Duration::ZERO)
    }
}
