//! Drives the overload example's parts over real sockets on 127.0.0.1: load shedding and a
//! concurrency limit around routes that wait at a gate the test opens, and the stand-in pool
//! with a time limit on the wait for a connection.
//!
//! The tests assert counts and orderings, never durations: a request that must still be waiting
//! waits at the shut gate, or for an hour.

#[allow(dead_code)] // not every helper is used here
#[path = "support/http.rs"]
mod http;
#[path = "support/serve.rs"]
mod serve;
use serve::serve;

#[allow(dead_code)] // the example's `main` binds port 3000; its parts are used here
#[path = "../../../snippets/examples/overload.rs"]
mod overload;

use axum::{
    Router,
    extract::{Request, State},
    middleware::{self, Next},
    response::Response,
    routing,
};
use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering::SeqCst},
    },
    time::Duration,
};
use tokio::{net::TcpStream, sync::Semaphore};
use tower::limit::ConcurrencyLimitLayer;

const HOUR: Duration = Duration::from_secs(3600);

/// A safety net against a hung test, not a measurement.
const PATIENCE: Duration = Duration::from_secs(120);

/// Routes whose handlers wait at a gate until the test opens it, and what they counted.
struct Gated {
    /// Requests that reached the router, counted before any limit.
    arrived: AtomicUsize,
    /// Handlers that started.
    started: AtomicUsize,
    /// Handlers running now, and the most that ever ran at once.
    running: AtomicUsize,
    most: AtomicUsize,
    /// No permits: handlers wait until it is closed.
    gate: Semaphore,
}

impl Gated {
    fn new() -> Arc<Gated> {
        Arc::new(Gated {
            arrived: AtomicUsize::new(0),
            started: AtomicUsize::new(0),
            running: AtomicUsize::new(0),
            most: AtomicUsize::new(0),
            gate: Semaphore::new(0),
        })
    }

    fn open(&self) {
        self.gate.close();
    }

    /// A router with `paths`, each answered by a handler that waits at the gate.
    fn router(self: &Arc<Gated>, paths: &[&str]) -> Router {
        paths
            .iter()
            .fold(Router::new(), |router, path| {
                router.route(path, routing::get(wait_at_gate))
            })
            .with_state(self.clone())
    }

    /// Counts every request that reaches `app`, before any limit inside it.
    fn count_arrivals(self: &Arc<Gated>, app: Router) -> Router {
        app.layer(middleware::from_fn_with_state(self.clone(), arrive))
    }
}

async fn wait_at_gate(State(gated): State<Arc<Gated>>) -> &'static str {
    gated.started.fetch_add(1, SeqCst);
    let now = gated.running.fetch_add(1, SeqCst) + 1;
    gated.most.fetch_max(now, SeqCst);
    // Fails, and so returns, once the gate is closed.
    let _ = gated.gate.acquire().await;
    gated.running.fetch_sub(1, SeqCst);
    "done\n"
}

async fn arrive(State(gated): State<Arc<Gated>>, request: Request, next: Next) -> Response {
    gated.arrived.fetch_add(1, SeqCst);
    next.run(request).await
}

/// Waits until `ready` holds, polling; fails after `PATIENCE`.
async fn wait_until(what: &str, ready: impl Fn() -> bool) {
    let waiting = async {
        while !ready() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    tokio::time::timeout(PATIENCE, waiting)
        .await
        .unwrap_or_else(|_| panic!("never: {what}"));
}

/// `GET path`, sent; the connection stays open for the answer.
async fn send(addr: SocketAddr, path: &str) -> TcpStream {
    http::send_get(addr, path).await.unwrap()
}

/// The status and body of the answer on `stream`.
async fn answer(stream: TcpStream) -> (u16, String) {
    let response = tokio::time::timeout(PATIENCE, http::read_response(stream))
        .await
        .expect("no response in time")
        .unwrap();
    (response.status, response.body)
}

async fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    answer(send(addr, path).await).await
}

