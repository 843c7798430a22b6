//! Solution of the exercise `hello_route`: the handler is an `async fn` that takes the name from
//! the path and returns the answer.

use axum::{Router, extract::Path, routing::get};

pub fn app() -> Router {
    Router::new().route("/hello/{name}", get(hello))
}

// ANCHOR: answer
async fn hello(Path(name): Path<String>) -> String {
    format!("Hello, {name}!")
}
// ANCHOR_END: answer

#[tokio::main]
async fn main() {
    // Serves `app()` on 127.0.0.1:8000 until Ctrl-C or SIGTERM.
    snippets::serve(app(), 8000).await;
}
