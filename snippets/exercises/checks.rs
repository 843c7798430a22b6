//! The exercises, and what each program must do to count as solved. Two test targets share this
//! file: `check.rs`, the command a reader runs on their copy of an exercise
//! (`cargo test --test exercise NAME`), and the book's own `tests/exercises.rs`, which holds
//! every committed starter to failing the way its exercise says and every solution to passing.
//!
//! A program is compiled the way the book's code blocks are (the same compiler shim, edition and
//! crates), then run: as a program whose output is read, or as a server driven over HTTP on
//! 127.0.0.1, started on a free port and stopped by its process id. The checks assert outcomes
//! and orderings; the only timers are safety nets, and one margin stated in its message.
//!
//! An `Err` from a check is read by the reader: it says what is still wrong, in their words. An
//! `Ok` says, in a line or a few, what the check saw the program do.

#[cfg(target_os = "linux")]
#[path = "../../tests/servers/tests/support/socket_table.rs"]
mod socket_table;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use book_proof::blocks::{Block, Kind};
use book_proof::expand::Origin;

pub struct Exercise {
    pub name: &'static str,
    /// The error code rustc gives for the starter, for a starter that must not compile.
    pub starter_error: Option<&'static str>,
    /// Runs the compiled program; `Ok` says what it saw, `Err` what is still wrong.
    pub check: fn(&Path) -> Result<String, String>,
}

pub const EXERCISES: [Exercise; 9] = [
    Exercise {
        name: "async_greeting",
        starter_error: Some("E0728"),
        check: |program| prints_exactly(program, "Hello, Ferris!\n"),
    },
    Exercise {
        name: "join_breakfast",
        starter_error: None,
        check: breakfast_interleaves,
    },
    Exercise {
        name: "hello_route",
        starter_error: None,
        check: greets_any_name,
    },
    Exercise {
        name: "check_while_work",
        starter_error: None,
        check: |program| {
            let sizes = [
                ("/work/5", "sorted 100000 "),
                ("/work/6", "sorted 1000000 "),
            ];
            check_answers_while(program, &sizes)
        },
    },
    Exercise {
        name: "word_count",
        starter_error: Some("E0521"),
        check: |program| prints_exactly(program, "9 words\n"),
    },
    Exercise {
        name: "remind_later",
        starter_error: None,
        check: |program| check_answers_while(program, &[("/remind", "time to stretch"); 2]),
    },
    Exercise {
        name: "guard_across_await",
        starter_error: Some("E0277"),
        check: counts_visitors,
    },
    Exercise {
        name: "shutdown_deadline",
        starter_error: None,
        check: stops_within_deadline,
    },
    Exercise {
        name: "select_loses_data",
        starter_error: None,
        check: saves_every_message,
    },
];

pub fn exercise(name: &str) -> &'static Exercise {
    EXERCISES
        .iter()
        .find(|exercise| exercise.name == name)
        .unwrap_or_else(|| panic!("no exercise named {name}"))
}

/// The repository: both test targets belong to its root package.
pub fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The committed starter of `name`, relative to the repository.
pub fn starter(name: &str) -> String {
    format!("snippets/exercises/{name}.rs")
}

/// The committed solution of `name`, relative to the repository.
pub fn solution(name: &str) -> String {
    format!("snippets/exercises/solutions/{name}.rs")
}

pub enum Outcome {
    /// rustc refused the program: its error codes, and what it said.
    DoesNotCompile { codes: Vec<String>, said: String },
    /// It compiled; the check's verdict: what it saw, or what is still wrong.
    Checked(Result<String, String>),
}

