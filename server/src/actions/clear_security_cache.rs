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

use std::collections::BTreeMap;

use es_tokens_types::transport::{ClearCause, ClearSecurityCacheNodeRequest, NodeAcknowledgement};
use es_tokens_types::{ClearCachedServiceTokensResponse, ClusterNode};

use crate::authc::service::token_caches::{Caches, UnknownCache};
use crate::authc::service::token_name::TokenSelection;
use crate::authc::service::{EvictionCause, TokenKey, TokenSource};
use crate::cluster::fan_out::NodesOutcome;
use crate::error::ServiceError;
use crate::node::NodeContext;

/// The action's name, which its privilege is checked against.
pub const NAME: &str = "cluster:admin/xpack/security/cache/clear";

/// What to remove from which caches, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct ClearSecurityCache {
    /// The caches and their keys.
    pub target: ClearTarget,
    /// Why they go: the clear-cache API, or a change of the index.
    pub cause: EvictionCause,
}

/// The caches a clear empties, and of what (Elasticsearch's
/// `CacheInvalidatorRegistry` names, and the realm and role caches).
#[derive(Clone, Debug, PartialEq)]
pub enum ClearTarget {
    /// The service-token caches.
    ServiceTokens {
        /// Of both token sources, or of one.
        caches: Caches,
        /// Accounts (`namespace/service`) all of whose tokens go.
        accounts: Vec<String>,
        /// Tokens that go, exactly.
        tokens: Vec<TokenKey>,
    },
    /// The caches of realms.
    Realms {
        /// The realms by name; every realm when empty.
        realms: Vec<String>,
        /// The users that go; everyone when empty.
        usernames: Vec<String>,
    },
    /// The role cache.
    Roles {
        /// The roles that go; every role when empty.
        names: Vec<String>,
    },
}

/// The wire names of the realm and role caches.
const REALM_CACHE: &str = "realm";
const ROLE_CACHE: &str = "role";
/// On the wire, "every realm" or "every role".
const ALL: &str = "*";

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
        let target = ClearTarget::ServiceTokens { caches: Caches::Both, accounts, tokens };
        ClearSecurityCache { target, cause: EvictionCause::ClearApi }
    }

    /// What deleting a token asks of every node: forget that token, from the
    /// index-token cache.
    pub fn deleted_token(key: TokenKey) -> Self {
        let target = ClearTarget::ServiceTokens {
            caches: Caches::Only(TokenSource::Index),
            accounts: Vec::new(),
            tokens: vec![key],
        };
        ClearSecurityCache { target, cause: EvictionCause::IndexChange }
    }

    /// The realm cache clear API's request: `usernames` (everyone when
    /// empty) of `realms` (every realm when empty).
    pub fn realms(realms: Vec<String>, usernames: Vec<String>) -> Self {
        ClearSecurityCache { target: ClearTarget::Realms { realms, usernames }, cause: EvictionCause::ClearApi }
    }

    /// What a change of a native user asks of every node: forget the user,
    /// in the native realm's cache.
    pub fn changed_user(realm: &str, username: &str) -> Self {
        let target = ClearTarget::Realms { realms: vec![realm.to_string()], usernames: vec![username.to_string()] };
        ClearSecurityCache { target, cause: EvictionCause::IndexChange }
    }

    /// The role cache clear API's request: `names` (every role when empty).
    pub fn roles(names: Vec<String>) -> Self {
        ClearSecurityCache { target: ClearTarget::Roles { names }, cause: EvictionCause::ClearApi }
    }

    /// What a change of a native role asks of every node: forget the role.
    pub fn changed_role(name: &str) -> Self {
        ClearSecurityCache {
            target: ClearTarget::Roles { names: vec![name.to_string()] },
            cause: EvictionCause::IndexChange,
        }
    }

    /// The request as the node-to-node API carries it: Elasticsearch's cache
    /// name and keys. A token key where an account is its prefix
    /// (`namespace/service/`); a realm key `<realm>/<username>`, where `*`
    /// is every realm and an empty username everyone; a role key the role's
    /// name, where `*` is every role.
    pub fn encode(&self) -> ClearSecurityCacheNodeRequest {
        // Only these two causes are asked of other nodes; the rest are a
        // node's own (a file change, expiry...).
        let cause = match self.cause {
            EvictionCause::IndexChange => ClearCause::IndexChange,
            _ => ClearCause::ClearApi,
        };
        let (cache, keys) = match &self.target {
            ClearTarget::ServiceTokens { caches, accounts, tokens } => {
                let accounts = accounts.iter().map(|account| format!("{account}/"));
                let tokens = tokens.iter().map(|key| key.qualified().to_string());
                (caches.name(), accounts.chain(tokens).collect())
            }
            ClearTarget::Realms { realms, usernames } => {
                let realms = if realms.is_empty() { vec![ALL.to_string()] } else { realms.clone() };
                let usernames = if usernames.is_empty() { vec![String::new()] } else { usernames.clone() };
                let keys = realms
                    .iter()
                    .flat_map(|realm| usernames.iter().map(move |username| format!("{realm}/{username}")))
                    .collect();
                (REALM_CACHE, keys)
            }
            ClearTarget::Roles { names } if names.is_empty() => (ROLE_CACHE, vec![ALL.to_string()]),
            ClearTarget::Roles { names } => (ROLE_CACHE, names.clone()),
        };
        ClearSecurityCacheNodeRequest { cache: cache.to_string(), keys, cause: Some(cause) }
    }

    /// A request off the wire (see [`ClearSecurityCache::encode`]).
    pub fn decode(request: ClearSecurityCacheNodeRequest) -> Result<Self, UnknownCache> {
        let cause = |caches: Option<Caches>| match request.cause {
            Some(ClearCause::ClearApi) => EvictionCause::ClearApi,
            Some(ClearCause::IndexChange) => EvictionCause::IndexChange,
            // What a node before 0.2 of the node-to-node API meant.
            None if caches == Some(Caches::Only(TokenSource::Index)) => EvictionCause::IndexChange,
            None => EvictionCause::ClearApi,
        };
        let target = match request.cache.as_str() {
            REALM_CACHE => {
                let (mut realms, mut usernames) = (Vec::new(), Vec::new());
                for key in &request.keys {
                    let (realm, username) = key.split_once('/').unwrap_or((key, ""));
                    if !realms.iter().any(|known| known == realm) {
                        realms.push(realm.to_string());
                    }
                    if !usernames.iter().any(|known| known == username) {
                        usernames.push(username.to_string());
                    }
                }
                // "Every" is the empty list, in either position.
                if realms.iter().any(|realm| realm == ALL) {
                    realms.clear();
                }
                if usernames.iter().any(String::is_empty) {
                    usernames.clear();
                }
                ClearTarget::Realms { realms, usernames }
            }
            ROLE_CACHE => {
                let all = request.keys.iter().any(|key| key == ALL);
                ClearTarget::Roles { names: if all { Vec::new() } else { request.keys.clone() } }
            }
            name => {
                let caches = Caches::named(name)?;
                let (mut accounts, mut tokens) = (Vec::new(), Vec::new());
                for key in &request.keys {
                    match key.strip_suffix('/') {
                        Some(account) => accounts.push(account.to_string()),
                        None => tokens.push(TokenKey::from_qualified(key)),
                    }
                }
                return Ok(ClearSecurityCache {
                    target: ClearTarget::ServiceTokens { caches, accounts, tokens },
                    cause: cause(Some(caches)),
                });
            }
        };
        Ok(ClearSecurityCache { target, cause: cause(None) })
    }
}

