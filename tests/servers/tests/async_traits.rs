//! Serves the async-traits example's router on a free port and asks it for notes over real
//! sockets: the `User` extractor (an `async fn` in axum's `FromRequestParts`) lets a known token
//! through, answers a missing, malformed or unknown one with a one-line 401 before the handler
//! runs, and the handler, generic over the `NoteStore` trait, answers 200 or a one-line 404.

#[allow(dead_code)] // the example's `main` binds port 3000; only its `app()` is used here
#[path = "../../../snippets/examples/async_traits.rs"]
mod async_traits;

#[allow(dead_code)] // only its `read_response` is used here
#[path = "support/http.rs"]
mod http;
#[path = "support/serve.rs"]
mod serve;

use std::{net::SocketAddr, time::Duration};

/// A safety net against a hung test, not a measurement.
const PATIENCE: Duration = Duration::from_secs(120);

/// `GET path` with the header lines `headers` (each ending in `\r\n`).
async fn get(addr: SocketAddr, path: &str, headers: &str) -> (u16, String) {
    let asking = http::request(addr, "GET", path, headers, "");
    let response = tokio::time::timeout(PATIENCE, asking)
        .await
        .expect("no response in time")
        .unwrap();
    (response.status, response.body)
}

const FERRIS: &str = "Authorization: Bearer ferris-token\r\n";

#[tokio::test]
async fn a_known_token_gets_the_note() {
    let addr = serve::serve(async_traits::app()).await;
    assert_eq!(
        get(addr, "/notes/1", FERRIS).await,
        (200, "buy milk (asked by ferris)\n".to_string())
    );
}

#[tokio::test]
async fn a_missing_note_is_a_one_line_404() {
    let addr = serve::serve(async_traits::app()).await;
    assert_eq!(
        get(addr, "/notes/7", FERRIS).await,
        (404, "no note 7\n".to_string())
    );
}

#[tokio::test]
async fn the_extractor_rejects_a_caller_without_a_known_token_before_the_handler_runs() {
    let addr = serve::serve(async_traits::app()).await;
    let missing = (401, "send Authorization: Bearer TOKEN\n".to_string());
    assert_eq!(get(addr, "/notes/1", "").await, missing);
    // Not the Bearer scheme, and a value that is not visible ASCII: both are missing tokens.
    assert_eq!(
        get(addr, "/notes/1", "Authorization: Basic ZmVycmlz\r\n").await,
        missing
    );
    assert_eq!(
        get(addr, "/notes/1", "Authorization: Bearer caf\u{e9}\r\n").await,
        missing
    );
    let unknown = (401, "unknown token\n".to_string());
    assert_eq!(
        get(addr, "/notes/1", "Authorization: Bearer guess\r\n").await,
        unknown
    );
    // The extractor is the first argument: a bad path is not looked at before the token.
    assert_eq!(get(addr, "/notes/one", "").await, missing);
    // And the server still answers a good request.
    assert_eq!(get(addr, "/notes/1", FERRIS).await.0, 200);
}

#[tokio::test]
async fn a_bad_id_from_a_known_caller_is_a_one_line_400() {
    let addr = serve::serve(async_traits::app()).await;
    let (status, body) = get(addr, "/notes/one", FERRIS).await;
    assert_eq!(status, 400, "{body:?}");
    assert_eq!(body.lines().count(), 1, "{body:?}");
}

/// With `+ Send` in the trait, a task generic over the store compiles, as the chapter says; and
/// it answers.
async fn title_in_a_task<S: async_traits::NoteStore>(store: S, id: u32) -> Option<String> {
    tokio::spawn(async move { store.title(id).await })
        .await
        .unwrap()
}

#[tokio::test]
async fn a_task_generic_over_the_store_can_call_it() {
    let store = async_traits::MemoryStore::with_examples();
    assert_eq!(
        title_in_a_task(store, 1).await,
        Some("buy milk".to_string())
    );
}
