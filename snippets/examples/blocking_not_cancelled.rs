//! A `spawn_blocking` closure that waits in the queue, because every blocking thread is busy, is
//! not cancelled when its `JoinHandle` is dropped: it still runs once a thread is free. Only
//! `abort()` on its handle, before it starts, keeps it from running. The runtime here has one
//! blocking thread, so a second closure has to queue.
//!
//! Run it with `cargo run -p snippets --example blocking_not_cancelled`.

use std::sync::{Mutex, mpsc};

use tokio::sync::oneshot;
use tokio::task::{JoinHandle, spawn_blocking};

static EVENTS: Mutex<Vec<&str>> = Mutex::new(Vec::new());

/// Prints an event and records it, so the program can check the order afterwards.
fn record(event: &'static str) {
    println!("{event}");
    EVENTS.lock().unwrap().push(event);
}

/// The events recorded so far, leaving none behind.
fn events() -> Vec<&'static str> {
    std::mem::take(&mut *EVENTS.lock().unwrap())
}

/// Takes the pool's one blocking thread until `release` is sent; returns once it is taken.
async fn occupy_the_blocking_thread() -> (mpsc::Sender<()>, JoinHandle<()>) {
    let (release, wait_for_release) = mpsc::channel::<()>();
    let (started, wait_for_start) = oneshot::channel::<()>();
    let busy = spawn_blocking(move || {
        started.send(()).unwrap();
        wait_for_release.recv().unwrap();
    });
    wait_for_start.await.unwrap();
    (release, busy)
}

// ANCHOR: queued
/// A runtime whose blocking pool has one thread, so a second closure has to queue.
fn runtime_with_one_blocking_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .max_blocking_threads(1)
        .build()
        .unwrap()
}

async fn dropped_handle_does_not_cancel_a_queued_closure() {
    let (release, busy) = occupy_the_blocking_thread().await;
    let (ran, wait_for_run) = oneshot::channel::<()>();
    let queued = spawn_blocking(move || {
        record("queued closure ran");
        ran.send(()).unwrap();
    });
    drop(queued); // it has not started: it waits for the one thread
    record("handle dropped");
    release.send(()).unwrap();
    wait_for_run.await.unwrap(); // it still runs
    busy.await.unwrap();
    assert_eq!(events(), ["handle dropped", "queued closure ran"]);
}
// ANCHOR_END: queued

// ANCHOR: abort_queued
async fn abort_keeps_a_queued_closure_from_running() {
    let (release, busy) = occupy_the_blocking_thread().await;
    let queued = spawn_blocking(|| record("queued closure ran"));
    queued.abort(); // it has not started: it never will
    record("queued closure aborted");
    release.send(()).unwrap();
    busy.await.unwrap();
    let error = queued.await.unwrap_err();
    assert!(error.is_cancelled());
    assert_eq!(events(), ["queued closure aborted"]);
}
// ANCHOR_END: abort_queued

fn main() {
    let runtime = runtime_with_one_blocking_thread();
    runtime.block_on(dropped_handle_does_not_cancel_a_queued_closure());
    runtime.block_on(abort_keeps_a_queued_closure_from_running());
}
