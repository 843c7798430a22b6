//! The counter-example: the same `/work/{n}` sort done inline in the async handler. While it
//! sorts, the worker thread it runs on serves nothing else. This `main` uses a current-thread
//! runtime (one worker), so a single `/work` request is enough to hold up `/check`.
//!
//! Run: `cargo run --release -p snippets --example work_check_inline`, then in a second terminal
//! `curl http://localhost:8000/work/8` and, while it waits, in a third
//! `curl http://localhost:8000/check`: `OK` comes only when the sort is over.
//! Listens on 127.0.0.1:8000; set `PORT` to pick another port (`PORT=0` takes any free one).
//! Ctrl-C stops it, and so does SIGTERM (see the chapter "Stopping a server").

use axum::{Router, extract::Path, http::StatusCode, routing::get};
use rand::RngExt;
use std::time::Instant;

pub fn app() -> Router {
    Router::new()
        .route("/work/{n}", get(work))
        .route("/check", get(check))
}

// ANCHOR: work
async fn work(Path(n): Path<String>) -> Result<String, (StatusCode, String)> {
    let n = parse_exponent(&n)?;
    // Don't do this: no `.await` until the sort is over, so this thread cannot switch
    // to another task, however long the sort takes.
    Ok(sort_random(n))
}
// ANCHOR_END: work

async fn check() -> &'static str {
    "OK\n"
}

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

// ANCHOR: main
// One worker thread. On the default multi-thread runtime (one worker per core) it takes
// as many simultaneous `/work` requests as there are workers to hold up `/check`.
#[tokio::main(flavor = "current_thread")]
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
