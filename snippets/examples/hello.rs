//! The smallest axum server: one `async fn` handler that answers "Hello, world!".
//!
//! Run it with `cargo run -p snippets --example hello`, then, from another terminal,
//! `curl http://127.0.0.1:3000/`. Stop it with Ctrl-C.

use axum::{Router, routing::get};

/// The whole application. `main` serves it on port 3000; the tests serve the same router.
pub fn app() -> Router {
    Router::new().route("/", get(hello))
}

async fn hello() -> &'static str {
    "Hello, world!"
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app())
        .with_graceful_shutdown(async {
            tokio::signal::ctrl_c()
                .await
                .expect("failed to listen for Ctrl-C");
        })
        .await
}
