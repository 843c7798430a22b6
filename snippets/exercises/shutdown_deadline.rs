//! Exercise: on SIGTERM or Ctrl-C this server stops taking connections and waits for the
//! requests in flight to finish. `/wait` never finishes, so neither does the shutdown. Make the
//! server exit once `DEADLINE_MS` milliseconds (default 5000) have passed after the signal,
//! even while a request still waits.
//!
//! Check your answer: `cargo test --test exercise shutdown_deadline`

use axum::{Router, routing::get};
use std::time::Duration;
use tokio::signal::unix::{Signal, SignalKind, signal};

pub fn app() -> Router {
    Router::new().route("/wait", get(wait))
}

/// A request that waits for news that never comes, as a long poll can.
async fn wait() -> &'static str {
    std::future::pending::<()>().await;
    "news\n"
}

async fn stop_signal(mut interrupt: Signal, mut terminate: Signal, deadline: Duration) {
    tokio::select! {
        _ = interrupt.recv() => {}
        _ = terminate.recv() => {}
    }
    eprintln!("stopping: requests in flight have {deadline:?} to finish");
}

#[tokio::main]
async fn main() {
    let setting = |name, default| std::env::var(name).unwrap_or_else(|_| String::from(default));
    let millis = setting("DEADLINE_MS", "5000").parse().expect("DEADLINE_MS: milliseconds");
    let deadline = Duration::from_millis(millis);
    let address = format!("127.0.0.1:{}", setting("PORT", "8000"));
    let listener = tokio::net::TcpListener::bind(&address).await.expect("a free port");
    // Listen for the signals before saying we are up: until then, they would kill the process.
    let interrupt = signal(SignalKind::interrupt()).expect("SIGINT handler");
    let terminate = signal(SignalKind::terminate()).expect("SIGTERM handler");
    println!("listening on http://{}", listener.local_addr().unwrap());

    axum::serve(listener, app())
        .with_graceful_shutdown(stop_signal(interrupt, terminate, deadline))
        .await
        .unwrap();
}
