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
async fn main() -> std::io::Result<()> {
    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".to_string());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    let stop = shutdown_signal()?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app())
        .with_graceful_shutdown(stop)
        .await
}

// ANCHOR: shutdown_signal
/// Listens for Ctrl-C (SIGINT) and for SIGTERM, which `kill`, `docker stop`, systemd and
/// Kubernetes send, from the moment it is called. The future completes at the first of them.
fn shutdown_signal() -> std::io::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}
// ANCHOR_END: shutdown_signal
