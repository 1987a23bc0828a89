//! The HTTP edge under clients that misbehave or are merely slow: bodies
//! sent in pieces, malformed chunked bodies, connections that never send a
//! request, more connections than the node takes.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::*;

const CLEAR: &str = "/_security/service/elastic/fleet-server/credential/token/t1/_clear_cache";

/// Reads one response off a kept-alive connection: its status, whether it
/// announced `Connection: close`, and its body (by `Content-Length`).
async fn read_response(stream: &mut TcpStream) -> (u16, bool, String) {
    let mut bytes = Vec::new();
    let head_end = loop {
        if let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        let mut chunk = [0u8; 4096];
        let read = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk)).await.unwrap().unwrap();
        assert!(read > 0, "the node closed the connection before answering");
        bytes.extend_from_slice(&chunk[..read]);
    };
    let head = String::from_utf8_lossy(&bytes[..head_end]).to_ascii_lowercase();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .map_or(0, |value| value.trim().parse().unwrap());
    while bytes.len() < head_end + length {
        let mut chunk = [0u8; 4096];
        let read = stream.read(&mut chunk).await.unwrap();
        assert!(read > 0, "the node closed the connection inside a body");
        bytes.extend_from_slice(&chunk[..read]);
    }
    let close = head.lines().any(|line| line.trim() == "connection: close");
    (status, close, String::from_utf8_lossy(&bytes[head_end..head_end + length]).into_owned())
}

async fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).await.unwrap();
    stream.set_nodelay(true).unwrap();
    stream
}

