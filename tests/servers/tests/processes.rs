//! Runs the example servers as the programs a reader starts, and stops them the way a terminal,
//! `kill`, systemd or a container runtime does: with SIGINT and SIGTERM. Clients are plain
//! sockets on 127.0.0.1. Each test sets the server's time limits through its environment, and
//! asserts outcomes and the order of events (what the client got, what the server logged, how
//! it exited), never how long anything took.
//!
//! Unix only: signals are a Unix notion. The tests that need to know a server has read a
//! request before they signal it read the kernel's socket table, which only Linux has.
#![cfg(unix)]

// The servers mostly wait: on their clients, their deadlines and their signals.
book_proof::two_tests_per_core!();

#[cfg(target_os = "linux")]
#[path = "support/socket_table.rs"]
mod socket_table;

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::{SocketAddr, TcpStream},
    process::{Child, Command, ExitStatus, Stdio},
    sync::mpsc,
    thread,
    time::{Duration, Instant},
};

/// A safety net against a hung test, not a measurement.
const PATIENCE: Duration = Duration::from_secs(120);

/// Every example server served by `snippets::serve`, by the name of its program (and of its
/// file in `snippets/examples`).
const SERVERS: [(&str, &str); 7] = [
    ("background_job", env!("CARGO_BIN_EXE_background_job")),
    ("hello", env!("CARGO_BIN_EXE_hello")),
    ("handler_errors", env!("CARGO_BIN_EXE_handler_errors")),
    ("shared_state", env!("CARGO_BIN_EXE_shared_state")),
    ("stall_detector", env!("CARGO_BIN_EXE_stall_detector")),
    ("streaming", env!("CARGO_BIN_EXE_streaming")),
    ("time_limit", env!("CARGO_BIN_EXE_time_limit")),
];

/// The work/check servers, in the shape of `hello.rs`: `axum::serve` with graceful shutdown at
/// the first SIGINT or SIGTERM, and `main` returns.
const WORK_SERVERS: [(&str, &str); 4] = [
    ("work_check", env!("CARGO_BIN_EXE_work_check")),
    ("work_check_inline", env!("CARGO_BIN_EXE_work_check_inline")),
    (
        "work_check_bounded",
        env!("CARGO_BIN_EXE_work_check_bounded"),
    ),
    ("work_check_rayon", env!("CARGO_BIN_EXE_work_check_rayon")),
];

struct Server {
    name: &'static str,
    child: Child,
    addr: SocketAddr,
    stderr: mpsc::Receiver<String>,
    /// What the server wrote to stderr so far, a line an entry.
    logged: Vec<String>,
}

/// Starts the program `name` on a free port, with `settings` in its environment, and waits
/// until it says where it listens.
fn start(name: &'static str, settings: &[(&str, &str)]) -> Server {
    let (child, stdout, stderr) = spawn(name, settings);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("{name} printed {line:?}"))
        .parse()
        .unwrap();
    Server {
        name,
        child,
        addr,
        stderr,
        logged: Vec::new(),
    }
}

