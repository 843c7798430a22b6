//! Async closures (`async || { ... }`, stable since Rust 1.85) and the `AsyncFn` traits that
//! take them: a retry helper whose closure counts its own attempts, and, for a task of its own,
//! the closure that returns a future, whose future can be promised `Send`.
//!
//! Run it with `cargo run -p snippets --example async_closures`.

use std::sync::{
    Arc,
    atomic::{AtomicU32, Ordering},
};

/// Stands for a call that fails the first time: a database that is still starting.
async fn flaky_lookup(attempt: u32) -> Option<&'static str> {
    tokio::task::yield_now().await;
    (attempt >= 2).then_some("buy milk")
}

// ANCHOR: retry
/// Calls `attempt` until it gives a value, at most `times` times.
async fn retry<T>(times: u32, mut attempt: impl AsyncFnMut() -> Option<T>) -> Option<T> {
    for _ in 0..times {
        if let Some(value) = attempt().await {
            return Some(value);
        }
    }
    None
}
// ANCHOR_END: retry

// ANCHOR: spawn
/// Runs `job` `times` times, one after the other, in a task of its own.
fn spawn_times<F, Fut>(times: u32, job: F) -> tokio::task::JoinHandle<()>
where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future + Send + 'static,
{
    tokio::spawn(async move {
        for _ in 0..times {
            job().await;
        }
    })
}
// ANCHOR_END: spawn

// ANCHOR: use_retry
async fn find_title() -> (Option<&'static str>, u32) {
    let mut attempts = 0;
    let title = retry(3, async || {
        attempts += 1;
        flaky_lookup(attempts).await
    })
    .await;
    (title, attempts)
}
// ANCHOR_END: use_retry

// ANCHOR: use_spawn
async fn run_job_three_times() -> u32 {
    let runs = Arc::new(AtomicU32::new(0));
    let counter = Arc::clone(&runs);
    let job = move || {
        let runs = Arc::clone(&counter);
        async move { runs.fetch_add(1, Ordering::Relaxed) }
    };
    spawn_times(3, job).await.unwrap();
    runs.load(Ordering::Relaxed)
}
// ANCHOR_END: use_spawn

#[tokio::main]
async fn main() {
    let (title, attempts) = find_title().await;
    assert_eq!((title, attempts), (Some("buy milk"), 2));
    println!("found {title:?} after {attempts} attempts");

    let runs = run_job_three_times().await;
    assert_eq!(runs, 3);
    println!("the job ran {runs} times in its task");
}
