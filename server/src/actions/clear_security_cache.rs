//! Clearing security caches on every node of the cluster
//! (`TransportClearSecurityCacheAction`): the coordinating half sends the
//! request to every member at once, and the node half each member runs
//! removes the keys from its caches.
//!
//! The clear-cache endpoint asks it for some tokens of one account, in both
//! service-token caches; deleting a token asks it for that token, in the
//! index-token cache. The request is decoded once into a
//! [`ClearSecurityCache`]: from the REST request on the coordinating node,
//! from the node-to-node request on the others.

use es_tokens_types::transport::{ClearCause, ClearSecurityCacheNodeRequest, NodeAcknowledgement};
use es_tokens_types::{ClearCachedServiceTokensResponse, ClusterNode};

use crate::authc::service::token_caches::{Caches, UnknownCache};
use crate::authc::service::token_name::TokenSelection;
use crate::authc::service::{EvictionCause, TokenKey, TokenSource};
use crate::cluster::fan_out::NodesOutcome;
use crate::node::NodeContext;

/// The action's name, which its privilege is checked against.
pub const NAME: &str = "cluster:admin/xpack/security/cache/clear";

/// What to remove from which caches, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct ClearSecurityCache {
    /// The caches: of both token sources, or of one.
    pub caches: Caches,
    /// Accounts (`namespace/service`) all of whose tokens go.
    pub accounts: Vec<String>,
    /// Tokens that go, exactly.
    pub tokens: Vec<TokenKey>,
    /// Why they go: the clear-cache API, or a change of the index.
    pub cause: EvictionCause,
}

impl ClearSecurityCache {
    /// The clear-cache endpoint's request: `selection` of the tokens of
    /// `namespace/service`, from both caches.
    pub fn service_tokens(namespace: &str, service: &str, selection: &TokenSelection) -> Self {
        let (accounts, tokens) = match selection {
            TokenSelection::All => (vec![format!("{namespace}/{service}")], Vec::new()),
            TokenSelection::Names(names) => {
                (Vec::new(), names.iter().map(|name| TokenKey::new(namespace, service, name)).collect())
            }
        };
        ClearSecurityCache { caches: Caches::Both, accounts, tokens, cause: EvictionCause::ClearApi }
    }

    /// What deleting a token asks of every node: forget that token, from the
    /// index-token cache.
    pub fn deleted_token(key: TokenKey) -> Self {
        ClearSecurityCache {
            caches: Caches::Only(TokenSource::Index),
            accounts: Vec::new(),
            tokens: vec![key],
            cause: EvictionCause::IndexChange,
        }
    }

    /// The request as the node-to-node API carries it: Elasticsearch's cache
    /// name, and keys where an account is its prefix (`namespace/service/`).
    pub fn encode(&self) -> ClearSecurityCacheNodeRequest {
        let accounts = self.accounts.iter().map(|account| format!("{account}/"));
        let tokens = self.tokens.iter().map(|key| key.qualified().to_string());
        // Only these two causes are asked of other nodes; the rest are a
        // node's own (a file change, expiry...).
        let cause = match self.cause {
            EvictionCause::IndexChange => ClearCause::IndexChange,
            _ => ClearCause::ClearApi,
        };
        ClearSecurityCacheNodeRequest {
            cache: self.caches.name().to_string(),
            keys: accounts.chain(tokens).collect(),
            cause: Some(cause),
        }
    }

    /// A request off the wire: a key ending in `/` is an account (cached keys
    /// have exactly two `/`, so it names exactly one), any other a token.
    pub fn decode(request: ClearSecurityCacheNodeRequest) -> Result<Self, UnknownCache> {
        let caches = Caches::named(&request.cache)?;
        let cause = match request.cause {
            Some(ClearCause::ClearApi) => EvictionCause::ClearApi,
            Some(ClearCause::IndexChange) => EvictionCause::IndexChange,
            // What a node before 0.2 of the node-to-node API meant.
            None if caches == Caches::Only(TokenSource::Index) => EvictionCause::IndexChange,
            None => EvictionCause::ClearApi,
        };
        let (mut accounts, mut tokens) = (Vec::new(), Vec::new());
        for key in request.keys {
            match key.strip_suffix('/') {
                Some(account) => accounts.push(account.to_string()),
                None => tokens.push(TokenKey::from_qualified(&key)),
            }
        }
        Ok(ClearSecurityCache { caches, accounts, tokens, cause })
    }
}

