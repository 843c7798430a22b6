//! Solution of the exercise `remind_later`: `tokio::time::sleep` waits without holding the
//! thread, where `std::thread::sleep` held it.

use axum::{Router, routing::get};
use std::time::Duration;

pub fn app() -> Router {
    Router::new()
        .route("/remind", get(remind))
        .route("/check", get(check))
}

// ANCHOR: answer
async fn remind() -> &'static str {
    tokio::time::sleep(Duration::from_millis(500)).await;
    "time to stretch\n"
}
// ANCHOR_END: answer

async fn check() -> &'static str {
    "OK\n"
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // Serves `app()` on 127.0.0.1:8000 until Ctrl-C or SIGTERM.
    snippets::serve(app(), 8000).await;
}
