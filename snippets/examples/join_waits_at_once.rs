//! `tokio::join!` waits for two futures at once: the second asks for its answer while the first
//! is still waiting for its own. Awaited one after the other, the second would not even ask until
//! the first had its answer. Every step is recorded, and `main` checks both orders.
//!
//! Run it with `cargo run -p snippets --example join_waits_at_once`.

use std::sync::Mutex;
use std::time::Duration;

static EVENTS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Prints an event and records it, so `main` can check the order afterwards.
fn record(event: String) {
    println!("{event}");
    EVENTS.lock().unwrap().push(event);
}

/// The events recorded so far, leaving none behind.
fn events() -> Vec<String> {
    std::mem::take(&mut *EVENTS.lock().unwrap())
}

// ANCHOR: fetch
/// Asks another service for `what`, and waits for its answer.
async fn fetch(what: &str) -> String {
    record(format!("asking for {what}"));
    tokio::time::sleep(Duration::from_millis(100)).await;
    record(format!("got {what}"));
    format!("{what}: 42")
}
// ANCHOR_END: fetch

// ANCHOR: join
async fn price_and_stock() -> (String, String) {
    tokio::join!(fetch("price"), fetch("stock"))
}
// ANCHOR_END: join

#[tokio::main]
async fn main() {
    let price = fetch("price").await;
    let stock = fetch("stock").await;
    assert_eq!((price.as_str(), stock.as_str()), ("price: 42", "stock: 42"));
    let in_turn = [
        "asking for price",
        "got price",
        "asking for stock",
        "got stock",
    ];
    assert_eq!(events(), in_turn);

    let (price, stock) = price_and_stock().await;
    assert_eq!((price.as_str(), stock.as_str()), ("price: 42", "stock: 42"));
    // Both asked before either answer came; the answers, in whichever order they came.
    let events = events();
    assert_eq!(events[..2], ["asking for price", "asking for stock"]);
    let mut answers = events[2..].to_vec();
    answers.sort();
    assert_eq!(answers, ["got price", "got stock"]);
}
