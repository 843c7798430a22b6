use axum::{
    Router,
    extract::{Path, State},
    routing::get,
};

trait NoteStore: Clone + Send + Sync + 'static {
    async fn title(&self, id: u32) -> Option<String>;
}

async fn show<S: NoteStore>(State(store): State<S>, Path(id): Path<u32>) -> String {
    store.title(id).await.unwrap_or_default()
}

fn app_with<S: NoteStore>(store: S) -> Router {
    Router::new()
        .route("/notes/{id}", get(show::<S>))
        .with_state(store)
}

fn warm_up<S: NoteStore>(store: S) {
    tokio::spawn(async move { store.title(1).await });
}

fn main() {}
