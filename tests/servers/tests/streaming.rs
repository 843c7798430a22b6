//! Drives the streaming server over real sockets on 127.0.0.1, with its own `app_with()`: an
//! upload streamed to a file and back, its limit, axum's default limit on a buffered body,
//! server-sent events, and what becomes of an event feed whose client hangs up.
//!
//! Orderings are forced, never raced: a progress step that must not end on its own takes an
//! hour. No assertion is about how long anything took.

#[allow(dead_code)]
#[path = "../../../snippets/examples/streaming.rs"]
mod streaming;

#[path = "support/serve.rs"]
mod serve;

use std::{net::SocketAddr, path::PathBuf, time::Duration};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

const HOUR: Duration = Duration::from_secs(3600);

/// A safety net against a hung test, not a measurement.
const PATIENCE: Duration = Duration::from_secs(120);

/// A fresh, empty directory of this test's own.
fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("streaming-{}-{name}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    dir
}

async fn serve(dir: &std::path::Path, upload_limit: u64, step: Duration) -> SocketAddr {
    serve::serve(streaming::app_with(dir.to_path_buf(), upload_limit, step)).await
}

struct Response {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Response {
    fn text(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap()
    }
}

/// `method path` with `body` on a fresh connection, read until the server closes it. The body
/// is sent by a task of its own, so a server that answers before reading all of it is heard.
async fn request(addr: SocketAddr, method: &str, path: &str, body: Vec<u8>) -> Response {
    let asking = async {
        let stream = TcpStream::connect(addr).await.unwrap();
        let (mut reading, mut writing) = stream.into_split();
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: test\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n",
            body.len()
        );
        let sending = tokio::spawn(async move {
            writing.write_all(head.as_bytes()).await?;
            writing.write_all(&body).await?;
            // Keep the write half open until the answer is in: closing it would tell the server
            // the client is gone.
            Ok::<_, std::io::Error>(writing)
        });
        let mut raw = Vec::new();
        let read = reading.read_to_end(&mut raw).await;
        // A server that refused the body may close before reading the rest of it: the reset
        // can end the read, but what it sent before is already in.
        if read.is_err() {
            assert!(!raw.is_empty(), "no answer: {read:?}");
        }
        drop(sending.await);
        parse(raw)
    };
    tokio::time::timeout(PATIENCE, asking)
        .await
        .expect("no answer in time")
}

fn parse(raw: Vec<u8>) -> Response {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("no end of head");
    let head = String::from_utf8(raw[..end].to_vec()).unwrap();
    let status = head[9..12].parse().unwrap();
    let mut body = raw[end + 4..].to_vec();
    if head.to_lowercase().contains("transfer-encoding: chunked") {
        body = unchunk(&body);
    }
    Response { status, head, body }
}

/// Decodes a chunked body: `SIZE-IN-HEX\r\nDATA\r\n`, ..., `0\r\n\r\n`.
fn unchunk(mut raw: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    loop {
        let line_end = raw
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("chunk size");
        let size = std::str::from_utf8(&raw[..line_end]).unwrap();
        let size = usize::from_str_radix(size.split(';').next().unwrap(), 16).unwrap();
        if size == 0 {
            return body;
        }
        let data = &raw[line_end + 2..];
        body.extend_from_slice(&data[..size]);
        raw = &data[size + 2..];
    }
}

async fn get(addr: SocketAddr, path: &str) -> Response {
    request(addr, "GET", path, Vec::new()).await
}

/// Bytes that are not all alike, so a copy that mixes up chunks shows.
fn sample(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8).collect()
}

