//! Exercise: `/work/{n}` sorts 10^n random numbers, and while it sorts, `/check` gets no
//! answer: the sort runs on the only thread this server has. Make `/check` answer while
//! `/work/{n}` runs. Keep the current-thread runtime: a busy server is in the same place.
//!
//! Check your answer: `cargo test --test exercise check_while_work`

use axum::{Router, extract::Path, routing::get};
use rand::RngExt;

pub fn app() -> Router {
    Router::new()
        .route("/work/{n}", get(work))
        .route("/check", get(check))
}

async fn work(Path(n): Path<u32>) -> String {
    sort_random(n)
}

/// Plain synchronous code that keeps a CPU busy. Above 7, `n` counts as 7.
fn sort_random(n: u32) -> String {
    let count = 10usize.pow(n.min(7));
    let mut numbers: Vec<u64> = rand::rng().random_iter().take(count).collect();
    numbers.sort_unstable();
    format!("sorted {count} random numbers\n")
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
