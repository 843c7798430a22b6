//! Calling a regular, blocking function from async code: a plain `async` wrapper runs it on the
//! thread that runs the async code; `spawn_blocking` runs it on a thread of tokio's blocking pool.
//! `main` checks the answers, and on which thread each version ran the function.
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

// ANCHOR: threads
/// An async fn that calls plain code, as the wrapper does.
async fn wrapped() -> thread::ThreadId {
    thread::current().id()
}

/// `main` runs this on a current-thread runtime: one thread runs all the async code.
async fn where_each_runs() {
    let runtime_thread = thread::current().id();
    let in_background = tokio::task::spawn_blocking(|| thread::current().id()).await;
    assert_eq!(wrapped().await, runtime_thread);
    assert_ne!(in_background.unwrap(), runtime_thread);
}
// ANCHOR_END: threads

#[tokio::main(flavor = "current_thread")]
async fn main() {
    where_each_runs().await;
    assert_eq!(count_primes(10_000), 1229);
    assert_eq!(count_primes_async(10_000).await, 1229);
    assert_eq!(count_primes_in_background(10_000).await, 1229);
    println!(
        "1229 primes below 10000; the wrapper ran on the runtime's thread, spawn_blocking on another"
    );
}
