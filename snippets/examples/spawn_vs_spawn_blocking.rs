//! `tokio::spawn(async { heavy() })` does not move blocking work off the runtime: the task runs
//! `heavy` on a worker thread, which can run nothing else meanwhile. `spawn_blocking` runs it on
//! the blocking pool. The runtime here has a single worker (the current-thread runtime), so the
//! thread that ran the work tells which is which.
//!
//! Run it with `cargo run -p snippets --example spawn_vs_spawn_blocking`.

use std::sync::mpsc;
use std::thread::{self, ThreadId};

/// Stands for CPU-bound or blocking work: it does not await anything.
fn heavy() -> ThreadId {
    let sum: u64 = (0..1_000_000u64).sum();
    assert_eq!(sum, 499_999_500_000);
    thread::current().id()
}

// ANCHOR: spawn
/// Still on the runtime's worker: while `heavy()` runs, no other task does.
async fn heavy_in_a_task() -> ThreadId {
    tokio::spawn(async { heavy() }).await.unwrap()
}
// ANCHOR_END: spawn

// ANCHOR: spawn_blocking
/// On the blocking pool: the worker stays free. This blocking job even waits for a message that
/// only an async task can send, which works because that task gets to run.
async fn heavy_on_the_blocking_pool() -> ThreadId {
    let (done, wait) = mpsc::channel();
    let job = tokio::task::spawn_blocking(move || {
        wait.recv().unwrap();
        heavy()
    });
    tokio::spawn(async move { done.send(()).unwrap() });
    job.await.unwrap()
}
// ANCHOR_END: spawn_blocking

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let worker = thread::current().id();
    assert_eq!(heavy_in_a_task().await, worker);
    assert_ne!(heavy_on_the_blocking_pool().await, worker);
    println!("spawn ran heavy() on the worker; spawn_blocking ran it on another thread");
}
