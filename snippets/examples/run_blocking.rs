//! A small helper around `spawn_blocking` that hands back the closure's value itself, and lets a
//! panic in the closure carry on in the caller, as if the closure had run there.
//!
//! Run it with `cargo run -p snippets --example run_blocking`.

// ANCHOR: helper
/// Runs `f` on tokio's blocking threads and waits for its result without blocking the runtime.
async fn run_blocking<F, T>(f: F) -> T
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    match tokio::task::spawn_blocking(f).await {
        Ok(value) => value,
        // `f` panicked: carry on panicking here, as if `f` had been called directly.
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        // Cancelled: only a runtime shutting down before the task started can do that here.
        Err(error) => panic!("the blocking task was cancelled: {error}"),
    }
}
// ANCHOR_END: helper

// ANCHOR: call
/// Counts words on the blocking pool: the closure takes `text` with it.
async fn count_words(text: String) -> usize {
    run_blocking(move || text.split_whitespace().count()).await
}
// ANCHOR_END: call

#[tokio::main]
async fn main() {
    let words = count_words(String::from("one two three")).await;
    assert_eq!(words, 3);

    // The closure's panic reaches the task that awaited `run_blocking`, message and all. The
    // hook that prints panics is silenced: this panic is expected.
    std::panic::set_hook(Box::new(|_| {}));
    let task = tokio::spawn(run_blocking(|| -> usize { panic!("no words to count") }));
    let payload = task.await.expect_err("the task panicked").into_panic();
    let _ = std::panic::take_hook();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"no words to count"));

    println!("{words} words; a panic in the closure carried on in the caller");
}
