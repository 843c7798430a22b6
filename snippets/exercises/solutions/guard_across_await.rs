//! Solution of the exercise `guard_across_await`: the guard lives in a block of its own, which
//! takes the number and ends before the `.await`.

use axum::{Router, extract::State, routing::get};
use std::sync::{Arc, Mutex};

pub fn app() -> Router {
    let visitors = Arc::new(Mutex::new(0));
    Router::new().route("/visit", get(visit)).with_state(visitors)
}

// ANCHOR: answer
async fn visit(State(visitors): State<Arc<Mutex<u64>>>) -> String {
    let number = {
        let mut count = visitors.lock().unwrap();
        *count += 1;
        *count
    }; // the guard is dropped here
    log_visit(number).await;
    format!("you are visitor {number}\n")
}
// ANCHOR_END: answer

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
