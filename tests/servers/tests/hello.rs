//! Serves the hello example's own router on a free port and asks it for `/` over a real socket.

// The example's `main` binds port 3000; only its `app()` is used here.
#[allow(dead_code)]
#[path = "../../../snippets/examples/hello.rs"]
mod hello;

#[path = "support/http.rs"]
mod http;
#[path = "support/serve.rs"]
mod serve;

use std::net::SocketAddr;

async fn serve_hello() -> SocketAddr {
    serve::serve(hello::app()).await
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
