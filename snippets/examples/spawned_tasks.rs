//! What `tokio::spawn` does with a task, shown on a current-thread runtime (the one
//! `#[tokio::test]` gives you): the task is scheduled at once but runs only when the spawner
//! gives the thread back, at an `.await` that waits; dropping its `JoinHandle` does not stop it;
//! `abort()` does.
//!
//! Run it with `cargo run -p snippets --example spawned_tasks`.

use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::oneshot;

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

// ANCHOR: current_thread
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let task = tokio::spawn(async {
        record("task ran");
    });
    record("spawned");
    // The spawner goes on without an `.await`: the one thread is still its own.
    std::thread::sleep(Duration::from_millis(50));
    record("spawner still running");
    task.await.unwrap(); // the spawner waits: now the task runs
    record("spawner resumed");
    assert_eq!(
        events(),
        [
            "spawned",
            "spawner still running",
            "task ran",
            "spawner resumed"
        ]
    );
    // ANCHOR_END: current_thread

    dropping_the_handle_does_not_stop_the_task().await;
    abort_stops_the_task().await;
}

// ANCHOR: detached
async fn dropping_the_handle_does_not_stop_the_task() {
    let (started, wait_for_start) = oneshot::channel::<()>();
    let (go, wait_for_go) = oneshot::channel::<()>();
    let (done, wait_for_done) = oneshot::channel::<()>();
    let handle = tokio::spawn(async move {
        record("task started");
        started.send(()).unwrap();
        wait_for_go.await.unwrap();
        record("task finished");
        done.send(()).unwrap();
    });
    wait_for_start.await.unwrap(); // the task now waits for `go`
    drop(handle);
    record("handle dropped");
    go.send(()).unwrap();
    wait_for_done.await.unwrap(); // the task still runs to its end
    assert_eq!(
        events(),
        ["task started", "handle dropped", "task finished"]
    );
    // ANCHOR_END: detached
}

// ANCHOR: abort
async fn abort_stops_the_task() {
    let (started, wait_for_start) = oneshot::channel::<()>();
    let (go, wait_for_go) = oneshot::channel::<()>();
    let handle = tokio::spawn(async move {
        record("task started");
        started.send(()).unwrap();
        wait_for_go.await.unwrap();
        record("task's next step"); // never happens
    });
    wait_for_start.await.unwrap(); // the task now waits for `go`
    handle.abort();
    record("task aborted");
    let error = handle.await.unwrap_err();
    assert!(error.is_cancelled());
    // The task, and the receiver it held, are gone: nobody is left to hear `go`.
    assert!(go.send(()).is_err());
    assert_eq!(events(), ["task started", "task aborted"]);
}
// ANCHOR_END: abort
