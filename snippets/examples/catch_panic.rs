//! A handler that panics. Without help, the client's connection is closed with no answer; with
//! tower-http's `CatchPanicLayer`, the client gets `500 Internal Server Error`. Either way the
//! server keeps answering other requests.
//!
//! Run: `cargo run -p snippets --example catch_panic`, then `curl -i localhost:3000/share/10/2`
//! (`5 each`) and `curl -i localhost:3000/share/10/0` (the handler divides by zero: 500).
//! Set `PORT` to pick another port than 3000 (`PORT=0` takes any free one). Ctrl-C or SIGTERM
//! stops the server.

use axum::{Router, extract::Path, routing::get};
use tower_http::catch_panic::CatchPanicLayer;

// ANCHOR: app
/// The routes with a 500 for a panic.
pub fn app() -> Router {
    routes().layer(CatchPanicLayer::new())
}

/// The routes alone: a panic in `share` closes the client's connection with no answer.
pub fn routes() -> Router {
    Router::new().route("/share/{total}/{people}", get(share))
}

/// A bug: `people` may be 0, and dividing by zero panics.
async fn share(Path((total, people)): Path<(u32, u32)>) -> String {
    format!("{} each\n", total / people)
}
// ANCHOR_END: app

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