/// How Python's http.client and urllib3 send a body: the head in one
/// packet, the body in the next.
#[tokio::test]
async fn a_refused_body_sent_after_its_head_leaves_the_connection_usable() {
    let node = TestNode::start(&[]).await;
    let mut stream = connect(node.addr()).await;
    for _ in 0..5 {
        let head = format!(
            "POST {CLEAR} HTTP/1.1\r\nHost: x\r\n{}Content-Type: application/json\r\nContent-Length: 2\r\n\r\n",
            elastic_header_line()
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
        stream.write_all(b"{}").await.unwrap();
        let (status, close, body) = read_response(&mut stream).await;
        assert_eq!(status, 400, "{body}");
        assert!(body.contains("does not support having a body"), "{body}");
        assert!(!close, "the connection stays open, as Elasticsearch keeps it");
        // The next request on the same connection is answered.
        let get = format!("GET / HTTP/1.1\r\nHost: x\r\n{}\r\n", elastic_header_line());
        stream.write_all(get.as_bytes()).await.unwrap();
        assert_eq!(read_response(&mut stream).await.0, 200);
    }
}

#[tokio::test]
async fn chunked_bodies_count_by_their_content() {
    let node = TestNode::start(&[]).await;
    let chunked = |body: &str| {
        format!(
            "POST {CLEAR} HTTP/1.1\r\nHost: x\r\n{}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{body}",
            elastic_header_line()
        )
    };
    let mut stream = connect(node.addr()).await;
    // No content: as if there were no body.
    stream.write_all(chunked("0\r\n\r\n").as_bytes()).await.unwrap();
    let (status, _, body) = read_response(&mut stream).await;
    assert_eq!(status, 200, "{body}");
    // Content: refused as any body is.
    stream.write_all(chunked("2\r\n{}\r\n0\r\n\r\n").as_bytes()).await.unwrap();
    let (status, _, body) = read_response(&mut stream).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("does not support having a body"), "{body}");
    // Malformed: refused, never a 200.
    let mut stream = connect(node.addr()).await;
    stream.write_all(chunked("zz\r\n{}\r\n0\r\n\r\n").as_bytes()).await.unwrap();
    let (status, _, body) = read_response(&mut stream).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains(r#""type":"illegal_argument_exception""#), "{body}");
    assert!(body.contains("the request body could not be read"), "{body}");
}

/// Netty's limit on the request line, which also bounds how many token
/// names one clear can name: Elasticsearch's own `Netty4BadRequestIT`.
#[tokio::test]
async fn a_request_line_over_http_max_initial_line_length_is_a_400() {
    let node = TestNode::start(&[]).await;
    let names = |count: usize| (0..count).map(|i| format!("t{i:04}")).collect::<Vec<_>>().join(",");
    let path = |names: &str| format!("/_security/service/elastic/fleet-server/credential/token/{names}/_clear_cache");
    // 4096 bytes exactly: `POST <path> HTTP/1.1`.
    let mut fits = names(800);
    let overhead = "POST ".len() + path("").len() + " HTTP/1.1".len();
    fits.truncate(4096 - overhead);
    let fits = fits.trim_end_matches(',').to_string();
    let padding = 4096 - overhead - fits.len();
    let fits = format!("{fits}{}", ",x".repeat(padding / 2)) + if padding % 2 == 1 { "y" } else { "" };
    assert_eq!("POST ".len() + path(&fits).len() + " HTTP/1.1".len(), 4096);
    let response = node.http().post(format!("{}{}", node.url, path(&fits))).send().await.unwrap();
    assert_eq!(response.status(), 200);
    // One byte more, and anyone asking: refused before authentication.
    let response =
        reqwest::Client::new().post(format!("{}{}", node.url, path(&format!("{fits}z")))).send().await.unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(response.headers()["x-elastic-product"], "Elasticsearch");
    assert_eq!(
        response.text().await.unwrap(),
        es_error_body("too_long_http_line_exception", "An HTTP line is larger than 4096 bytes.", "", 400)
    );
    // The limit is a setting, in Elasticsearch's byte sizes.
    let node = TestNode::start(&[("http.max_initial_line_length", "8kb")]).await;
    let response = node.http().post(format!("{}{}", node.url, path(&names(1500)))).send().await.unwrap();
    assert_eq!(response.status(), 400);
    let response = node.http().post(format!("{}{}", node.url, path(&names(1100)))).send().await.unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
}

#[tokio::test]
async fn a_body_that_stops_arriving_is_a_408_and_the_connection_closes() {
    let node = TestNode::start(&[("http.request_head_timeout", "1s")]).await;
    let mut stream = connect(node.addr()).await;
    let head = format!(
        "POST /_security/user/_has_privileges HTTP/1.1\r\nHost: x\r\n{}Content-Type: application/json\r\nContent-Length: 50\r\n\r\n{{\"cluster\"",
        elastic_header_line()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let (status, close, body) = read_response(&mut stream).await;
    assert_eq!((status, close, body.as_str()), (408, true, ""));
    assert!(closed_within(&mut stream, Duration::from_secs(2)).await);
}

/// Whether the node closed `stream` (or answers nothing) within `within`.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut byte = [0u8; 1];
    match tokio::time::timeout(within, stream.read(&mut byte)).await {
        Ok(Ok(0)) | Ok(Err(_)) => true,
        Ok(Ok(_)) => panic!("the node sent bytes to a connection that sent no request"),
        Err(_) => false,
    }
}

#[tokio::test]
async fn connections_that_send_no_request_head_are_closed_and_idle_keep_alive_ones_are_not() {
    let node = TestNode::start(&[("http.request_head_timeout", "1s")]).await;
    let mut silent = Vec::new();
    for _ in 0..20 {
        silent.push(connect(node.addr()).await);
    }
    let mut half = connect(node.addr()).await;
    half.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let get = format!("GET / HTTP/1.1\r\nHost: x\r\n{}\r\n", elastic_header_line());
    let mut kept = connect(node.addr()).await;
    kept.write_all(get.as_bytes()).await.unwrap();
    assert_eq!(read_response(&mut kept).await.0, 200);
    // A request that takes longer than the head timeout is answered.
    let mut waiting = connect(node.addr()).await;
    let health = format!(
        "GET /_cluster/health?wait_for_nodes=5&timeout=1500ms HTTP/1.1\r\nHost: x\r\n{}\r\n",
        elastic_header_line()
    );
    waiting.write_all(health.as_bytes()).await.unwrap();
    assert_eq!(read_response(&mut waiting).await.0, 408);

    for (i, stream) in silent.iter_mut().enumerate() {
        assert!(closed_within(stream, Duration::from_secs(2)).await, "silent connection #{i} was closed");
    }
    assert!(closed_within(&mut half, Duration::from_secs(2)).await, "half a head was closed");
    // Idle for longer than the timeout after its answer, and still open.
    assert!(!closed_within(&mut kept, Duration::from_millis(1500)).await);
    kept.write_all(get.as_bytes()).await.unwrap();
    assert_eq!(read_response(&mut kept).await.0, 200);
    // Empty lines first are not a head (httparse skips them).
    let mut blank = connect(node.addr()).await;
    blank.write_all(b"\r\n\r\n\r\n").await.unwrap();
    assert!(closed_within(&mut blank, Duration::from_secs(3)).await, "empty lines do not end a head");
    // A request that waits for 100 Continue is answered and then idles.
    let mut continued = connect(node.addr()).await;
    let head = format!(
        "POST /_security/user/_has_privileges HTTP/1.1\r\nHost: x\r\n{}Content-Type: application/json\r\n\
         Expect: 100-continue\r\nContent-Length: 17\r\n\r\n",
        elastic_header_line()
    );
    continued.write_all(head.as_bytes()).await.unwrap();
    let (status, ..) = read_response(&mut continued).await;
    assert_eq!(status, 100);
    continued.write_all(br#"{"cluster":["a"]}"#).await.unwrap();
    let (status, _, body) = read_response(&mut continued).await;
    assert_eq!(status, 400, "an unknown privilege: {body}");
    assert!(!closed_within(&mut continued, Duration::from_millis(1500)).await, "idle after its answer");
    // A head that starts and stalls after an answer is bounded too.
    kept.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
    assert!(closed_within(&mut kept, Duration::from_secs(3)).await);
}

#[tokio::test]
async fn connections_over_http_max_open_connections_are_closed_at_once() {
    let node = TestNode::start(&[("http.max_open_connections", "4")]).await;
    let get = format!("GET / HTTP/1.1\r\nHost: x\r\n{}\r\n", elastic_header_line());
    let mut open = Vec::new();
    for _ in 0..4 {
        let mut stream = connect(node.addr()).await;
        stream.write_all(get.as_bytes()).await.unwrap();
        assert_eq!(read_response(&mut stream).await.0, 200);
        open.push(stream);
    }
    let mut over = connect(node.addr()).await;
    let _ = over.write_all(get.as_bytes()).await;
    assert!(closed_within(&mut over, Duration::from_secs(2)).await, "the fifth connection is closed");
    // One closes, and there is room again.
    drop(open.pop());
    eventually("a connection is taken again", || async {
        let client = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
        let response = client.get(&node.url).header("authorization", basic("elastic", ELASTIC_PASSWORD)).send().await;
        response.is_ok_and(|response| response.status() == 200)
    })
    .await;
}

/// The fault of the issue this edge was built for, end to end in a node
/// process with 64 descriptors: a flood of silent connections takes neither
/// the descriptors the node needs to reload its files nor, for longer than
/// the head timeout, the room of real clients.
#[tokio::test]
async fn a_flood_of_silent_connections_leaves_the_node_its_descriptors() {
    use crate::common::cluster::{ProcessCluster, authenticate};
    let cluster = ProcessCluster::start(1, &[("http.max_open_connections", "40"), ("http.request_head_timeout", "2s")]);
    let node = &cluster.nodes[0];
    let status = std::process::Command::new("prlimit")
        .args(["--pid", &node.pid().to_string(), "--nofile=64:"])
        .status()
        .unwrap();
    assert!(status.success());
    let mut flood = Vec::new();
    for _ in 0..100 {
        flood.push(connect(node.http).await);
    }
    // A token added meanwhile: the reload has descriptors to read it with.
    let args = ["create".to_string(), "elastic/fleet-server".to_string(), "flooded".to_string()];
    let output = es_tokens_server::service_tokens_cli::run(&node.conf_dir, &args).unwrap();
    let token = output.trim().rsplit(" = ").next().unwrap().to_string();
    eventually("the new token authenticates once the silent connections are gone", || async {
        let client = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
        let response = client
            .get(format!("{}/_security/_authenticate", node.url()))
            .header("authorization", bearer(&token))
            .send()
            .await;
        response.is_ok_and(|response| response.status() == 200)
    })
    .await;
    assert_eq!(authenticate(node, &token).await.0, 200);
    let log = std::fs::read_to_string(&node.log).unwrap();
    let out_of_descriptors: Vec<&str> = log.lines().filter(|line| line.contains("Too many open files")).collect();
    assert!(out_of_descriptors.is_empty(), "the node never ran out of descriptors: {out_of_descriptors:#?}");
    assert!(!log.contains("keeping the service tokens last read"), "the reload could read the file");
    drop(flood);
}
