//! Calling a regular, blocking function from async code: a plain `async` wrapper, the
//! `spawn_blocking` version, a closure to pass arguments along, and a small generic helper.
//! The program checks the answers, and on which thread each version ran the function.
//!
//! Run it with `cargo run -p snippets --example converting_functions`.

use std::thread;

// ANCHOR: compute
/// A regular function that keeps the CPU busy: it counts the primes below `limit`.
fn count_primes(limit: u64) -> usize {
    (2..limit)
        .filter(|&n| (2..n).take_while(|d| d * d <= n).all(|d| n % d != 0))
        .count()
}
// ANCHOR_END: compute

// ANCHOR: wrapper
async fn count_primes_async(limit: u64) -> usize {
    count_primes(limit)
}
// ANCHOR_END: wrapper

// ANCHOR: spawn_blocking
async fn count_primes_in_background(limit: u64) -> usize {
    tokio::task::spawn_blocking(move || count_primes(limit))
        .await
        .expect("count_primes panicked")
}
// ANCHOR_END: spawn_blocking

// ANCHOR: helper
/// Runs `f` on tokio's blocking threads and waits for its result without blocking the runtime.
async fn run_blocking<F, T>(f: F) -> T
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    match tokio::task::spawn_blocking(f).await {
        Ok(value) => value,
        // `f` panicked: carry on panicking here, as if `f` had been called directly.
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        // Cancelled: only a runtime shutting down before the task started can do that here.
        Err(error) => panic!("the blocking task was cancelled: {error}"),
    }
}
// ANCHOR_END: helper

/// The plain wrapper again, for any function: it calls `f` right where it is awaited.
async fn call_directly<T>(f: impl FnOnce() -> T) -> T {
    f()
}

// ANCHOR: closure
async fn count_with_closures(limit: u64) -> usize {
    let primes = run_blocking(move || count_primes(limit)).await;

    // A closure that returns a future: an async version of `count_primes`, made on the spot.
    let count_primes_async = |limit| run_blocking(move || count_primes(limit));
    assert_eq!(count_primes_async(limit).await, primes);
    primes
}
// ANCHOR_END: closure

// ANCHOR: threads
/// Run on a current-thread runtime, where all async code runs on one thread.
async fn check_threads() {
    let runtime_thread = thread::current().id();
    let wrapper_thread = call_directly(|| thread::current().id()).await;
    let blocking_thread = tokio::task::spawn_blocking(|| thread::current().id())
        .await
        .expect("the closure panicked");
    assert_eq!(wrapper_thread, runtime_thread);
    assert_ne!(blocking_thread, runtime_thread);
}
// ANCHOR_END: threads

#[tokio::main(flavor = "current_thread")]
async fn main() {
    assert_eq!(count_primes(10_000), 1229);
    assert_eq!(count_primes_async(10_000).await, 1229);
    assert_eq!(count_primes_in_background(10_000).await, 1229);

    let limit = 10_000;
    let primes = count_with_closures(limit).await;
    assert_eq!(primes, 1229);
    check_threads().await;

    println!("{primes} primes below {limit}, counted without blocking the runtime");
}
