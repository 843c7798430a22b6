//! Async is for waiting: ten thousand tasks wait at the same time on a runtime with one thread.
//! Each task waits at a barrier that opens only when all of them are there, so they really
//! were all waiting at once; then each records the thread it ran on.
//!
//! Run: `cargo run -p snippets --example many_waiting`

use std::{collections::HashSet, sync::Arc, thread};
use tokio::{sync::Barrier, task::JoinSet};

// ANCHOR: main
const TASKS: usize = 10_000;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // Opens when TASKS tasks and main are all waiting at it.
    let barrier = Arc::new(Barrier::new(TASKS + 1));
    let mut tasks = JoinSet::new();
    for _ in 0..TASKS {
        let barrier = barrier.clone();
        tasks.spawn(async move {
            barrier.wait().await; // the thread serves the others meanwhile
            thread::current().id()
        });
    }
    barrier.wait().await;
    let threads: HashSet<_> = tasks.join_all().await.into_iter().collect();
    println!("{TASKS} tasks waited at once, on {} thread", threads.len());
    assert_eq!(threads.len(), 1);
}
// ANCHOR_END: main
