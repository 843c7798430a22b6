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