/// The coordinating half: clears this node's caches, then every other
/// member's at once; fences the nodes that did not acknowledge and waits
/// until they cannot answer from their caches (see `cache_lease`); what
/// each member answered.
pub async fn execute(node: &NodeContext, request: ClearSecurityCache) -> NodesOutcome<NodeAcknowledgement> {
    let local = node_operation(node, &request);
    // Encoded for the wire once, and only if there is another member.
    let wire = std::sync::OnceLock::new();
    let outcome = node
        .cluster
        .fan_out(NAME, local, |client| {
            let wire = wire.get_or_init(|| request.encode());
            async move { client.clear_security_cache(wire).await.map(|answer| answer.into_inner()) }
        })
        .await;
    let acknowledged: Vec<&str> = outcome.answers.iter().map(|answer| answer.node_id.as_str()).collect();
    let wait = node.security.cache_lease().fence_all_but(&acknowledged).await;
    if !wait.is_zero() {
        tracing::info!(
            wait_ms = wait.as_millis() as u64,
            "some nodes did not acknowledge a clear; waiting out their cache leases before answering"
        );
        tokio::time::sleep(wait).await;
    }
    outcome
}

/// The node half: removes what `request` names from this node's caches.
pub fn node_operation(node: &NodeContext, request: &ClearSecurityCache) -> NodeAcknowledgement {
    node.security.token_caches().invalidate(request.caches, &request.accounts, &request.tokens, request.cause);
    node.identity.acknowledgement()
}

/// The clear-cache endpoint: clears `request` everywhere and says which
/// nodes did. 200 even when some failed, as Elasticsearch answers.
pub async fn clear_service_tokens(node: &NodeContext, request: ClearSecurityCache) -> ClearCachedServiceTokensResponse {
    let outcome = execute(node, request).await;
    ClearCachedServiceTokensResponse {
        node_stats: outcome.header(),
        cluster_name: node.identity.cluster_name.clone(),
        // Each node as it answered: a member that came back under a new id
        // at the same address (and has not been rediscovered yet) shows as
        // the node that actually cleared its caches.
        nodes: outcome
            .answers
            .into_iter()
            .map(|answer| (answer.node_id, ClusterNode { name: answer.node_name }))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_travels_is_what_arrives() {
        let names = crate::authc::service::token_name::parse_selection("b,a").unwrap();
        for request in [
            ClearSecurityCache::service_tokens("elastic", "fleet-server", &TokenSelection::All),
            ClearSecurityCache::service_tokens("elastic", "fleet-server", &names),
            ClearSecurityCache::deleted_token(TokenKey::new("elastic", "kibana", "t")),
        ] {
            assert_eq!(ClearSecurityCache::decode(request.encode()).unwrap(), request);
        }
        let wire = ClearSecurityCache::service_tokens("elastic", "fleet-server", &names).encode();
        assert_eq!(wire.cache, "service");
        assert_eq!(wire.keys, ["elastic/fleet-server/a", "elastic/fleet-server/b"]);
        let wire = ClearSecurityCache::service_tokens("elastic", "fleet", &TokenSelection::All).encode();
        assert_eq!(wire.keys, ["elastic/fleet/"]);
        let wire = ClearSecurityCache::deleted_token(TokenKey::new("elastic", "kibana", "t")).encode();
        assert_eq!((wire.cache.as_str(), wire.cause), ("index_service_account_token", Some(ClearCause::IndexChange)));
    }

    /// What a node before 0.2 of the node-to-node API sends: no cause.
    #[test]
    fn a_request_without_a_cause_means_what_it_meant() {
        let old = |cache: &str| ClearSecurityCacheNodeRequest { cache: cache.into(), keys: vec![], cause: None };
        assert_eq!(
            ClearSecurityCache::decode(old("index_service_account_token")).unwrap().cause,
            EvictionCause::IndexChange
        );
        assert_eq!(ClearSecurityCache::decode(old("service")).unwrap().cause, EvictionCause::ClearApi);
        let body = r#"{"cache":"index_service_account_token","keys":["elastic/fleet-server/t"]}"#;
        let wire: ClearSecurityCacheNodeRequest = serde_json::from_str(body).unwrap();
        assert_eq!(
            ClearSecurityCache::decode(wire).unwrap(),
            ClearSecurityCache::deleted_token(TokenKey::new("elastic", "fleet-server", "t"))
        );
    }

    #[test]
    fn an_unknown_cache_is_refused() {
        let wire = ClearSecurityCacheNodeRequest { cache: "nope".into(), keys: vec![], cause: None };
        assert_eq!(ClearSecurityCache::decode(wire).unwrap_err().to_string(), "No cache named [nope] is found");
    }
}
