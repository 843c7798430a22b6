//! Calling async code from code that is not async. A plain function with no runtime around it
//! builds one and blocks on it. Plain code that runs on tokio's blocking pool uses the handle of
//! the runtime that is already there. Async code never blocks on a future: it awaits it.
//!
//! Run it with `cargo run -p snippets --example sync_to_async`.

use std::time::Duration;
use tokio::runtime::{Builder, Handle};

/// An async function, as a client library offers it.
async fn fetch_price(item: &str) -> u32 {
    tokio::time::sleep(Duration::from_millis(10)).await;
    item.len() as u32
}

// ANCHOR: plain
/// For code with no runtime around it: a command-line tool, a build script, a test.
fn price_blocking(item: &str) -> u32 {
    let runtime = Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("cannot start a tokio runtime");
    runtime.block_on(fetch_price(item))
}
// ANCHOR_END: plain

// ANCHOR: pool
/// Plain code, CPU-heavy, that needs one answer from async code halfway through.
fn render_invoice(items: &[&str], runtime: &Handle) -> String {
    let total: u32 = items
        .iter()
        .map(|item| runtime.block_on(fetch_price(item)))
        .sum();
    format!("{} items, {total} EUR", items.len())
}

async fn invoice() -> String {
    // Taken here, in async code, where there surely is a runtime.
    let runtime = Handle::current();
    tokio::task::spawn_blocking(move || render_invoice(&["tea", "bread"], &runtime))
        .await
        .expect("render_invoice panicked")
}
// ANCHOR_END: pool

// ANCHOR: fix
async fn handler() -> u32 {
    // Async code awaits the future.
    let price = fetch_price("tea").await;
    // Plain code that blocks on a runtime of its own gets a thread of the blocking pool.
    let same = tokio::task::spawn_blocking(|| price_blocking("tea"))
        .await
        .unwrap();
    assert_eq!(price, same);
    price
}
// ANCHOR_END: fix

// ANCHOR: main
// A plain `main`: no runtime runs yet.
fn main() {
    assert_eq!(price_blocking("tea"), 3);

    let runtime = Builder::new_multi_thread().enable_all().build().unwrap();
    assert_eq!(runtime.block_on(invoice()), "2 items, 8 EUR");
    assert_eq!(runtime.block_on(handler()), 3);
}
// ANCHOR_END: main
