//! Requests no handler takes, and what every answer carries, as
//! Elasticsearch's `RestController` and `DefaultRestChannel` answer them.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::*;

/// Sends `method path` as `elastic` with `extra` header lines.
async fn send(node: &TestNode, method: &str, path: &str, extra: &str) -> RawResponse {
    raw_request(
        node.addr(),
        &format!("{method} {path} HTTP/1.1\r\nHost: x\r\n{}{extra}Connection: close\r\n\r\n", elastic_header_line()),
    )
    .await
}

#[tokio::test]
async fn an_unknown_route_is_a_400_naming_the_uri_and_method() {
    let node = TestNode::start(&[]).await;
    for (method, path) in
        [("GET", "/_cluster/state"), ("POST", "/nope?pretty&x=%41"), ("DELETE", "/_security//service")]
    {
        let response = send(&node, method, path, "").await;
        assert_eq!(response.status, 400, "{method} {path}");
        // No `status` field: RestController#handleBadRequest writes only the
        // error.
        assert_eq!(
            response.body,
            format!(r#"{{"error":"no handler found for uri [{path}] and method [{method}]"}}"#),
            "{method} {path}"
        );
        assert_eq!(response.header("x-elastic-product"), Some("Elasticsearch"));
        assert_eq!(response.header("content-type"), Some("application/json"));
        assert_eq!(response.header("x-request-id"), None, "dropshot's request id is not Elasticsearch's");
    }
}

#[tokio::test]
async fn an_unauthenticated_request_to_an_unknown_route_is_a_401() {
    let node = TestNode::start(&[]).await;
    let response =
        raw_request(node.addr(), "GET /_cluster/state HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await;
    assert_eq!(response.status, 401);
    assert!(response.body.contains("missing authentication credentials for REST request [/_cluster/state]"));
}

#[tokio::test]
async fn a_method_the_route_lacks_is_a_405_with_allow_in_elasticsearchs_order() {
    let node = TestNode::start(&[]).await;
    let cases = [
        ("DELETE", "/", "GET,HEAD"),
        ("GET", "/_security/service/elastic/fleet-server/credential/token/t", "POST,PUT,DELETE"),
        ("HEAD", "/_security/_authenticate", "GET"),
    ];
    for (method, path, allow) in cases {
        let response = send(&node, method, path, "").await;
        assert_eq!(response.status, 405, "{method} {path}");
        assert_eq!(response.header("allow"), Some(allow), "{method} {path}");
        assert_eq!(response.header("x-elastic-product"), Some("Elasticsearch"));
        if method != "HEAD" {
            let listed = allow.replace(',', ", ");
            assert_eq!(
                response.body,
                format!(
                    r#"{{"error":"Incorrect HTTP method for uri [{path}] and method [{method}], allowed: [{listed}]","status":405}}"#
                )
            );
        } else {
            assert_eq!(response.body, "", "a HEAD answer has no body");
        }
    }
    let unknown = send(&node, "FOO", "/", "").await;
    assert_eq!(unknown.status, 405);
    assert_eq!(unknown.body, r#"{"error":"Unexpected http method: FOO, allowed: [GET, HEAD]","status":405}"#);
}

#[tokio::test]
async fn options_answers_200_with_the_paths_methods_and_no_credentials() {
    let node = TestNode::start(&[]).await;
    for (path, allow) in [("/_security/service/elastic", Some("GET")), ("/nope", None)] {
        let response =
            raw_request(node.addr(), &format!("OPTIONS {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).await;
        assert_eq!(response.status, 200, "{path}");
        assert_eq!(response.body, "");
        assert_eq!(response.header("allow"), allow, "{path}");
        assert_eq!(response.header("content-type"), Some("text/plain; charset=UTF-8"));
    }
}

#[tokio::test]
async fn bad_percent_escapes_get_elasticsearchs_400s() {
    let node = TestNode::start(&[]).await;
    let query = send(&node, "GET", "/?pretty=%", "").await;
    assert_eq!(query.status, 400);
    let reason = "unterminated escape sequence at end of string: %";
    let expected = format!(
        r#"{{"error":{{"root_cause":[{{"type":"bad_parameter_exception","reason":"java.lang.IllegalArgumentException: {reason}"}}],"type":"bad_parameter_exception","reason":"java.lang.IllegalArgumentException: {reason}","caused_by":{{"type":"illegal_argument_exception","reason":"{reason}"}}}},"status":400}}"#
    );
    assert_eq!(query.body, expected);
    let path = send(&node, "GET", "/_security/service/%zz", "").await;
    assert_eq!(path.status, 400);
    let reason = "invalid escape sequence `%zz' at index 19 of: /_security/service/%zz";
    assert_eq!(path.body, es_error_body("illegal_argument_exception", reason, "", 400));
    // A valid escape is decoded where a variable captures it.
    let decoded = send(&node, "GET", "/_security/service/%65lastic", "").await;
    assert_eq!(decoded.status, 200, "{}", decoded.body);
    assert!(decoded.body.starts_with(r#"{"elastic/"#), "{}", decoded.body);
}

#[tokio::test]
async fn an_empty_name_segment_clears_the_whole_account_as_elasticsearch_routes_it() {
    let node = TestNode::start(&[]).await;
    node.seed("elastic/fleet-server", &["a", "b"]);
    // What the JavaScript and Rust clients send for an empty name list.
    let response =
        send(&node, "POST", "/_security/service/elastic/fleet-server/credential/token//_clear_cache", "").await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert!(response.body.starts_with(r#"{"_nodes":{"total":1,"successful":1,"failed":0}"#), "{}", response.body);
    for name in ["a", "b"] {
        assert_eq!(node.cached("elastic/fleet-server", name), (false, false), "{name}");
    }
    // A trailing slash is no segment: still a create with a generated name.
    let create = send(&node, "POST", "/_security/service/elastic/fleet-server/credential/token/", "").await;
    assert_eq!(create.status, 200, "{}", create.body);
    assert!(create.body.contains(r#""created":true"#), "{}", create.body);
}

#[tokio::test]
async fn x_opaque_id_is_echoed_on_every_answer() {
    let node = TestNode::start(&[]).await;
    let header = "X-Opaque-Id: harness-42\r\n";
    let answers = [
        send(&node, "GET", "/", header).await,
        send(&node, "GET", "/nope", header).await,
        send(&node, "DELETE", "/", header).await,
        send(&node, "POST", "/_security/service/elastic/fleet-server/credential/token/_bad/_clear_cache", header).await,
        raw_request(node.addr(), &format!("GET / HTTP/1.1\r\nHost: x\r\n{header}Connection: close\r\n\r\n")).await,
    ];
    let statuses: Vec<u16> = answers.iter().map(|answer| answer.status).collect();
    assert_eq!(statuses, [200, 400, 405, 400, 401]);
    for answer in &answers {
        assert_eq!(answer.header("x-opaque-id"), Some("harness-42"), "{}", answer.status);
    }
    let twice = send(&node, "GET", "/", "X-Opaque-Id: a\r\nX-Opaque-Id: b\r\n").await;
    assert_eq!(twice.status, 400);
    assert_eq!(
        twice.body,
        es_error_body("illegal_argument_exception", "multiple values for single-valued header [X-Opaque-Id].", "", 400)
    );
}

#[tokio::test]
async fn a_body_over_the_content_length_limit_is_a_413() {
    let node = TestNode::start(&[("http.max_content_length", "16")]).await;
    let body = "x".repeat(17);
    let request = format!(
        "POST /_security/_authenticate HTTP/1.1\r\nHost: x\r\n{}Content-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        elastic_header_line(),
        body.len()
    );
    let response = raw_request(node.addr(), &request).await;
    assert_eq!(response.status, 413);
    assert_eq!(response.body, "");
    // A chunked body has no length to check first: the limit stops it.
    let request = format!(
        "POST /_security/user/_has_privileges HTTP/1.1\r\nHost: x\r\n{}Content-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n11\r\n{body}\r\n0\r\n\r\n",
        elastic_header_line(),
    );
    let chunked = raw_request(node.addr(), &request).await;
    assert_eq!(chunked.status, 413, "{}", chunked.body);
    assert_eq!(chunked.body, "", "as Netty's aggregator answers it");
}

#[tokio::test]
async fn only_endpoints_that_read_a_body_take_source() {
    let node = TestNode::start(&[]).await;
    let response = send(&node, "GET", "/_security/_authenticate?source=x", "").await;
    assert_eq!(response.status, 400);
    assert!(response.body.contains("contains unrecognized parameter: [source]"), "{}", response.body);
}

#[tokio::test]
async fn an_unknown_method_is_refused_only_to_authenticated_callers() {
    let node = TestNode::start(&[]).await;
    let anonymous = raw_request(node.addr(), "FOO / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(anonymous.header("allow"), None);
}

/// Sends `GET /` on `stream`, as `elastic`, and reads one whole answer.
async fn get_root(stream: &mut tokio::net::TcpStream) -> std::io::Result<String> {
    let request = format!("GET / HTTP/1.1\r\nHost: x\r\n{}\r\n", elastic_header_line());
    stream.write_all(request.as_bytes()).await?;
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let read = stream.read(&mut buffer).await?;
        if read == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        answer.extend_from_slice(&buffer[..read]);
        let text = String::from_utf8_lossy(&answer);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length: usize = head
                .lines()
                .find_map(|line| {
                    line.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap())
                })
                .unwrap();
            if body.len() >= length {
                return Ok(head.lines().next().unwrap().to_string());
            }
        }
    }
}

#[tokio::test]
async fn an_idle_keep_alive_connection_stays_open_unless_http_read_timeout_says_otherwise() {
    let forever = TestNode::start(&[]).await;
    let limited = TestNode::start(&[("http.read_timeout", "1s")]).await;
    let mut kept = tokio::net::TcpStream::connect(forever.addr()).await.unwrap();
    let mut timed = tokio::net::TcpStream::connect(limited.addr()).await.unwrap();
    assert_eq!(get_root(&mut kept).await.unwrap(), "HTTP/1.1 200 OK");
    assert_eq!(get_root(&mut timed).await.unwrap(), "HTTP/1.1 200 OK");
    // Longer than hyper's default header read timeout (30 s), which closed
    // idle connections before `http.read_timeout` was honoured.
    tokio::time::sleep(Duration::from_secs(32)).await;
    assert_eq!(get_root(&mut kept).await.unwrap(), "HTTP/1.1 200 OK", "the idle connection was closed");
    assert!(get_root(&mut timed).await.is_err(), "http.read_timeout: 1s did not close the idle connection");
}
