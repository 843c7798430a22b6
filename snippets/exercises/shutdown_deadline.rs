//! Exercise: on SIGTERM or Ctrl-C this server stops taking connections and waits for the
//! requests in flight to finish. `/wait` never finishes, so neither does the shutdown. Make the
//! server exit once `DEADLINE_MS` milliseconds (default 5000) have passed after the signal, even
//! while a request still waits. A server that cuts requests short that way says so: one line on
//! stderr, and a failure exit status.
//!
//! Check your answer: `cargo test --test exercise shutdown_deadline`

use axum::{Router, routing::get};

pub fn app() -> Router {
    Router::new().route("/wait", get(wait))
}

/// A request that waits for news that never comes, as a long poll can.
async fn wait() -> &'static str {
    std::future::pending::<()>().await;
    "news\n"
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
