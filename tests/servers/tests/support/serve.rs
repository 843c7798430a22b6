//! Serves an axum `Router` for a test on 127.0.0.1, with a port the OS picks.

use std::net::SocketAddr;

use axum::Router;
use tokio::net::TcpListener;

/// Serves `app` on 127.0.0.1 with a port the OS picks, and returns its address. The server is a
/// task of the test's runtime, so it stops when the test ends.
pub async fn serve(app: Router) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}
