//! A note service written against a trait, as a repository or service layer is: `NoteStore`
//! says what the handlers need, `MemoryStore` keeps the notes in memory (a database would
//! implement the same trait), and `User`, an extractor, checks the caller's token with the store.
//!
//! Run it with `cargo run -p snippets --example async_traits`, then, from another terminal,
//! `curl -H 'Authorization: Bearer ferris-token' http://127.0.0.1:3000/notes/1`. Without the
//! header, or with another token, the answer is `401 Unauthorized` and one line. Stop it with
//! Ctrl-C, or with SIGTERM. Set `PORT` to pick another port than 3000.

use std::{collections::HashMap, sync::Arc};

use axum::{
    Router,
    extract::{FromRequestParts, Path, State},
    http::{StatusCode, header::AUTHORIZATION, request::Parts},
    routing::get,
};

// ANCHOR: trait
/// What the handlers need from storage. Each method promises a `Send` future, so a handler
/// that is generic over the store returns a `Send` future too.
pub trait NoteStore: Clone + Send + Sync + 'static {
    fn title(&self, id: u32) -> impl Future<Output = Option<String>> + Send;
    fn user_for(&self, token: &str) -> impl Future<Output = Option<String>> + Send;
}
// ANCHOR_END: trait

#[derive(Clone)]
pub struct MemoryStore {
    notes: Arc<HashMap<u32, String>>,
    users: Arc<HashMap<String, String>>,
}

// ANCHOR: memory
impl NoteStore for MemoryStore {
    async fn title(&self, id: u32) -> Option<String> {
        self.notes.get(&id).cloned()
    }

    async fn user_for(&self, token: &str) -> Option<String> {
        self.users.get(token).cloned()
    }
}
// ANCHOR_END: memory

impl MemoryStore {
    pub fn with_examples() -> MemoryStore {
        MemoryStore {
            notes: Arc::new(HashMap::from([(1, "buy milk".to_string())])),
            users: Arc::new(HashMap::from([(
                "ferris-token".to_string(),
                "ferris".to_string(),
            )])),
        }
    }
}

// ANCHOR: extractor
/// The caller, named by the token in `Authorization: Bearer TOKEN`.
pub struct User(pub String);

impl<S: NoteStore> FromRequestParts<S> for User {
    type Rejection = (StatusCode, &'static str);

    async fn from_request_parts(parts: &mut Parts, store: &S) -> Result<User, Self::Rejection> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .ok_or((
                StatusCode::UNAUTHORIZED,
                "send Authorization: Bearer TOKEN\n",
            ))?;
        match store.user_for(token).await {
            Some(name) => Ok(User(name)),
            None => Err((StatusCode::UNAUTHORIZED, "unknown token\n")),
        }
    }
}
// ANCHOR_END: extractor

// ANCHOR: handler
async fn show<S: NoteStore>(
    User(name): User,
    State(store): State<S>,
    Path(id): Path<u32>,
) -> Result<String, (StatusCode, String)> {
    match store.title(id).await {
        Some(title) => Ok(format!("{title} (asked by {name})\n")),
        None => Err((StatusCode::NOT_FOUND, format!("no note {id}\n"))),
    }
}
// ANCHOR_END: handler

// ANCHOR: app
/// The routes, for any store: memory here and in tests, a database in production.
pub fn app_with<S: NoteStore>(store: S) -> Router {
    Router::new()
        .route("/notes/{id}", get(show::<S>))
        .with_state(store)
}
// ANCHOR_END: app

/// The application with its example notes. `main` serves it; the tests serve the same router.
pub fn app() -> Router {
    app_with(MemoryStore::with_examples())
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
