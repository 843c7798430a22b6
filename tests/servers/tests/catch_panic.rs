//! A handler that panics, on axum itself: without `CatchPanicLayer` the client's connection is
//! closed with no answer; with it, the client gets a 500. The server keeps answering either way,
//! and the panic's message goes to stderr, which the process test reads.

#[path = "support/http.rs"]
mod http;
#[path = "support/serve.rs"]
mod serve;
use serve::serve;

#[path = "support/process.rs"]
mod process;

#[allow(dead_code)] // the example's `main` binds port 3000; only its routers are used here
#[path = "../../../snippets/examples/catch_panic.rs"]
mod catch_panic;

use std::{net::SocketAddr, time::Duration};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

/// A safety net against a hung test, not a measurement.
const PATIENCE: Duration = Duration::from_secs(120);

async fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    let response = tokio::time::timeout(PATIENCE, http::get(addr, path))
        .await
        .expect("no response in time")
        .unwrap();
    (response.status, response.body)
}

#[tokio::test]
async fn without_the_layer_a_panic_closes_the_connection_with_no_answer() {
    let addr = serve(catch_panic::routes()).await;

    let mut stream = http::send_get(addr, "/share/10/0").await.unwrap();
    let mut received = Vec::new();
    let reading = stream.read_to_end(&mut received);
    tokio::time::timeout(PATIENCE, reading)
        .await
        .expect("the connection stayed open")
        .expect("closed, not reset");
    assert_eq!(String::from_utf8_lossy(&received), "");

    // The panic ended that connection's task, and nothing else.
    assert_eq!(
        get(addr, "/share/10/2").await,
        (200, "5 each\n".to_string())
    );
}

/// Sends `GET first`, then `GET /share/10/2`, on one connection; returns the status of each
/// answer the server sent before it closed the connection, and the last body.
async fn two_requests_on_one_connection(addr: SocketAddr, first: &str) -> (Vec<u16>, String) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let requests = format!(
        "GET {first} HTTP/1.1\r\nHost: test\r\n\r\n\
         GET /share/10/2 HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(requests.as_bytes()).await.unwrap();
    let mut received = Vec::new();
    let read = tokio::time::timeout(PATIENCE, stream.read_to_end(&mut received))
        .await
        .expect("the connection stayed open");
    // A server that closes a socket holding unread bytes resets it: the second request may not
    // have been read when the first one panicked.
    if let Err(error) = read {
        assert_eq!(error.kind(), std::io::ErrorKind::ConnectionReset);
    }
    let received = String::from_utf8(received).unwrap();
    let statuses = received
        .split("HTTP/1.1 ")
        .skip(1)
        .map(|answer| answer[..3].parse().unwrap())
        .collect();
    let last_body = received.rsplit("\r\n\r\n").next().unwrap().to_string();
    (statuses, last_body)
}

#[tokio::test]
async fn without_the_layer_the_requests_after_a_panic_on_its_connection_are_lost() {
    let addr = serve(catch_panic::routes()).await;
    let nothing = (vec![], String::new());
    assert_eq!(
        two_requests_on_one_connection(addr, "/share/10/0").await,
        nothing
    );
    let both = (vec![200, 200], "5 each\n".to_string());
    assert_eq!(
        two_requests_on_one_connection(addr, "/share/10/1").await,
        both
    );
}

#[tokio::test]
async fn with_catch_panic_layer_a_panic_answers_500() {
    let addr = serve(catch_panic::app()).await;

    assert_eq!(
        get(addr, "/share/10/0").await,
        (500, "Service panicked".to_string())
    );
    assert_eq!(
        get(addr, "/share/10/2").await,
        (200, "5 each\n".to_string())
    );
}

/// The program a reader runs: the panic hook prints the panic's message and where it happened,
/// `CatchPanicLayer` answers 500, and the server goes on answering, then stops as usual.
#[test]
fn the_panic_is_printed_to_stderr_and_the_server_goes_on() {
    let program = env!("CARGO_BIN_EXE_catch_panic");
    let mut server = process::start("catch_panic", program, &[("RUST_BACKTRACE", "0")]);

    let answer = process::read_to_close(server.send_get("/share/10/0"));
    assert!(
        answer.starts_with("HTTP/1.1 500 Internal Server Error\r\n"),
        "{answer}"
    );

    // The line of the division, in the example's source.
    let source = include_str!("../../../snippets/examples/catch_panic.rs");
    let line = 1 + source
        .lines()
        .position(|line| line.contains("total / people"))
        .unwrap();
    // rustc 1.95's hook starts with an empty line.
    let mut first = server.next_log_line();
    while first.is_empty() {
        first = server.next_log_line();
    }
    assert!(
        first.starts_with("thread 'tokio-rt-worker' (") && first.contains(") panicked at "),
        "{first}"
    );
    let location = format!("examples/catch_panic.rs:{line}:26:");
    assert!(first.ends_with(&location), "{first} (expected {location})");
    assert_eq!(server.next_log_line(), "attempt to divide by zero");

    // The chapter quotes the same two lines, as `cargo run -p snippets` prints them.
    let chapter = include_str!("../../../src/panics-and-overload.md");
    let quoted: Vec<&str> = chapter
        .lines()
        .skip_while(|line| !line.starts_with("thread 'tokio-rt-worker' ("))
        .take(2)
        .collect();
    let place = format!(") panicked at snippets/examples/catch_panic.rs:{line}:26:");
    assert!(quoted[0].ends_with(&place), "the chapter quotes {quoted:?}");
    assert_eq!(quoted[1], "attempt to divide by zero");

    let answer = process::read_to_close(server.send_get("/share/10/2"));
    assert!(answer.ends_with("\r\n\r\n5 each\n"), "{answer}");

    server.signal("TERM");
    let (status, logged) = server.wait_for_exit();
    assert_eq!(status.code(), Some(0), "{logged:?}");
}
