//! The production version of `work_check`: at most `jobs` sorts at a time (by default one fewer
//! than the machine has cores, and at least one). A `/work` request beyond that gets
//! `503 Service Unavailable` with `Retry-After: 1` at once, instead of a thread and up to 800 MB.
//!
//! Run: `cargo run --release -p snippets --example work_check_bounded`, then send more
//! `curl http://localhost:8000/work/7` at once than you have cores.
//! Listens on 127.0.0.1:8000; set `PORT` to pick another port (`PORT=0` takes any free one).
//! Ctrl-C stops it, and so does SIGTERM (see the chapter "Stopping a server").

use axum::{
    Router,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use rand::RngExt;
use std::{sync::Arc, time::Instant};
use tokio::{sync::Semaphore, task::JoinError};

// ANCHOR: app
pub fn app() -> Router {
    app_with_jobs(default_jobs())
}

/// One sort per core but one: a core is left to the async workers, so `/check` never waits for
/// a sort's time slice.
pub fn default_jobs() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    (cores - 1).max(1)
}

pub fn app_with_jobs(jobs: usize) -> Router {
    Router::new()
        .route("/work/{n}", get(work))
        .route("/check", get(check))
        .with_state(Arc::new(Semaphore::new(jobs)))
}

async fn work(State(jobs): State<Arc<Semaphore>>, Path(n): Path<String>) -> Response {
    let n = match parse_exponent(&n) {
        Ok(n) => n,
        Err(rejection) => return rejection.into_response(),
    };
    let Ok(permit) = jobs.try_acquire_owned() else {
        let busy = "busy: every sorting slot is taken, retry in a second\n";
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "1")],
            busy,
        )
            .into_response();
    };
    let sorted = tokio::task::spawn_blocking(move || {
        // The permit lives in the closure: the slot stays taken until the sort ends,
        // even if the client hangs up and this handler is dropped.
        let _permit = permit;
        sort_random(n)
    });
    match sorted.await {
        Ok(line) => line.into_response(),
        Err(e) => sort_failed(e).into_response(),
    }
}

/// The sort panicked: a fixed line for the client, the cause for the server's log.
pub fn sort_failed(error: JoinError) -> (StatusCode, &'static str) {
    eprintln!("a sort failed: {error}");
    let line = "internal error: the sort failed\n";
    (StatusCode::INTERNAL_SERVER_ERROR, line)
}
// ANCHOR_END: app

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

#[tokio::main]
async fn main() {
    // Serves `app()` on 127.0.0.1:8000 until Ctrl-C or SIGTERM: see "Stopping a server".
    snippets::serve(app(), 8000).await;
}
