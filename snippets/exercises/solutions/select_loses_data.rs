//! Solution of the exercise `select_loses_data`: the `select!` waits only on `recv()`, which
//! takes a message only when it returns it; the checking happens after, where no other branch
//! can cancel it.

use tokio::sync::mpsc;

// ANCHOR: answer
/// Checks a message. Checking waits (think of a call to another service): this `.await`
/// stands for it.
async fn check(message: String) -> String {
    tokio::task::yield_now().await;
    message
}

#[tokio::main]
async fn main() {
    let (send, mut messages) = mpsc::channel(6);
    let (flush, mut flushes) = mpsc::channel(3);
    for n in 1..=6 {
        send.send(format!("message {n}")).await.unwrap();
    }
    for _ in 1..=3 {
        flush.send(()).await.unwrap();
    }
    drop((send, flush));

    let mut saved = Vec::new();
    loop {
        tokio::select! {
            // Try the branches in the order written, so that every run does the same.
            biased;
            Some(message) = messages.recv() => saved.push(check(message).await),
            Some(()) = flushes.recv() => println!("flush: {} saved", saved.len()),
            else => break,
        }
    }
    println!("saved: {}", saved.join(", "));
}
// ANCHOR_END: answer
