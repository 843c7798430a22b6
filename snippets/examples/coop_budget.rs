//! tokio's cooperative budget: a task that only ever awaits futures that are ready still yields
//! now and then, so other tasks on its thread get to run. Here `main`, on a current-thread
//! runtime, drains a channel that already holds every message, so each `recv().await` is ready;
//! a task spawned before the draining starts still runs before the draining ends. Inside
//! `tokio::task::unconstrained`, which turns the budget off, it runs only after.
//!
//! Run it with `cargo run -p snippets --example coop_budget`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

const MESSAGES: usize = 1000;

/// A channel that already holds all its messages, so no `recv().await` ever has to wait.
fn full_channel() -> mpsc::Receiver<usize> {
    let (sender, receiver) = mpsc::channel(MESSAGES);
    for n in 0..MESSAGES {
        sender.try_send(n).unwrap();
    }
    receiver
}

// ANCHOR: budget
/// Spawns a task that reports how many messages had been received when it ran.
fn spawn_observer(received: &Arc<AtomicUsize>) -> JoinHandle<usize> {
    let received = Arc::clone(received);
    tokio::spawn(async move { received.load(Ordering::SeqCst) })
}
// ANCHOR_END: budget

// ANCHOR: budget
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let received = Arc::new(AtomicUsize::new(0));
    let mut messages = full_channel();
    let observer = spawn_observer(&received);
    while let Some(_message) = messages.recv().await {
        received.fetch_add(1, Ordering::SeqCst);
    }
    let seen = observer.await.unwrap();
    println!("the other task ran after {seen} of {MESSAGES} messages");
    // It ran while main was draining: after 128 messages, tokio's budget for one poll.
    assert_eq!(seen, 128);
    // ANCHOR_END: budget

    // ANCHOR: unconstrained
    let received = Arc::new(AtomicUsize::new(0));
    let mut messages = full_channel();
    let observer = spawn_observer(&received);
    tokio::task::unconstrained(async {
        while let Some(_message) = messages.recv().await {
            received.fetch_add(1, Ordering::SeqCst);
        }
    })
    .await;
    let seen = observer.await.unwrap();
    println!("without the budget, it ran after {seen} of {MESSAGES} messages");
    assert_eq!(
        seen, MESSAGES,
        "it ran only once main had drained the channel"
    );
    // ANCHOR_END: unconstrained
}
