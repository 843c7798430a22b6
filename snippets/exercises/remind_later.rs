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
