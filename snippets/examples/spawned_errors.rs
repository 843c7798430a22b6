//! An error that crosses an `.await` in a spawned task must be `Send`: a retry loop keeps the
//! last error across its pause, so it holds a `Box<dyn Error + Send + Sync>`, and `?` still
//! boxes any error into it. With `Box<dyn Error>` the task does not compile (see
//! `snippets/compile_fail/spawn_box_dyn_error.rs`).
//!
//! Run it with `cargo run -p snippets --example spawned_errors`.

use std::time::Duration;

// ANCHOR: retry
/// `Send` to cross an `.await` in a spawned task; `Sync` too, as `axum::BoxError` is.
type BoxError = Box<dyn std::error::Error + Send + Sync>;

async fn fetch_rate(attempt: u32) -> Result<f64, BoxError> {
    if attempt < 3 {
        return Err(format!("attempt {attempt}: the rates service is busy").into());
    }
    let rate: f64 = "1.08".parse()?; // a `ParseFloatError`, boxed by `?`
    Ok(rate)
}

#[tokio::main]
async fn main() {
    let task = tokio::spawn(async {
        let mut last_error = None;
        for attempt in 1..=3 {
            match fetch_rate(attempt).await {
                Ok(rate) => return Some(rate),
                Err(error) => last_error = Some(error),
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        eprintln!("no rate: {}", last_error.unwrap());
        None
    });
    assert_eq!(task.await.unwrap(), Some(1.08)); // on the third attempt
}
// ANCHOR_END: retry
