//! Slow clients on real sockets, against the server that faces clients directly
//! (`snippets/examples/direct_server.rs`, run as a program) and, for comparison, against
//! `axum::serve`. Each client sends part of what it should, then nothing (or a byte a second):
//! the direct server closes every one of them by itself, and a stop with all of them connected
//! ends cleanly, before the drain deadline; `axum::serve` leaves them open.
//!
//! The tests assert what each client got and how the server exited, never how long anything
//! took: a timer is only a safety net against a hung test. Unix only (signals); the tests that
//! must know the server has read what a client sent read Linux's socket table.
#![cfg(unix)]

// The servers mostly wait: on their clients, their limits and their signals.
book_proof::two_tests_per_core!();

// Only its `app()` is used here, served by `axum::serve` for the comparison.
#[allow(dead_code)]
#[path = "../../../snippets/examples/direct_server.rs"]
mod direct_server;

#[path = "support/process.rs"]
mod process;
#[path = "support/serve.rs"]
mod serve;
#[cfg(target_os = "linux")]
#[path = "support/socket_table.rs"]
mod socket_table;

use process::{PATIENCE, Server, connect, refusal};
use std::{
    io::{ErrorKind, Read, Write},
    net::{SocketAddr, TcpStream},
    thread::{self, JoinHandle},
    time::Duration,
};

const PROGRAM: &str = env!("CARGO_BIN_EXE_direct_server");

/// What an HTTP/2 client sends first, "with prior knowledge" that the server speaks HTTP/2.
const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
/// An HTTP/2 SETTINGS frame with no settings: length 0, type 4, no flags, stream 0.
const SETTINGS: &[u8] = &[0, 0, 0, 4, 0, 0, 0, 0, 0];
/// An HTTP/2 HEADERS frame (type 1) on stream 1 whose headers never end: its flags are
/// END_STREAM (1) without END_HEADERS (4), so the rest must come in a CONTINUATION frame. Its 3
/// bytes are HPACK's indexed `:method: GET`, `:scheme: http` and `:path: /`.
const UNENDING_HEADERS: &[u8] = &[0, 0, 3, 1, 1, 0, 0, 0, 1, 0x82, 0x86, 0x84];

/// A client that sends `sent`, all at once, and then nothing.
struct Shape {
    name: &'static str,
    sent: &'static [&'static [u8]],
    /// The start of what the direct server sends it before it closes the connection; `None`:
    /// not a byte.
    answer: Option<&'static str>,
}

const SHAPES: [Shape; 6] = [
    Shape {
        name: "nothing",
        sent: &[],
        answer: None,
    },
    Shape {
        name: "half an HTTP/1 head",
        sent: &[b"GET / HTTP/1.1\r\nHo"],
        answer: None,
    },
    Shape {
        name: "the byte P",
        sent: &[b"P"],
        answer: None,
    },
    Shape {
        name: "half the HTTP/2 preface",
        sent: &[b"PRI * HTTP/2.0\r\n"],
        answer: Some("HTTP/1.1 400 Bad Request\r\n"),
    },
    Shape {
        name: "the HTTP/2 preface",
        sent: &[PREFACE],
        answer: None,
    },
    Shape {
        name: "the preface, SETTINGS, and HEADERS without their end",
        sent: &[PREFACE, SETTINGS, UNENDING_HEADERS],
        answer: None,
    },
];

impl Shape {
    /// Connects to `addr` and sends this shape's bytes.
    fn send(&self, addr: SocketAddr) -> TcpStream {
        let mut client = connect(addr);
        client.write_all(&self.sent.concat()).unwrap();
        client
    }

    /// Whether it starts as HTTP/2 does.
    fn is_http2(&self) -> bool {
        self.sent
            .first()
            .is_some_and(|first| first.starts_with(b"PRI"))
    }

    /// Reads until the server closes `client`, and checks what it sent.
    fn check_answer(&self, client: TcpStream) {
        let answer = read_until_closed(client);
        match self.answer {
            None => assert_eq!(answer, "", "{}", self.name),
            Some(start) => assert!(answer.starts_with(start), "{}: {answer:?}", self.name),
        }
    }
}

/// Short limits, so the tests wait little; the drain deadline above both.
const SHORT_LIMITS: [(&str, &str); 3] = [
    ("HEADER_TIMEOUT_SECS", "1"),
    ("REQUEST_TIMEOUT_SECS", "2"),
    ("DRAIN_TIMEOUT_SECS", "4"),
];

fn start(settings: &[(&str, &str)]) -> Server {
    process::start("direct_server", PROGRAM, settings)
}

/// Reads until the server closes the connection: the end of the stream, or a reset (a server
/// that closes a connection with bytes still unread resets it). Returns what the server sent.
/// A read that waits `PATIENCE` fails the test: the server never closed it.
fn read_until_closed(mut client: TcpStream) -> String {
    client.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut answer = Vec::new();
    let mut buffer = [0; 1024];
    loop {
        match client.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => answer.extend_from_slice(&buffer[..read]),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => break,
            Err(e) => panic!("the server never closed the connection: {e}"),
        }
    }
    String::from_utf8_lossy(&answer).into_owned()
}

