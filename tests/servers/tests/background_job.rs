//! The background job beside a server: it reports on schedule while the server answers, and it
//! stops with the server. The stop is checked on the program a reader runs, with a signal; the
//! job's round is held open by writing to a named pipe that the test reads only after the
//! signal, so "the round was in progress when the stop came" is forced, not raced. Assertions
//! are about what the job printed and in what order, never about how long anything took.

#[path = "support/http.rs"]
mod http;
#[path = "support/serve.rs"]
mod serve;

#[allow(dead_code)]
#[path = "../../../snippets/examples/background_job.rs"]
mod background_job;

use std::{
    io::{BufRead, BufReader, Read},
    net::SocketAddr,
    process::{Command, Stdio},
    sync::mpsc,
    thread,
    time::{Duration, Instant},
};
use tokio_util::sync::CancellationToken;

/// A safety net against a hung test, not a measurement.
const PATIENCE: Duration = Duration::from_secs(120);

/// A fresh, empty directory of this test's own.
fn scratch_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("background-job-{}-{name}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Sends the lines of `pipe` to a channel, so a test can wait for the next one with patience.
fn lines_of(pipe: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (lines, received) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            if lines.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    received
}

fn next(lines: &mpsc::Receiver<String>, what: &str) -> String {
    lines
        .recv_timeout(PATIENCE)
        .unwrap_or_else(|_| panic!("no more lines on {what}"))
}

fn get(addr: SocketAddr, path: &str) -> http::Response {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        tokio::time::timeout(PATIENCE, http::get(addr, path))
            .await
            .expect("no response in time")
            .unwrap()
    })
}

/// A server process that is killed, by its process id, if a failed test leaves it running.
struct Stopped(std::process::Child);

impl Drop for Stopped {
    fn drop(&mut self) {
        if self.0.try_wait().ok().flatten().is_none() {
            self.0.kill().ok();
            self.0.wait().ok();
        }
    }
}

#[cfg(target_os = "linux")]
#[test]
fn sigterm_lets_the_round_in_progress_finish_and_starts_no_other() {
    let dir = scratch_dir("sigterm");
    let report = dir.join("report");
    let made = Command::new("mkfifo").arg(&report).status().unwrap();
    assert!(made.success(), "mkfifo {}", report.display());

    let mut server = Stopped(
        Command::new(env!("CARGO_BIN_EXE_background_job"))
            .env("PORT", "0")
            .env("REPORT_EVERY_SECS", "1")
            .env("REPORT_FILE", &report)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let server = &mut server.0;
    let stdout = lines_of(server.stdout.take().unwrap());
    let stderr = lines_of(server.stderr.take().unwrap());
    let listening = next(&stdout, "stdout");
    let addr: SocketAddr = listening
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("the server printed {listening:?}"))
        .parse()
        .unwrap();
    for visitor in 1..=2 {
        let hello = get(addr, "/");
        assert_eq!(hello.body, format!("Hello, visitor {visitor}\n"));
    }

    // The first round opens the pipe to write, and waits there until someone reads it.
    let writing = format!("report 1: writing {}", report.display());
    assert_eq!(next(&stdout, "stdout"), writing);
    let pid = server.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-s", "TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    assert_eq!(
        next(&stdout, "stdout"),
        "stopping: the job starts no new round"
    );

    // The server is stopping and has no connection left: only the round keeps it alive.
    // Opening the pipe waits for its writer: on a thread, so a writer that is gone fails the
    // test instead of hanging it.
    let (read, written) = mpsc::channel();
    let pipe = report.clone();
    thread::spawn(move || {
        let mut report = String::new();
        let mut file = std::fs::File::open(pipe).unwrap();
        file.read_to_string(&mut report).unwrap();
        read.send(report).ok();
    });
    let written = written
        .recv_timeout(PATIENCE)
        .expect("the round was cut off before it wrote its report");
    assert_eq!(written, "2 visits\n");

    let since = Instant::now();
    let status = loop {
        if let Some(status) = server.try_wait().unwrap() {
            break status;
        }
        assert!(since.elapsed() < PATIENCE, "the server never exited");
        thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(status.code(), Some(0));
    let after: Vec<String> = stdout.iter().collect();
    assert_eq!(
        after,
        ["report 1: done"],
        "the round finished and none followed"
    );
    assert_eq!(stderr.iter().count(), 0);
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn job_reports_the_visits_so_far_and_returns_when_cancelled_between_rounds() {
    let dir = scratch_dir("rounds");
    let report = dir.join("visits.txt");
    let visits = background_job::Visits::default();
    let addr = serve::serve(background_job::app_with(visits.clone())).await;
    for _ in 0..3 {
        http::get(addr, "/").await.unwrap();
    }

    let stop = CancellationToken::new();
    let every = Duration::from_millis(10);
    let job = tokio::spawn(background_job::write_reports(
        visits,
        report.clone(),
        every,
        stop.clone(),
    ));
    let waiting = async {
        while tokio::fs::read_to_string(&report).await.ok().as_deref() != Some("3 visits\n") {
            tokio::time::sleep(every).await;
        }
    };
    tokio::time::timeout(PATIENCE, waiting)
        .await
        .expect("no report");

    stop.cancel();
    tokio::time::timeout(PATIENCE, job)
        .await
        .expect("the job went on after the stop")
        .unwrap();
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn a_route_that_is_not_there_gets_a_4xx_and_the_server_stays_up() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = background_job::app();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let wrong_method = http::post(addr, "/").await.unwrap();
    assert_eq!(wrong_method.status, 405);
    let missing = http::get(addr, "/report").await.unwrap();
    assert_eq!(missing.status, 404);
    let hello = http::get(addr, "/").await.unwrap();
    assert_eq!(
        (hello.status, hello.body.as_str()),
        (200, "Hello, visitor 1\n")
    );
}
