//! The production version of `work_check`: at most `jobs` sorts at a time (by default one fewer
//! than the machine has cores, and at least one). A `/work` request beyond that gets
//! `503 Service Unavailable` with `Retry-After: 1` at once, instead of a thread and up to 800 MB.
//!
//! Run: `cargo run --release -p snippets --example work_check_bounded`, then send more
//! `curl http://localhost:8000/work/7` at once than you have cores.
//! Listens on 127.0.0.1:8000; set `PORT` to pick another port (`PORT=0` takes any free one).
//! Ctrl-C stops it.

use axum::{
    Router,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use rand::RngExt;
use std::{sync::Arc, time::Instant};
use tokio::sync::Semaphore;

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
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")).into_response(),
    }
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
async fn main() -> std::io::Result<()> {
    let port = std::env::var("PORT").unwrap_or_else(|_| "8000".to_string());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app())
        .with_graceful_shutdown(async {
            tokio::signal::ctrl_c().await.ok();
        })
        .await
}
