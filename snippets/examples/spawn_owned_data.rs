//! What `tokio::spawn` asks of a future: `Send` (it may move between worker threads) and
//! `'static` (it may outlive the function that spawned it). `Arc` instead of `Rc` gives the first;
//! `move`, with a clone of what the caller still needs, gives the second.
//!
//! Run it with `cargo run -p snippets --example spawn_owned_data`.

use std::sync::Arc;

// ANCHOR: arc
async fn count_in_a_task() -> usize {
    let task = tokio::spawn(async {
        let names = Arc::new(vec!["ferris", "corro"]);
        tokio::task::yield_now().await;
        names.len()
    });
    task.await.unwrap()
}
// ANCHOR_END: arc

// ANCHOR: move
async fn count_and_keep() -> usize {
    let names = Arc::new(vec!["ferris", "corro"]);
    let task = tokio::spawn({
        let names = Arc::clone(&names); // the task owns this handle
        async move { names.len() }
    });
    let counted = task.await.unwrap();
    println!("{} names, still usable here", names.len());
    counted
}
// ANCHOR_END: move

#[tokio::main]
async fn main() {
    assert_eq!(count_in_a_task().await, 2);
    assert_eq!(count_and_keep().await, 2);
}
