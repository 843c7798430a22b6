//! Three ways to keep a spawned task from outliving what it was for: a `JoinSet` aborts its
//! tasks when it is dropped, tokio-util's `AbortOnDropHandle` aborts its one task when it is
//! dropped, and a `CancellationToken` asks a task to stop at a point the task chooses.
//!
//! Run: `cargo run -p snippets --example structured_tasks` (it asserts what it shows, and prints
//! each outcome).

use std::time::Duration;
use tokio::{sync::oneshot, task::JoinSet};
use tokio_util::{sync::CancellationToken, task::AbortOnDropHandle};

/// Longer than any run of this program: a task that waits this long is only ever stopped.
const HOUR: Duration = Duration::from_secs(3600);

/// Tells its receiver how a task ended: "finished", or "dropped" if its future was dropped
/// before it got there, which is what aborting a task does.
struct Outcome(Option<oneshot::Sender<&'static str>>);

impl Drop for Outcome {
    fn drop(&mut self) {
        if let Some(tell) = self.0.take() {
            tell.send("dropped").ok();
        }
    }
}

fn outcome() -> (Outcome, oneshot::Receiver<&'static str>) {
    let (tell, told) = oneshot::channel();
    (Outcome(Some(tell)), told)
}

async fn slow_work(mut outcome: Outcome) {
    tokio::time::sleep(HOUR).await;
    outcome.0.take().unwrap().send("finished").ok();
}

#[tokio::main]
async fn main() {
    join_set_aborts_its_tasks_when_dropped().await;
    println!("JoinSet dropped: its task was dropped");
    abort_on_drop_handle_aborts_its_task_when_dropped().await;
    println!("AbortOnDropHandle dropped: its task was dropped");
    token_stops_a_task_after_its_round().await;
    println!("CancellationToken cancelled: the task stopped after its round");
}

// ANCHOR: join_set
async fn join_set_aborts_its_tasks_when_dropped() {
    let (work, ended) = outcome();
    let mut tasks = JoinSet::new();
    tasks.spawn(slow_work(work));
    drop(tasks); // aborts every task still in the set
    assert_eq!(ended.await.unwrap(), "dropped");
}
// ANCHOR_END: join_set

// ANCHOR: abort_on_drop
async fn abort_on_drop_handle_aborts_its_task_when_dropped() {
    let (work, ended) = outcome();
    let task = AbortOnDropHandle::new(tokio::spawn(slow_work(work)));
    drop(task); // a plain `JoinHandle` would let the task run on
    assert_eq!(ended.await.unwrap(), "dropped");
}
// ANCHOR_END: abort_on_drop

// ANCHOR: token
async fn token_stops_a_task_after_its_round() {
    let stop = CancellationToken::new();
    let (started, round_started) = oneshot::channel();
    let (go_on, may_finish) = oneshot::channel::<()>();
    let task = tokio::spawn({
        let stop = stop.clone();
        async move {
            started.send(()).ok();
            may_finish.await.ok(); // the round's work
            // The task looks at the token between rounds, where stopping loses nothing.
            if stop.is_cancelled() {
                "stopped after its round"
            } else {
                "went on"
            }
        }
    });
    round_started.await.unwrap();
    stop.cancel(); // the round in progress is not interrupted...
    go_on.send(()).unwrap();
    assert_eq!(task.await.unwrap(), "stopped after its round"); // ...and is the last
}
// ANCHOR_END: token
