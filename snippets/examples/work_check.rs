//! CPU-bound work inside an async server: `/work/{n}` sorts 10^n random numbers on tokio's
//! blocking thread pool, so `/check` keeps answering while the sorts run.
//!
//! Run it with `cargo run --release -p snippets --example work_check`, then, from another
//! terminal, start one sort per core and ask for `/check` a moment later:
//! `for i in $(seq $(nproc)); do curl -s http://localhost:8000/work/7 & done; sleep 0.1; curl http://localhost:8000/check; wait`
//! prints `OK` first.
//! Stop it with Ctrl-C, or with SIGTERM as `docker stop` does.
//! Set `PORT` to pick another port than 8000 (`PORT=0` takes any free one).

use axum::{Router, extract::Path, http::StatusCode, routing::get};
use rand::RngExt;
use std::time::Instant;
use tokio::task::JoinError;

// ANCHOR: app
// ANCHOR: work
/// The whole application. `main` serves it on port 8000; the tests serve the same router.
pub fn app() -> Router {
    Router::new()
        .route("/work/{n}", get(work))
        .route("/check", get(check))
}

// ANCHOR: handler
async fn work(Path(n): Path<String>) -> Result<String, (StatusCode, String)> {
    let n = parse_exponent(&n)?;
    // The sort runs on a thread of the blocking pool; this task waits at `.await`,
    // which hands the async worker thread back to the runtime in the meantime.
    tokio::task::spawn_blocking(move || sort_random(n))
        .await
        .map_err(sort_failed)
}
// ANCHOR_END: handler
// ANCHOR_END: work

/// The sort panicked. Its message may hold details the client has no business seeing: the
/// client gets a fixed line, the server's log gets the cause.
pub fn sort_failed(error: JoinError) -> (StatusCode, String) {
    eprintln!("a sort failed: {error}");
    let line = "internal error: the sort failed\n";
    (StatusCode::INTERNAL_SERVER_ERROR, line.to_string())
}

async fn check() -> &'static str {
    "OK\n"
}
// ANCHOR_END: app

// ANCHOR: parse
/// 10^8 numbers take 800 MB; 10^9 would take 8 GB, more than many machines have.
pub const MAX_EXPONENT: u32 = 8;

fn parse_exponent(raw: &str) -> Result<u32, (StatusCode, String)> {
    match raw.parse::<u32>() {
        Ok(n) if n <= MAX_EXPONENT => Ok(n),
        _ => Err((
            StatusCode::BAD_REQUEST,
            format!("n must be a whole number from 0 to {MAX_EXPONENT}, got {raw:?}\n"),
        )),
    }
}
// ANCHOR_END: parse

// ANCHOR: sort
/// Plain synchronous code: it never awaits, so it must not run on an async worker thread.
pub fn sort_random(n: u32) -> String {
    let start = Instant::now();
    let count = 10usize.pow(n);
    let mut numbers: Vec<u64> = rand::rng().random_iter().take(count).collect();
    numbers.sort_unstable();
    format!(
        "sorted {count} random numbers in {} ms\n",
        start.elapsed().as_millis()
    )
}
// ANCHOR_END: sort

// ANCHOR: main
// `#[tokio::main]` builds tokio's default runtime: one worker thread per core.
#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port = std::env::var("PORT").unwrap_or_else(|_| "8000".to_string());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    let stop = shutdown_signal()?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app())
        .with_graceful_shutdown(stop)
        .await
}
// ANCHOR_END: main

// ANCHOR: shutdown_signal
/// Listens for Ctrl-C (SIGINT) and for SIGTERM, which `kill`, `docker stop`, systemd and
/// Kubernetes send, from the moment it is called. The future completes at the first of them.
fn shutdown_signal() -> std::io::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}
// ANCHOR_END: shutdown_signal
