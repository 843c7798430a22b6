//! Drives the handler-errors server over real sockets on 127.0.0.1, with its own `app()`: every
//! bad `Json`, `Query` and `Path` gets a 4xx with a one-line body, and the server still answers
//! afterwards. Beside it, axum's own rejections, with no error type of ours.

#[allow(dead_code)] // only its `read_response` is used here
#[path = "support/http.rs"]
mod http;
#[path = "support/serve.rs"]
mod serve;
use serve::serve;

#[allow(dead_code)] // the example's `main` binds port 3000; only its `app()` is used here
#[path = "../../../snippets/examples/handler_errors.rs"]
mod handler_errors;

use axum::{
    Json, Router,
    extract::{Path, Query},
    routing,
};
use std::{net::SocketAddr, time::Duration};

/// A safety net against a hung test, not a measurement.
const PATIENCE: Duration = Duration::from_secs(120);

/// `method path` with `body`, sent as JSON unless `content_type` says otherwise.
async fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    content_type: Option<&str>,
    body: &str,
) -> (u16, String) {
    let content_type = content_type
        .map(|value| format!("Content-Type: {value}\r\n"))
        .unwrap_or_default();
    let asking = http::request(addr, method, path, &content_type, body);
    let response = tokio::time::timeout(PATIENCE, asking)
        .await
        .expect("no response in time")
        .unwrap();
    (response.status, response.body)
}

const JSON: Option<&str> = Some("application/json");

async fn post_note(addr: SocketAddr, body: &str) -> (u16, String) {
    send(addr, "POST", "/notes", JSON, body).await
}

async fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    send(addr, "GET", path, None, "").await
}

/// A 4xx whose body is exactly one line, ending in a line break.
fn assert_one_line_4xx((status, body): &(u16, String), expected_status: u16) {
    assert_eq!(*status, expected_status, "{body:?}");
    assert!(body.ends_with('\n'), "{body:?}");
    assert_eq!(body.lines().count(), 1, "{body:?}");
}

