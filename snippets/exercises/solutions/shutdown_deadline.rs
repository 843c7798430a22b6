//! Solution of the exercise `shutdown_deadline`: the graceful shutdown races a timer that starts
//! at the signal, and `main` returns when the timer wins.

use axum::{Router, routing::get};
use std::time::Duration;
use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::sync::oneshot;

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

// ANCHOR: answer
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

    let (stopping, stopped) = oneshot::channel();
    let server = axum::serve(listener, app()).with_graceful_shutdown(async move {
        stop_signal(interrupt, terminate, deadline).await;
        stopping.send(()).ok();
    });
    tokio::select! {
        finished = server => finished.unwrap(),
        _ = async {
            stopped.await.ok();
            tokio::time::sleep(deadline).await;
        } => eprintln!("the deadline passed: exiting with requests still in flight"),
    }
}
// ANCHOR_END: answer
