//! A server that stops cleanly: at Ctrl-C or SIGTERM it stops accepting connections, lets the
//! requests in flight finish under a deadline, ends its event streams and WebSockets, and
//! returns from `main` without waiting for blocking work whose clients are gone.
//!
//! Run: `cargo run -p snippets --example graceful_shutdown`, then, in a second terminal,
//! `curl localhost:3000/slow/5`, and press Ctrl-C in the first while it waits.
//! Routes: `/` answers at once; `/slow/{secs}` takes that many seconds; `/blocking/{secs}` keeps
//! a blocking thread busy that long; `/events` sends an event a second; `/ws` echoes WebSocket
//! text messages. Settings: `PORT` (default 3000) and `DRAIN_TIMEOUT_SECS` (default 8).

use axum::{
    Router,
    extract::{
        Path, State,
        ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade, close_code},
    },
    http::StatusCode,
    response::{
        Response,
        sse::{Event, Sse},
    },
    routing::get,
};
use futures_util::{Stream, StreamExt, stream};
use std::{convert::Infallible, io, pin::pin, process::ExitCode, time::Duration};
use tokio_util::{sync::CancellationToken, task::TaskTracker};

// ANCHOR: state
/// What the routes need to end with the server: `stop` is cancelled at the first signal, and
/// `sockets` counts the WebSockets still open.
#[derive(Clone)]
pub struct Stopping {
    pub stop: CancellationToken,
    pub sockets: TaskTracker,
}
// ANCHOR_END: state

pub fn app(stopping: Stopping) -> Router {
    Router::new()
        .route("/", get(|| async { "Hello, world!\n" }))
        .route("/slow/{secs}", get(slow))
        .route("/blocking/{secs}", get(blocking))
        .route("/events", get(events))
        .route("/ws", get(websocket))
        .with_state(stopping)
}

/// At most a minute: a longer wait is a typo.
fn seconds(raw: &str) -> Result<Duration, (StatusCode, String)> {
    match raw.parse::<u64>() {
        Ok(secs) if secs <= 60 => Ok(Duration::from_secs(secs)),
        _ => Err((
            StatusCode::BAD_REQUEST,
            format!("secs must be a whole number from 0 to 60, got {raw:?}\n"),
        )),
    }
}

async fn slow(Path(secs): Path<String>) -> Result<String, (StatusCode, String)> {
    tokio::time::sleep(seconds(&secs)?).await;
    Ok(format!("done after {secs} s\n"))
}

/// A stand-in for CPU-heavy work: a thread of the blocking pool, busy for `secs`.
async fn blocking(Path(secs): Path<String>) -> Result<String, (StatusCode, String)> {
    let busy = seconds(&secs)?;
    let work = tokio::task::spawn_blocking(move || std::thread::sleep(busy));
    work.await.map_err(|_| {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "the work failed\n".into(),
        )
    })?;
    Ok(format!("worked for {secs} s\n"))
}

// ANCHOR: streams
/// An event a second, until the client hangs up or the server stops.
async fn events(
    State(stopping): State<Stopping>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let ticks = stream::unfold(0_u64, |n| async move {
        if n > 0 {
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        Some((Ok(Event::default().data(format!("tick {n}"))), n + 1))
    });
    // When `stop` is cancelled the stream ends, and so does the response.
    Sse::new(ticks.take_until(stopping.stop.cancelled_owned()))
}

async fn websocket(upgrade: WebSocketUpgrade, State(stopping): State<Stopping>) -> Response {
    // axum runs the socket in a task of its own; `track_future` lets the stop wait for it.
    let Stopping { stop, sockets } = stopping;
    upgrade.on_upgrade(move |socket| sockets.track_future(echo(socket, stop)))
}

/// Sends each text message back, until the client closes or the server stops.
async fn echo(mut socket: WebSocket, stop: CancellationToken) {
    loop {
        tokio::select! {
            message = socket.recv() => match message {
                Some(Ok(Message::Text(text))) => {
                    if socket.send(Message::Text(text)).await.is_err() {
                        return;
                    }
                }
                Some(Ok(Message::Close(_)) | Err(_)) | None => return,
                Some(Ok(_)) => {} // pings are answered by axum; binary messages are ignored
            },
            () = stop.cancelled() => {
                let close = CloseFrame {
                    code: close_code::AWAY,
                    reason: "the server is stopping".into(),
                };
                let _ = socket.send(Message::Close(Some(close))).await;
                return;
            }
        }
    }
}
// ANCHOR_END: streams

// ANCHOR: main
fn main() -> io::Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new()?;
    let code = runtime.block_on(serve());
    // Dropping a runtime waits for its blocking tasks, for as long as they run, even when their
    // clients are gone. Give them a second instead.
    runtime.shutdown_timeout(Duration::from_secs(1));
    code
}
// ANCHOR_END: main

/// `DRAIN_TIMEOUT_SECS`, 8 by default: below the 10 s that `docker stop` waits.
fn drain_timeout() -> io::Result<Duration> {
    match std::env::var("DRAIN_TIMEOUT_SECS").map(|s| s.parse::<u64>()) {
        Err(_) => Ok(Duration::from_secs(8)),
        Ok(Ok(secs)) => Ok(Duration::from_secs(secs)),
        Ok(Err(_)) => Err(io::Error::other(
            "DRAIN_TIMEOUT_SECS must be a whole number",
        )),
    }
}

async fn serve() -> io::Result<ExitCode> {
    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".to_string());
    let drain = drain_timeout()?;
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    let signal = shutdown_signal()?;
    println!("listening on http://{}", listener.local_addr()?);

    // ANCHOR: serve
    let stopping = Stopping {
        stop: CancellationToken::new(),
        sockets: TaskTracker::new(),
    };
    let server = axum::serve(listener, app(stopping.clone()))
        .with_graceful_shutdown(stopping.stop.clone().cancelled_owned());
    let mut server = pin!(server.into_future());
    tokio::select! {
        served = &mut server => return served.map(|()| ExitCode::SUCCESS),
        () = signal => {}
    }
    // A second signal cuts the drain short, for the operator who will not wait.
    let again = shutdown_signal()?;
    eprintln!(
        "stopping: requests in flight get {} s to finish",
        drain.as_secs()
    );
    // axum stops accepting and closes idle connections; event streams and WebSockets end.
    stopping.stop.cancel();
    stopping.sockets.close();
    let drained = async {
        server.await?;
        stopping.sockets.wait().await;
        io::Result::Ok(())
    };
    tokio::select! {
        finished = tokio::time::timeout(drain, drained) => match finished {
            Ok(drained) => {
                drained?;
                eprintln!("stopped: every request finished");
                Ok(ExitCode::SUCCESS)
            }
            Err(_) => {
                eprintln!("the drain deadline passed: cutting the requests still in flight");
                Ok(ExitCode::FAILURE)
            }
        },
        () = again => {
            eprintln!("second signal: cutting the requests still in flight");
            Ok(ExitCode::FAILURE)
        }
    }
}
// ANCHOR_END: serve

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
