//! A server that says what it does: a `tracing` span for every request, from tower-http's
//! `TraceLayer`, and a stall detector that names the request whose handler is blocking its
//! thread, while it blocks.
//!
//! Run: `cargo run -p snippets --example stall_detector`, then `curl localhost:8000/check` (a
//! log line per request), `curl localhost:8000/report` (awaits for 3 s: no stall) and
//! `curl localhost:8000/blocking` (blocks its thread for 3 s: the detector names it).
//! Listens on 127.0.0.1:8000; set `PORT` to pick another port (`PORT=0` takes any free one).
//! Ctrl-C or SIGTERM stops the server.

use axum::{
    Router,
    extract::{Request, State},
    middleware::{self, Next},
    response::Response,
    routing::get,
};
use std::{
    collections::HashMap,
    future::poll_fn,
    sync::{
        Arc, Mutex, Weak,
        atomic::{AtomicU64, Ordering},
    },
    thread,
    time::{Duration, Instant},
};
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

// ANCHOR: app
pub fn app(in_flight: InFlight) -> Router {
    Router::new()
        .route("/check", get(check))
        .route("/report", get(report))
        .route("/blocking", get(blocking))
        // Keeps the list of requests in flight that the stall detector reads.
        .layer(middleware::from_fn_with_state(in_flight, track))
        // One span a request (method, URI), and a line when it is answered (status, latency).
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    // Prints every event at INFO or above to stderr.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .init();
    let in_flight = InFlight::default();
    watch_for_stalls(&in_flight, Duration::from_millis(100), |stall| {
        tracing::warn!("{stall}")
    });
    let port = std::env::var("PORT").unwrap_or_else(|_| "8000".to_string());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    let stop = shutdown_signal()?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app(in_flight))
        .with_graceful_shutdown(stop)
        .await
}
// ANCHOR_END: app

async fn check() -> &'static str {
    "OK\n"
}

/// Slow, but it waits at an `.await`: its thread serves other requests meanwhile.
async fn report() -> &'static str {
    tracing::info!("building the report");
    tokio::time::sleep(Duration::from_secs(3)).await;
    "report ready\n"
}

/// Blocks its thread: the mistake the stall detector is there to find.
async fn blocking() -> &'static str {
    thread::sleep(Duration::from_secs(3));
    "done, late\n"
}

// ANCHOR: detector
/// The requests in flight, by id: each one's name, and when its handler's current poll began.
/// A poll is the run from one `.await` to the next: it should be short.
#[derive(Clone, Default)]
pub struct InFlight(Arc<Mutex<HashMap<u64, Entry>>>);

struct Entry {
    name: String,
    polled_since: Option<Instant>,
    reported: bool,
}

/// Middleware: lists the request while it is in flight, and times each poll of its handler.
pub async fn track(State(in_flight): State<InFlight>, request: Request, next: Next) -> Response {
    static NEXT_ID: AtomicU64 = AtomicU64::new(0);
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let name = format!("{} {}", request.method(), request.uri().path());
    let entry = Entry {
        name,
        polled_since: None,
        reported: false,
    };
    in_flight.0.lock().unwrap().insert(id, entry);
    let _remove = Remove(in_flight.clone(), id); // also if the request is dropped
    let mut handler = Box::pin(next.run(request));
    poll_fn(|cx| {
        in_flight.set_polled(id, true);
        let poll = handler.as_mut().poll(cx);
        in_flight.set_polled(id, false);
        poll
    })
    .await
}

impl InFlight {
    fn set_polled(&self, id: u64, polled: bool) {
        if let Some(entry) = self.0.lock().unwrap().get_mut(&id) {
            entry.polled_since = polled.then(Instant::now);
            entry.reported = false;
        }
    }
}

struct Remove(InFlight, u64);

impl Drop for Remove {
    fn drop(&mut self) {
        self.0.0.lock().unwrap().remove(&self.1);
    }
}

/// Starts a thread that looks at the requests in flight every `late / 4`, and calls `report` for
/// each poll that has gone on longer than `late`, once a poll. A thread, not a task: a blocked
/// runtime would not run a task until the block was over.
pub fn watch_for_stalls(
    in_flight: &InFlight,
    late: Duration,
    report: impl Fn(String) + Send + 'static,
) {
    let in_flight: Weak<_> = Arc::downgrade(&in_flight.0);
    let runtime = tokio::runtime::Handle::current();
    thread::spawn(move || {
        // Ends with the last clone of the `InFlight`, that is, with the server.
        while let Some(in_flight) = in_flight.upgrade() {
            let mut stalled = Vec::new();
            for request in in_flight.lock().unwrap().values_mut() {
                let Some(since) = request.polled_since else {
                    continue;
                };
                if since.elapsed() > late && !request.reported {
                    request.reported = true;
                    stalled.push(format!(
                        "{} (one poll for {:?} so far)",
                        request.name,
                        since.elapsed()
                    ));
                }
            }
            drop(in_flight);
            if !stalled.is_empty() {
                let metrics = runtime.metrics();
                report(format!(
                    "stall: {} blocking a runtime thread; {} task(s) alive, {} queued",
                    stalled.join(", "),
                    metrics.num_alive_tasks(),
                    metrics.global_queue_depth(),
                ));
            }
            thread::sleep(late / 4);
        }
    });
}
// ANCHOR_END: detector

impl InFlight {
    /// The requests in flight, as `METHOD /path`, sorted.
    pub fn names(&self) -> Vec<String> {
        let requests = self.0.lock().unwrap();
        let mut names: Vec<String> = requests.values().map(|r| r.name.clone()).collect();
        names.sort();
        names
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
