//! `graceful_shutdown`, the server of the chapter "Stopping a server", run as a program and
//! stopped with signals: what each client gets, what the server says, and how it exits. The
//! tests assert outcomes and the order of events, never how long anything took; the drain
//! deadlines they set are either far longer than anything they wait for, or the point.
#![cfg(target_os = "linux")]

book_proof::two_tests_per_core!();

#[path = "support/socket_table.rs"]
mod socket_table;

#[path = "support/process.rs"]
mod process;

use process::{PATIENCE, Server, read_to_close};
use std::{
    io::{BufRead, BufReader, Write},
    net::{Shutdown, TcpStream},
};

const PROGRAM: &str = env!("CARGO_BIN_EXE_graceful_shutdown");

fn start(drain_secs: &str) -> Server {
    process::start(
        "graceful_shutdown",
        PROGRAM,
        &[("DRAIN_TIMEOUT_SECS", drain_secs)],
    )
}

/// Waits until the server has read what `client` sent: from then on it is a request in
/// flight, not an idle connection.
fn wait_until_read(client: &TcpStream) {
    socket_table::wait_until_read(client, PATIENCE).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_request_shorter_than_the_deadline_is_answered_and_the_exit_is_zero() {
    let mut server = start("600");
    let request = server.send_get("/slow/1");
    wait_until_read(&request);
    server.signal("TERM");
    let answer = read_to_close(request);
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(answer.ends_with("\r\n\r\ndone after 1 s\n"), "{answer}");
    let (status, logged) = server.wait_for_exit();
    assert_eq!(status.code(), Some(0), "{logged:?}");
    assert_eq!(
        logged,
        [
            "stopping: requests in flight get 600 s to finish",
            "stopped: every request finished",
        ]
    );
}

#[test]
fn a_request_longer_than_the_deadline_is_cut_and_the_exit_is_one() {
    let mut server = start("1");
    let request = server.send_get("/slow/60");
    wait_until_read(&request);
    server.signal("TERM");
    let (status, logged) = server.wait_for_exit();
    assert_eq!(status.code(), Some(1), "{logged:?}");
    assert_eq!(
        logged,
        [
            "stopping: requests in flight get 1 s to finish",
            "the drain deadline passed: cutting the requests still in flight",
        ]
    );
    // The process is gone, and the connection with it: the client got nothing.
    assert_eq!(read_to_close(request), "");
}

#[test]
fn a_half_sent_request_head_holds_the_stop_until_the_deadline() {
    let mut server = start("1");
    let mut slow = server.connect();
    slow.write_all(b"GET /sl").unwrap();
    wait_until_read(&slow);
    server.signal("TERM");
    let (status, logged) = server.wait_for_exit();
    assert_eq!(status.code(), Some(1), "{logged:?}");
    assert_eq!(
        logged[1],
        "the drain deadline passed: cutting the requests still in flight"
    );
    assert_eq!(read_to_close(slow), "");
}

#[test]
fn a_second_signal_cuts_the_drain_short() {
    let mut server = start("600");
    let request = server.send_get("/slow/60");
    wait_until_read(&request);
    server.signal("TERM");
    let stopping = server.next_log_line();
    server.signal("INT");
    // Neither the 600 s deadline nor the 60 s request has passed: the signal ended it.
    let (status, logged) = server.wait_for_exit();
    assert_eq!(status.code(), Some(1), "{logged:?}");
    assert_eq!(
        logged,
        [
            stopping.as_str(),
            "second signal: cutting the requests still in flight"
        ]
    );
}

#[test]
fn blocking_work_whose_client_is_gone_does_not_hold_the_exit() {
    let mut server = start("600");
    let request = server.send_get("/blocking/60");
    wait_until_read(&request);
    // The client hangs up; hyper notices and drops the handler, but the blocking thread runs
    // on: nothing can stop it from outside.
    request.shutdown(Shutdown::Both).unwrap();
    drop(request);
    server.signal("TERM");
    // PATIENCE (120 s) is longer than the work (60 s): an exit that waited for the work would
    // still pass. So ask the process when it exited, against the work's own end.
    let since = std::time::Instant::now();
    let (status, logged) = server.wait_for_exit();
    assert!(
        since.elapsed() < std::time::Duration::from_secs(60),
        "the exit waited for the blocking work"
    );
    assert_eq!(status.code(), Some(0), "{logged:?}");
    assert_eq!(logged[1], "stopped: every request finished");
}

#[test]
fn an_event_stream_ends_at_the_stop() {
    let mut server = start("600");
    let events = server.send_get("/events");
    let mut reader = BufReader::new(events.try_clone().unwrap());
    let mut line = String::new();
    while !line.contains("data: tick 0") {
        line.clear();
        assert_ne!(reader.read_line(&mut line).unwrap(), 0, "no first event");
    }
    server.signal("TERM");
    // The stream ends: the last chunk of a chunked body, then the server closes.
    let mut rest = Vec::new();
    std::io::Read::read_to_end(&mut reader, &mut rest).unwrap();
    let rest = String::from_utf8(rest).unwrap();
    assert!(rest.ends_with("0\r\n\r\n"), "{rest:?}");
    let (status, logged) = server.wait_for_exit();
    assert_eq!(status.code(), Some(0), "{logged:?}");
    assert_eq!(logged[1], "stopped: every request finished");
}

#[test]
fn a_websocket_gets_a_close_frame_at_the_stop() {
    use tungstenite::{Message, protocol::frame::coding::CloseCode};
    let mut server = start("600");
    let url = format!("ws://{}/ws", server.addr);
    let (mut socket, _) = tungstenite::client(url.as_str(), server.connect()).unwrap();
    socket.send(Message::text("hello")).unwrap();
    assert_eq!(socket.read().unwrap(), Message::text("hello"));
    server.signal("TERM");
    // The server says why it closes, then the connection ends.
    match socket.read().unwrap() {
        Message::Close(Some(frame)) => {
            assert_eq!(frame.code, CloseCode::Away);
            assert_eq!(frame.reason, "the server is stopping");
        }
        other => panic!("expected a Close frame, got {other:?}"),
    }
    let (status, logged) = server.wait_for_exit();
    assert_eq!(status.code(), Some(0), "{logged:?}");
    assert_eq!(logged[1], "stopped: every request finished");
}
