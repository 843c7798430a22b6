//! The fixes for four handlers that axum rejects with "the trait bound `...: Handler<_, _>` is not
//! satisfied": the body extractor moved last, a plain argument turned into an extractor, an error
//! type turned into a response, and a `State` that matches the router's state. One router routes
//! all four (the proof that axum accepts them); the program then sends each a request through
//! that router and checks what it answers.
//!
//! Run it with `cargo run -p snippets --example handler_fixes`.

use std::sync::Arc;

use axum::{
    Json, Router,
    body::Body,
    extract::{Path, State},
    http::{Request, StatusCode},
    routing::{get, post},
};
use hyper::service::Service as _;
use hyper_util::service::TowerToHyperService;

// ANCHOR: body_last
async fn rename(Path(id): Path<u32>, Json(name): Json<String>) -> String {
    format!("user {id} is now {name}")
}
// ANCHOR_END: body_last

// ANCHOR: extractor
async fn show(Path(id): Path<u32>) -> String {
    format!("user {id}")
}
// ANCHOR_END: extractor

// ANCHOR: into_response
async fn double(body: String) -> Result<String, (StatusCode, String)> {
    let n: u64 = body
        .trim()
        .parse()
        .map_err(|e| (StatusCode::BAD_REQUEST, format!("not a number: {e}\n")))?;
    Ok((n * 2).to_string())
}
// ANCHOR_END: into_response

// ANCHOR: state
struct AppState {
    greeting: String,
}

async fn greet(State(state): State<Arc<AppState>>) -> String {
    state.greeting.clone()
}
// ANCHOR_END: state

fn app() -> Router {
    let state = Arc::new(AppState {
        greeting: "hello".to_owned(),
    });
    Router::new()
        .route("/users/{id}", get(show).put(rename))
        .route("/double", post(double))
        .route("/", get(greet))
        .with_state(state)
}

/// Sends one request through the router, without a socket, and returns its status and body.
async fn send(method: &str, uri: &str, content_type: &str, body: &str) -> (StatusCode, String) {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", content_type)
        .body(Body::from(body.to_owned()))
        .expect("a valid request");
    let response = TowerToHyperService::new(app())
        .call(request)
        .await
        .expect("a router never fails");
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("a body in memory");
    (status, String::from_utf8(bytes.to_vec()).expect("UTF-8"))
}

#[tokio::main]
async fn main() {
    let json = "application/json";
    let text = "text/plain";
    let ok = |body: &str| (StatusCode::OK, body.to_owned());
    assert_eq!(
        send("PUT", "/users/7", json, "\"Ada\"").await,
        ok("user 7 is now Ada")
    );
    assert_eq!(send("GET", "/users/7", text, "").await, ok("user 7"));
    assert_eq!(send("POST", "/double", text, "21").await, ok("42"));
    let (status, body) = send("POST", "/double", text, "many").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.starts_with("not a number"), "{body}");
    assert_eq!(send("GET", "/", text, "").await, ok("hello"));
    println!("all four handlers answer");
}