fn spawn(
    name: &str,
    settings: &[(&str, &str)],
) -> (Child, std::process::ChildStdout, mpsc::Receiver<String>) {
    let servers = SERVERS.iter().chain(&WORK_SERVERS);
    let program = servers.clone().find(|(n, _)| *n == name).unwrap().1;
    let mut child = Command::new(program)
        .env("PORT", "0")
        .envs(settings.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (lines, stderr) = mpsc::channel();
    let pipe = BufReader::new(child.stderr.take().unwrap());
    thread::spawn(move || {
        for line in pipe.lines() {
            if lines.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    let stdout = child.stdout.take().unwrap();
    (child, stdout, stderr)
}

impl Server {
    /// Sends `signal` (`"TERM"` or `"INT"`) to the server, by its process id.
    fn signal(&self, signal: &str) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill")
            .args(["-s", signal, &pid])
            .status()
            .unwrap();
        assert!(sent.success(), "kill -s {signal} {pid}");
    }

    /// Waits for the next line the server writes to stderr.
    fn next_log_line(&mut self) -> String {
        let line = self
            .stderr
            .recv_timeout(PATIENCE)
            .unwrap_or_else(|_| panic!("{}: no more lines on stderr", self.name));
        self.logged.push(line.clone());
        line
    }

    /// Waits for the server to exit; returns how, and everything it wrote to stderr.
    fn wait_for_exit(&mut self) -> (ExitStatus, Vec<String>) {
        let since = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(since.elapsed() < PATIENCE, "{} never exited", self.name);
            thread::sleep(Duration::from_millis(10));
        };
        // The pipe ends with the process: the reader thread sends the rest, then hangs up.
        self.logged.extend(self.stderr.iter());
        (status, std::mem::take(&mut self.logged))
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(self.addr).unwrap();
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        stream
    }

    /// A whole request on a fresh connection; the connection stays open for the answer.
    fn send_get(&self, path: &str) -> TcpStream {
        let mut stream = self.connect();
        let request = format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).unwrap();
        stream
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Stops what this test started, by its process id, if it is still running.
        if self.child.try_wait().ok().flatten().is_none() {
            self.child.kill().ok();
            self.child.wait().ok();
        }
    }
}

/// Reads until the server closes the connection; returns everything it sent.
fn read_to_close(mut stream: TcpStream) -> String {
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    String::from_utf8(answer).unwrap()
}

/// Waits until the server has read the request `client` sent (see `socket_table`).
#[cfg(target_os = "linux")]
fn wait_until_read(client: &TcpStream) {
    socket_table::wait_until_read(client, PATIENCE).unwrap_or_else(|e| panic!("{e}"));
}

#[cfg(target_os = "linux")]
#[test]
fn sigterm_during_work_lets_it_finish_and_exits_zero() {
    each_server(WORK_SERVERS.map(|(name, _)| name), |name| {
        let mut server = start(name, &[]);
        // 10^6 numbers: about a second in a debug build, ages next to a signal's delivery.
        let work = server.send_get("/work/6");
        wait_until_read(&work);
        server.signal("TERM");

        // The server stops accepting, and the request it was serving still gets its answer.
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
fn work_servers_stop_at_sigint_or_sigterm_when_idle_and_exit_zero() {
    each_server(WORK_SERVERS.map(|(name, _)| name), |name| {
        for signal in ["INT", "TERM"] {
            let mut server = start(name, &[]);
            server.signal(signal);
            let (status, logged) = server.wait_for_exit();
            assert_eq!(status.code(), Some(0), "{name}, SIG{signal}: {logged:?}");
            assert!(logged.is_empty(), "{name}, SIG{signal}: {logged:?}");
            assert!(
                TcpStream::connect(server.addr).is_err(),
                "{name} still listens after SIG{signal}"
            );
        }
    });
}

#[test]
fn work_servers_on_a_taken_port_exit_one_without_listening() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    each_server(WORK_SERVERS.map(|(name, _)| name), |name| {
        // `main` returns the bind error: Rust prints it with `Error: ` and exits with 1.
        let line = refusal(name, ("PORT", &port));
        assert!(line.starts_with("Error: "), "{name}: {line}");
        assert!(line.contains("AddrInUse"), "{name}: {line}");
    });
}

#[test]
fn sigint_stops_an_idle_server_like_sigterm_and_it_exits_zero() {
    each_server(SERVERS.map(|(name, _)| name), |name| {
        let mut server = start(name, &[]);
        server.signal("INT");
        let (status, logged) = server.wait_for_exit();
        assert_eq!(status.code(), Some(0), "{name}: {logged:?}");
        assert_eq!(
            logged,
            ["SIGINT: stopping; 0 open connection(s) get 8 s to finish"],
            "{name}"
        );
        assert!(
            TcpStream::connect(server.addr).is_err(),
            "{name} still listens"
        );
    });
}

#[cfg(target_os = "linux")]
#[test]
fn half_sent_request_holds_the_stop_until_the_drain_deadline() {
    each_server(SERVERS.map(|(name, _)| name), |name| {
        let settings = [("HEADER_TIMEOUT_SECS", "600"), ("DRAIN_TIMEOUT_SECS", "1")];
        let mut server = start(name, &settings);
        let mut slow = server.connect();
        slow.write_all(b"GET /che").unwrap();
        wait_until_read(&slow);
        server.signal("TERM");

        let (status, logged) = server.wait_for_exit();
        assert_eq!(status.code(), Some(1), "{name}: {logged:?}");
        assert_eq!(
            logged,
            [
                "SIGTERM: stopping; 1 open connection(s) get 1 s to finish",
                "the 1 s drain deadline passed: exiting with 1 connection(s) still open",
            ],
            "{name}"
        );
        // The process is gone, so is the connection: the slow client got nothing.
        let mut rest = Vec::new();
        slow.read_to_end(&mut rest).unwrap();
        assert!(rest.is_empty(), "{name}: {rest:?}");
    });
}

#[cfg(target_os = "linux")]
#[test]
fn second_signal_exits_at_once() {
    each_server(SERVERS.map(|(name, _)| name), |name| {
        let settings = [
            ("HEADER_TIMEOUT_SECS", "600"),
            ("DRAIN_TIMEOUT_SECS", "600"),
        ];
        let mut server = start(name, &settings);
        let mut slow = server.connect();
        slow.write_all(b"GET /che").unwrap();
        wait_until_read(&slow);
        server.signal("TERM");
        let stopping = server.next_log_line();
        server.signal("INT");

        // Neither limit, 600 s each, has passed: the second signal is what ended it.
        let (status, logged) = server.wait_for_exit();
        assert_eq!(status.code(), Some(1), "{name}: {logged:?}");
        assert_eq!(
            logged,
            [
                stopping.as_str(),
                "second signal (SIGINT): exiting with 1 connection(s) still open",
            ],
            "{name}"
        );
    });
}

#[test]
fn silent_half_sent_and_idle_connections_are_closed_by_the_server() {
    each_server(SERVERS.map(|(name, _)| name), |name| {
        let mut server = start(name, &[("HEADER_TIMEOUT_SECS", "1")]);
        let silent = server.connect();
        let mut half_sent = server.connect();
        half_sent.write_all(b"GET /che").unwrap();
        let mut idle = server.connect();
        idle.write_all(b"GET /nothing-here HTTP/1.1\r\nHost: test\r\n\r\n")
            .unwrap();
        let mut first = [0; 13];
        idle.read_exact(&mut first).unwrap();
        assert_eq!(&first, b"HTTP/1.1 404 ", "{name}");

        // Each one ends with the server closing it, with nothing sent (the idle one: after
        // its first answer).
        assert_eq!(read_to_close(silent), "", "{name}");
        assert_eq!(read_to_close(half_sent), "", "{name}");
        let rest = read_to_close(idle);
        assert!(rest.ends_with("\r\n\r\n"), "{name}: {rest:?}");
        // The server closed them, not a crash: it still answers, and stops cleanly.
        let answer = read_to_close(server.send_get("/nothing-here"));
        assert!(answer.starts_with("HTTP/1.1 404 "), "{name}");
        server.signal("TERM");
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

/// Starts `name` with one setting and expects it to refuse: no `listening on` line, exit
/// status 1, and one line on stderr, which this returns.
fn refusal(name: &str, setting: (&str, &str)) -> String {
    let (mut child, mut stdout, stderr) = spawn(name, &[setting]);
    let status = child.wait().unwrap();
    let mut printed = String::new();
    stdout.read_to_string(&mut printed).unwrap();
    let logged: Vec<String> = stderr.iter().collect();
    assert_eq!((status.code(), printed.as_str()), (Some(1), ""), "{name}");
    assert_eq!(logged.len(), 1, "{name}: {logged:?}");
    logged[0].clone()
}

#[test]
fn taken_port_is_one_line_naming_the_address_and_the_cause() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    each_server(SERVERS.map(|(name, _)| name), |name| {
        let line = refusal(name, ("PORT", &port));
        let expected = format!("cannot listen on 127.0.0.1:{port}: ");
        assert!(line.starts_with(&expected), "{name}: {line}");
        assert!(line.to_lowercase().contains("in use"), "{name}: {line}");
    });
}

#[test]
fn bad_settings_say_what_they_expect() {
    each_server(SERVERS.map(|(name, _)| name), |name| {
        assert_eq!(
            refusal(name, ("PORT", "abc")),
            r#"PORT must be a port number from 0 to 65535, got "abc""#
        );
        assert_eq!(
            refusal(name, ("PORT", "65536")),
            r#"PORT must be a port number from 0 to 65535, got "65536""#
        );
        assert_eq!(
            refusal(name, ("HEADER_TIMEOUT_SECS", "0")),
            r#"HEADER_TIMEOUT_SECS must be a whole number of seconds, 1 or more, got "0""#
        );
        assert_eq!(
            refusal(name, ("DRAIN_TIMEOUT_SECS", "1.5")),
            r#"DRAIN_TIMEOUT_SECS must be a whole number of seconds, 1 or more, got "1.5""#
        );
    });
}

#[cfg(target_os = "linux")]
#[test]
fn header_timeout_closes_a_half_sent_request_before_the_drain_deadline() {
    each_server(SERVERS.map(|(name, _)| name), |name| {
        // The signal must reach the server before the header timeout closes the slow client:
        // on a loaded machine it may not, and that run shows nothing. Then try again, with a
        // longer timeout; a few tries, each far below the 600 s drain deadline.
        for header_timeout in ["1", "4", "16"] {
            let settings = [
                ("HEADER_TIMEOUT_SECS", header_timeout),
                ("DRAIN_TIMEOUT_SECS", "600"),
            ];
            let mut server = start(name, &settings);
            let mut slow = server.connect();
            slow.write_all(b"GET /che").unwrap();
            wait_until_read(&slow);
            server.signal("TERM");

            let (status, logged) = server.wait_for_exit();
            assert_eq!(status.code(), Some(0), "{name}: {logged:?}");
            assert_eq!(read_to_close(slow), "", "{name}");
            if logged == ["SIGTERM: stopping; 0 open connection(s) get 600 s to finish"] {
                continue;
            }
            // The header timeout, shorter than the drain deadline, closed the slow client
            // during the drain: the stop ended cleanly, with nothing cut.
            assert_eq!(
                logged,
                ["SIGTERM: stopping; 1 open connection(s) get 600 s to finish"],
                "{name}"
            );
            return;
        }
        panic!("{name}: the header timeout always passed before the signal came");
    });
}

#[test]
fn bad_host_says_what_it_expects() {
    each_server(SERVERS.map(|(name, _)| name), |name| {
        for host in ["localhost", "127.0.0.256", "0.0.0.0:80"] {
            assert_eq!(
                refusal(name, ("HOST", host)),
                format!("HOST must be an IP address such as 127.0.0.1 or 0.0.0.0, got {host:?}"),
                "{name}"
            );
        }
    });
}
