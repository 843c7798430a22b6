//! Exercise: `/remind` waits half a second before it answers, and while it waits, `/check` gets
//! no answer. Make `/check` answer while `/remind` waits, and keep `/remind`'s answer.
//!
//! Check your answer: `cargo test --test exercise remind_later`

use axum::{Router, routing::get};
use std::time::Duration;

pub fn app() -> Router {
    Router::new()
        .route("/remind", get(remind))
        .route("/check", get(check))
}

async fn remind() -> &'static str {
    std::thread::sleep(Duration::from_millis(500));
    "time to stretch\n"
}

async fn check() -> &'static str {
    "OK\n"
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // Serves `app()` on 127.0.0.1:8000 until Ctrl-C or SIGTERM.
    snippets::serve(app(), 8000).await;
}
