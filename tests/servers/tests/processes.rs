//! Runs every example server as the program a reader starts, and stops it the way a terminal,
//! `kill`, systemd or a container runtime does: with SIGINT and SIGTERM. Clients are plain
//! sockets on 127.0.0.1. The tests assert outcomes and the order of events (what the client
//! got, how the server exited), never how long anything took. The drain deadline and the
//! streams that end at a stop are `stopping.rs`'s, on `graceful_shutdown`.
//!
//! Unix only: signals are a Unix notion. The tests that need to know a server has read a
//! request before they signal it read the kernel's socket table, which only Linux has.
#![cfg(unix)]

// The servers mostly wait: on their clients, their deadlines and their signals.
book_proof::two_tests_per_core!();

#[cfg(target_os = "linux")]
#[path = "support/socket_table.rs"]
mod socket_table;

#[path = "support/process.rs"]
mod process;

use process::{PATIENCE, Server, read_to_close};
use std::{
    io::{Read, Write},
    net::TcpStream,
    thread,
};

/// Every example server, by the name of its program (and of its file in `snippets/examples`).
const SERVERS: [(&str, &str); 15] = [
    ("catch_panic", env!("CARGO_BIN_EXE_catch_panic")),
    ("overload", env!("CARGO_BIN_EXE_overload")),
    ("direct_server", env!("CARGO_BIN_EXE_direct_server")),
    ("graceful_shutdown", env!("CARGO_BIN_EXE_graceful_shutdown")),
    ("background_job", env!("CARGO_BIN_EXE_background_job")),
    ("hello", env!("CARGO_BIN_EXE_hello")),
    ("handler_errors", env!("CARGO_BIN_EXE_handler_errors")),
    ("shared_state", env!("CARGO_BIN_EXE_shared_state")),
    ("stall_detector", env!("CARGO_BIN_EXE_stall_detector")),
    ("streaming", env!("CARGO_BIN_EXE_streaming")),
    ("time_limit", env!("CARGO_BIN_EXE_time_limit")),
    ("work_check", env!("CARGO_BIN_EXE_work_check")),
    ("work_check_inline", env!("CARGO_BIN_EXE_work_check_inline")),
    (
        "work_check_bounded",
        env!("CARGO_BIN_EXE_work_check_bounded"),
    ),
    ("work_check_rayon", env!("CARGO_BIN_EXE_work_check_rayon")),
];

const WORK_SERVERS: [&str; 4] = [
    "work_check",
    "work_check_inline",
    "work_check_bounded",
    "work_check_rayon",
];

/// Starts the program `name` on a free port, with `settings` in its environment.
fn start(name: &'static str, settings: &[(&str, &str)]) -> Server {
    let program = SERVERS.iter().find(|(n, _)| *n == name).unwrap().1;
    process::start(name, program, settings)
}

/// Waits until the server has read the request `client` sent (see `socket_table`).
#[cfg(target_os = "linux")]
fn wait_until_read(client: &TcpStream) {
    socket_table::wait_until_read(client, PATIENCE).unwrap_or_else(|e| panic!("{e}"));
}

#[cfg(target_os = "linux")]
#[test]
fn sigterm_during_work_lets_it_finish_and_exits_zero() {
    each_server(WORK_SERVERS, |name| {
        let mut server = start(name, &[]);
        // 10^6 numbers: about a second in a debug build, ages next to a signal's delivery.
        let work = server.send_get("/work/6");
        wait_until_read(&work);
        server.signal("TERM");

        let answer = read_to_close(work);
        assert!(
            answer.starts_with("HTTP/1.1 200 OK\r\n"),
            "{name}: {answer}"
        );
        let sorted = "\r\n\r\nsorted 1000000 random numbers in ";
        assert!(answer.contains(sorted), "{name}: {answer}");
        let (status, logged) = server.wait_for_exit();
        assert_eq!(status.code(), Some(0), "{name}: {logged:?}");
        assert!(logged.is_empty(), "{name}: {logged:?}");
    });
}

#[test]
fn sigint_and_sigterm_each_stop_an_idle_server_right_after_it_is_ready() {
    let names = SERVERS.map(|(name, _)| name);
    let runs = names
        .iter()
        .flat_map(|name| [(*name, "INT"), (*name, "TERM")]);
    thread::scope(|scope| {
        for (name, signal) in runs {
            scope.spawn(move || {
                // The signal comes as soon as the server says where it listens: it must
                // already be listening for it then, or the signal would kill it.
                let mut server = start(name, &[]);
                server.signal(signal);
                let (status, logged) = server.wait_for_exit();
                assert_eq!(status.code(), Some(0), "{name} on SIG{signal}: {logged:?}");
                assert!(
                    TcpStream::connect(server.addr).is_err(),
                    "{name} still listens"
                );
            });
        }
    });
}

#[test]
fn silent_and_idle_connections_are_closed_at_the_stop() {
    each_server(SERVERS.map(|(name, _)| name), |name| {
        let mut server = start(name, &[]);
        let silent = server.connect();
        let mut idle = server.connect();
        idle.write_all(b"GET /nothing-here HTTP/1.1\r\nHost: test\r\n\r\n")
            .unwrap();
        let mut first = [0; 13];
        idle.read_exact(&mut first).unwrap();
        assert_eq!(&first, b"HTTP/1.1 404 ", "{name}");
        server.signal("TERM");

        // axum closes both: one has sent nothing, the other is between requests.
        assert_eq!(read_to_close(silent), "", "{name}");
        let rest = read_to_close(idle);
        assert!(rest.ends_with("\r\n\r\n"), "{name}: {rest:?}");
        let (status, logged) = server.wait_for_exit();
        assert_eq!(status.code(), Some(0), "{name}: {logged:?}");
    });
}

/// Runs `check` for every server at once, each on a thread of its own: the checks wait on
/// signals and deadlines, not on the processor, so one at a time would only add up the waits.
fn each_server(names: impl IntoIterator<Item = &'static str>, check: impl Fn(&'static str) + Sync) {
    thread::scope(|scope| {
        for name in names {
            let check = &check;
            scope.spawn(move || check(name));
        }
    });
}

/// Starts `name` with one setting and expects it to refuse with one line, which this returns.
fn refusal(name: &str, setting: (&str, &str)) -> String {
    let program = SERVERS.iter().find(|(n, _)| *n == name).unwrap().1;
    process::refusal(name, program, setting)
}

#[test]
fn taken_port_is_one_line_naming_the_cause() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    each_server(SERVERS.map(|(name, _)| name), |name| {
        let line = refusal(name, ("PORT", &port));
        assert!(line.contains("Address already in use"), "{name}: {line}");
    });
}

#[test]
fn bad_port_is_one_line_naming_the_cause() {
    each_server(SERVERS.map(|(name, _)| name), |name| {
        for port in ["abc", "65536"] {
            let line = refusal(name, ("PORT", port));
            // tokio's words, or the server's own, which name the setting.
            let named = line.contains("invalid port value") || line.starts_with("PORT must be");
            assert!(named, "{name}: {line}");
        }
    });
}
