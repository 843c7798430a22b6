//! A bounded `mpsc` channel holds at most its capacity: a producer faster than its consumer
//! waits at `send` until the consumer takes a message. With room for two, the log shows the
//! producer never more than two messages ahead; with room for five, it sends all five first.
//!
//! Run it with `cargo run -p snippets --example backpressure`.

use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

// ANCHOR: backpressure
/// Sends 1 to 5 through a channel with room for `capacity`; returns who did what, in order.
async fn send_five(capacity: usize) -> String {
    let log = Arc::new(Mutex::new(Vec::new()));
    let (tx, mut rx) = mpsc::channel(capacity);

    let producer_log = log.clone();
    let producer = tokio::spawn(async move {
        for n in 1..=5 {
            tx.send(n).await.unwrap(); // waits while the channel is full
            producer_log.lock().unwrap().push(format!("sent {n}"));
        }
    });

    tokio::task::yield_now().await; // let the producer run ahead
    while let Some(n) = rx.recv().await {
        log.lock().unwrap().push(format!("received {n}"));
    }
    producer.await.unwrap();
    log.lock().unwrap().join(", ")
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let log = send_five(2).await;
    println!("{log}");
    assert_eq!(
        log,
        "sent 1, sent 2, received 1, received 2, sent 3, sent 4, received 3, received 4, \
         sent 5, received 5"
    );
    let log = send_five(5).await;
    assert!(log.starts_with("sent 1, sent 2, sent 3, sent 4, sent 5, received 1"));
}
// ANCHOR_END: backpressure
