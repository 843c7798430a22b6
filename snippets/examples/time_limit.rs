//! A time limit for every route, with tower-http's `TimeoutLayer`, and what becomes of a handler
//! that is cut off: its future is dropped at the `.await` where it waits, whether the limit fired
//! or the client hung up. `GET /events` lists what the `/report` handlers recorded.
//!
//! Run: `cargo run -p snippets --example time_limit`, then `curl -i localhost:8000/report` (it
//! would take 10 s; after 5 s the limit answers 503), `curl localhost:8000/check` (at once), and
//! `curl localhost:8000/events`. Stop a `curl .../report` with Ctrl-C to see a hang-up.
//! Listens on 127.0.0.1:8000; set `PORT` to pick another port (`PORT=0` takes any free one).
//! Ctrl-C or SIGTERM stops the server.

use axum::{Router, extract::State, http::StatusCode, routing::get};
use std::{
    sync::{Arc, Mutex},
    time::Duration,
};
use tower_http::timeout::TimeoutLayer;

// ANCHOR: app
pub fn app() -> Router {
    app_with(Duration::from_secs(5), Duration::from_secs(10))
}

/// Every request gets at most `limit`; a report takes `report_takes`.
pub fn app_with(limit: Duration, report_takes: Duration) -> Router {
    let state = AppState {
        events: Events::default(),
        report_takes,
    };
    Router::new()
        .route("/report", get(report))
        .route("/check", get(check))
        .route("/events", get(events))
        .with_state(state)
        .layer(time_limit(limit))
}

/// Past `limit`, the client gets `503 Service Unavailable` and the handler is dropped.
pub fn time_limit(limit: Duration) -> TimeoutLayer {
    TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, limit)
}
// ANCHOR_END: app

#[derive(Clone)]
struct AppState {
    events: Events,
    report_takes: Duration,
}

/// What the handlers recorded, in order.
#[derive(Clone, Default)]
struct Events(Arc<Mutex<Vec<String>>>);

impl Events {
    fn record(&self, event: String) {
        self.0.lock().unwrap().push(event);
    }
}

// ANCHOR: report
async fn report(State(state): State<AppState>) -> &'static str {
    let mut watch = Watch::start(&state.events, "report");
    // Stands for a slow query to a database or another service.
    tokio::time::sleep(state.report_takes).await;
    watch.finished = true;
    "report ready\n"
}

/// Records when its handler starts, and, when it is dropped, whether the handler got past its
/// `.await`.
struct Watch {
    events: Events,
    name: &'static str,
    finished: bool,
}

impl Watch {
    fn start(events: &Events, name: &'static str) -> Watch {
        events.record(format!("{name} started"));
        Watch {
            events: events.clone(),
            name,
            finished: false,
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let how = if self.finished {
            "finished"
        } else {
            "dropped at its .await"
        };
        self.events.record(format!("{} {how}", self.name));
    }
}
// ANCHOR_END: report

async fn check() -> &'static str {
    "OK\n"
}

/// One line per event.
async fn events(State(state): State<AppState>) -> String {
    let events = state.events.0.lock().unwrap();
    events.iter().map(|event| format!("{event}\n")).collect()
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port = std::env::var("PORT").unwrap_or_else(|_| "8000".to_string());
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
