use std::sync::Arc;

use axum::{Router, extract::State, routing::get};

struct AppState {
    greeting: String,
}

async fn greet(State(state): State<AppState>) -> String {
    state.greeting.clone()
}

fn main() {
    let state = Arc::new(AppState {
        greeting: "hello".to_owned(),
    });
    let _app: Router = Router::new().route("/", get(greet)).with_state(state);
}
