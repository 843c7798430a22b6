//! Variants of the rayon pool in `work_check_rayon.rs`, each with one thread and one job slot per
//! core, the answer coming back through a oneshot channel. With `idle`, the pool's threads run
//! under Linux's `SCHED_IDLE` policy: the kernel runs them only when no ordinary thread wants the
//! core, so they give way to the async workers. With `pinned`, sorting thread i runs on core i
//! only. With `reuse`, each thread sorts in a buffer it keeps from one job to the next.

use std::sync::Arc;

use axum::{
    Router,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use rand::RngExt;
use tokio::sync::{Semaphore, oneshot};

use crate::work_check::{MAX_EXPONENT, sort_random};

#[derive(Clone, Copy, Default)]
pub struct Options {
    /// The pool's threads under `SCHED_IDLE`.
    pub idle: bool,
    /// Sorting thread i pinned to core i.
    pub pinned: bool,
    /// Each thread sorts in a buffer of its own that it keeps from one job to the next: no
    /// allocation, no page faults, no unmapping once every thread has sorted once.
    pub reuse: bool,
}

struct Pool {
    threads: rayon::ThreadPool,
    reuse: bool,
    slots: Arc<Semaphore>,
}

pub fn app(threads: usize, options: Options) -> Router {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("sort-{i}"))
        .start_handler(move |i| {
            if options.idle {
                run_only_when_idle();
            }
            if options.pinned {
                pin_to_core(i);
            }
        })
        .build()
        .expect("the sorting pool starts");
    let pool = Pool {
        threads: pool,
        reuse: options.reuse,
        slots: Arc::new(Semaphore::new(threads)),
    };
    Router::new()
        .route("/work/{n}", get(work))
        .route("/check", get(check))
        .with_state(Arc::new(pool))
}

async fn work(State(pool): State<Arc<Pool>>, Path(n): Path<String>) -> Response {
    let n = match n.parse::<u32>() {
        Ok(n) if n <= MAX_EXPONENT => n,
        _ => {
            let why = format!("n must be a whole number from 0 to {MAX_EXPONENT}, got {n:?}\n");
            return (StatusCode::BAD_REQUEST, why).into_response();
        }
    };
    // As in the bounded example: a job beyond the pool's threads is turned away at once, so
    // memory and waiting stay bounded.
    let Ok(permit) = pool.slots.clone().try_acquire_owned() else {
        let busy = "busy: every sorting slot is taken, retry in a second\n";
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "1")],
            busy,
        )
            .into_response();
    };
    let (answer, sorted) = oneshot::channel();
    let reuse = pool.reuse;
    pool.threads.spawn(move || {
        let _permit = permit;
        let line = if reuse {
            sort_random_in_kept_buffer(n)
        } else {
            sort_random(n)
        };
        // The receiver is gone when the client hung up; the sort is done either way.
        let _ = answer.send(line);
    });
    match sorted.await {
        Ok(line) => line.into_response(),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "the sort panicked\n").into_response(),
    }
}

async fn check() -> &'static str {
    "OK\n"
}

/// The book's own: `SCHED_IDLE` for the calling thread (work_check_rayon.rs).
pub use crate::work_check_rayon::run_only_when_idle;

/// The book's pool (`work_check_rayon::sort_pool`) without its `start_handler`: threads at the
/// ordinary priority.
pub fn ordinary(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("sort-{i}"))
        .panic_handler(|_| eprintln!("a sort panicked"))
        .build()
        .expect("the sorting pool starts")
}

/// Lets the calling thread run on core `core` only (sched_setaffinity(2)).
pub fn pin_to_core(core: usize) {
    // SAFETY: a zeroed cpu_set_t is a valid empty set; pid 0 is the calling thread.
    let rc = unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(core, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set)
    };
    assert_eq!(rc, 0, "sched_setaffinity({core}) failed");
}

thread_local! {
    static BUFFER: std::cell::RefCell<Vec<u64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// `sort_random`, in this thread's kept buffer.
fn sort_random_in_kept_buffer(n: u32) -> String {
    let start = std::time::Instant::now();
    let count = 10usize.pow(n);
    BUFFER.with_borrow_mut(|numbers| {
        numbers.clear();
        numbers.extend(rand::rng().random_iter::<u64>().take(count));
        numbers.sort_unstable();
    });
    format!(
        "sorted {count} random numbers in {} ms\n",
        start.elapsed().as_millis()
    )
}
