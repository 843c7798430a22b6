//! `tokio::time::timeout` puts a time limit on a future. It fires while the future waits at an
//! `.await`. It cannot interrupt blocking code: around a blocking call it fires late, at the first
//! `.await` after the call that waits, and if the future returns after the blocking call without
//! waiting, it never fires: the value comes back, late, as if there were no limit. Handed to
//! `spawn_blocking`, the same kind of call can be timed out, but it runs on to its end.
//!
//! Run it with `cargo run -p snippets --example timeouts`.

use std::sync::Mutex;
use std::time::Duration;
use tokio::time::timeout;

static EVENTS: Mutex<Vec<&str>> = Mutex::new(Vec::new());

/// Prints an event and records it, so `main` can check the order afterwards.
fn record(event: &'static str) {
    println!("{event}");
    EVENTS.lock().unwrap().push(event);
}

/// The events recorded so far, leaving none behind.
fn events() -> Vec<&'static str> {
    std::mem::take(&mut *EVENTS.lock().unwrap())
}

// ANCHOR: fires
/// Asks a service that takes an hour to answer.
async fn fetch_price() -> u32 {
    tokio::time::sleep(Duration::from_secs(3600)).await;
    42
}
// ANCHOR_END: fires

// ANCHOR: fires_late
/// A blocking call of half a second, then a wait for a service that takes an hour.
async fn fetch_price_blocking_then_waiting() -> u32 {
    std::thread::sleep(Duration::from_millis(500));
    record("blocking call ended");
    tokio::time::sleep(Duration::from_secs(3600)).await;
    record("service answered");
    42
}
// ANCHOR_END: fires_late

// ANCHOR: never_fires
/// The same, with a blocking call where the `.await` was: half a second this time.
async fn fetch_price_blocking() -> u32 {
    std::thread::sleep(Duration::from_millis(500));
    record("blocking call ended");
    42
}
// ANCHOR_END: never_fires

#[tokio::main]
async fn main() {
    // ANCHOR: fires
    let limit = Duration::from_millis(100);
    let price = timeout(limit, fetch_price()).await;
    assert!(price.is_err(), "the time limit fired");
    // ANCHOR_END: fires

    // ANCHOR: fires_late
    let price = timeout(limit, fetch_price_blocking_then_waiting()).await;
    record("timeout returned");
    // The limit fired only once the blocking call had ended, at the `.await` after it;
    // the code after that `.await` never ran.
    assert!(price.is_err(), "the time limit fired");
    assert_eq!(events(), ["blocking call ended", "timeout returned"]);
    // ANCHOR_END: fires_late

    // ANCHOR: never_fires
    let price = timeout(limit, fetch_price_blocking()).await;
    record("timeout returned");
    // Five times over the limit, and still no error: the price came back.
    assert_eq!(price, Ok(42));
    assert_eq!(events(), ["blocking call ended", "timeout returned"]);
    // ANCHOR_END: never_fires

    limit_a_call_on_the_blocking_pool(limit).await;
}

// ANCHOR: moved
async fn limit_a_call_on_the_blocking_pool(limit: Duration) {
    // Here the blocking call waits until `finish` is sent, so it surely outlasts the limit.
    let (finish, finished) = std::sync::mpsc::channel::<()>();
    let mut lookup = tokio::task::spawn_blocking(move || {
        finished.recv().ok();
        record("blocking call ended");
        42
    });
    let price = timeout(limit, &mut lookup).await;
    record("timeout returned");
    assert!(price.is_err(), "the time limit fired");

    // The blocking call was not stopped: it still ends, and its value is still there.
    finish.send(()).unwrap();
    assert_eq!(lookup.await.unwrap(), 42);
    assert_eq!(events(), ["timeout returned", "blocking call ended"]);
}
// ANCHOR_END: moved
