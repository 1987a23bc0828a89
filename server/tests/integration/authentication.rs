//! Authentication and authorization against a real node: Elasticsearch's
//! 401 and 403 bodies and headers, its order of checks, and the token caches
//! filled by real bearer authentication.

use crate::common::*;
use es_tokens_server::testing::ELASTIC;

const CHALLENGES: &str =
    r#"{"WWW-Authenticate":["Basic realm=\"security\" charset=\"UTF-8\"","Bearer realm=\"security\"","ApiKey"]}"#;

fn unauthorized_body(reason: &str) -> String {
    es_error_body("security_exception", reason, &format!(r#","header":{CHALLENGES}"#), 401)
}

async fn get(node: &TestNode, authorization: Option<&str>, path: &str) -> reqwest::Response {
    node.http_with(authorization).get(format!("{}{path}", node.url)).send().await.unwrap()
}

async fn expect_401(response: reqwest::Response, reason: &str) {
    assert_eq!(response.status(), 401);
    let challenges: Vec<&str> =
        response.headers().get_all("www-authenticate").iter().map(|v| v.to_str().unwrap()).collect();
    assert_eq!(challenges, ["Basic realm=\"security\" charset=\"UTF-8\"", "Bearer realm=\"security\"", "ApiKey"]);
    // Elasticsearch does not tell unauthenticated callers what they talk to.
    assert!(response.headers().get("x-elastic-product").is_none());
    assert_eq!(response.text().await.unwrap(), unauthorized_body(reason));
}

#[tokio::test]
async fn every_kind_of_failed_authentication_is_elasticsearchs_401() {
    let node = TestNode::start_with(Setup { service_tokens: Some(FILE_TOKEN_LINE), ..Setup::default() }).await;
    let path = "/_security/_authenticate?pretty=false";
    expect_401(get(&node, None, path).await, &format!("missing authentication credentials for REST request [{path}]"))
        .await;
    expect_401(
        get(&node, Some(&basic("elastic", "wrong")), path).await,
        &format!("unable to authenticate user [elastic] for REST request [{path}]"),
    )
    .await;
    expect_401(
        get(&node, Some(&basic(NOBODY.0, "wrong")), path).await,
        &format!("unable to authenticate user [{}] for REST request [{path}]", NOBODY.0),
    )
    .await;
    expect_401(
        get(&node, Some(&basic("ghost", "whatever")), path).await,
        &format!("unable to authenticate user [ghost] for REST request [{path}]"),
    )
    .await;
    expect_401(
        get(&node, Some(&bearer(FILE_TOKEN_WRONG_SECRET)), path).await,
        "failed to authenticate service account [elastic/fleet-server] with token name [token1]",
    )
    .await;
    // Not service tokens: the wrong prefix, no colon, two parts, a bad name.
    for not_a_service_token in [
        "AQEAAWVsYXN0aWMvZmxlZXQvdG9rZW4xOnN1cGVyc2VjcmV0",
        "AAEAAWVsYXN0aWMvZmxlZXQvdG9rZW4xX3N1cGVyc2VjcmV0",
        "AAEAAWVsYXN0aWMvZmxlZXRfdG9rZW4xOnN1cGVyc2VjcmV0",
        "AAEAAWVsYXN0aWMvZmxlZXQvdG9rZW4hOnN1cGVyc2VjcmV0",
    ] {
        expect_401(
            get(&node, Some(&bearer(not_a_service_token)), path).await,
            "unable to authenticate with provided credentials and anonymous access is not allowed for this request",
        )
        .await;
    }
    // Parsed service tokens that fail: unknown namespace, unknown account,
    // short secret; all the same words.
    for (qualified, secret) in [
        ("other/fleet-server/t", "long-enough-secret"),
        ("elastic/nope/t", "long-enough-secret"),
        ("elastic/fleet-server/t", "short"),
    ] {
        let token = base64_token(qualified, secret);
        let (account, name) = qualified.rsplit_once('/').unwrap();
        expect_401(
            get(&node, Some(&bearer(&token)), path).await,
            &format!("failed to authenticate service account [{account}] with token name [{name}]"),
        )
        .await;
    }
}

fn base64_token(qualified: &str, secret: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(format!("\0\u{1}\0\u{1}{qualified}:{secret}"))
}

#[tokio::test]
async fn authenticate_answers_for_service_accounts_and_users_in_elasticsearchs_order() {
    let node = TestNode::start_with(Setup { service_tokens: Some(FILE_TOKEN_LINE), ..Setup::default() }).await;
    let body = get(&node, Some(&bearer(FILE_TOKEN_BEARER)), "/_security/_authenticate").await.text().await.unwrap();
    assert_eq!(
        body,
        r#"{"username":"elastic/fleet-server","roles":[],"full_name":"Service account - elastic/fleet-server","email":null,"token":{"name":"token1","type":"_service_account_file"},"metadata":{"_elastic_service_account":true},"enabled":true,"authentication_realm":{"name":"_service_account","type":"_service_account"},"lookup_realm":{"name":"_service_account","type":"_service_account"},"authentication_type":"token"}"#
    );
    let body =
        get(&node, Some(&basic(ELASTIC, ELASTIC_PASSWORD)), "/_security/_authenticate").await.text().await.unwrap();
    assert_eq!(
        body,
        r#"{"username":"elastic","roles":["superuser"],"full_name":null,"email":null,"metadata":{"_reserved":true},"enabled":true,"authentication_realm":{"name":"reserved","type":"reserved"},"lookup_realm":{"name":"reserved","type":"reserved"},"authentication_type":"realm"}"#
    );
    let body = get(&node, Some(&basic(READER.0, READER.1)), "/_security/_authenticate").await.text().await.unwrap();
    assert_eq!(
        body,
        r#"{"username":"reader","roles":["security_reader"],"full_name":null,"email":null,"metadata":{},"enabled":true,"authentication_realm":{"name":"default_file","type":"file"},"lookup_realm":{"name":"default_file","type":"file"},"authentication_type":"realm"}"#
    );
    // An index token says so.
    let created =
        node.client().security_create_service_token("elastic", "kibana", &token_name("idx"), None).await.unwrap();
    let response = node.client_with(&bearer(&created.token.value)).security_authenticate().await.unwrap().into_inner();
    assert_eq!(response.token.unwrap().kind, "_service_account_index");
}

#[tokio::test]
async fn the_caches_fill_on_success_and_clear_sends_the_next_authentication_to_the_store() {
    let node = TestNode::start_with(Setup { service_tokens: Some(FILE_TOKEN_LINE), ..Setup::default() }).await;
    let as_token = node.client_with(&bearer(FILE_TOKEN_BEARER));
    as_token.security_authenticate().await.unwrap();
    assert_eq!(node.metric("service_token_cache_misses_total{cache=\"file\"}").await, 1);
    assert_eq!(node.metric("service_token_cache_entries{cache=\"file\"}").await, 1);
    as_token.security_authenticate().await.unwrap();
    assert_eq!(node.metric("service_token_cache_hits_total{cache=\"file\"}").await, 1);
    // A different secret against the cached success fails from the cache.
    let wrong = node.client_with(&bearer(FILE_TOKEN_WRONG_SECRET)).security_authenticate().await;
    assert_eq!(wrong.unwrap_err().status().unwrap().as_u16(), 401);
    assert_eq!(node.metric("service_token_cache_hits_total{cache=\"file\"}").await, 2);
    assert_eq!(node.metric("service_token_cache_misses_total{cache=\"file\"}").await, 1);
    // Clearing it with the mission endpoint: the next authentication misses.
    node.client()
        .security_clear_cached_service_tokens("elastic", "fleet-server", &token_names("token1"))
        .await
        .unwrap();
    assert_eq!(node.metric("service_token_cache_entries{cache=\"file\"}").await, 0);
    assert_eq!(node.metric("service_token_cache_evictions_total{cache=\"file\",cause=\"clear_api\"}").await, 1);
    as_token.security_authenticate().await.unwrap();
    assert_eq!(node.metric("service_token_cache_misses_total{cache=\"file\"}").await, 2);
    // A failure is not cached.
    let unknown = base64_token("elastic/fleet-server/token2", "long-enough-secret");
    let failed = node.client_with(&bearer(&unknown)).security_authenticate().await.unwrap_err();
    assert_eq!(failed.status().unwrap().as_u16(), 401);
    assert_eq!(node.metric("service_token_cache_entries{cache=\"file\"}").await, 1);
    assert_eq!(node.metric("service_token_cache_entries{cache=\"index\"}").await, 0);
}

#[tokio::test]
async fn with_the_cache_disabled_every_authentication_goes_to_the_store() {
    let node = TestNode::start_with(Setup {
        settings: vec![("xpack.security.authc.service_token.cache.ttl", "0")],
        service_tokens: Some(FILE_TOKEN_LINE),
        ..Setup::default()
    })
    .await;
    let as_token = node.client_with(&bearer(FILE_TOKEN_BEARER));
    for _ in 0..3 {
        as_token.security_authenticate().await.unwrap();
    }
    assert_eq!(node.metric("service_token_cache_entries{cache=\"file\"}").await, 0);
    assert_eq!(node.metric("service_token_cache_hits_total{cache=\"file\"}").await, 0);
}

fn forbidden_body(reason: &str) -> String {
    es_error_body("security_exception", reason, "", 403)
}

#[tokio::test]
async fn each_endpoint_needs_elasticsearchs_privilege() {
    let node = TestNode::start_with(Setup { service_tokens: Some(FILE_TOKEN_LINE), ..Setup::default() }).await;
    let clear = "/_security/service/elastic/fleet-server/credential/token/t/_clear_cache";
    let cases: [(&str, reqwest::Method, &str, &str, &str); 6] = [
        (
            TOKEN_MANAGER.0,
            reqwest::Method::POST,
            clear,
            "cluster:admin/xpack/security/cache/clear",
            "manage_security,all",
        ),
        (
            MONITOR.0,
            reqwest::Method::PUT,
            "/_security/service/elastic/fleet-server/credential/token/t",
            "cluster:admin/xpack/security/service_account/token/create",
            "manage_service_account,manage_security,all",
        ),
        (
            READER.0,
            reqwest::Method::DELETE,
            "/_security/service/elastic/fleet-server/credential/token/t",
            "cluster:admin/xpack/security/service_account/token/delete",
            "manage_service_account,manage_security,all",
        ),
        (
            MONITOR.0,
            reqwest::Method::GET,
            "/_security/service/elastic/fleet-server/credential",
            "cluster:admin/xpack/security/service_account/credential/get",
            "manage_service_account,read_security,manage_security,all",
        ),
        (
            MONITOR.0,
            reqwest::Method::GET,
            "/_security/service",
            "cluster:admin/xpack/security/service_account/get",
            "manage_service_account,read_security,manage_security,all",
        ),
        (READER.0, reqwest::Method::GET, "/metrics", "cluster:monitor/prometheus/metrics", "monitor,manage,all"),
    ];
    let password =
        |user: &str| [SECURITY_ADMIN, TOKEN_MANAGER, READER, MONITOR, NOBODY].iter().find(|u| u.0 == user).unwrap().1;
    let role = |user: &str| match user {
        "token_manager" => "token_manager",
        "reader" => "security_reader",
        "monitor_user" => "monitoring",
        other => panic!("{other}"),
    };
    for (user, method, path, action, privileges) in cases {
        let response = node
            .http_with(Some(&basic(user, password(user))))
            .request(method, format!("{}{path}", node.url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{user} {path}");
        assert!(response.headers().get("x-elastic-product").is_none());
        let reason = format!(
            "action [{action}] is unauthorized for user [{user}] with effective roles [{}], this action is granted by \
             the cluster privileges [{privileges}]",
            role(user)
        );
        assert_eq!(response.text().await.unwrap(), forbidden_body(&reason));
    }
    // A role that does not exist is named as such.
    let response = node.http_with(Some(&basic(NOBODY.0, NOBODY.1))).get(format!("{}/", node.url)).send().await.unwrap();
    assert_eq!(
        response.text().await.unwrap(),
        forbidden_body(
            "action [cluster:monitor/main] is unauthorized for user [nobody] with effective roles [] (assigned roles \
             [ghost_role] were not found), this action is granted by the cluster privileges [monitor,manage,all]"
        )
    );
    // No built-in service account clears caches.
    let response =
        node.http_with(Some(&bearer(FILE_TOKEN_BEARER))).post(format!("{}{clear}", node.url)).send().await.unwrap();
    assert_eq!(
        response.text().await.unwrap(),
        forbidden_body(
            "action [cluster:admin/xpack/security/cache/clear] is unauthorized for service account \
             [elastic/fleet-server], this action is granted by the cluster privileges [manage_security,all]"
        )
    );
    // The privileges that are enough.
    for (user, password) in [SECURITY_ADMIN, ("elastic", ELASTIC_PASSWORD)] {
        let response =
            node.http_with(Some(&basic(user, password))).post(format!("{}{clear}", node.url)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{user}");
    }
    let response =
        node.http_with(Some(&basic(MONITOR.0, MONITOR.1))).get(format!("{}/metrics", node.url)).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let response = node.http_with(Some(&bearer(FILE_TOKEN_BEARER))).get(format!("{}/", node.url)).send().await.unwrap();
    assert_eq!(response.status(), 200, "fleet-server holds monitor");
}

#[tokio::test]
async fn the_order_is_401_then_400_then_403() {
    let node = TestNode::start(&[]).await;
    let bad_name = format!("{}/_security/service/elastic/fleet-server/credential/token/_bad/_clear_cache", node.url);
    let error_type = |response: reqwest::Response| async move {
        let body: serde_json::Value = response.json().await.unwrap();
        body["error"]["type"].as_str().unwrap().to_string()
    };
    let anonymous = node.http_with(None).post(&bad_name).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(error_type(anonymous).await, "security_exception");
    let unprivileged = node.http_with(Some(&basic(NOBODY.0, NOBODY.1))).post(&bad_name).send().await.unwrap();
    assert_eq!(unprivileged.status(), 400, "an authenticated user without the privilege who sends a bad name gets 400");
    assert_eq!(error_type(unprivileged).await, "illegal_argument_exception");
    let good_name = bad_name.replace("_bad", "good");
    let unprivileged = node.http_with(Some(&basic(NOBODY.0, NOBODY.1))).post(&good_name).send().await.unwrap();
    assert_eq!(unprivileged.status(), 403);
    assert_eq!(error_type(unprivileged).await, "security_exception");
    // Creating and deleting validate the request before the security filter
    // too: a bad name is a 400, a good one a 403.
    let token = format!("{}/_security/service/elastic/fleet-server/credential/token/", node.url);
    let nobody = node.http_with(Some(&basic(NOBODY.0, NOBODY.1)));
    for method in [reqwest::Method::PUT, reqwest::Method::POST, reqwest::Method::DELETE] {
        let bad = nobody.request(method.clone(), format!("{token}_bad")).send().await.unwrap();
        assert_eq!(bad.status(), 400, "{method}");
        let body: serde_json::Value = bad.json().await.unwrap();
        assert_eq!(body["error"]["type"], "action_request_validation_exception");
        let good = nobody.request(method.clone(), format!("{token}good")).send().await.unwrap();
        assert_eq!(good.status(), 403, "{method}");
    }
}
