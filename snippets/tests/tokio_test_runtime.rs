//! What `#[tokio::test]` changes: its runtime has one thread, and `start_paused` gives it a clock
//! that moves only when the test waits. Run: `cargo test -p snippets --test tokio_test_runtime`.
// As a program (the book compiles every file it shows), this file is only its `main`.
#![cfg_attr(not(test), allow(dead_code, unused_imports))]

use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};
use tokio::{
    runtime::{Handle, RuntimeFlavor},
    time::{Duration, Instant, sleep, timeout},
};

// ANCHOR: current_thread
#[tokio::test]
async fn spawned_task_runs_only_when_the_test_waits() {
    assert_eq!(
        Handle::current().runtime_flavor(),
        RuntimeFlavor::CurrentThread
    );

    let ran = Arc::new(AtomicBool::new(false));
    let flag = ran.clone();
    let task = tokio::spawn(async move { flag.store(true, Ordering::SeqCst) });

    // Blocking code holds the only thread: the task cannot start, however long this takes.
    std::thread::sleep(std::time::Duration::from_millis(100));
    assert!(!ran.load(Ordering::SeqCst));

    task.await.unwrap(); // the test waits: now the task runs
    assert!(ran.load(Ordering::SeqCst));
}
// ANCHOR_END: current_thread

// ANCHOR: block_in_place
#[tokio::test]
#[should_panic(expected = "can call blocking only when running on the multi-threaded runtime")]
async fn block_in_place_panics_on_the_test_runtime() {
    tokio::task::block_in_place(|| println!("never printed"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn block_in_place_works_on_a_multi_thread_test() {
    let (sender, receiver) = std::sync::mpsc::channel();
    tokio::spawn(async move { sender.send("from the task").unwrap() });
    let got = tokio::task::block_in_place(|| receiver.recv().unwrap());
    assert_eq!(got, "from the task");
}
// ANCHOR_END: block_in_place

// ANCHOR: retry
/// Calls `attempt` up to four times, waiting 1 s, then 2 s, then 4 s between tries.
async fn with_retries<T, E, F: Future<Output = Result<T, E>>>(
    mut attempt: impl FnMut() -> F,
) -> Result<T, E> {
    let mut wait = Duration::from_secs(1);
    for _ in 0..3 {
        if let Ok(value) = attempt().await {
            return Ok(value);
        }
        sleep(wait).await;
        wait *= 2;
    }
    attempt().await
}

#[tokio::test(start_paused = true)]
async fn retries_wait_one_two_then_four_seconds() {
    let start = Instant::now();
    let mut tried_at = Vec::new();

    let result: Result<(), &str> = with_retries(|| {
        tried_at.push(start.elapsed());
        async { Err("down") }
    })
    .await;

    assert_eq!(result, Err("down"));
    // Seven seconds on the paused clock, none of them waited for.
    assert_eq!(tried_at, [0, 1, 3, 7].map(Duration::from_secs));
}

#[tokio::test(start_paused = true)]
async fn an_hour_long_call_hits_a_five_second_limit() {
    let start = Instant::now();
    let call = sleep(Duration::from_secs(3600)); // stands for a call that hangs

    let result = timeout(Duration::from_secs(5), call).await;

    assert!(result.is_err());
    assert_eq!(start.elapsed(), Duration::from_secs(5));
}
// ANCHOR_END: retry

#[tokio::test(start_paused = true)]
async fn interval_ticks_jump_from_one_to_the_next() {
    let start = Instant::now();
    let mut ticks = tokio::time::interval(Duration::from_secs(60));
    for _ in 0..10 {
        ticks.tick().await; // the first tick comes at once
    }
    assert_eq!(start.elapsed(), Duration::from_secs(9 * 60));
}

// ANCHOR: trap
#[tokio::test(start_paused = true)]
async fn paused_clock_waits_for_spawn_blocking() {
    let start = Instant::now();
    let work = tokio::task::spawn_blocking(|| std::thread::sleep(Duration::from_millis(50)));

    let result = timeout(Duration::from_secs(1), work).await;

    assert!(result.is_ok());
    assert_eq!(start.elapsed(), Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn paused_clock_does_not_wait_for_a_thread_of_your_own() {
    let start = Instant::now();
    let (answer, mut answered) = tokio::sync::oneshot::channel();
    let (go, gate) = std::sync::mpsc::channel::<()>();
    let thread = std::thread::spawn(move || {
        gate.recv().unwrap(); // the work has not even begun...
        answer.send("done").unwrap();
    });

    let result = timeout(Duration::from_secs(3600), &mut answered).await;

    assert!(result.is_err()); // ...and the hour is already up
    assert_eq!(start.elapsed(), Duration::from_secs(3600));
    go.send(()).unwrap();
    assert_eq!(answered.await.unwrap(), "done");
    thread.join().unwrap();
}
// ANCHOR_END: trap

fn main() {}
