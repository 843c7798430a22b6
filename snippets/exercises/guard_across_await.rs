//! Exercise: `/visit` counts its visitors and answers `you are visitor N`, but it does not
//! compile. Make it compile, and keep the count right: each visitor gets the next number.
//!
//! Check your answer: `cargo test --test exercise guard_across_await`

use axum::{Router, extract::State, routing::get};
use std::sync::{Arc, Mutex};

pub fn app() -> Router {
    let visitors = Arc::new(Mutex::new(0));
    Router::new().route("/visit", get(visit)).with_state(visitors)
}

async fn visit(State(visitors): State<Arc<Mutex<u64>>>) -> String {
    let mut count = visitors.lock().unwrap();
    *count += 1;
    log_visit(*count).await;
    format!("you are visitor {count}\n")
}

/// Writes the visit to a log. Writing waits: this `.await` stands for it.
async fn log_visit(number: u64) {
    tokio::task::yield_now().await;
    eprintln!("visitor {number}");
}

#[tokio::main]
async fn main() {
    // Serves `app()` on 127.0.0.1:8000 until Ctrl-C or SIGTERM.
    snippets::serve(app(), 8000).await;
}
