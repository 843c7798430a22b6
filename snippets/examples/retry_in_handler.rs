//! Two ways out of "implementation of `Send` is not general enough" for a handler that retries
//! with an async closure: let the closure own what it uses (`async move ||`), or take a closure
//! that returns a future (`F: Fn() -> Fut`) in the helper. Both handlers are routed (axum checks
//! that their futures are `Send`), spawned, and run.
//!
//! Run it with `cargo run -p snippets --example retry_in_handler`.

use axum::{Router, extract::Path, routing::get};

/// Calls `attempt` until it gives a value, at most three times.
async fn retry<T>(attempt: impl AsyncFn() -> Option<T>) -> Option<T> {
    for _ in 0..3 {
        if let Some(value) = attempt().await {
            return Some(value);
        }
    }
    None
}

async fn lookup(name: &str) -> Option<usize> {
    tokio::task::yield_now().await;
    Some(name.len())
}

// ANCHOR: owned
async fn length(Path(name): Path<String>) -> String {
    let found = retry(async move || lookup(&name).await).await;
    format!("{found:?}\n")
}
// ANCHOR_END: owned

// ANCHOR: returns_future
/// The same helper, for a closure that returns a future.
async fn retry_fn<T, F, Fut>(attempt: F) -> Option<T>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    for _ in 0..3 {
        if let Some(value) = attempt().await {
            return Some(value);
        }
    }
    None
}

async fn length_fn(Path(name): Path<String>) -> String {
    let found = retry_fn(|| lookup(&name)).await;
    format!("{found:?} for {name}\n")
}
// ANCHOR_END: returns_future

#[tokio::main]
async fn main() {
    let _app: Router = Router::new()
        .route("/length/{name}", get(length))
        .route("/length-fn/{name}", get(length_fn));
    let owned = tokio::spawn(length(Path("ferris".to_string())));
    let returns_future = tokio::spawn(length_fn(Path("corro".to_string())));
    assert_eq!(owned.await.unwrap(), "Some(6)\n");
    assert_eq!(returns_future.await.unwrap(), "Some(5) for corro\n");
    println!("both handlers are Send, and both found the length");
}