/// A POST whose body never ends: it says 1000 bytes, and the client sends one each time a second
/// passes with no answer (at most `PATIENCE`'s worth). Returns the connection, once the head and
/// the first byte are sent, and the thread that sends the rest: it returns what the server
/// answered before it closed the connection.
fn slow_body(addr: SocketAddr) -> (TcpStream, JoinHandle<String>) {
    let mut client = connect(addr);
    let head = "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 1000\r\n\r\nx";
    client.write_all(head.as_bytes()).unwrap();
    let probe = client.try_clone().unwrap();
    let sender = thread::spawn(move || {
        client
            .set_read_timeout(Some(Duration::from_secs(1)))
            .unwrap();
        let mut first = [0; 1024];
        for _ in 0..PATIENCE.as_secs() {
            match client.read(&mut first) {
                Ok(0) => return String::new(),
                Ok(read) => {
                    let first = String::from_utf8_lossy(&first[..read]).into_owned();
                    return first + &read_until_closed(client);
                }
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    // The server may have closed the connection just now: the read says so.
                    let _ = client.write_all(b"x");
                }
                Err(e) if e.kind() == ErrorKind::ConnectionReset => return String::new(),
                Err(e) => panic!("{e}"),
            }
        }
        panic!("the server never closed a body that came a byte a second");
    });
    (probe, sender)
}

/// A connection that got one whole answer to `GET /` and stays open, idle.
fn idle_keep_alive(addr: SocketAddr) -> TcpStream {
    let mut client = connect(addr);
    client
        .write_all(b"GET / HTTP/1.1\r\nHost: test\r\n\r\n")
        .unwrap();
    let mut answer = Vec::new();
    while !answer.ends_with(b"\r\n\r\nHello, world!\n") {
        let mut byte = [0];
        client.read_exact(&mut byte).unwrap();
        answer.push(byte[0]);
    }
    assert!(answer.starts_with(b"HTTP/1.1 200 OK\r\n"));
    client
}

