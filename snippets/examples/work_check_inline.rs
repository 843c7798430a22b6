//! The counter-example to `work_check`: the same server, on the same runtime, with the sort done
//! inline in the async handler. While it sorts, the worker thread it runs on serves nothing
//! else; with one sort per worker thread (tokio's default: one per core), `/check` waits.
//!
//! Run it with `cargo run --release -p snippets --example work_check_inline`, then, from another
//! terminal, start one sort per core and ask for `/check` a moment later:
//! `for i in $(seq $(nproc)); do curl -s http://localhost:8000/work/7 & done; sleep 0.1; curl http://localhost:8000/check; wait`
//! prints `OK` only after a sort's line.
//! Stop it with Ctrl-C, or with SIGTERM as `docker stop` does.
//! Set `PORT` to pick another port than 8000 (`PORT=0` takes any free one).

use axum::{Router, extract::Path, http::StatusCode, routing::get};
use rand::RngExt;
use std::time::Instant;

// ANCHOR: app
// ANCHOR: work
/// The whole application. `main` serves it on port 8000; the tests serve the same router.
pub fn app() -> Router {
    Router::new()
        .route("/work/{n}", get(work))
        .route("/check", get(check))
}

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
