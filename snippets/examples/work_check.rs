//! CPU-bound work inside an async server: `/work/{n}` sorts 10^n random numbers on tokio's
//! blocking thread pool, so `/check` keeps answering while the sort runs.
//!
//! Run: `cargo run --release -p snippets --example work_check`, then in a second terminal
//! `curl http://localhost:8000/work/8` (a few seconds) and, while it waits, in a third
//! `curl http://localhost:8000/check`.
//! Listens on 127.0.0.1:8000; set `PORT` to pick another port (`PORT=0` takes any free one).
//! Ctrl-C stops it.

use axum::{Router, extract::Path, http::StatusCode, routing::get};
use rand::RngExt;
use std::time::Instant;

// ANCHOR: app
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
        .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")))
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
// ANCHOR_END: main
