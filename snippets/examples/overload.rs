//! Overload: a cap on the requests the whole server works on at once, past which a client gets
//! `503 Service Unavailable` at once (load shedding), and a stand-in for a database pool whose
//! wait for a free connection has a time limit, past which a client gets `503` too.
//!
//! Run: `cargo run -p snippets --example overload`, then send ten reports at once:
//! `for i in $(seq 10); do curl -s localhost:3000/report & done; wait`. Each report holds one of
//! the pool's 4 connections for 5 s, and 8 requests fit in the server at once: 4 reports come
//! back, 4 requests wait 2 s for a connection and get `database busy`, and 2 get
//! `server overloaded` at once.
//! Set `PORT` to pick another port than 3000 (`PORT=0` takes any free one). Ctrl-C or SIGTERM
//! stops the server.

use axum::{
    BoxError, Router,
    error_handling::HandleErrorLayer,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::get,
};
use std::{sync::Arc, time::Duration};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tower::{ServiceBuilder, limit::GlobalConcurrencyLimitLayer};

pub fn app() -> Router {
    let pool = Pool::new(4, Duration::from_secs(2));
    shed_load(reports(pool, Duration::from_secs(5)), 8)
}

// ANCHOR: shed_load
/// At most `max` requests in `app` at once, all routes together; one more gets `503` at once.
pub fn shed_load(app: Router, max: usize) -> Router {
    app.layer(
        ServiceBuilder::new()
            .layer(HandleErrorLayer::new(|_: BoxError| async {
                (StatusCode::SERVICE_UNAVAILABLE, "server overloaded\n")
            }))
            .load_shed()
            .layer(GlobalConcurrencyLimitLayer::new(max)),
    )
}
// ANCHOR_END: shed_load

// ANCHOR: wait_in_line
/// At most `max` requests in `app` at once; the others wait for a free place, however long.
pub fn wait_in_line(app: Router, max: usize) -> Router {
    app.layer(GlobalConcurrencyLimitLayer::new(max))
}
// ANCHOR_END: wait_in_line

/// `GET /report` runs a query that takes `query_takes` on a connection from `pool`.
pub fn reports(pool: Pool, query_takes: Duration) -> Router {
    Router::new()
        .route("/report", get(report))
        .with_state((pool, query_takes))
}

// ANCHOR: pool
/// Stands for a database pool: a number of connections, and a time limit on the wait for one.
#[derive(Clone)]
pub struct Pool {
    connections: Arc<Semaphore>,
    acquire_timeout: Duration,
}

impl Pool {
    pub fn new(size: usize, acquire_timeout: Duration) -> Pool {
        let connections = Arc::new(Semaphore::new(size));
        Pool {
            connections,
            acquire_timeout,
        }
    }

    /// A connection, until it is dropped; `Busy` if none came free in time.
    async fn acquire(&self) -> Result<OwnedSemaphorePermit, Busy> {
        let free = self.connections.clone().acquire_owned();
        match tokio::time::timeout(self.acquire_timeout, free).await {
            Ok(Ok(connection)) => Ok(connection),
            _ => Err(Busy),
        }
    }
}

struct Busy;

impl IntoResponse for Busy {
    fn into_response(self) -> Response {
        (StatusCode::SERVICE_UNAVAILABLE, "database busy\n").into_response()
    }
}

async fn report(State((pool, query_takes)): State<(Pool, Duration)>) -> Result<&'static str, Busy> {
    let _connection = pool.acquire().await?;
    tokio::time::sleep(query_takes).await; // the query
    Ok("report ready\n")
}
// ANCHOR_END: pool

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
