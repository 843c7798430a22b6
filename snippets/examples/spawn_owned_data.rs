//! What `tokio::spawn` asks of a future: `Send` (it may move between worker threads) and
//! `'static` (it may outlive the function that spawned it). `Arc` instead of `Rc` gives the first;
//! `move`, with a clone of what the caller still needs, gives the second.
//!
//! Run it with `cargo run -p snippets --example spawn_owned_data`.

use std::sync::Arc;

#[tokio::main]
async fn main() {
    // ANCHOR: arc
    let task = tokio::spawn(async {
        let names = Arc::new(vec!["ferris", "corro"]);
        tokio::task::yield_now().await;
        names.len()
    });
    assert_eq!(task.await.unwrap(), 2);
    // ANCHOR_END: arc

    // ANCHOR: move
    let names = Arc::new(vec!["ferris", "corro"]);
    let task = tokio::spawn({
        let names = Arc::clone(&names); // the task owns this handle
        async move { names.len() }
    });
    assert_eq!(task.await.unwrap(), 2);
    println!("{} names, still usable here", names.len());
    // ANCHOR_END: move
}
