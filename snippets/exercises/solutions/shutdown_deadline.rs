//! Solution of the exercise `shutdown_deadline`: at the signal, `main` tells the server to stop,
//! and gives it the deadline to finish; if the deadline passes first, `main` says so and returns
//! a failure status.

use axum::{Router, routing::get};
use std::{pin::pin, process::ExitCode, time::Duration};
use tokio::sync::oneshot;

pub fn app() -> Router {
    Router::new().route("/wait", get(wait))
}

/// A request that waits for news that never comes, as a long poll can.
async fn wait() -> &'static str {
    std::future::pending::<()>().await;
    "news\n"
}

// ANCHOR: answer
#[tokio::main]
async fn main() -> std::io::Result<ExitCode> {
    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".to_string());
    let deadline = match std::env::var("DEADLINE_MS").map(|ms| ms.parse()) {
        Err(_) => Duration::from_secs(5),
        Ok(Ok(ms)) => Duration::from_millis(ms),
        Ok(Err(_)) => return Err(std::io::Error::other("DEADLINE_MS must be a whole number")),
    };
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    let stop = shutdown_signal()?;
    println!("listening on http://{}", listener.local_addr()?);

    let (stop_serving, stopped) = oneshot::channel::<()>();
    let server = axum::serve(listener, app()).with_graceful_shutdown(async move {
        stopped.await.ok();
    });
    let mut server = pin!(server.into_future());
    // Serve until the signal...
    tokio::select! {
        served = &mut server => return served.map(|()| ExitCode::SUCCESS),
        () = stop => {}
    }
    // ...then stop taking connections, and give the requests in flight the deadline to finish.
    stop_serving.send(()).ok();
    match tokio::time::timeout(deadline, server).await {
        Ok(served) => served.map(|()| ExitCode::SUCCESS),
        Err(_) => {
            eprintln!("the {deadline:?} deadline passed: exiting with requests still in flight");
            Ok(ExitCode::FAILURE)
        }
    }
}
// ANCHOR_END: answer

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