/// Waits until the server has read everything `client` sent (see `socket_table`).
#[cfg(target_os = "linux")]
fn wait_until_read(client: &TcpStream) {
    socket_table::wait_until_read(client, PATIENCE).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn the_server_closes_every_slow_client_by_itself() {
    let mut server = start(&SHORT_LIMITS);
    let addr = server.addr;
    thread::scope(|scope| {
        for shape in &SHAPES {
            scope.spawn(move || shape.check_answer(shape.send(addr)));
        }
        scope.spawn(move || {
            let (_, sender) = slow_body(addr);
            let answer = sender.join().unwrap();
            let timeout = "HTTP/1.1 408 Request Timeout\r\n";
            assert!(answer.starts_with(timeout), "slow body: {answer:?}");
        });
        scope.spawn(move || {
            let answer = read_until_closed(idle_keep_alive(addr));
            assert_eq!(answer, "", "idle keep-alive");
        });
    });

    // It closed them, and did not fall over: it still answers, and stops cleanly.
    let answer = read_until_closed(server.send_get("/"));
    assert!(answer.ends_with("\r\n\r\nHello, world!\n"), "{answer:?}");
    let mut echo = server.connect();
    let post =
        "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello";
    echo.write_all(post.as_bytes()).unwrap();
    let answer = read_until_closed(echo);
    assert!(answer.ends_with("\r\n\r\n5 bytes\n"), "{answer:?}");
    server.signal("TERM");
    let (status, logged) = server.wait_for_exit();
    assert_eq!(status.code(), Some(0), "{logged:?}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_stop_with_every_slow_client_connected_ends_before_the_drain_deadline() {
    // The signal must reach the server while the slow clients are still connected: on a loaded
    // machine their limits may pass first, and that run shows nothing. Then try again, with
    // longer limits; the drain deadline is always above them.
    for (header, request, drain) in [("1", "2", "4"), ("4", "6", "10"), ("16", "20", "30")] {
        let settings = [
            ("HEADER_TIMEOUT_SECS", header),
            ("REQUEST_TIMEOUT_SECS", request),
            ("DRAIN_TIMEOUT_SECS", drain),
        ];
        let mut server = start(&settings);
        let addr = server.addr;
        let mut open = Vec::new();
        for shape in &SHAPES {
            let client = shape.send(addr);
            if shape.is_http2() {
                // An HTTP/1 server closes the HTTP/2 ones at once.
                shape.check_answer(client);
            } else {
                open.push((shape, client));
            }
        }
        // Accepted in order: once this one has its answer, the ones before it are in too.
        let idle = idle_keep_alive(addr);
        for (_, client) in &open {
            wait_until_read(client);
        }
        let (probe, slow_body) = slow_body(addr);
        wait_until_read(&probe);
        server.signal("TERM");

        let stopping = server.next_log_line();
        assert_eq!(read_until_closed(idle), "", "idle keep-alive");
        for (shape, client) in open {
            shape.check_answer(client);
        }
        let answer = slow_body.join().unwrap();
        let timeout = "HTTP/1.1 408 Request Timeout\r\n";
        assert!(answer.starts_with(timeout), "slow body: {answer:?}");
        // Every connection was closed by its own limit, or at once: no drain deadline passed.
        let (status, logged) = server.wait_for_exit();
        assert_eq!(status.code(), Some(0), "{logged:?}");
        assert_eq!(logged, [stopping.as_str()]);
        // Open at the signal: the silent, half-head, `P`, idle and slow-body connections.
        if stopping == format!("stopping: 5 open connection(s) get {drain} s to finish") {
            return;
        }
    }
    panic!("a limit always passed before the signal came");
}

#[cfg(target_os = "linux")]
#[test]
fn limits_above_the_drain_deadline_make_the_stop_cut_connections_and_exit_one() {
    let settings = [
        ("HEADER_TIMEOUT_SECS", "600"),
        ("REQUEST_TIMEOUT_SECS", "600"),
        ("DRAIN_TIMEOUT_SECS", "1"),
    ];
    let mut server = start(&settings);
    let half_head = SHAPES[1].send(server.addr);
    wait_until_read(&half_head);
    let (probe, slow_body) = slow_body(server.addr);
    wait_until_read(&probe);
    server.signal("TERM");

    let (status, logged) = server.wait_for_exit();
    assert_eq!(status.code(), Some(1), "{logged:?}");
    assert_eq!(
        logged,
        [
            "stopping: 2 open connection(s) get 1 s to finish",
            "the 1 s drain deadline passed: exiting with 2 connection(s) still open",
        ]
    );
    // The process is gone, so are its connections: neither client got an answer.
    assert_eq!(read_until_closed(half_head), "");
    assert_eq!(slow_body.join().unwrap(), "");
}

#[test]
fn sigint_stops_an_idle_server_with_the_default_drain_deadline() {
    let mut server = start(&[]);
    server.signal("INT");
    let (status, logged) = server.wait_for_exit();
    assert_eq!(status.code(), Some(0), "{logged:?}");
    assert_eq!(logged, ["stopping: 0 open connection(s) get 8 s to finish"]);
    assert!(TcpStream::connect(server.addr).is_err(), "still listening");
}

#[test]
fn bad_settings_are_one_line_and_exit_one() {
    let refused = |setting| refusal("direct_server", PROGRAM, setting);
    for port in ["abc", "65536"] {
        assert_eq!(
            refused(("PORT", port)),
            format!("PORT must be a port number from 0 to 65535, got {port:?}")
        );
    }
    for (name, value) in [
        ("HEADER_TIMEOUT_SECS", "0"),
        ("REQUEST_TIMEOUT_SECS", "1.5"),
        ("DRAIN_TIMEOUT_SECS", "3601"),
    ] {
        assert_eq!(
            refused((name, value)),
            format!("{name} must be a whole number of seconds from 1 to 3600, got {value:?}")
        );
    }
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let line = refused(("PORT", &port));
    assert!(
        line.starts_with(&format!("cannot listen on 127.0.0.1:{port}: ")),
        "{line}"
    );
}

/// The comparison: `axum::serve` runs hyper without a timer, and reads the first bytes of a
/// connection with none, to tell HTTP/1 from HTTP/2. Every shape the direct server closes within
/// its 1 s header limit is still open here twice that long after, and so is every prefix of the
/// HTTP/2 preface. A whole preface is the exception: with the book's dependency lines, hyper-util
/// is built without HTTP/2, and closes the connection once it has seen one.
/// (What its graceful shutdown does with them is `snippets/examples/axum_serve_shutdown.rs`.)
#[tokio::test]
async fn axum_serve_leaves_every_slow_client_open() {
    use tokio::io::AsyncWriteExt;

    let addr = serve::serve(direct_server::app()).await;
    let mut clients = Vec::new();
    for shape in &SHAPES {
        let mut client = tokio::net::TcpStream::connect(addr).await.unwrap();
        client.write_all(&shape.sent.concat()).await.unwrap();
        clients.push((shape.name, shape.sent.concat(), client));
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    for (shape, sent, client) in &clients {
        // Take what the server sent (its HTTP/2 SETTINGS), if anything, up to the end of the
        // stream, if there is one.
        let mut buffer = [0; 1024];
        let open = loop {
            match client.try_read(&mut buffer) {
                Ok(0) => break false,
                Ok(_) => continue,
                Err(e) if e.kind() == ErrorKind::WouldBlock => break true,
                Err(_) => break false,
            }
        };
        let whole_preface = sent.starts_with(PREFACE);
        assert_eq!(
            open, !whole_preface,
            "axum::serve and the client that sent {shape}"
        );
    }
}
