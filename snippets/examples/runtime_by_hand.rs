//! What `#[tokio::main]` stands for: build a tokio runtime, then hand it the async code with
//! `block_on`, which runs it to the end and returns its output.
//!
//! Run it with `cargo run -p snippets --example runtime_by_hand`.

async fn get_items() -> Vec<u32> {
    vec![1, 2, 3]
}

// ANCHOR: main
fn main() -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;

    // `block_on` blocks this thread until the future has finished, and returns its output.
    let items = runtime.block_on(async { get_items().await });

    assert_eq!(items, [1, 2, 3]);
    println!("{items:?}");
    Ok(())
}
// ANCHOR_END: main
