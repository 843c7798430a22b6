//! A server that handles no signal at all: plain `axum::serve`, as many programs start. The
//! tests run it as PID 1 of a PID namespace of its own, where SIGTERM does not stop it.
//! Listens on 127.0.0.1:`PORT` (0 picks a free port) and prints where.

use axum::{Router, routing::get};

#[tokio::main]
async fn main() {
    let port = std::env::var("PORT").unwrap_or_else(|_| "0".into());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}"))
        .await
        .expect("a free port");
    let address = listener
        .local_addr()
        .expect("a bound listener has an address");
    println!("listening on http://{address}");
    let app = Router::new().route("/", get(|| async { "still here" }));
    axum::serve(listener, app).await.expect("serving");
}