#[tokio::test]
async fn upload_is_stored_and_downloads_byte_for_byte() {
    let dir = scratch_dir("round-trip");
    let addr = serve(&dir, streaming::UPLOAD_LIMIT, HOUR).await;
    let nothing = get(addr, "/download").await;
    assert_eq!(
        (nothing.status, nothing.text()),
        (404, "nothing uploaded yet\n")
    );

    let sent = sample(3 * 1024 * 1024 + 17);
    let stored = request(addr, "POST", "/upload", sent.clone()).await;
    assert_eq!(
        (stored.status, stored.text()),
        (200, "stored 3145745 bytes\n")
    );
    let back = get(addr, "/download").await;
    assert_eq!(back.status, 200);
    let head = back.head.to_lowercase();
    assert!(head.contains("transfer-encoding: chunked"), "{head}");
    assert!(back.body == sent, "the download differs from the upload");
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn upload_past_its_limit_gets_413_and_leaves_the_last_one() {
    let dir = scratch_dir("limit");
    let addr = serve(&dir, 1000, HOUR).await;
    let fits = request(addr, "POST", "/upload", sample(1000)).await;
    assert_eq!((fits.status, fits.text()), (200, "stored 1000 bytes\n"));

    let too_big = request(addr, "POST", "/upload", sample(1001)).await;
    assert_eq!(
        (too_big.status, too_big.text()),
        (413, "upload is larger than 1000 bytes\n")
    );
    let kept = get(addr, "/download").await;
    assert!(
        kept.body == sample(1000),
        "the refused upload replaced the last one"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn buffered_body_past_2_mb_gets_413_from_axum() {
    let addr = serve(&scratch_dir("note"), streaming::UPLOAD_LIMIT, HOUR).await;
    let two_mb = 2 * 1024 * 1024;
    let fits = request(addr, "POST", "/note", vec![b'a'; two_mb]).await;
    assert_eq!((fits.status, fits.text()), (200, "noted 2097152 bytes\n"));

    let too_big = request(addr, "POST", "/note", vec![b'a'; two_mb + 1]).await;
    assert!(
        too_big
            .head
            .starts_with("HTTP/1.1 413 Payload Too Large\r\n"),
        "{}",
        too_big.head
    );
    assert_eq!(
        too_big.text(),
        "Failed to buffer the request body: length limit exceeded"
    );
}

/// The `data:` lines of a server-sent events body.
fn data_lines(body: &str) -> Vec<&str> {
    body.lines()
        .filter_map(|line| line.strip_prefix("data: "))
        .collect()
}

#[tokio::test]
async fn progress_is_sent_as_events_and_the_stream_ends_with_the_job() {
    let addr = serve(
        &scratch_dir("events"),
        streaming::UPLOAD_LIMIT,
        Duration::ZERO,
    )
    .await;
    let events = get(addr, "/progress/3").await;
    assert_eq!(events.status, 200);
    assert!(
        events
            .head
            .to_lowercase()
            .contains("content-type: text/event-stream"),
        "{}",
        events.head
    );
    let expected: String = (0..=3)
        .map(|done| format!("event: progress\ndata: {done}/3\n\n"))
        .collect();
    assert_eq!(events.text(), expected);
    let feeds = get(addr, "/feeds").await;
    assert_eq!(feeds.text(), "0 progress feed(s) running\n");
}

#[tokio::test]
async fn client_that_hangs_up_leaves_no_feed_running() {
    let addr = serve(&scratch_dir("hang-up"), streaming::UPLOAD_LIMIT, HOUR).await;
    let mut client = TcpStream::connect(addr).await.unwrap();
    client
        .write_all(b"GET /progress/5 HTTP/1.1\r\nHost: test\r\n\r\n")
        .await
        .unwrap();
    // Read up to the first event; the next one is an hour away.
    let mut seen = Vec::new();
    let first = async {
        while !String::from_utf8_lossy(&seen).contains("data: 0/5\n") {
            let mut buf = [0; 1024];
            let n = client.read(&mut buf).await.unwrap();
            assert!(n > 0, "closed early: {}", String::from_utf8_lossy(&seen));
            seen.extend_from_slice(&buf[..n]);
        }
    };
    tokio::time::timeout(PATIENCE, first)
        .await
        .expect("no first event");
    let feeds = get(addr, "/feeds").await;
    assert_eq!(feeds.text(), "1 progress feed(s) running\n");

    drop(client);
    // The job waits an hour for its next step, unless it notices the hang-up.
    let ending = async {
        while get(addr, "/feeds").await.text() != "0 progress feed(s) running\n" {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(PATIENCE, ending)
        .await
        .expect("the feed's task is still running after its client hung up");
}

#[tokio::test]
async fn bad_input_gets_a_4xx_with_one_line_and_the_server_stays_up() {
    let addr = serve(
        &scratch_dir("bad-input"),
        streaming::UPLOAD_LIMIT,
        Duration::ZERO,
    )
    .await;
    for (path, status, line) in [
        ("/progress/0", 400, "steps must be from 1 to 1000\n"),
        ("/progress/1001", 400, "steps must be from 1 to 1000\n"),
        (
            "/progress/abc",
            400,
            "Invalid URL: Cannot parse `abc` to a `u32`",
        ),
        (
            "/progress/-1",
            400,
            "Invalid URL: Cannot parse `-1` to a `u32`",
        ),
    ] {
        let answer = get(addr, path).await;
        assert_eq!((answer.status, answer.text()), (status, line), "{path}");
    }
    let not_text = request(addr, "POST", "/note", vec![0xff, 0xfe]).await;
    assert_eq!(not_text.status, 400);
    assert_eq!(not_text.text().lines().count(), 1, "{}", not_text.text());
    let wrong_method = get(addr, "/upload").await;
    assert_eq!(wrong_method.status, 405);

    let still_up = get(addr, "/progress/1").await;
    assert_eq!(data_lines(still_up.text()), ["0/1", "1/1"]);
}
