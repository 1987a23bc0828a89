//! `GET /` and `HEAD /`, which clients use to ping.

use crate::common::{TestNode, elastic_header_line, raw_request};

#[tokio::test]
async fn get_root_answers_cluster_info_pretty_by_default() {
    let node = TestNode::start(&[]).await;
    let response = node.http().get(&node.url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-elastic-product"], "Elasticsearch");
    let text = response.text().await.unwrap();
    assert!(text.starts_with(
        "{\n  \"name\" : \"test-node\",\n  \"cluster_name\" : \"test-cluster\",\n  \"cluster_uuid\" : \""
    ));
    assert!(text.ends_with("  \"tagline\" : \"You Know, for Search\"\n}\n"));
    let info = node.client().info().await.unwrap().into_inner();
    assert_eq!(info.name, "test-node");
    assert_eq!(info.cluster_name, "test-cluster");
    assert_eq!(info.cluster_uuid.len(), 22);
    assert!(info.version.number.starts_with("9."));
    assert_eq!(info.tagline, "You Know, for Search");
    // Compact on request.
    let compact = node.http().get(format!("{}/?pretty=false", node.url)).send().await.unwrap().text().await.unwrap();
    assert!(compact.starts_with("{\"name\":\"test-node\",\"cluster_name\":\"test-cluster\""));
}

#[tokio::test]
async fn head_root_has_the_get_headers_and_no_body() {
    let node = TestNode::start(&[]).await;
    let get = node.http().get(&node.url).send().await.unwrap().text().await.unwrap();
    let head = raw_request(
        node.addr(),
        &format!("HEAD / HTTP/1.1\r\nHost: x\r\n{}Connection: close\r\n\r\n", elastic_header_line()),
    )
    .await;
    assert_eq!(head.status, 200);
    assert_eq!(head.header("x-elastic-product"), Some("Elasticsearch"));
    assert_eq!(head.header("content-type"), Some("application/json"));
    assert_eq!(head.header("content-length"), Some(get.len().to_string().as_str()));
    assert_eq!(head.body, "");
    node.client().ping().await.unwrap();
}
