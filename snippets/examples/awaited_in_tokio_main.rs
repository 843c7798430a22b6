//! The fix for three first-day errors: `.await` outside async code, an `async fn main` with no
//! runtime, and a future that never runs. `#[tokio::main]` gives `main` a runtime, inside `main`
//! `.await` is allowed, and awaiting the future runs its body.
//!
//! Run it with `cargo run -p snippets --example awaited_in_tokio_main`.

use std::sync::atomic::{AtomicBool, Ordering};

static RAN: AtomicBool = AtomicBool::new(false);

// ANCHOR: fixed
async fn get_items() -> Vec<u32> {
    RAN.store(true, Ordering::SeqCst);
    vec![1, 2, 3]
}

#[tokio::main]
async fn main() {
    let items = get_items().await;
    println!("{items:?}");
    assert!(
        RAN.load(Ordering::SeqCst),
        "awaiting the future ran its body"
    );
}
// ANCHOR_END: fixed
