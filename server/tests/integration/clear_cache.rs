//! `POST /_security/service/{namespace}/{service}/credential/token/{name}/_clear_cache`
//! against a real node, through the generated client and raw HTTP.

use crate::common::{
    INVALID_TOKEN_NAME as INVALID, TOKEN_MANAGER, TestNode, basic, elastic_header_line, es_error_body, raw_request,
    token_names,
};

fn clear_path(account: &str, name: &str) -> String {
    format!("/_security/service/{account}/credential/token/{name}/_clear_cache")
}

async fn post(node: &TestNode, path: &str) -> reqwest::Response {
    node.http().post(format!("{}{path}", node.url)).send().await.unwrap()
}

async fn expect_invalid_name(node: &TestNode, name_in_path: &str, reported: &str) {
    let response = post(node, &clear_path("elastic/fleet-server", name_in_path)).await;
    assert_eq!(response.status(), 400, "{name_in_path}");
    assert_eq!(response.headers()["x-elastic-product"], "Elasticsearch");
    let reason = format!("invalid service token name [{reported}]. {INVALID}");
    let expected = es_error_body("illegal_argument_exception", &reason, "", 400);
    assert_eq!(response.text().await.unwrap(), expected, "{name_in_path}");
}

#[tokio::test]
async fn every_wildcard_form_clears_the_whole_account_from_both_caches() {
    let node = TestNode::start(&[]).await;
    for wildcard in ["*", "_all", ",", ",,", "*,", "_all,"] {
        node.seed("elastic/fleet-server", &["t1", "t2"]);
        node.seed("elastic/fleet-server-remote", &["t1"]);
        node.seed("elastic/fleet", &["t1"]);
        let response =
            node.client().security_clear_cached_service_tokens("elastic", "fleet-server", &token_names(wildcard)).await;
        let body = response.unwrap_or_else(|e| panic!("{wildcard}: {e}")).into_inner();
        assert_eq!(body.node_stats.failed, 0);
        assert_eq!(node.cached("elastic/fleet-server", "t1"), (false, false), "{wildcard}");
        assert_eq!(node.cached("elastic/fleet-server", "t2"), (false, false), "{wildcard}");
        // Accounts that merely share a prefix are untouched.
        assert_eq!(node.cached("elastic/fleet-server-remote", "t1"), (true, true), "{wildcard}");
        assert_eq!(node.cached("elastic/fleet", "t1"), (true, true), "{wildcard}");
    }
}

/// Looking at a cache, as these tests do, counts neither a hit nor a miss:
/// the counters other assertions read stay put.
#[tokio::test]
async fn looking_at_a_cache_counts_nothing() {
    let node = TestNode::start(&[]).await;
    node.seed("elastic/fleet-server", &["t"]);
    assert_eq!(node.cached("elastic/fleet-server", "t"), (true, true));
    assert_eq!(node.cached("elastic/fleet-server", "other"), (false, false));
    for cache in ["file", "index"] {
        for counter in ["hits", "misses"] {
            assert_eq!(node.metric(&format!("service_token_cache_{counter}_total{{cache=\"{cache}\"}}")).await, 0);
        }
    }
}

#[tokio::test]
async fn a_list_clears_exactly_its_names_once_each() {
    let node = TestNode::start(&[]).await;
    node.seed("elastic/fleet-server", &["a", "b", "c", "a1"]);
    let body = node
        .client()
        .security_clear_cached_service_tokens("elastic", "fleet-server", &token_names("a,b,a,"))
        .await
        .unwrap();
    assert_eq!(body.node_stats.successful, 1);
    assert_eq!(node.cached("elastic/fleet-server", "a"), (false, false));
    assert_eq!(node.cached("elastic/fleet-server", "b"), (false, false));
    assert_eq!(node.cached("elastic/fleet-server", "c"), (true, true));
    assert_eq!(node.cached("elastic/fleet-server", "a1"), (true, true));
    // The evictions counted are the cached entries, not the names asked for.
    assert_eq!(node.metric("service_token_cache_evictions_total{cache=\"file\",cause=\"clear_api\"}").await, 2);
    assert_eq!(node.metric("service_token_cache_evictions_total{cache=\"index\",cause=\"clear_api\"}").await, 2);
    assert_eq!(node.metric("service_token_cache_entries{cache=\"file\"}").await, 2);
}

