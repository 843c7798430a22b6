//! A server that faces its clients directly, with no proxy in front to shield it from slow ones.
//! It puts a time limit on every stage a client controls: a client gets `HEADER_TIMEOUT_SECS` to
//! send a request head, and each request, body included, gets `REQUEST_TIMEOUT_SECS` (past it:
//! `408 Request Timeout`). On SIGINT or SIGTERM it stops accepting, lets the requests in flight
//! finish, and exits 0; if connections are still open `DRAIN_TIMEOUT_SECS` later, it says so and
//! exits 1.
//!
//! It speaks HTTP/1 only. Browsers speak HTTP/2 only over TLS, which a proxy or load balancer
//! usually ends, and hyper has no time limit for an HTTP/2 client that is slow to send headers.
//!
//! Run it with `cargo run -p snippets --example direct_server`, then, from another terminal,
//! `curl localhost:8000/` or `curl --data-binary @Cargo.toml localhost:8000/echo`.
//!
//! Settings, from the environment: `PORT` (default 8000; 0 takes any free port), and, in whole
//! seconds, `HEADER_TIMEOUT_SECS` (default 5), `REQUEST_TIMEOUT_SECS` (default 6) and
//! `DRAIN_TIMEOUT_SECS` (default 8, less than the 10 s `docker stop` waits before SIGKILL).
//! Keep the first two below the third: a slow client still connected when the stop begins is
//! then closed by its own limit before the drain deadline passes.

use axum::{
    Router,
    body::Bytes,
    http::StatusCode,
    routing::{get, post},
};
use hyper::server::conn::http1;
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    service::TowerToHyperService,
};
use std::{pin::pin, process::ExitCode, time::Duration};
use tokio::net::TcpListener;
use tokio_util::{sync::CancellationToken, task::TaskTracker};
use tower_http::timeout::TimeoutLayer;

/// The whole application. `main` serves it; the tests serve the same router.
pub fn app() -> Router {
    Router::new()
        .route("/", get(|| async { "Hello, world!\n" }))
        .route("/echo", post(echo))
}

/// Reads the whole body, and says how long it was.
async fn echo(body: Bytes) -> String {
    format!("{} bytes\n", body.len())
}

/// The time limits, from the environment.
struct Limits {
    header: Duration,
    request: Duration,
    drain: Duration,
}

fn main() -> ExitCode {
    match run() {
        Ok(exit) => exit,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<ExitCode, String> {
    let port: u16 = match setting("PORT") {
        None => 8000,
        Some(raw) => raw
            .parse()
            .map_err(|_| format!("PORT must be a port number from 0 to 65535, got {raw:?}"))?,
    };
    let limits = Limits {
        header: seconds("HEADER_TIMEOUT_SECS", 5)?,
        request: seconds("REQUEST_TIMEOUT_SECS", 6)?,
        drain: seconds("DRAIN_TIMEOUT_SECS", 8)?,
    };
    let runtime = tokio::runtime::Runtime::new().map_err(|e| format!("no runtime: {e}"))?;
    let exit = runtime.block_on(async {
        let address = format!("127.0.0.1:{port}");
        let listener = TcpListener::bind(&address).await;
        let listener = listener.map_err(|e| format!("cannot listen on {address}: {e}"))?;
        let stop = shutdown_signal().map_err(|e| format!("cannot listen for signals: {e}"))?;
        let address = listener.local_addr().map_err(|e| e.to_string())?;
        println!("listening on http://{address}");
        Ok(serve(listener, &limits, stop).await)
    });
    // Dropping the runtime would wait for every blocking task still running (`spawn_blocking`)
    // for as long as it takes: give them one second.
    runtime.shutdown_timeout(Duration::from_secs(1));
    exit
}

// ANCHOR: serve
async fn serve(listener: TcpListener, limits: &Limits, stop: impl Future<Output = ()>) -> ExitCode {
    // ANCHOR: limits
    // Each request gets `limits.request` to be read and answered, however slowly its body comes.
    let app = app().layer(TimeoutLayer::with_status_code(
        StatusCode::REQUEST_TIMEOUT,
        limits.request,
    ));
    // A client gets `limits.header` to send a request head, from when hyper starts to read one:
    // on a new connection, and after each answer on a kept-alive one. The limit runs on the
    // timer hyper is given: without one, setting it panics, and its default (30 s) never applies.
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header);
    // ANCHOR_END: limits

    // What hyper-util's `GracefulShutdown` does, which cannot watch a connection with upgrades:
    // at the stop, each connection is told to finish, and `connections` waits for them.
    let stopping = CancellationToken::new();
    let connections = TaskTracker::new();
    let mut stop = pin!(stop);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Most likely out of file descriptors: wait for some to close.
                    eprintln!("cannot accept a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let service = TowerToHyperService::new(app.clone());
        // `with_upgrades`: a WebSocket route can take the connection over.
        let connection = http
            .serve_connection(TokioIo::new(stream), service)
            .with_upgrades();
        let stopping = stopping.clone();
        connections.spawn(async move {
            let mut connection = pin!(connection);
            tokio::select! {
                // Closed by the client or by a limit, or taken over by an upgrade (which the
                // stop then leaves to its handler).
                _ = connection.as_mut() => return,
                () = stopping.cancelled() => connection.as_mut().graceful_shutdown(),
            }
            // A connection between requests closes now; one in the middle of a request, or of
            // its head, finishes it first, within the limits.
            let _ = connection.await;
        });
    }
    drop(listener);

    let (open, secs) = (connections.len(), limits.drain.as_secs());
    eprintln!("stopping: {open} open connection(s) get {secs} s to finish");
    stopping.cancel();
    connections.close();
    if tokio::time::timeout(limits.drain, connections.wait())
        .await
        .is_err()
    {
        let open = connections.len();
        eprintln!(
            "the {secs} s drain deadline passed: exiting with {open} connection(s) still open"
        );
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
// ANCHOR_END: serve

/// The environment variable `name`, if it is set.
fn setting(name: &str) -> Option<String> {
    let raw = std::env::var_os(name)?;
    Some(raw.to_string_lossy().into_owned())
}

/// The environment variable `name`, a whole number of seconds, or `default` if it is not set.
fn seconds(name: &str, default: u64) -> Result<Duration, String> {
    let Some(raw) = setting(name) else {
        return Ok(Duration::from_secs(default));
    };
    match raw.parse() {
        Ok(secs @ 1..=3600) => Ok(Duration::from_secs(secs)),
        _ => Err(format!(
            "{name} must be a whole number of seconds from 1 to 3600, got {raw:?}"
        )),
    }
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
