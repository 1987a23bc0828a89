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

use es_tokens_types::{
    ClearCachedServiceTokensResponse, ClearCause, ClearSecurityCacheNodeRequest, ClusterNode, NodeAcknowledgement,
};

use crate::authc::service::token_caches::{self, UnknownCache};
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
    pub sources: &'static [TokenSource],
    /// Accounts (`namespace/service`) all of whose tokens go.
    pub accounts: Vec<String>,
    /// Tokens that go, exactly.
    pub tokens: Vec<TokenKey>,
    /// Why they go.
    pub cause: ClearCause,
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
        ClearSecurityCache { sources: &TokenSource::ALL, accounts, tokens, cause: ClearCause::ClearApi }
    }

    /// What deleting a token asks of every node: forget that token, from the
    /// index-token cache.
    pub fn deleted_token(key: TokenKey) -> Self {
        ClearSecurityCache {
            sources: &[TokenSource::Index],
            accounts: Vec::new(),
            tokens: vec![key],
            cause: ClearCause::IndexChange,
        }
    }

    /// The request as the node-to-node API carries it: Elasticsearch's cache
    /// name, and keys where an account is its prefix (`namespace/service/`).
    pub fn encode(&self) -> ClearSecurityCacheNodeRequest {
        let accounts = self.accounts.iter().map(|account| format!("{account}/"));
        let tokens = self.tokens.iter().map(|key| key.qualified().to_string());
        ClearSecurityCacheNodeRequest {
            cache: token_caches::cache_name(self.sources).to_string(),
            keys: accounts.chain(tokens).collect(),
            cause: self.cause,
        }
    }

    /// A request off the wire: a key ending in `/` is an account (cached keys
    /// have exactly two `/`, so it names exactly one), any other a token.
    pub fn decode(request: ClearSecurityCacheNodeRequest) -> Result<Self, UnknownCache> {
        let sources = token_caches::sources_named(&request.cache)?;
        let (mut accounts, mut tokens) = (Vec::new(), Vec::new());
        for key in request.keys {
            match key.strip_suffix('/') {
                Some(account) => accounts.push(account.to_string()),
                None => tokens.push(TokenKey::from_qualified(&key)),
            }
        }
        Ok(ClearSecurityCache { sources, accounts, tokens, cause: request.cause })
    }
}

/// The coordinating half: clears this node's caches, then every other
/// member's at once; fences the nodes that did not acknowledge and waits
/// until they cannot answer from their caches (see `cache_lease`); what
/// each member answered.
pub async fn execute(node: &NodeContext, request: ClearSecurityCache) -> NodesOutcome<NodeAcknowledgement> {
    let local = node_operation(node, &request);
    let request = &request.encode();
    let outcome = node
        .cluster
        .fan_out(NAME, local, |client| async move {
            client.clear_security_cache(request).await.map(|answer| answer.into_inner())
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
    let cause = match request.cause {
        ClearCause::ClearApi => EvictionCause::ClearApi,
        ClearCause::IndexChange => EvictionCause::IndexChange,
    };
    node.security.token_caches().invalidate(request.sources, &request.accounts, &request.tokens, cause);
    node.identity.acknowledgement()
}

/// The clear-cache endpoint's body: which nodes cleared their caches. 200
/// even when some failed, as Elasticsearch answers.
pub fn response(node: &NodeContext, outcome: NodesOutcome<NodeAcknowledgement>) -> ClearCachedServiceTokensResponse {
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
        let names = TokenSelection::parse("b,a").unwrap();
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
        assert_eq!((wire.cache.as_str(), wire.cause), ("index_service_account_token", ClearCause::IndexChange));
    }

    #[test]
    fn an_unknown_cache_is_refused() {
        let wire = ClearSecurityCacheNodeRequest { cache: "nope".into(), keys: vec![], cause: ClearCause::ClearApi };
        assert_eq!(ClearSecurityCache::decode(wire).unwrap_err().to_string(), "No cache named [nope] is found");
    }
}