#[tokio::test]
async fn invalid_names_get_elasticsearchs_400_naming_the_first_bad_one() {
    let node = TestNode::start(&[]).await;
    node.seed("elastic/fleet-server", &["a", "b"]);
    let long = "a".repeat(257);
    for (name, reported) in [
        ("a,*", "*"),
        ("a,_all", "_all"),
        ("a,,b", ""),
        (",a", ""),
        ("_x", "_x"),
        ("ok,b%40d,_x", "b@d"),
        (long.as_str(), long.as_str()),
        // Non-ASCII, percent-encoded as clients send it.
        ("t%C3%B6k", "tök"),
        // Path parameters are decoded before they are split and checked:
        // an encoded comma separates names, an encoded slash is part of one.
        ("a%2C%2Cb", ""),
        ("a%2Fb", "a/b"),
        ("%2A%2Ca", "*"),
    ] {
        expect_invalid_name(&node, name, reported).await;
    }
    // Nothing was cleared by the failed calls.
    assert_eq!(node.cached("elastic/fleet-server", "a"), (true, true));
    assert_eq!(node.cached("elastic/fleet-server", "b"), (true, true));
}

#[tokio::test]
async fn an_encoded_comma_separates_names_like_a_plain_one() {
    let node = TestNode::start(&[]).await;
    node.seed("elastic/fleet-server", &["a", "b", "c"]);
    let response = post(&node, &clear_path("elastic/fleet-server", "a%2Cb")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(node.cached("elastic/fleet-server", "a"), (false, false));
    assert_eq!(node.cached("elastic/fleet-server", "b"), (false, false));
    assert_eq!(node.cached("elastic/fleet-server", "c"), (true, true));
}

#[tokio::test]
async fn names_at_the_length_limit_are_valid() {
    let node = TestNode::start(&[]).await;
    let name = "b".repeat(256);
    node.seed("elastic/kibana", &[&name]);
    node.client().security_clear_cached_service_tokens("elastic", "kibana", &token_names(&name)).await.unwrap();
    assert_eq!(node.cached("elastic/kibana", &name), (false, false));
}

/// The generated client refuses the names the node would refuse, before it
/// sends anything; the node's own error arrives as a typed value.
#[tokio::test]
async fn the_generated_client_sees_the_error_body() {
    for invalid in ["a,*", "_x", ",a", "a,,b", "b@d"] {
        assert!(invalid.parse::<es_tokens_types::TokenNameList>().is_err(), "{invalid}");
    }
    let node = TestNode::start(&[]).await;
    let client = node.client_with(&basic(TOKEN_MANAGER.0, TOKEN_MANAGER.1));
    match client.security_clear_cached_service_tokens("elastic", "fleet-server", &token_names("a")).await {
        Err(es_tokens_client::Error::ErrorResponse(response)) => {
            assert_eq!(response.status().as_u16(), 403);
            assert_eq!(response.status, 403);
            assert_eq!(response.error.kind, "security_exception");
            let root = &response.error.root_cause.as_ref().unwrap()[0];
            assert_eq!(root.kind, "security_exception");
        }
        other => panic!("expected a 403, got {other:?}"),
    }
}

#[tokio::test]
async fn unknown_accounts_and_uncached_tokens_succeed() {
    let node = TestNode::start(&[]).await;
    for (namespace, service, name) in [
        ("nope", "nothing", "t"),
        ("elastic", "not-a-service", "*"),
        ("a b", "c%d", "x"),
        ("elastic", "fleet-server", "t"),
    ] {
        let body =
            node.client().security_clear_cached_service_tokens(namespace, service, &token_names(name)).await.unwrap();
        assert_eq!(body.node_stats.total, 1);
        assert_eq!(body.node_stats.failed, 0);
        assert!(body.node_stats.failures.is_none());
    }
}

#[tokio::test]
async fn the_response_is_byte_compatible() {
    let node = TestNode::start(&[]).await;
    let response = post(&node, &clear_path("elastic/fleet-server", "token1")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(response.headers()["x-elastic-product"], "Elasticsearch");
    let body = response.text().await.unwrap();
    let id = node.node_id();
    assert_eq!(
        body,
        format!(
            r#"{{"_nodes":{{"total":1,"successful":1,"failed":0}},"cluster_name":"test-cluster","nodes":{{"{id}":{{"name":"test-node"}}}}}}"#
        )
    );
    // ?pretty as Elasticsearch pretty-prints.
    let pretty =
        post(&node, &format!("{}?pretty", clear_path("elastic/fleet-server", "token1"))).await.text().await.unwrap();
    assert_eq!(
        pretty,
        format!(
            "{{\n  \"_nodes\" : {{\n    \"total\" : 1,\n    \"successful\" : 1,\n    \"failed\" : 0\n  }},\n  \
             \"cluster_name\" : \"test-cluster\",\n  \"nodes\" : {{\n    \"{id}\" : {{\n      \"name\" : \"test-node\"\n    }}\n  }}\n}}\n"
        )
    );
}

#[tokio::test]
async fn clients_headers_and_bodiless_posts_are_accepted() {
    let node = TestNode::start(&[]).await;
    let path = clear_path("elastic/fleet-server", "t");
    // The Python client's compatibility headers: answered in kind.
    for version in ["8", "9"] {
        let media_type = format!("application/vnd.elasticsearch+json; compatible-with={version}");
        let response = node
            .http()
            .post(format!("{}{path}", node.url))
            .header("accept", &media_type)
            .header("content-type", &media_type)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["content-type"],
            format!("application/vnd.elasticsearch+json;compatible-with={version}").as_str()
        );
    }
    // The Rust client's bodiless POST: no Content-Length at all.
    let response = raw_request(
        node.addr(),
        &format!(
            "POST {path} HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n{}Connection: close\r\n\r\n",
            elastic_header_line()
        ),
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.header("x-elastic-product"), Some("Elasticsearch"));
    assert_eq!(response.header("content-type"), Some("application/json"));
}

#[tokio::test]
async fn requests_elasticsearch_refuses_are_refused_alike() {
    let node = TestNode::start(&[]).await;
    let path = clear_path("elastic/fleet-server", "t");
    let url = format!("{}{path}", node.url);
    // An API version this node does not speak.
    let response = node
        .http()
        .post(&url)
        .header("accept", "application/vnd.elasticsearch+json; compatible-with=7")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["type"], "media_type_header_exception");
    assert_eq!(
        body["error"]["caused_by"]["reason"],
        "Accept version must be either version 9 or 8, but found 7. Accept=application/vnd.elasticsearch+json; \
         compatible-with=7"
    );
    // A body: the endpoint takes none.
    let response = node.http().post(&url).header("content-type", "application/json").body("{}").send().await.unwrap();
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["reason"], format!("request [POST {path}] does not support having a body"));
    // Unknown query parameters, with Elasticsearch's suggestions.
    let response = node.http().post(format!("{url}?prety&zzz=1")).send().await.unwrap();
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        body["error"]["reason"],
        format!("request [{path}] contains unrecognized parameters: [prety] -> did you mean [pretty]?, [zzz]")
    );
    // A bad boolean.
    let response = node.http().post(format!("{url}?pretty=yes")).send().await.unwrap();
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["reason"], "Failed to parse value [yes] as only [true] or [false] are allowed.");
    // An invalid name wins over unknown parameters, as in Elasticsearch.
    let response =
        node.http().post(format!("{}{}?zzz", node.url, clear_path("elastic/fleet-server", "_x"))).send().await.unwrap();
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["reason"], format!("invalid service token name [_x]. {INVALID}"));
}

