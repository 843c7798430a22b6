//! The smallest axum server: one `async fn` handler that answers "Hello, world!".
//!
//! Run it with `cargo run -p snippets --example hello`, then, from another terminal,
//! `curl http://127.0.0.1:3000/`. Stop it with Ctrl-C, or with SIGTERM as `docker stop` does.
//! Set `PORT` to pick another port than 3000 (`PORT=0` takes any free one).

// ANCHOR: server
use axum::{Router, routing::get};

/// The whole application. `main` serves it on port 3000; the tests serve the same router.
pub fn app() -> Router {
    Router::new().route("/", get(hello))
}

async fn hello() -> &'static str {
    "Hello, world!"
}

// ANCHOR: main
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
// ANCHOR_END: main
// ANCHOR_END: server

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
