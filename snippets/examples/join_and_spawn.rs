//! Two ways to run futures side by side: `tokio::join!` awaits several futures at once, and
//! `tokio::spawn` hands a future to the runtime, which runs it in the background as a task.
//!
//! In both halves, one future waits for a message that only the other one sends. Awaited one
//! after the other, the first would wait forever; each half finishes only because both run at once.
//!
//! Run it with `cargo run -p snippets --example join_and_spawn`.

use tokio::sync::oneshot;

// ANCHOR: kitchen
/// Waits until the order arrives, then serves it.
async fn serve_order(order: oneshot::Receiver<&'static str>) -> String {
    let dish = order.await.expect("the order was never sent");
    format!("here is your {dish}")
}

/// Sends the order to whoever waits for it.
async fn take_order(order: oneshot::Sender<&'static str>) -> &'static str {
    order.send("bocadillo").expect("nobody waits for the order");
    "order taken"
}
// ANCHOR_END: kitchen

// ANCHOR: join
async fn with_join() {
    let (sender, receiver) = oneshot::channel();
    let (served, taken) = tokio::join!(serve_order(receiver), take_order(sender));
    assert_eq!(served, "here is your bocadillo");
    assert_eq!(taken, "order taken");
}
// ANCHOR_END: join

// ANCHOR: spawn
async fn with_spawn() -> Result<(), tokio::task::JoinError> {
    let (sender, receiver) = oneshot::channel();
    // The task is scheduled now, awaited or not; it runs once a thread of the runtime is free.
    let task = tokio::spawn(take_order(sender));
    assert_eq!(serve_order(receiver).await, "here is your bocadillo");
    // Awaiting the task's handle gives back its output.
    assert_eq!(task.await?, "order taken");
    Ok(())
}
// ANCHOR_END: spawn

#[tokio::main]
async fn main() -> Result<(), tokio::task::JoinError> {
    with_join().await;
    with_spawn().await?;
    println!("served twice");
    Ok(())
}