#[tokio::test]
async fn malformed_paths_and_other_methods_get_elasticsearchs_answers() {
    let node = TestNode::start(&[]).await;
    let client = node.http();
    // Only POST is registered.
    for method in [reqwest::Method::GET, reqwest::Method::PUT, reqwest::Method::DELETE] {
        let response = client
            .request(method.clone(), format!("{}{}", node.url, clear_path("elastic/fleet-server", "t")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 405, "{method}");
        assert_eq!(response.headers()["allow"], "POST");
    }
    for (path, status) in [
        // Percent-encoded bytes that are not UTF-8 decode to U+FFFD, which
        // no token name has.
        (clear_path("elastic/fleet-server", "%FF"), 400),
        // A URI beyond 64 KiB (hyper's 414).
        (clear_path("elastic/fleet-server", &"a".repeat(70_000)), 414),
        // Dot segments are ordinary segments to Elasticsearch's router: a
        // service named `..`, whose tokens (none) are cleared.
        ("/_security/service/elastic/../credential/token/t/_clear_cache".to_string(), 200),
        // Missing segments: no handler.
        ("/_security/service/elastic/credential/token/t/_clear_cache".to_string(), 400),
    ] {
        let response = raw_request(
            node.addr(),
            &format!("POST {path} HTTP/1.1\r\nHost: x\r\n{}Connection: close\r\n\r\n", elastic_header_line()),
        )
        .await;
        assert_eq!(response.status, status, "{}", &path[..path.len().min(80)]);
    }
    // The node is still serving.
    node.client().security_clear_cached_service_tokens("elastic", "fleet-server", &token_names("t")).await.unwrap();
}
