//! Shared state in an axum server: every handler reaches the same `AppState` through the `State`
//! extractor. `POST /visits` counts a visit and answers the new count; `GET /visits` reads it.
//!
//! Run it with `cargo run -p snippets --example shared_state`, then, from another terminal,
//! `curl -X POST http://127.0.0.1:3000/visits`. Stop it with Ctrl-C. Set `PORT` to pick another
//! port.

use std::sync::{Arc, Mutex};

use axum::{Router, extract::State, routing::post};

// ANCHOR: state
/// What every handler shares. Cloning it clones the `Arc`s: each handler gets a handle to the
/// same counter, not a copy of it.
#[derive(Clone)]
pub struct AppState {
    visits: Arc<Mutex<u64>>,
    site: Arc<str>,
}
// ANCHOR_END: state

// ANCHOR: app
pub fn app() -> Router {
    let state = AppState {
        visits: Arc::new(Mutex::new(0)),
        site: Arc::from("the crash course"),
    };
    Router::new()
        .route("/visits", post(visit).get(visits))
        .with_state(state)
}
// ANCHOR_END: app

// ANCHOR: handlers
async fn visit(State(state): State<AppState>) -> String {
    let count = {
        let mut visits = state.visits.lock().unwrap();
        *visits += 1;
        *visits
    }; // the guard is dropped here, before anything else happens
    format!("visit {count} to {}", state.site)
}

async fn visits(State(state): State<AppState>) -> String {
    let count = *state.visits.lock().unwrap();
    format!("{count} visits to {}", state.site)
}
// ANCHOR_END: handlers

#[tokio::main]
async fn main() {
    // Serves `app()` on 127.0.0.1:3000 until Ctrl-C or SIGTERM: see "Stopping a server".
    snippets::serve(app(), 3000).await;
}
