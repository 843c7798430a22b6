//! Serves the hello example's own router on a free port and asks it for `/` over a real socket.

// The example's `main` binds port 3000; only its `app()` is used here.
#[allow(dead_code)]
#[path = "../../../snippets/examples/hello.rs"]
mod hello;

#[path = "support/http.rs"]
mod http;

use std::net::SocketAddr;

use tokio::net::TcpListener;

/// Serves `hello::app()` on 127.0.0.1 with a port the OS picks, and returns its address. The
/// server is a task of the test's runtime, so it stops when the test ends.
async fn serve_hello() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, hello::app()).await.unwrap() });
    addr
}

#[tokio::test]
async fn root_answers_hello_world() {
    let addr = serve_hello().await;
    let response = http::get(addr, "/").await.unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.body, "Hello, world!");
}

#[tokio::test]
async fn unknown_path_is_not_found() {
    let addr = serve_hello().await;
    let response = http::get(addr, "/nothing-here").await.unwrap();
    assert_eq!(response.status, 404);
}
