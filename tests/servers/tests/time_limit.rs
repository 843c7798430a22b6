//! Drives the time-limited server over real sockets on 127.0.0.1, with its own `app_with()`.
//!
//! Orderings are forced, never raced: where a handler must still be waiting, it waits for an
//! hour, and a limit that must not fire is an hour long. No assertion is about how long
//! anything takes.

#[path = "support/http.rs"]
mod http;
#[path = "support/serve.rs"]
mod serve;
use serve::serve;

#[allow(dead_code)]
#[path = "../../../snippets/examples/time_limit.rs"]
mod time_limit;

use axum::{Router, routing};
use std::{net::SocketAddr, time::Duration};

const HOUR: Duration = Duration::from_secs(3600);

/// Long enough that a handler which answers at once is never cut off, even on a busy machine.
const LIMIT: Duration = Duration::from_millis(400);

/// A safety net against a hung test, not a measurement.
const PATIENCE: Duration = Duration::from_secs(120);

async fn get(addr: SocketAddr, path: &str) -> http::Response {
    tokio::time::timeout(PATIENCE, http::get(addr, path))
        .await
        .expect("no response in time")
        .unwrap()
}

/// Asks `/events` until it lists `expected`, and fails if it ever lists anything else.
async fn wait_for_events(addr: SocketAddr, expected: &[&str]) {
    let wanted: String = expected.iter().map(|event| format!("{event}\n")).collect();
    let asking = async {
        loop {
            let events = get(addr, "/events").await.body;
            assert!(wanted.starts_with(&events), "events: {events:?}");
            if events == wanted {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(PATIENCE, asking)
        .await
        .unwrap_or_else(|_| panic!("never logged {expected:?}"));
}

#[tokio::test]
async fn slow_route_gets_503_from_the_limit_and_its_handler_is_dropped() {
    let addr = serve(time_limit::app_with(LIMIT, HOUR)).await;

    let report = get(addr, "/report").await;
    assert_eq!((report.status, report.body.as_str()), (503, ""));

    let check = get(addr, "/check").await;
    assert_eq!((check.status, check.body.as_str()), (200, "OK\n"));
    wait_for_events(addr, &["report started", "report dropped at its .await"]).await;
}

#[tokio::test]
async fn report_within_the_limit_is_answered_and_finishes() {
    let addr = serve(time_limit::app_with(HOUR, Duration::ZERO)).await;

    let report = get(addr, "/report").await;
    assert_eq!(
        (report.status, report.body.as_str()),
        (200, "report ready\n")
    );
    wait_for_events(addr, &["report started", "report finished"]).await;
}

#[tokio::test]
async fn handler_is_dropped_at_its_await_when_the_client_hangs_up() {
    let addr = serve(time_limit::app_with(HOUR, HOUR)).await;

    let hung_up = http::send_get(addr, "/report").await.unwrap();
    wait_for_events(addr, &["report started"]).await;
    drop(hung_up);
    wait_for_events(addr, &["report started", "report dropped at its .await"]).await;
}

/// A handler that blocks has no `.await` at which the limit could stop it: it answers, late,
/// and the limit never fires.
#[tokio::test]
async fn blocking_handler_outlasts_the_time_limit() {
    let blocking = || async {
        std::thread::sleep(LIMIT * 2);
        "done, late\n"
    };
    let app = Router::new()
        .route("/blocking", routing::get(blocking))
        .layer(time_limit::time_limit(LIMIT));
    let addr = serve(app).await;

    let response = get(addr, "/blocking").await;
    assert_eq!(
        (response.status, response.body.as_str()),
        (200, "done, late\n")
    );
}