/// Compiles `file` (relative to the repository) as the book compiles its blocks, then checks it
/// as `exercise` says. `strict` adds `-D warnings`, as for the book's blocks: the committed
/// files are held to it, a reader's work in progress is not.
pub fn try_file(
    exercise: &Exercise,
    file: &str,
    strict: bool,
    compile: fn(&str),
) -> Result<Outcome, String> {
    let out_dir = Path::new(env!("OUT_DIR"));
    let root = repository();
    let code =
        std::fs::read_to_string(root.join(file)).map_err(|e| format!("cannot read {file}: {e}"))?;
    let origins = (1..=code.lines().count())
        .map(|line| Origin {
            file: file.to_owned(),
            line,
        })
        .collect();
    let kind = if strict { "strict" } else { "lenient" };
    let block = Block {
        // One name for each file and strictness: tests that run at once never share one.
        name: format!("exercise_{}_{kind}", file.replace(['/', '.'], "_")),
        at: Origin {
            file: file.to_owned(),
            line: 1,
        },
        kind: Kind::Run,
        codes: Vec::new(),
        edition: book_proof::book::edition(&root.join("book.toml"))?,
        deny_warnings: strict,
        code,
        origins,
    };
    block.save(&out_dir.join("blocks"))?;
    let compiled = book_proof::runner::compile_block(out_dir, &block, compile)?;
    if !compiled.success {
        return Ok(Outcome::DoesNotCompile {
            codes: book_proof::runner::error_codes(&compiled.stderr),
            said: compiled.stderr,
        });
    }
    // A panic's place in the program is a line of `@book-block`: name the file instead.
    let verdict = (exercise.check)(&compiled.program)
        .map_err(|problem| book_proof::runner::relocate(&problem, &block));
    let _ = std::fs::remove_file(&compiled.program);
    Ok(Outcome::Checked(verdict))
}

/// A safety net against a program that hangs, not a measurement.
const PATIENCE: Duration = Duration::from_secs(60);

/// What a program that ran to its end printed.
struct Ran {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

fn run(program: &Path) -> Result<Ran, String> {
    let mut child = Command::new(program)
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run the program: {e}"))?;
    let stdout = drain(child.stdout.take().unwrap());
    let stderr = drain(child.stderr.take().unwrap());
    let Some(status) = wait_for_exit(&mut child, PATIENCE) else {
        child.kill().ok();
        child.wait().ok();
        return Err(format!(
            "the program was still running after {} s; it must end by itself",
            PATIENCE.as_secs()
        ));
    };
    let ran = Ran {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    };
    if !ran.status.success() {
        return Err(format!(
            "the program failed ({}). It printed:\n{}{}",
            ran.status, ran.stdout, ran.stderr
        ));
    }
    Ok(ran)
}

fn drain(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut text = Vec::new();
        let _ = pipe.read_to_end(&mut text);
        String::from_utf8_lossy(&text).into_owned()
    })
}

fn wait_for_exit(child: &mut Child, patience: Duration) -> Option<ExitStatus> {
    let since = Instant::now();
    while since.elapsed() < patience {
        if let Some(status) = child.try_wait().ok()? {
            return Some(status);
        }
        thread::sleep(Duration::from_millis(5));
    }
    None
}

fn prints_exactly(program: &Path, expected: &str) -> Result<String, String> {
    let ran = run(program)?;
    if ran.stdout != expected {
        return Err(format!(
            "the program must print {expected:?}, but it printed {:?}",
            ran.stdout
        ));
    }
    Ok(format!("the program printed {:?}", ran.stdout))
}

fn breakfast_interleaves(program: &Path) -> Result<String, String> {
    let ran = run(program)?;
    let lines: Vec<&str> = ran.stdout.lines().collect();
    let at = |line: &str| lines.iter().position(|l| *l == line);
    let expected = [
        "coffee 1",
        "coffee 2",
        "coffee 3",
        "toast 1",
        "toast 2",
        "toast 3",
        "breakfast is ready",
    ];
    if lines.len() != expected.len() || expected.iter().any(|line| at(line).is_none()) {
        return Err(format!(
            "the program must print each of {expected:?} once; it printed:\n{}",
            ran.stdout
        ));
    }
    if at("breakfast is ready") != Some(lines.len() - 1) {
        return Err(format!(
            "`breakfast is ready` came before the cooking was done: `main` must wait for both. \
             The program printed:\n{}",
            ran.stdout
        ));
    }
    if at("toast 1") > at("coffee 3") || at("coffee 1") > at("toast 3") {
        return Err(format!(
            "one breakfast item started only when the other was done: they ran one after the \
             other, not at the same time. The program printed:\n{}",
            ran.stdout
        ));
    }
    Ok(format!(
        "the program printed, in this order: {}",
        lines.join(", ")
    ))
}