#[tokio::test]
async fn good_requests_are_answered() {
    let addr = serve(handler_errors::app()).await;
    let added = post_note(addr, r#"{"title": "buy milk", "stars": 2}"#).await;
    assert_eq!(added, (201, "note 1\n".to_string()));
    post_note(addr, r#"{"title": "call mum", "stars": 5}"#).await;

    assert_eq!(
        get(addr, "/notes/1").await,
        (200, "buy milk (2 stars)\n".to_string())
    );
    assert_eq!(
        get(addr, "/notes?min_stars=3").await,
        (200, "call mum\n".to_string())
    );
}

#[tokio::test]
async fn bad_input_gets_a_one_line_4xx_and_the_server_stays_up() {
    let addr = serve(handler_errors::app()).await;
    post_note(addr, r#"{"title": "buy milk", "stars": 2}"#).await;

    let bad_json = post_note(addr, r#"{"title": "#).await;
    assert_one_line_4xx(&bad_json, 400);
    assert_eq!(
        bad_json.1,
        "Failed to parse the request body as JSON: title: EOF while parsing a value at line 1 column 10\n"
    );

    let missing_field = post_note(addr, r#"{"title": "call mum"}"#).await;
    assert_one_line_4xx(&missing_field, 422);
    assert_eq!(
        missing_field.1,
        "Failed to deserialize the JSON body into the target type: missing field `stars` at line 1 column 21\n"
    );

    let wrong_type = post_note(addr, r#"{"title": "call mum", "stars": "many"}"#).await;
    assert_one_line_4xx(&wrong_type, 422);
    assert_eq!(
        wrong_type.1,
        "Failed to deserialize the JSON body into the target type: stars: invalid type: string \"many\", expected u8 at line 1 column 37\n"
    );

    let too_many_stars = post_note(addr, r#"{"title": "call mum", "stars": 300}"#).await;
    assert_one_line_4xx(&too_many_stars, 422);

    let not_json = send(addr, "POST", "/notes", Some("text/plain"), "call mum").await;
    assert_one_line_4xx(&not_json, 415);
    assert_eq!(
        not_json.1,
        "Expected request with `Content-Type: application/json`\n"
    );

    let bad_query = get(addr, "/notes?min_stars=lots").await;
    assert_one_line_4xx(&bad_query, 400);
    assert_eq!(
        bad_query.1,
        "Failed to deserialize query string: min_stars: invalid digit found in string\n"
    );
    assert_one_line_4xx(&get(addr, "/notes").await, 400);

    let bad_path = get(addr, "/notes/one").await;
    assert_one_line_4xx(&bad_path, 400);
    assert_eq!(bad_path.1, "Invalid URL: Cannot parse `one` to a `u32`\n");
    // An encoded line break in the path stays on one line.
    let two_lines = get(addr, "/notes/one%0Atwo").await;
    assert_one_line_4xx(&two_lines, 400);
    assert_eq!(
        two_lines.1,
        "Invalid URL: Cannot parse `one two` to a `u32`\n"
    );

    assert_eq!(
        get(addr, "/notes/7").await,
        (404, "no note 7\n".to_string())
    );
    assert_eq!(
        get(addr, "/notes/0").await,
        (404, "no note 0\n".to_string())
    );

    // Nothing above broke the server.
    assert_eq!(
        get(addr, "/notes/1").await,
        (200, "buy milk (2 stars)\n".to_string())
    );
}

/// Memory stays bounded: a body over 1 KiB gets 413, a note past the last one 507, each
/// with one line, and the server still answers.
#[tokio::test]
async fn big_bodies_and_too_many_notes_get_one_line_each() {
    let addr = serve(handler_errors::app()).await;
    let long_title = "a".repeat(2000);
    let big = post_note(addr, &format!(r#"{{"title": "{long_title}", "stars": 1}}"#)).await;
    assert_one_line_4xx(&big, 413);
    assert_eq!(
        big.1,
        "Failed to buffer the request body: length limit exceeded\n"
    );

    for n in 1..=handler_errors::MAX_NOTES {
        let added = post_note(addr, r#"{"title": "again", "stars": 1}"#).await;
        assert_eq!(added, (201, format!("note {n}\n")));
    }
    let one_more = post_note(addr, r#"{"title": "again", "stars": 1}"#).await;
    assert_eq!(one_more, (507, "no room for more notes\n".to_string()));
    assert_eq!(
        get(addr, "/notes/1").await,
        (200, "again (1 stars)\n".to_string())
    );
}

/// The bad requests `bad_input_gets_a_one_line_4xx_and_the_server_stays_up` sends, as
/// `(method, path, content type, body)`.
const BAD_REQUESTS: [(&str, &str, Option<&str>, &str); 9] = [
    ("POST", "/notes", JSON, r#"{"title": "#),
    ("POST", "/notes", JSON, r#"{"title": "call mum"}"#),
    (
        "POST",
        "/notes",
        JSON,
        r#"{"title": "call mum", "stars": "many"}"#,
    ),
    (
        "POST",
        "/notes",
        JSON,
        r#"{"title": "call mum", "stars": 300}"#,
    ),
    ("POST", "/notes", Some("text/plain"), "call mum"),
    ("GET", "/notes?min_stars=lots", None, ""),
    ("GET", "/notes", None, ""),
    ("GET", "/notes/one", None, ""),
    ("GET", "/notes/one%0Atwo", None, ""),
];

/// What axum answers by itself, with the same extractors and no error type of ours: the same
/// status and words, without a final line break; and a path's encoded line break breaks the
/// line.
#[tokio::test]
async fn axum_rejections_are_the_same_words_without_a_line_break() {
    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct NewNote {
        title: String,
        stars: u8,
    }
    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Filter {
        min_stars: u8,
    }
    async fn add(Json(_): Json<NewNote>) {}
    async fn list(Query(_): Query<Filter>) {}
    async fn show(Path(_): Path<u32>) {}
    let plain = Router::new()
        .route("/notes", routing::get(list).post(add))
        .route("/notes/{id}", routing::get(show));
    let plain = serve(plain).await;
    let ours = serve(handler_errors::app()).await;

    for (method, path, content_type, body) in BAD_REQUESTS {
        let (status, text) = send(plain, method, path, content_type, body).await;
        let expected = send(ours, method, path, content_type, body).await;
        if path.contains("%0A") {
            assert_eq!(
                (status, text.as_str()),
                (400, "Invalid URL: Cannot parse `one\ntwo` to a `u32`")
            );
        } else {
            assert_eq!(
                (status, format!("{text}\n")),
                expected,
                "{method} {path} {body}"
            );
        }
    }
}
