//! The mistake: async code calls a plain function that starts a runtime and blocks on it. tokio
//! refuses, with the panic "Cannot start a runtime from within a runtime".
//!
//! Run it with `cargo run -p snippets --example runtime_in_runtime`: it panics.

use std::time::Duration;
use tokio::runtime::Builder;

async fn fetch_price(item: &str) -> u32 {
    tokio::time::sleep(Duration::from_millis(10)).await;
    item.len() as u32
}

// ANCHOR: mistake
/// Fine in plain code, where no runtime runs.
pub fn price_blocking(item: &str) -> u32 {
    let runtime = Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("cannot start a tokio runtime");
    runtime.block_on(fetch_price(item))
}

#[tokio::main]
async fn main() {
    // Async code, on a thread that runs a runtime: `block_on` panics.
    let price = price_blocking("tea");
    println!("{price}");
}
// ANCHOR_END: mistake
