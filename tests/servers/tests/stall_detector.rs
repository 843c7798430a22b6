//! The stall detector of the `stall_detector` example, held to what the book says of it: it names
//! the request whose handler blocks the runtime, while it blocks, and no other request in flight;
//! and the example's `TraceLayer` logs every request with its method, path, status and latency.
//! No assertion is about how long anything takes: the blocking handler blocks until the test
//! has the detector's report, so the report cannot come after the request has ended.

#[allow(dead_code)]
#[path = "../../../snippets/examples/stall_detector.rs"]
mod stall_detector;

use axum::{Router, body::Body, http::Request, middleware, routing::get};
use stall_detector::{InFlight, track, watch_for_stalls};
use std::{
    io::{Read, Write},
    net::{SocketAddr, TcpStream},
    sync::{Arc, Mutex, mpsc},
    thread,
    time::{Duration, Instant},
};
use tower::ServiceExt;

/// A safety net against a hung test, not a measurement.
const PATIENCE: Duration = Duration::from_secs(60);

/// Sends a whole request on a fresh connection, from the test's own thread.
fn send_get(addr: SocketAddr, path: &str) -> TcpStream {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    stream
}

fn read_to_close(mut stream: TcpStream) -> String {
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

/// Waits until the requests in flight are `expected`.
fn wait_for_in_flight(in_flight: &InFlight, expected: &[&str]) {
    let since = Instant::now();
    while in_flight.names() != expected {
        assert!(
            since.elapsed() < PATIENCE,
            "in flight: {:?}",
            in_flight.names()
        );
        thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn detector_names_the_blocking_route_while_it_blocks_and_no_other() {
    // `/blocking` blocks its thread until the test opens the gate; `/waiting` waits at an
    // `.await` for as long as the test runs.
    let (open_gate, gate) = mpsc::channel::<()>();
    let gate = Arc::new(Mutex::new(gate));
    let blocking = move || async move {
        gate.lock().unwrap().recv().unwrap();
        "unblocked\n"
    };
    let waiting = || std::future::pending::<&'static str>();
    let in_flight = InFlight::default();
    let router = Router::new()
        .route("/blocking", get(blocking))
        .route("/waiting", get(waiting))
        .layer(middleware::from_fn_with_state(in_flight.clone(), track));

    // One runtime thread, as `#[tokio::test]` has: the block stops the whole server.
    let (reports_to, reports) = mpsc::channel();
    let (addr_to, addr) = mpsc::channel();
    let detector_in_flight = in_flight.clone();
    thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            watch_for_stalls(
                &detector_in_flight,
                Duration::from_millis(300),
                move |stall| {
                    reports_to.send(stall).ok();
                },
            );
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            addr_to.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, router).await.unwrap();
        })
    });
    let addr = addr.recv_timeout(PATIENCE).unwrap();

    let _waiting = send_get(addr, "/waiting");
    wait_for_in_flight(&in_flight, &["GET /waiting"]);
    let blocked = send_get(addr, "/blocking");

    let report = reports.recv_timeout(PATIENCE).expect("no stall reported");
    // Still in flight: its handler cannot end before the gate opens, below.
    assert_eq!(in_flight.names(), ["GET /blocking", "GET /waiting"]);
    assert!(
        report.starts_with("stall: GET /blocking (one poll for "),
        "{report}"
    );
    let (_, runtime) = report
        .split_once(" so far) blocking a runtime thread; ")
        .unwrap();
    assert!(runtime.ends_with(" queued"), "{report}");
    assert!(runtime.contains(" task(s) alive, "), "{report}");
    assert!(!report.contains("/waiting"), "{report}");

    open_gate.send(()).unwrap();
    let answer = read_to_close(blocked);
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(answer.ends_with("\r\n\r\nunblocked\n"), "{answer}");
}

/// What a `tracing` subscriber writes, kept for the test to read.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn every_request_is_logged_with_method_path_status_and_latency() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .without_time()
        .finish();
    // For this thread only, which is the one thread of `#[tokio::test]`'s runtime.
    let _subscriber = tracing::subscriber::set_default(subscriber);

    // `/report` waits 3 s at an `.await`: no time at all on the paused clock.
    for (path, status) in [("/check", 200), ("/report", 200), ("/nothing-here", 404)] {
        let request = Request::get(path).body(Body::empty()).unwrap();
        let app = stall_detector::app(InFlight::default());
        let response = app.oneshot(request).await.unwrap();
        assert_eq!(response.status(), status, "{path}");
    }

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 4, "{log}");
    let span = |path| format!(" INFO request{{method=GET uri={path} version=HTTP/1.1}}: ");
    let answered = |line: &str, path, status| {
        let head = format!(
            "{}tower_http::trace::on_response: finished processing request latency=",
            span(path)
        );
        let (latency, tail) = line.strip_prefix(&head)?.split_once(' ')?;
        (latency.parse::<u64>().is_ok() && tail == format!("ms status={status}")).then_some(())
    };
    assert!(answered(lines[0], "/check", 200).is_some(), "{log}");
    // An event inside the handler carries the request's span.
    let report = format!("{}stall_detector", span("/report"));
    assert!(lines[1].starts_with(&report), "{log}");
    assert!(lines[1].ends_with(": building the report"), "{log}");
    assert!(answered(lines[2], "/report", 200).is_some(), "{log}");
    assert!(answered(lines[3], "/nothing-here", 404).is_some(), "{log}");
}
