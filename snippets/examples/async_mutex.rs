//! When a lock must be held across an `.await`, use tokio's `Mutex`: two tasks each write a
//! two-part entry to a shared log, pausing between the parts, and the lock keeps each entry whole.
//!
//! Run it with `cargo run -p snippets --example async_mutex`.

use std::sync::Arc;

use tokio::sync::Mutex;

// ANCHOR: write_entry
/// Writes `who`'s entry in two steps, with an `.await` between them. The guard lives across that
/// `.await`, so no other task can write in the middle of the entry.
async fn write_entry(log: Arc<Mutex<Vec<String>>>, who: &str) {
    let mut log = log.lock().await;
    log.push(format!("{who}: begin"));
    tokio::task::yield_now().await; // another task runs here, and waits for the lock
    log.push(format!("{who}: end"));
}
// ANCHOR_END: write_entry

// ANCHOR: main
/// Two tasks write their entries to one log at the same time.
async fn two_writers() -> Vec<String> {
    let log = Arc::new(Mutex::new(Vec::new()));
    let first = tokio::spawn(write_entry(Arc::clone(&log), "first"));
    let second = tokio::spawn(write_entry(Arc::clone(&log), "second"));
    first.await.unwrap();
    second.await.unwrap();
    let log = log.lock().await;
    log.clone()
}
// ANCHOR_END: main

#[tokio::main]
async fn main() {
    let log = two_writers().await;
    println!("{log:#?}");
    // Whichever task went first, its two lines are together.
    let writer = |line: &String| line.split(':').next().unwrap().to_owned();
    assert_eq!(writer(&log[0]), writer(&log[1]));
    assert_eq!(writer(&log[2]), writer(&log[3]));
    assert_ne!(writer(&log[0]), writer(&log[2]));
}
