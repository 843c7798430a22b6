//! SIGTERM and PID 1. A container's main process is PID 1 of a PID namespace of its own, and
//! the kernel does not deliver it a signal whose action is the default (pid_namespaces(7)). So a
//! server that handles no SIGTERM, which `kill` stops at once elsewhere, ignores SIGTERM as PID 1:
//! it stops only at the SIGKILL that follows the grace period. The book's servers handle SIGTERM,
//! and stop on it there too: at once when idle, and under the drain deadline with a request in
//! flight.
//!
//! Each test starts a server under `unshare --pid --fork` (root only), sends the server itself,
//! by its process id, the signals, and reads its answers on 127.0.0.1. Where `unshare` is not
//! allowed, the tests say so in one line and pass; with `CI=true` they fail instead.
#![cfg(target_os = "linux")]

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::{SocketAddr, TcpStream},
    os::unix::process::ExitStatusExt,
    process::{Child, Command, ExitStatus, Stdio},
    thread,
    time::{Duration, Instant},
};

/// A safety net against a hung test, not a measurement.
const PATIENCE: Duration = Duration::from_secs(120);

const NO_HANDLER: &str = env!("CARGO_BIN_EXE_no_signal_handler");
const HELLO: &str = env!("CARGO_BIN_EXE_hello");
const GRACEFUL: &str = env!("CARGO_BIN_EXE_graceful_shutdown");

#[path = "support/socket_table.rs"]
mod socket_table;

/// A running program: `child` is the process this test started (the server itself, or
/// `unshare` around it); `pid` is the server's own process id.
struct Running {
    child: Child,
    pid: u32,
    addr: SocketAddr,
    stderr: std::process::ChildStderr,
}

/// Whether this machine lets us make PID namespaces; `false` after one line on stderr, or a
/// failure when `CI=true`.
fn pid_namespaces_allowed() -> bool {
    let tried = Command::new("unshare")
        .args(["--pid", "--fork", "true"])
        .stderr(Stdio::null())
        .status();
    if tried.is_ok_and(|status| status.success()) {
        return true;
    }
    let why = "`unshare --pid --fork` is not allowed here (it needs root): PID 1 tests skipped";
    assert!(std::env::var("CI").as_deref() != Ok("true"), "{why}");
    eprintln!("{why}");
    false
}

/// Starts `program` on a free port, as PID 1 of a new PID namespace if `as_pid_one`, with
/// `settings` in its environment.
fn start(program: &str, as_pid_one: bool, settings: &[(&str, &str)]) -> Running {
    let mut command = if as_pid_one {
        let mut command = Command::new("unshare");
        command.args(["--pid", "--fork", program]);
        command
    } else {
        Command::new(program)
    };
    let mut child = command
        .env("PORT", "0")
        .envs(settings.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("{program} printed {line:?}"))
        .parse()
        .unwrap();
    // `unshare --fork` runs the program as its only child.
    let pid = if as_pid_one {
        let children = format!("/proc/{0}/task/{0}/children", child.id());
        let children = std::fs::read_to_string(children).unwrap();
        children.trim().parse().unwrap()
    } else {
        child.id()
    };
    let stderr = child.stderr.take().unwrap();
    Running {
        child,
        pid,
        addr,
        stderr,
    }
}

impl Running {
    /// The server's process id in each PID namespace it is in, outermost first.
    fn pids(&self) -> Vec<u32> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).unwrap();
        let line = status
            .lines()
            .find(|line| line.starts_with("NSpid:"))
            .unwrap();
        line.split_whitespace()
            .skip(1)
            .map(|pid| pid.parse().unwrap())
            .collect()
    }

    /// Sends `signal` (`"TERM"`, `"KILL"`) to the server, by its process id. `kill` returns
    /// once the kernel has delivered it, or dropped it.
    fn signal(&self, signal: &str) {
        let pid = self.pid.to_string();
        let sent = Command::new("kill")
            .args(["-s", signal, &pid])
            .status()
            .unwrap();
        assert!(sent.success(), "kill -s {signal} {pid}");
    }

    /// Sends `GET /` on a fresh connection; returns the whole answer, or `None` if the
    /// connection was refused or closed without one.
    fn get(&self) -> Option<String> {
        let mut stream = TcpStream::connect(self.addr).ok()?;
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        let request = "GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n";
        stream.write_all(request.as_bytes()).ok()?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer).ok()?;
        (!answer.is_empty()).then_some(answer)
    }

    /// Waits for the process this test started to exit; returns how, and the server's stderr.
    fn wait_for_exit(&mut self) -> (ExitStatus, String) {
        let since = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(since.elapsed() < PATIENCE, "the server never exited");
            thread::sleep(Duration::from_millis(10));
        };
        let mut logged = String::new();
        self.stderr.read_to_string(&mut logged).unwrap();
        (status, logged)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // Stops what this test started, by its process id, if it is still running. Ending
        // `unshare` this way leaves its child: kill the server first.
        if self.child.try_wait().ok().flatten().is_none() {
            Command::new("kill")
                .args(["-s", "KILL", &self.pid.to_string()])
                .status()
                .ok();
            self.child.kill().ok();
            self.child.wait().ok();
        }
    }
}

