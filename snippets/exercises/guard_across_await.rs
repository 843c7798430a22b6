//! Exercise: `/visit` counts its visitors and answers `you are visitor N`, but it does not
//! compile. Make it compile, and keep the count right: each visitor gets the next number.
//!
//! Check your answer: `cargo test --test exercise guard_across_await`

use axum::{Router, extract::State, routing::get};
use std::sync::{Arc, Mutex};

pub fn app() -> Router {
    let visitors = Arc::new(Mutex::new(0));
    Router::new()
        .route("/visit", get(visit))
        .with_state(visitors)
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
async fn main() -> std::io::Result<()> {
    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".to_string());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    let stop = shutdown_signal()?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app())
        .with_graceful_shutdown(stop)
        .await
}

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
