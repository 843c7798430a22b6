//! CPU-heavy work on a pool of its own: `/work/{n}` sorts 10^n random numbers on a rayon thread
//! pool with one thread per core, which on Linux comes after every ordinary thread
//! (`SCHED_IDLE`), and the handler awaits the answer on a `tokio::sync::oneshot` channel. One job
//! slot per thread: a request beyond them gets `503 Service Unavailable` with `Retry-After: 1` at
//! once, and so does one that would take the sorts in flight past a memory budget.
//!
//! Run: `cargo run --release -p snippets --example work_check_rayon`, then send more
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
use tokio::sync::{Semaphore, oneshot};

/// Room for one sort of 10^8 numbers (800 MB), or for many smaller ones, at a time.
pub const MEMORY_BUDGET_MB: u32 = 1000;

pub fn app() -> Router {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    app_on(Arc::new(sort_pool(cores)), MEMORY_BUDGET_MB)
}

// ANCHOR: pool
pub fn sort_pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("sort-{i}"))
        // Each thread, as it starts: let every ordinary thread come first.
        .start_handler(|_| run_only_when_idle())
        // Without a handler, a panic in `spawn` aborts the whole process.
        .panic_handler(|_| eprintln!("a sort panicked"))
        .build()
        .expect("the sorting pool starts")
}
// ANCHOR_END: pool

// ANCHOR: idle
/// Puts the calling thread under Linux's `SCHED_IDLE` policy: the kernel runs every ordinary
/// thread, an async worker for one, before it, and takes the core from it when one wakes.
#[cfg(target_os = "linux")]
pub fn run_only_when_idle() {
    let param = libc::sched_param { sched_priority: 0 };
    // SAFETY: pid 0 is the calling thread, and SCHED_IDLE takes priority 0.
    if unsafe { libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) } != 0 {
        let why = std::io::Error::last_os_error();
        eprintln!("a sort thread keeps the ordinary priority: {why}");
    }
}

/// Other systems have no such policy: the threads keep the ordinary priority.
#[cfg(not(target_os = "linux"))]
pub fn run_only_when_idle() {}
// ANCHOR_END: idle

struct Sorter {
    pool: Arc<rayon::ThreadPool>,
    slots: Arc<Semaphore>,
    megabytes: Arc<Semaphore>,
    budget_mb: u32,
}

/// One job slot per thread of `pool`, and at most `budget_mb` megabytes of numbers at a time.
pub fn app_on(pool: Arc<rayon::ThreadPool>, budget_mb: u32) -> Router {
    let sorter = Sorter {
        slots: Arc::new(Semaphore::new(pool.current_num_threads())),
        megabytes: Arc::new(Semaphore::new(budget_mb as usize)),
        pool,
        budget_mb,
    };
    Router::new()
        .route("/work/{n}", get(work))
        .route("/check", get(check))
        .with_state(Arc::new(sorter))
}

async fn work(State(sorter): State<Arc<Sorter>>, Path(n): Path<String>) -> Response {
    let n = match parse_exponent(&n, sorter.budget_mb) {
        Ok(n) => n,
        Err(rejection) => return rejection.into_response(),
    };
    let Ok(slot) = sorter.slots.clone().try_acquire_owned() else {
        return busy("every sorting slot is taken").into_response();
    };
    let Ok(memory) = sorter
        .megabytes
        .clone()
        .try_acquire_many_owned(megabytes(n))
    else {
        return busy("the memory for sorts is taken").into_response();
    };
    sort_on_pool(&sorter.pool, (slot, memory), n).await
}

// ANCHOR: spawn
/// Sorts on `pool` and answers with the result. `held` (the permits) is dropped when the sort
/// ends, even if the client hangs up and this future is dropped before.
async fn sort_on_pool(pool: &rayon::ThreadPool, held: impl Send + 'static, n: u32) -> Response {
    let (answer, sorted) = oneshot::channel();
    pool.spawn(move || {
        let _held = held;
        // Fails only if the client hung up and its handler was dropped: nobody to tell.
        let _ = answer.send(sort_random(n));
    });
    match sorted.await {
        Ok(line) => line.into_response(),
        // The closure panicked and dropped `answer` without sending.
        Err(_) => {
            let line = "internal error: the sort failed\n";
            (StatusCode::INTERNAL_SERVER_ERROR, line).into_response()
        }
    }
}
// ANCHOR_END: spawn

fn busy(why: &str) -> impl IntoResponse {
    let line = format!("busy: {why}, retry in a second\n");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, "1")],
        line,
    )
}

/// What a sort of 10^n numbers of 8 bytes holds, in whole megabytes.
pub fn megabytes(n: u32) -> u32 {
    (8 * 10u64.pow(n)).div_ceil(1_000_000) as u32
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