#[test]
fn server_with_no_handler_dies_on_sigterm_when_it_is_not_pid_one() {
    let mut server = start(NO_HANDLER, false, &[]);
    assert!(server.get().unwrap().ends_with("still here"));
    server.signal("TERM");
    assert_eq!(server.get(), None);
    let (status, _) = server.wait_for_exit();
    assert_eq!(status.signal(), Some(15), "{status}");
}

#[test]
fn server_with_no_handler_ignores_sigterm_as_pid_one_until_sigkill() {
    if !pid_namespaces_allowed() {
        return;
    }
    let mut server = start(NO_HANDLER, true, &[]);
    assert_eq!(server.pids().last(), Some(&1), "not PID 1 of its namespace");
    server.signal("TERM");
    // A request sent after the signal still gets its answer.
    let answer = server.get().expect("no answer after SIGTERM");
    assert!(answer.ends_with("still here"), "{answer}");
    assert!(server.child.try_wait().unwrap().is_none());

    // What a container runtime sends at the end of the grace period.
    server.signal("KILL");
    assert_eq!(server.get(), None);
    let (status, _) = server.wait_for_exit();
    assert!(!status.success(), "{status}");
}

#[test]
fn book_server_stops_on_sigterm_as_pid_one() {
    if !pid_namespaces_allowed() {
        return;
    }
    let mut server = start(HELLO, true, &[]);
    assert_eq!(server.pids().last(), Some(&1), "not PID 1 of its namespace");
    assert!(server.get().unwrap().ends_with("Hello, world!"));
    server.signal("TERM");
    // `unshare` exits as its child did.
    let (status, logged) = server.wait_for_exit();
    assert_eq!(status.code(), Some(0), "{status}: {logged}");
    assert_eq!(logged, "");
}

/// Sends `GET path` and waits until the server has read it: a request in flight.
fn request_in_flight(server: &Running, path: &str) -> TcpStream {
    let mut stream = TcpStream::connect(server.addr).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    socket_table::wait_until_read(&stream, PATIENCE).unwrap();
    stream
}

#[test]
fn drain_deadline_holds_as_pid_one() {
    if !pid_namespaces_allowed() {
        return;
    }
    // Under the deadline: answered, and the exit is 0.
    let mut server = start(GRACEFUL, true, &[("DRAIN_TIMEOUT_SECS", "600")]);
    assert_eq!(server.pids().last(), Some(&1), "not PID 1 of its namespace");
    let mut request = request_in_flight(&server, "/slow/1");
    server.signal("TERM");
    let mut answer = String::new();
    request.read_to_string(&mut answer).unwrap();
    assert!(answer.ends_with("done after 1 s\n"), "{answer}");
    let (status, logged) = server.wait_for_exit();
    assert_eq!(status.code(), Some(0), "{status}: {logged}");
    assert_eq!(
        logged,
        "stopping: requests in flight get 600 s to finish\nstopped: every request finished\n"
    );

    // Past the deadline: cut, and the exit is 1.
    let mut server = start(GRACEFUL, true, &[("DRAIN_TIMEOUT_SECS", "1")]);
    let mut request = request_in_flight(&server, "/slow/60");
    server.signal("TERM");
    let (status, logged) = server.wait_for_exit();
    assert_eq!(status.code(), Some(1), "{status}: {logged}");
    assert!(logged.ends_with("the drain deadline passed: cutting the requests still in flight\n"));
    let mut answer = String::new();
    request.read_to_string(&mut answer).unwrap();
    assert_eq!(answer, "");
}
