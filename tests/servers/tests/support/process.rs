//! Runs an example server as the program a reader starts: on a free port (`PORT=0`), with its
//! settings in its environment, stopped by signals sent to its process id. Shared by the process
//! tests; std only.

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::{SocketAddr, TcpStream},
    process::{Child, ChildStdout, Command, ExitStatus, Stdio},
    sync::mpsc,
    thread,
    time::{Duration, Instant},
};

/// A safety net against a hung test, not a measurement.
pub const PATIENCE: Duration = Duration::from_secs(120);

pub struct Server {
    pub name: &'static str,
    pub child: Child,
    pub addr: SocketAddr,
    stderr: mpsc::Receiver<String>,
    /// What the server wrote to stderr so far, a line an entry.
    logged: Vec<String>,
}

/// Starts `program` (called `name` in messages) on a free port, with `settings` in its
/// environment, and waits until it says where it listens.
pub fn start(name: &'static str, program: &str, settings: &[(&str, &str)]) -> Server {
    let (child, stdout, stderr) = spawn(program, settings);
    let mut stdout = BufReader::new(stdout);
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    // The rest of stdout is read, and dropped, until the server exits: a server whose stdout
    // was closed would fail at its next `println!`, as no real one does.
    thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
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

/// Starts `program` with `PORT=0` and `settings`; returns it, its stdout, and its stderr a line
/// at a time.
pub fn spawn(
    program: &str,
    settings: &[(&str, &str)],
) -> (Child, ChildStdout, mpsc::Receiver<String>) {
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
    pub fn signal(&self, signal: &str) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill")
            .args(["-s", signal, &pid])
            .status()
            .unwrap();
        assert!(sent.success(), "kill -s {signal} {pid}");
    }

    /// Waits for the next line the server writes to stderr.
    #[allow(dead_code)] // not every test reads the log as it comes
    pub fn next_log_line(&mut self) -> String {
        let line = self
            .stderr
            .recv_timeout(PATIENCE)
            .unwrap_or_else(|_| panic!("{}: no more lines on stderr", self.name));
        self.logged.push(line.clone());
        line
    }

    /// Waits for the server to exit; returns how, and everything it wrote to stderr.
    pub fn wait_for_exit(&mut self) -> (ExitStatus, Vec<String>) {
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

    pub fn connect(&self) -> TcpStream {
        connect(self.addr)
    }

    /// A whole request on a fresh connection; the connection stays open for the answer.
    pub fn send_get(&self, path: &str) -> TcpStream {
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

/// A connection to `addr` whose reads give up after `PATIENCE`.
#[allow(dead_code)]
pub fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream
}

/// Reads until the server closes the connection; returns everything it sent.
#[allow(dead_code)] // not every test reads this way
pub fn read_to_close(mut stream: TcpStream) -> String {
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    String::from_utf8(answer).unwrap()
}

/// Starts `program` with one setting and expects it to refuse: no `listening on` line, exit
/// status 1, and one line on stderr, which this returns.
#[allow(dead_code)] // not every test starts a refusing server
pub fn refusal(name: &str, program: &str, setting: (&str, &str)) -> String {
    let (mut child, mut stdout, stderr) = spawn(program, &[setting]);
    let status = child.wait().unwrap();
    let mut printed = String::new();
    stdout.read_to_string(&mut printed).unwrap();
    let logged: Vec<String> = stderr.iter().collect();
    assert_eq!((status.code(), printed.as_str()), (Some(1), ""), "{name}");
    assert_eq!(logged.len(), 1, "{name}: {logged:?}");
    logged[0].clone()
}
