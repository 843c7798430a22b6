//! Calling an `async fn` runs none of its body: the body runs when the future is awaited.
//! Every step is recorded, and the program checks the order in which the steps happened.
//!
//! Run it with `cargo run -p snippets --example lazy_futures`.

use std::sync::Mutex;

static EVENTS: Mutex<Vec<&str>> = Mutex::new(Vec::new());

/// Prints an event and records it, so `main` can check the order afterwards.
fn record(event: &'static str) {
    println!("{event}");
    EVENTS.lock().unwrap().push(event);
}

// ANCHOR: get_items
async fn get_items() -> Vec<u32> {
    record("getting items...");
    vec![1, 2, 3]
}
// ANCHOR_END: get_items

// ANCHOR: call
async fn call_then_await() {
    let future = get_items();
    record("called get_items()");

    let items = future.await;
    record("awaited the future");
    assert_eq!(items, [1, 2, 3]);
}
// ANCHOR_END: call

#[tokio::main]
async fn main() {
    call_then_await().await;
    assert_eq!(
        *EVENTS.lock().unwrap(),
        [
            "called get_items()",
            "getting items...",
            "awaited the future",
        ]
    );
}
