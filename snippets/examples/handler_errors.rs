//! Handlers that return `Result<_, AppError>`: `?` turns a missing note, and every rejection
//! of the `Json`, `Query` and `Path` extractors, into a 4xx with a one-line body. A client's
//! mistake never becomes a 500 or a panic.
//!
//! Run: `cargo run -p snippets --example handler_errors`, then
//! `curl -i localhost:3000/notes -H 'content-type: application/json' -d '{"title": "buy milk", "stars": 2}'`,
//! `curl -i localhost:3000/notes/1`, `curl -i 'localhost:3000/notes?min_stars=2'`, and the same
//! with bad input (`-d '{"title": 1}'`, `/notes/one`, `?min_stars=lots`).
//! Listens on 127.0.0.1:3000; set `PORT` to pick another port (`PORT=0` takes any free one).
//! Ctrl-C or SIGTERM stops the server.

use axum::{
    Json, Router,
    extract::{
        DefaultBodyLimit, Path, Query, State,
        rejection::{JsonRejection, PathRejection, QueryRejection},
    },
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::get,
};
use serde::Deserialize;
use std::sync::{Arc, Mutex};

// ANCHOR: error
/// Everything a handler can answer instead of what was asked for.
pub enum AppError {
    /// The client asked for something that is not there.
    NotFound(String),
    /// The server keeps at most `MAX_NOTES` notes.
    Full,
    /// The client sent something we cannot use: an extractor's rejection.
    Rejected(StatusCode, String),
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, message) = match self {
            AppError::NotFound(what) => (StatusCode::NOT_FOUND, format!("no {what}")),
            AppError::Full => (
                StatusCode::INSUFFICIENT_STORAGE,
                "no room for more notes".into(),
            ),
            AppError::Rejected(status, message) => (status, message),
        };
        // One line, whatever the message holds: a path can carry an encoded line break.
        let line = message.replace(['\r', '\n'], " ");
        (status, format!("{line}\n")).into_response()
    }
}
// ANCHOR_END: error

// ANCHOR: from
impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        AppError::Rejected(rejection.status(), rejection.body_text())
    }
}
// ANCHOR_END: from

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> Self {
        AppError::Rejected(rejection.status(), rejection.body_text())
    }
}

impl From<PathRejection> for AppError {
    fn from(rejection: PathRejection) -> Self {
        AppError::Rejected(rejection.status(), rejection.body_text())
    }
}

#[derive(Deserialize)]
struct NewNote {
    title: String,
    stars: u8,
}

#[derive(Deserialize)]
struct Filter {
    min_stars: u8,
}

/// Bounds the memory notes can take: at most this many, each from a body of at most 1 KiB.
pub const MAX_NOTES: usize = 100;

#[derive(Clone, Default)]
struct Notes(Arc<Mutex<Vec<NewNote>>>);

impl Notes {
    /// Keeps `note`; returns its number, counting from 1.
    fn add(&self, note: NewNote) -> Result<usize, AppError> {
        let mut notes = self.0.lock().unwrap();
        if notes.len() == MAX_NOTES {
            return Err(AppError::Full);
        }
        notes.push(note);
        Ok(notes.len())
    }
}

pub fn app() -> Router {
    Router::new()
        .route("/notes", get(list).post(add))
        .route("/notes/{id}", get(show))
        .with_state(Notes::default())
        // A bigger body is rejected with 413, through `JsonRejection`.
        .layer(DefaultBodyLimit::max(1024))
}

// ANCHOR: handlers
async fn add(
    State(notes): State<Notes>,
    note: Result<Json<NewNote>, JsonRejection>,
) -> Result<(StatusCode, String), AppError> {
    let Json(note) = note?;
    let id = notes.add(note)?;
    Ok((StatusCode::CREATED, format!("note {id}\n")))
}

async fn show(
    State(notes): State<Notes>,
    id: Result<Path<u32>, PathRejection>,
) -> Result<String, AppError> {
    let Path(id) = id?;
    let notes = notes.0.lock().unwrap();
    let note = (id as usize)
        .checked_sub(1) // notes count from 1
        .and_then(|index| notes.get(index))
        .ok_or_else(|| AppError::NotFound(format!("note {id}")))?;
    Ok(format!("{} ({} stars)\n", note.title, note.stars))
}
// ANCHOR_END: handlers

async fn list(
    State(notes): State<Notes>,
    filter: Result<Query<Filter>, QueryRejection>,
) -> Result<String, AppError> {
    let Query(filter) = filter?;
    let notes = notes.0.lock().unwrap();
    let shown = notes.iter().filter(|note| note.stars >= filter.min_stars);
    Ok(shown.map(|note| format!("{}\n", note.title)).collect())
}

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
