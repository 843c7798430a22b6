//! The smallest axum server: one `async fn` handler that answers "Hello, world!".
//!
//! Run it with `cargo run -p snippets --example hello`, then, from another terminal,
//! `curl http://127.0.0.1:3000/`. Stop it with Ctrl-C.
//! Set `PORT` to pick another port than 3000 (`PORT=0` takes any free one).

use axum::{Router, routing::get};

/// The whole application. `main` serves it on port 3000; the tests serve the same router.
pub fn app() -> Router {
    Router::new().route("/", get(hello))
}

async fn hello() -> &'static str {
    "Hello, world!"
}

#[tokio::main]
async fn main() {
    // Serves `app()` on 127.0.0.1:3000 until Ctrl-C or SIGTERM: see "Stopping a server".
    snippets::serve(app(), 3000).await;
}
