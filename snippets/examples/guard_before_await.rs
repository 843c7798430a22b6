//! Two ways to fix a handler that holds a `std::sync::MutexGuard` across an `.await`: end the
//! guard's scope before the `.await`, or use tokio's `Mutex`. Both handlers are routed, so both
//! are valid axum handlers; the program then calls each one and checks what it answers.
//!
//! Run it with `cargo run -p snippets --example guard_before_await`.

use std::sync::{Arc, Mutex};

use axum::{Router, extract::State, routing::post};

#[derive(Clone, Default)]
struct AppState {
    visits: Arc<Mutex<u64>>,
    log: Arc<tokio::sync::Mutex<Vec<u64>>>,
}

async fn record_visit() {}

// ANCHOR: scoped
async fn visit(State(state): State<AppState>) -> String {
    let count = {
        let mut visits = state.visits.lock().unwrap();
        *visits += 1;
        *visits
    }; // the guard is dropped here
    record_visit().await;
    count.to_string()
}
// ANCHOR_END: scoped

// ANCHOR: tokio_mutex
async fn visit_and_log(State(state): State<AppState>) -> String {
    let mut log = state.log.lock().await; // tokio's guard may be held across .await
    let count = log.len() as u64 + 1;
    record_visit().await;
    log.push(count);
    count.to_string()
}
// ANCHOR_END: tokio_mutex

#[tokio::main]
async fn main() {
    // Routing them is the check: a handler whose future is not `Send` does not compile here.
    let state = AppState::default();
    let _app: Router = Router::new()
        .route("/visits", post(visit))
        .route("/logged-visits", post(visit_and_log))
        .with_state(state.clone());

    assert_eq!(visit(State(state.clone())).await, "1");
    assert_eq!(visit(State(state.clone())).await, "2");
    assert_eq!(visit_and_log(State(state.clone())).await, "1");
    assert_eq!(*state.log.lock().await, [1]);
    println!("both handlers answer");
}