/// The coordinating half: clears this node's caches, then every other
/// member's at once; fences the nodes that did not acknowledge and waits
/// until they cannot answer from their caches (see `cache_lease`); what
/// each member answered.
pub async fn execute(node: &NodeContext, request: ClearSecurityCache) -> NodesOutcome<NodeAcknowledgement> {
    let local = node_operation(node, &request).map_err(crate::http::error::node_failure);
    // Encoded for the wire once, and only if there is another member.
    let wire = std::sync::OnceLock::new();
    let outcome = node
        .cluster
        .fan_out_fallible(NAME, local, |client| {
            let wire = wire.get_or_init(|| request.encode());
            async move { client.clear_security_cache(wire).await.map(|answer| answer.into_inner()) }
        })
        .await;
    // A node that answered with an error got the request: it is not fenced.
    let acknowledged = |node_id: &str| {
        outcome.answers.iter().any(|answer| answer.node_id == node_id) || outcome.refused.iter().any(|id| id == node_id)
    };
    let wait = node.security.cache_lease().fence_all_but(acknowledged).await;
    if !wait.is_zero() {
        tracing::info!(
            wait_ms = wait.as_millis() as u64,
            "some nodes did not acknowledge a clear; waiting out their cache leases before answering"
        );
        tokio::time::sleep(wait).await;
    }
    outcome
}

/// The node half: removes what `request` names from this node's caches. A
/// realm this node does not have fails it (the realms named before it are
/// cleared), as in Elasticsearch.
pub fn node_operation(node: &NodeContext, request: &ClearSecurityCache) -> Result<NodeAcknowledgement, ServiceError> {
    match &request.target {
        ClearTarget::ServiceTokens { caches, accounts, tokens } => {
            node.security.token_caches().invalidate(*caches, accounts, tokens, request.cause)
        }
        ClearTarget::Realms { realms, usernames } => node.security.clear_realm_caches(realms, usernames)?,
        ClearTarget::Roles { names } => node.security.clear_role_cache(names),
    }
    Ok(node.identity.acknowledgement())
}

/// The clear-cache endpoints: clear `request` everywhere and say which
/// nodes did. 200 even when some failed, as Elasticsearch answers.
pub async fn clear_and_report(node: &NodeContext, request: ClearSecurityCache) -> ClearCachedServiceTokensResponse {
    let outcome = execute(node, request).await;
    ClearCachedServiceTokensResponse {
        node_stats: outcome.header(),
        cluster_name: node.identity.cluster_name.clone(),
        // Each node as it answered: a member that came back under a new id
        // at the same address (and has not been rediscovered yet) shows as
        // the node that actually cleared its caches. Inserted one by one:
        // collecting would sort a copy first, which costs a single node's
        // clear more than its answer.
        nodes: outcome.answers.into_iter().fold(BTreeMap::new(), |mut nodes, answer| {
            nodes.insert(answer.node_id, ClusterNode { name: answer.node_name });
            nodes
        }),
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
