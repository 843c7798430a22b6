//! Testing an axum app twice over, as a reader's own tests do: without a socket, with
//! `tower::ServiceExt::oneshot`, and with one, served on 127.0.0.1:0 and called over HTTP.
//! Run: `cargo test -p snippets --test testing_handlers`.
// As a program (the book compiles every file it shows), this file is only its `main`.
#![cfg_attr(not(test), allow(dead_code, unused_imports))]

// ANCHOR: app
use axum::{Router, extract::Path, routing::get};

/// In your project, `app()` comes from your own crate (`use my_server::app;`).
fn app() -> Router {
    Router::new().route("/hello/{name}", get(hello))
}

async fn hello(Path(name): Path<String>) -> String {
    format!("Hello, {name}!\n")
}
// ANCHOR_END: app

// ANCHOR: oneshot
use axum::{
    body::{Body, to_bytes},
    http::{Request, StatusCode, header},
};
use tower::ServiceExt; // for `oneshot`

#[tokio::test]
async fn hello_greets_by_name() {
    let request = Request::get("/hello/Ferris").body(Body::empty()).unwrap();

    let response = app().oneshot(request).await.unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    let content_type = &response.headers()[header::CONTENT_TYPE];
    assert_eq!(content_type, "text/plain; charset=utf-8");
    let body = to_bytes(response.into_body(), 64 * 1024).await.unwrap();
    assert_eq!(&body[..], b"Hello, Ferris!\n");
}

#[tokio::test]
async fn unknown_path_is_404() {
    let request = Request::get("/goodbye").body(Body::empty()).unwrap();
    let response = app().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
// ANCHOR_END: oneshot

// ANCHOR: socket
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

#[tokio::test]
async fn hello_answers_over_http() {
    // Port 0: the OS picks a free port, so tests running at once never collide.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app()).await.unwrap() });

    let mut client = TcpStream::connect(addr).await.unwrap();
    let request = "GET /hello/Ferris HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n";
    client.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    client.read_to_string(&mut response).await.unwrap();

    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.ends_with("\r\n\r\nHello, Ferris!\n"), "{response}");
}
// ANCHOR_END: socket

fn main() {}