fn saves_every_message(program: &Path) -> Result<String, String> {
    let ran = run(program)?;
    let saved = ran
        .stdout
        .lines()
        .find_map(|line| line.strip_prefix("saved: "))
        .ok_or_else(|| {
            format!(
                "the program must end with `saved: ...`; it printed:\n{}",
                ran.stdout
            )
        })?;
    let saved: Vec<&str> = saved.split(", ").filter(|m| !m.is_empty()).collect();
    let all: Vec<String> = (1..=6).map(|n| format!("message {n}")).collect();
    let lost: Vec<&str> = all
        .iter()
        .map(String::as_str)
        .filter(|m| !saved.contains(m))
        .collect();
    if !lost.is_empty() {
        return Err(format!(
            "lost: {}. When a `select!` branch completes, the others are dropped, with what \
             their futures had already taken. The program printed:\n{}",
            lost.join(", "),
            ran.stdout
        ));
    }
    if saved != all {
        return Err(format!(
            "every message is there, but not once each in order: {saved:?}"
        ));
    }
    Ok(format!(
        "the program printed \"saved: {}\"",
        saved.join(", ")
    ))
}

/// A server started from its program on a free port; stopped, by its process id, when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
    stderr: Option<thread::JoinHandle<String>>,
}

impl Server {
    fn start(program: &Path, settings: &[(&str, &str)]) -> Result<Server, String> {
        let mut child = Command::new(program)
            .env("PORT", "0")
            .env("RUST_BACKTRACE", "0")
            .envs(settings.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run the server: {e}"))?;
        let stderr = Some(drain(child.stderr.take().unwrap()));
        let mut line = String::new();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        stdout.read_line(&mut line).ok();
        // Read the rest too: a server whose stdout is closed fails at its next `println!`.
        drain(stdout);
        let mut server = Server {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            stderr,
        };
        match line.trim().strip_prefix("listening on http://") {
            Some(addr) => server.addr = addr.parse().map_err(|_| format!("printed {line:?}"))?,
            None => {
                server.child.kill().ok();
                server.child.wait().ok();
                return Err(format!(
                    "the server must first print `listening on http://ADDRESS`; it printed {line:?}. \
                     What it logged:\n{}",
                    server.log()
                ));
            }
        }
        Ok(server)
    }

    /// What the server wrote to stderr; it stops the server first.
    fn log(&mut self) -> String {
        self.child.kill().ok();
        self.child.wait().ok();
        let stderr = self.stderr.take().map(|s| s.join().unwrap_or_default());
        stderr.unwrap_or_default()
    }

    /// A GET request on a fresh connection, which stays open for the answer.
    fn send_get(&self, path: &str) -> Result<TcpStream, String> {
        let mut stream = TcpStream::connect(self.addr)
            .map_err(|e| format!("cannot connect to the server: {e}"))?;
        stream.set_read_timeout(Some(PATIENCE)).ok();
        let request = format!("GET {path} HTTP/1.1\r\nHost: exercise\r\nConnection: close\r\n\r\n");
        stream
            .write_all(request.as_bytes())
            .map_err(|e| format!("cannot send GET {path}: {e}"))?;
        Ok(stream)
    }

    /// Sends GET `path` and reads the answer: its status and body.
    fn get(&mut self, path: &str) -> Result<(u16, String), String> {
        let answer = read_answer(self.send_get(path)?);
        answer.map_err(|problem| self.explain(&format!("GET {path} {problem}")))
    }

    /// `problem`, and the panic the server logged, if any: a handler that panics closes the
    /// connection without an answer.
    fn explain(&mut self, problem: &str) -> String {
        let log = self.log();
        match log.split_once("panicked at ") {
            Some((_, panic)) => {
                let mut lines = panic.lines();
                let place = lines.next().unwrap_or_default().trim_end_matches(':');
                let message = lines.next().unwrap_or_default();
                format!("{problem}: a handler panicked at {place}: {message}")
            }
            None => format!("{problem}. The server logged:\n{log}"),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            self.child.kill().ok();
            self.child.wait().ok();
        }
    }
}

/// Reads until the server closes the connection: the answer's status and body.
fn read_answer(mut stream: TcpStream) -> Result<(u16, String), String> {
    let mut answer = Vec::new();
    stream
        .read_to_end(&mut answer)
        .map_err(|e| format!("got no answer ({e})"))?;
    let answer = String::from_utf8_lossy(&answer);
    if answer.is_empty() {
        return Err("got no answer: the server closed the connection".into());
    }
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("got something that is not HTTP: {answer:?}"))?;
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    Ok((status, body.to_owned()))
}

