//! Exercise: this server routes `GET /hello/{name}` to the handler `hello`, which is not
//! written yet. Make `GET /hello/Ferris` answer `Hello, Ferris!`, and the same for any name.
//!
//! Check your answer: `cargo test --test exercise hello_route`

use axum::{Router, extract::Path, routing::get};

pub fn app() -> Router {
    Router::new().route("/hello/{name}", get(hello))
}

async fn hello(Path(name): Path<String>) -> String {
    todo!("answer with a greeting for {name}")
}

#[tokio::main]
async fn main() {
    // Serves `app()` on 127.0.0.1:8000 until Ctrl-C or SIGTERM.
    snippets::serve(app(), 8000).await;
}
