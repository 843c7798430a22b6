//! Bodies that never have to fit in memory: an upload streamed to a file as it arrives, with a
//! size limit of its own; a download streamed from that file; progress sent as server-sent
//! events, fed by a task through a channel. And a buffered body, `String`, which axum limits to
//! 2 MB by default and answers `413 Payload Too Large` past that.
//!
//! Run: `cargo run -p snippets --example streaming`, then
//! `curl -N localhost:8000/progress/5` (an event a second),
//! `curl --data-binary @some-file localhost:8000/upload`, `curl -o copy localhost:8000/download`
//! and `curl -d 'a note' localhost:8000/note`; `curl localhost:8000/feeds` says how many progress
//! feeds are running. Uploads go to the temporary directory.
//! Listens on 127.0.0.1:8000; set `PORT` to pick another port (`PORT=0` takes any free one).
//! Ctrl-C or SIGTERM stops the server.

use axum::{
    Router,
    body::Body,
    extract::{Path, State},
    http::StatusCode,
    response::sse::{Event, Sse},
    routing::{get, post},
};
use futures_util::{Stream, StreamExt};
use std::{
    convert::Infallible,
    path::PathBuf,
    sync::{
        Arc,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    time::Duration,
};
use tokio::{io::AsyncWriteExt, sync::mpsc};
use tokio_util::io::ReaderStream;

/// A larger upload is refused with `413 Payload Too Large`.
pub const UPLOAD_LIMIT: u64 = 1 << 30; // 1 GiB

pub fn app() -> Router {
    let dir = std::env::temp_dir().join("async-crash-course-uploads");
    app_with(dir, UPLOAD_LIMIT, Duration::from_secs(1))
}

/// Uploads go to `dir`, up to `upload_limit` bytes each; a progress step takes `step`.
pub fn app_with(dir: PathBuf, upload_limit: u64, step: Duration) -> Router {
    let state = AppState {
        dir: Arc::new(dir),
        upload_limit,
        step,
        uploads: Arc::default(),
        feeds: Feeds::default(),
    };
    Router::new()
        .route("/upload", post(upload))
        .route("/download", get(download))
        .route("/progress/{steps}", get(progress))
        .route("/feeds", get(feeds))
        .route("/note", post(note))
        .with_state(state)
}

#[derive(Clone)]
struct AppState {
    dir: Arc<PathBuf>,
    upload_limit: u64,
    step: Duration,
    /// Uploads so far, to give each one a file of its own while it arrives.
    uploads: Arc<AtomicU64>,
    feeds: Feeds,
}

type Refusal = (StatusCode, String);

fn refuse(status: StatusCode, why: impl std::fmt::Display) -> Refusal {
    (status, format!("{why}\n"))
}

// ANCHOR: upload
/// Writes the request body to a file, a chunk at a time, and answers how many bytes it got.
async fn upload(State(state): State<AppState>, body: Body) -> Result<String, Refusal> {
    let n = state.uploads.fetch_add(1, Ordering::Relaxed);
    let partial = state.dir.join(format!("upload-{n}.partial"));
    match save(body, &partial, state.upload_limit).await {
        Ok(bytes) => {
            // Replace the last upload only with a whole one.
            let done = tokio::fs::rename(&partial, state.dir.join("upload")).await;
            done.map_err(|e| refuse(StatusCode::INTERNAL_SERVER_ERROR, e))?;
            Ok(format!("stored {bytes} bytes\n"))
        }
        Err(refusal) => {
            tokio::fs::remove_file(&partial).await.ok();
            Err(refusal)
        }
    }
}

async fn save(body: Body, path: &std::path::Path, limit: u64) -> Result<u64, Refusal> {
    let failed = |e: std::io::Error| refuse(StatusCode::INTERNAL_SERVER_ERROR, e);
    tokio::fs::create_dir_all(path.parent().unwrap())
        .await
        .map_err(failed)?;
    let mut file = tokio::fs::File::create(path).await.map_err(failed)?;
    let mut chunks = body.into_data_stream();
    let mut received = 0;
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(|e| refuse(StatusCode::BAD_REQUEST, e))?;
        received += chunk.len() as u64;
        if received > limit {
            let why = format!("upload is larger than {limit} bytes");
            return Err(refuse(StatusCode::PAYLOAD_TOO_LARGE, why));
        }
        file.write_all(&chunk).await.map_err(failed)?;
    }
    // A tokio `File` may still be writing the last chunk: wait for it.
    file.flush().await.map_err(failed)?;
    Ok(received)
}
// ANCHOR_END: upload

// ANCHOR: download
/// Sends the last upload back, read from its file a chunk at a time.
async fn download(State(state): State<AppState>) -> Result<Body, Refusal> {
    match tokio::fs::File::open(state.dir.join("upload")).await {
        Ok(file) => Ok(Body::from_stream(ReaderStream::new(file))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(refuse(StatusCode::NOT_FOUND, "nothing uploaded yet"))
        }
        Err(e) => Err(refuse(StatusCode::INTERNAL_SERVER_ERROR, e)),
    }
}
// ANCHOR_END: download

// ANCHOR: progress
/// Server-sent events: `0/N`, then one event per step of a job that a task runs.
async fn progress(
    State(state): State<AppState>,
    Path(steps): Path<u32>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, Refusal> {
    if !(1..=1000).contains(&steps) {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "steps must be from 1 to 1000",
        ));
    }
    let (sender, receiver) = mpsc::channel(1);
    tokio::spawn(run_job(steps, state.step, sender, state.feeds.start()));
    // The response body: each message from the channel, until the task drops its sender.
    let events = futures_util::stream::unfold(receiver, |mut receiver| async move {
        let event = receiver.recv().await?;
        Some((Ok(event), receiver))
    });
    Ok(Sse::new(events))
}

async fn run_job(steps: u32, step: Duration, events: mpsc::Sender<Event>, _running: Running) {
    for done in 0..=steps {
        if done > 0 {
            tokio::select! {
                // The client hung up: axum dropped the body, and with it the receiver.
                () = events.closed() => return,
                () = tokio::time::sleep(step) => {}
            }
        }
        let event = Event::default()
            .event("progress")
            .data(format!("{done}/{steps}"));
        if events.send(event).await.is_err() {
            return;
        }
    }
}
// ANCHOR_END: progress

/// How many progress jobs are running: each holds a `Running` until it ends.
#[derive(Clone, Default)]
struct Feeds(Arc<AtomicUsize>);

struct Running(Feeds);

impl Feeds {
    fn start(&self) -> Running {
        self.0.fetch_add(1, Ordering::SeqCst);
        Running(self.clone())
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        (self.0).0.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn feeds(State(state): State<AppState>) -> String {
    let running = state.feeds.0.load(Ordering::SeqCst);
    format!("{running} progress feed(s) running\n")
}

// ANCHOR: note
/// A buffered body: axum reads all of it first, and refuses one over 2 MB with 413.
async fn note(text: String) -> String {
    format!("noted {} bytes\n", text.len())
}
// ANCHOR_END: note

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
