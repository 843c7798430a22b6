//! The words of async Rust, in code: a synchronous function, an asynchronous function, and the
//! future an asynchronous function returns, which is a value like any other.
//!
//! Run it with `cargo run -p snippets --example futures_are_values`.

use std::future::Future;

// ANCHOR: sync_fn
fn get_attendees() -> Vec<&'static str> {
    vec!["John", "Mary", "Isabella"]
}
// ANCHOR_END: sync_fn

// ANCHOR: async_fn
async fn get_attendees_async() -> Vec<&'static str> {
    vec!["John", "Mary", "Isabella"]
}
// ANCHOR_END: async_fn

// Clippy would rather we wrote `async fn`: this function spells out what `async fn` means.
#[allow(clippy::manual_async_fn)]
// ANCHOR: desugared
fn get_attendees_desugared() -> impl Future<Output = Vec<&'static str>> {
    async move { vec!["John", "Mary", "Isabella"] }
}
// ANCHOR_END: desugared

// ANCHOR: value
async fn futures_are_values() {
    let future = get_attendees_async();
    let type_name = std::any::type_name_of_val(&future);
    println!("{type_name}");
    // The compiler names the type after the function that made it.
    assert!(type_name.contains("get_attendees_async"));

    // A future is a value: it can be moved, stored and awaited later.
    let stored = vec![future, get_attendees_async()];
    for future in stored {
        assert_eq!(future.await, ["John", "Mary", "Isabella"]);
    }
}
// ANCHOR_END: value

#[tokio::main]
async fn main() {
    assert_eq!(get_attendees(), ["John", "Mary", "Isabella"]);
    assert_eq!(get_attendees_async().await, get_attendees());
    assert_eq!(get_attendees_desugared().await, get_attendees());
    futures_are_values().await;
}
