//! The production version of `work_check`: at most `jobs` sorts at a time (by default one fewer
//! than the machine has cores, and at least one), holding at most `MEMORY_BUDGET_MB` megabytes
//! of numbers between them. A `/work` request beyond either bound gets
//! `503 Service Unavailable` with `Retry-After: 1` at once, instead of a thread and up to 800 MB.
//!
//! Run: `cargo run --release -p snippets --example work_check_bounded`, then send more
//! `curl http://localhost:8000/work/7` at once than you have cores.
//! Stop it with Ctrl-C, or with SIGTERM as `docker stop` does.
//! Set `PORT` to pick another port than 8000 (`PORT=0` takes any free one).

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
    app_with_limits(default_jobs(), MEMORY_BUDGET_MB)
}

/// One sort per core but one: the async workers have a core that no sort wants, so `/check`
/// seldom waits for a sort's turn on a core (it still waits for its own turn now and then).
pub fn default_jobs() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    (cores - 1).max(1)
}

/// Room for one sort of 10^8 numbers (800 MB), or for many smaller ones, at a time.
pub const MEMORY_BUDGET_MB: u32 = 1000;

// ANCHOR: limits
struct Limits {
    jobs: Arc<Semaphore>,
    megabytes: Arc<Semaphore>,
    budget_mb: u32,
}

pub fn app_with_limits(jobs: usize, budget_mb: u32) -> Router {
    let limits = Limits {
        jobs: Arc::new(Semaphore::new(jobs)),
        megabytes: Arc::new(Semaphore::new(budget_mb as usize)),
        budget_mb,
    };
    Router::new()
        .route("/work/{n}", get(work))
        .route("/check", get(check))
        .with_state(Arc::new(limits))
}
// ANCHOR_END: limits

// ANCHOR: work
async fn work(State(limits): State<Arc<Limits>>, Path(n): Path<String>) -> Response {
    let n = match parse_exponent(&n, limits.budget_mb) {
        Ok(n) => n,
        Err(rejection) => return rejection.into_response(),
    };
    let Ok(job) = limits.jobs.clone().try_acquire_owned() else {
        return busy("every sorting slot is taken").into_response();
    };
    let Ok(memory) = limits
        .megabytes
        .clone()
        .try_acquire_many_owned(megabytes(n))
    else {
        return busy("the memory for sorts is taken").into_response();
    };
    let sorted = tokio::task::spawn_blocking(move || {
        // The permits live in the closure: the slot and the memory stay taken until the
        // sort ends, even if the client hangs up and this handler is dropped.
        let _held = (job, memory);
        sort_random(n)
    });
    match sorted.await {
        Ok(line) => line.into_response(),
        Err(e) => sort_failed(e).into_response(),
    }
}

/// What a sort of 10^n numbers of 8 bytes holds, in whole megabytes.
pub fn megabytes(n: u32) -> u32 {
    (8 * 10u64.pow(n)).div_ceil(1_000_000) as u32
}

// ANCHOR_END: work

fn busy(why: &str) -> impl IntoResponse {
    let line = format!("busy: {why}, retry in a second\n");
    let retry = [(header::RETRY_AFTER, "1")];
    (StatusCode::SERVICE_UNAVAILABLE, retry, line)
}
// ANCHOR_END: app

/// `jobs` sorts at a time, within the default memory budget.
pub fn app_with_jobs(jobs: usize) -> Router {
    app_with_limits(jobs, MEMORY_BUDGET_MB)
}

/// The sort panicked: a fixed line for the client, the cause for the server's log.
pub fn sort_failed(error: JoinError) -> (StatusCode, &'static str) {
    eprintln!("a sort failed: {error}");
    let line = "internal error: the sort failed\n";
    (StatusCode::INTERNAL_SERVER_ERROR, line)
}

async fn check() -> &'static str {
    "OK\n"
}

pub const MAX_EXPONENT: u32 = 8;

fn parse_exponent(raw: &str, budget_mb: u32) -> Result<u32, (StatusCode, String)> {
    match raw.parse::<u32>() {
        Ok(n) if n <= MAX_EXPONENT && megabytes(n) <= budget_mb => Ok(n),
        Ok(n) if n <= MAX_EXPONENT => Err((
            StatusCode::BAD_REQUEST,
            format!(
                "n = {n} needs {} MB, more than this server's {budget_mb} MB for sorts\n",
                megabytes(n)
            ),
        )),
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
    let stop = shutdown_signal()?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app())
        .with_graceful_shutdown(stop)
        .await
}

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