fn greets_any_name(program: &Path) -> Result<String, String> {
    let mut server = Server::start(program, &[])?;
    let mut seen = Vec::new();
    for name in ["Ferris", "Ada"] {
        let path = format!("/hello/{name}");
        let (status, body) = server.get(&path)?;
        let expected = format!("Hello, {name}!");
        if status != 200 || body.trim_end() != expected {
            return Err(format!(
                "GET {path} must answer 200 {expected:?}; it answered {status} {body:?}"
            ));
        }
        seen.push(format!("GET {path} -> {status} {body:?}"));
    }
    Ok(seen.join("\n"))
}

fn counts_visitors(program: &Path) -> Result<String, String> {
    let mut server = Server::start(program, &[])?;
    let mut seen = Vec::new();
    for number in 1..=3 {
        let (status, body) = server.get("/visit")?;
        let expected = format!("you are visitor {number}");
        if status != 200 || body.trim_end() != expected {
            return Err(format!(
                "visit {number}: GET /visit must answer 200 {expected:?}; it answered \
                 {status} {body:?}"
            ));
        }
        seen.push(format!("GET /visit -> {status} {body:?}"));
    }
    Ok(seen.join("\n"))
}

/// Sends a slow request, waits until the server has read it, then sends `/check`: `/check` must
/// be answered while the slow one still runs, and the slow one must still get its answer. A
/// solution fails this only if `/check` takes longer than the slow request (a machine too busy
/// to answer at once), so each slow request of `attempts` is tried in turn until one passes; a
/// starter fails every one. Such checks run one at a time, so that they do not slow each other.
fn check_answers_while(
    program: &Path,
    attempts: &[(&'static str, &str)],
) -> Result<String, String> {
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut server = Server::start(program, &[])?;
    let mut failure = String::new();
    for &(slow, slow_answer) in attempts {
        match answers_during(&mut server, slow, slow_answer)? {
            Ok(seen) => return Ok(seen),
            Err(problem) => failure = problem,
        }
    }
    Err(failure)
}

/// One try of [`check_answers_while`]: `Ok(Ok(seen))` if `/check` was answered while `slow`
/// ran, `Ok(Err(problem))` if only after; `Err` for anything else wrong.
fn answers_during(
    server: &mut Server,
    slow: &'static str,
    slow_answer: &str,
) -> Result<Result<String, String>, String> {
    let slow_stream = server.send_get(slow)?;
    wait_until_read(&slow_stream)?;
    let check = read_answer(server.send_get("/check")?);
    let (status, body) =
        check.map_err(|problem| server.explain(&format!("GET /check {problem}")))?;
    if (status, body.as_str()) != (200, "OK\n") {
        return Err(format!(
            "GET /check must answer 200 \"OK\\n\"; it answered {status} {body:?}"
        ));
    }
    // Had `slow` finished first, its answer would be waiting in the socket by now: on
    // 127.0.0.1 the server's write puts it there before the server moves on to `/check`.
    slow_stream
        .set_nonblocking(true)
        .map_err(|e| e.to_string())?;
    let mut byte = [0];
    let still_running = slow_stream
        .peek(&mut byte)
        .is_err_and(|e| e.kind() == std::io::ErrorKind::WouldBlock);
    slow_stream
        .set_nonblocking(false)
        .map_err(|e| e.to_string())?;
    let answer = read_answer(slow_stream);
    let (status, body) =
        answer.map_err(|problem| server.explain(&format!("GET {slow} {problem}")))?;
    if status != 200 || !body.starts_with(slow_answer) {
        return Err(format!(
            "GET {slow} must still answer 200 {slow_answer:?}; it answered {status} {body:?}"
        ));
    }
    if !still_running {
        return Ok(Err(format!(
            "`/check` got its answer only after `{slow}` had finished: while `{slow}` ran, the \
             server answered nothing else. Something in its handler holds the server's only \
             thread"
        )));
    }
    Ok(Ok(format!(
        "GET /check -> 200 \"OK\\n\" while GET {slow} still ran\n\
         then GET {slow} -> {status} {body:?}"
    )))
}

/// How long the shutdown check holds its request open after SIGTERM: many times the deadline
/// the server is given, so a server that keeps its deadline is long gone by then.
const HOLD: Duration = Duration::from_secs(3);
const DEADLINE_MS: &str = "100";

fn stops_within_deadline(program: &Path) -> Result<String, String> {
    let mut server = Server::start(program, &[("DEADLINE_MS", DEADLINE_MS)])?;
    let waiting = server.send_get("/wait")?;
    wait_until_read(&waiting)?;
    let pid = server.child.id().to_string();
    let sent = Command::new("kill").args(["-s", "TERM", &pid]).status();
    if !sent.is_ok_and(|status| status.success()) {
        return Err(format!(
            "cannot send SIGTERM to the server (kill -s TERM {pid})"
        ));
    }
    let Some(status) = wait_for_exit(&mut server.child, HOLD) else {
        drop(waiting);
        return Err(format!(
            "the server was still running {} s after SIGTERM, with a deadline of \
             {DEADLINE_MS} ms: the request to `/wait` holds its shutdown, and nothing ends it \
             when the deadline passes",
            HOLD.as_secs()
        ));
    };
    let Some(code) = status.code() else {
        return Err(format!(
            "SIGTERM killed the server ({status}): it must listen for the signal and stop itself"
        ));
    };
    let log = server.log();
    let said = log.lines().rev().find(|line| !line.trim().is_empty());
    match (code, said) {
        (0, _) => Err(format!(
            "the server stopped with a request still in flight, and exited with status 0, as if \
             nothing had been cut short: its exit status must say so (not 0). It logged:\n{log}"
        )),
        (_, None) => Err(format!(
            "the server exited with status {code} but wrote nothing on stderr: say there, in a \
             line, that the deadline passed with requests still in flight"
        )),
        (_, Some(said)) => Ok(format!(
            "SIGTERM, with GET /wait in flight and a deadline of {DEADLINE_MS} ms: the server \
             exited with status {code} and said {said:?}"
        )),
    }
}

/// Waits until the server has read the request `client` sent, by Linux's socket table.
#[cfg(target_os = "linux")]
fn wait_until_read(client: &TcpStream) -> Result<(), String> {
    socket_table::wait_until_read(client, PATIENCE)
}

/// Elsewhere there is no socket table to read: give the server a moment to read the request.
#[cfg(not(target_os = "linux"))]
fn wait_until_read(_client: &TcpStream) -> Result<(), String> {
    thread::sleep(Duration::from_millis(200));
    Ok(())
}