fn ok(body: &str) -> (u16, String) {
    (200, body.to_string())
}

#[tokio::test]
async fn past_the_limit_load_shedding_answers_503_at_once_on_every_route() {
    let gated = Gated::new();
    let app = overload::shed_load(gated.router(&["/slow", "/other"]), 3);
    let addr = serve(app).await;

    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(send(addr, "/slow").await);
    }
    wait_until("3 handlers started", || gated.started.load(SeqCst) == 3).await;

    // The gate is shut: a request let in now would never be answered.
    let overloaded = (503, "server overloaded\n".to_string());
    assert_eq!(get(addr, "/slow").await, overloaded);
    assert_eq!(get(addr, "/other").await, overloaded);
    assert_eq!(gated.started.load(SeqCst), 3);

    gated.open();
    for stream in held {
        assert_eq!(answer(stream).await, ok("done\n"));
    }
    assert_eq!(gated.most.load(SeqCst), 3);
    // With room again, requests are let in.
    assert_eq!(get(addr, "/other").await, ok("done\n"));
}

#[tokio::test]
async fn past_the_limit_requests_wait_their_turn_without_load_shedding() {
    let gated = Gated::new();
    let app = gated.count_arrivals(overload::wait_in_line(gated.router(&["/slow"]), 3));
    let addr = serve(app).await;

    let mut sent = Vec::new();
    for _ in 0..5 {
        sent.push(send(addr, "/slow").await);
    }
    wait_until("5 arrived and 3 handlers started", || {
        gated.arrived.load(SeqCst) == 5 && gated.started.load(SeqCst) == 3
    })
    .await;
    assert_eq!(gated.started.load(SeqCst), 3, "2 wait for a place");

    gated.open();
    for stream in sent {
        assert_eq!(answer(stream).await, ok("done\n"));
    }
    assert_eq!(gated.started.load(SeqCst), 5);
    assert_eq!(gated.most.load(SeqCst), 3);
}

/// `Router::layer` wraps each route in a layer of its own: `ConcurrencyLimitLayer` makes a
/// limit for each, where `GlobalConcurrencyLimitLayer` shares one.
#[tokio::test]
async fn concurrency_limit_layer_on_a_router_limits_each_route_on_its_own() {
    let gated = Gated::new();
    let app = gated
        .router(&["/a", "/b"])
        .layer(ConcurrencyLimitLayer::new(1));
    let addr = serve(app).await;

    let a = send(addr, "/a").await;
    let b = send(addr, "/b").await;
    wait_until("both handlers started", || gated.started.load(SeqCst) == 2).await;

    gated.open();
    assert_eq!(answer(a).await, ok("done\n"));
    assert_eq!(answer(b).await, ok("done\n"));
    assert_eq!(gated.most.load(SeqCst), 2);
}

#[tokio::test]
async fn a_request_that_waits_too_long_for_a_connection_gets_503() {
    let pool = overload::Pool::new(1, Duration::from_millis(100));
    let addr = serve(overload::reports(pool, HOUR)).await;

    // One holds the only connection for an hour, whichever gets it first; the other gets 503
    // when its wait for a connection runs out.
    let first = send(addr, "/report").await;
    let second = send(addr, "/report").await;
    let answered = tokio::select! {
        answered = answer(first) => answered,
        answered = answer(second) => answered,
    };
    assert_eq!(answered, (503, "database busy\n".to_string()));
}

#[tokio::test]
async fn requests_take_turns_on_a_connection_that_comes_free_in_time() {
    let pool = overload::Pool::new(1, HOUR);
    let addr = serve(overload::reports(pool, Duration::from_millis(20))).await;

    let mut sent = Vec::new();
    for _ in 0..5 {
        sent.push(send(addr, "/report").await);
    }
    for stream in sent {
        assert_eq!(answer(stream).await, ok("report ready\n"));
    }
}
