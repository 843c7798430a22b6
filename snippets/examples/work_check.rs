//! CPU-bound work inside an async server: `/work/{n}` sorts 10^n random numbers on tokio's
//! blocking thread pool, so `/check` keeps answering while the sort runs.
//!
//! Run: `cargo run --release -p snippets --example work_check`, then in a second terminal
//! `curl http://localhost:8000/work/8` (a few seconds) and, while it waits, in a third
//! `curl http://localhost:8000/check`.
//! Listens on 127.0.0.1:8000; set `PORT` to pick another port (`PORT=0` takes any free one).
//! Ctrl-C stops it, and so does SIGTERM (see the chapter "Stopping a server").

use axum::{Router, extract::Path, http::StatusCode, routing::get};
use rand::RngExt;
use std::time::Instant;
use tokio::task::JoinError;

// ANCHOR: app
// ANCHOR: work
pub fn app() -> Router {
    Router::new()
        .route("/work/{n}", get(work))
        .route("/check", get(check))
}

async fn work(Path(n): Path<String>) -> Result<String, (StatusCode, String)> {
    let n = parse_exponent(&n)?;
    // The sort runs on a thread of the blocking pool; this task waits at `.await`,
    // which hands the async worker thread back to the runtime in the meantime.
    tokio::task::spawn_blocking(move || sort_random(n))
        .await
        .map_err(sort_failed)
}
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
#[tokio::main]
async fn main() {
    // Serves `app()` on 127.0.0.1:8000 until Ctrl-C or SIGTERM: see "Stopping a server".
    axum::serve(
        tokio::net::TcpListener::bind("127.0.0.1:8000")
            .await
            .unwrap(),
        app(),
    )
    .await
    .unwrap(); // placeholder until the work_check rewrite lands
}
// ANCHOR_END: main
