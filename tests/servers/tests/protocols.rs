//! What the graceful-shutdown example serves besides plain HTTP/1 requests, and how each of them
//! ends at a stop: a WebSocket over an HTTP/1.1 upgrade and an event stream (SSE); and what it
//! does not serve: HTTP/2 (axum's `http2` feature is not among the reader's dependency lines).
//! Each test serves `graceful_shutdown::app` on 127.0.0.1:0 in its own runtime with
//! `axum::serve(..).with_graceful_shutdown(stop)`, as the example's `serve()` does, cancels
//! `stop` as the example does at the first signal, and waits until the server has returned.

#[allow(dead_code)]
#[path = "../../../snippets/examples/graceful_shutdown.rs"]
mod graceful_shutdown;

use axum::{
    Router,
    body::Body,
    extract::Request,
    http::{StatusCode, header},
    response::Response,
    routing::get,
};
// `SinkExt` (`socket.send`) is futures-util's `sink` feature, which tokio-tungstenite turns on
// for its own `Sink` impl.
use futures_util::{SinkExt, StreamExt};
use graceful_shutdown::Stopping;
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::{io, net::SocketAddr, time::Duration};
use tokio::{
    io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    task::JoinHandle,
};
use tokio_tungstenite::{
    WebSocketStream,
    tungstenite::{Message, protocol::frame::coding::CloseCode},
};
use tokio_util::{sync::CancellationToken, task::TaskTracker};

/// A safety net for a test that would otherwise hang: no outcome below waits for a timer.
const PATIENCE: Duration = Duration::from_secs(30);

async fn within<F: IntoFuture>(what: &str, future: F) -> F::Output {
    tokio::time::timeout(PATIENCE, future)
        .await
        .unwrap_or_else(|_| panic!("{what}: nothing after {PATIENCE:?}"))
}

/// The example's server, running in the test's runtime.
struct Running {
    addr: SocketAddr,
    stopping: Stopping,
    served: JoinHandle<io::Result<()>>,
}

async fn serve() -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let stopping = Stopping {
        stop: CancellationToken::new(),
        sockets: TaskTracker::new(),
    };
    let server = axum::serve(listener, graceful_shutdown::app(stopping.clone()))
        .with_graceful_shutdown(stopping.stop.clone().cancelled_owned());
    let served = tokio::spawn(server.into_future());
    Running {
        addr,
        stopping,
        served,
    }
}

impl Running {
    /// What the example does at the first signal: cancel `stop`.
    fn stop(&self) {
        self.stopping.stop.cancel();
    }

    /// Waits until `axum::serve` has returned, then until every WebSocket task has ended.
    async fn stopped(self) {
        within("the server returning", self.served)
            .await
            .unwrap()
            .unwrap();
        self.stopping.sockets.close();
        within("the WebSockets ending", self.stopping.sockets.wait()).await;
    }
}

/// The 24 bytes an HTTP/2 client sends first when it knows the server speaks HTTP/2 ("prior
/// knowledge", as gRPC clients and `curl --http2-prior-knowledge` do).
const HTTP2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// The reader's axum line has no `http2` feature (axum's default features have only `http1`), so
/// `axum::serve` speaks HTTP/1 only: hyper reads the preface as an HTTP/1 request head, sees
/// the HTTP/2 preface, and closes the connection without writing a byte.
#[tokio::test]
async fn http2_with_prior_knowledge_is_closed_unanswered() {
    let server = serve().await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    stream.write_all(HTTP2_PREFACE).await.unwrap();
    let mut answer = Vec::new();
    within("the server closing", stream.read_to_end(&mut answer))
        .await
        .unwrap();
    assert!(answer.is_empty(), "{:?}", String::from_utf8_lossy(&answer));

    server.stop();
    server.stopped().await;
}

/// Sends a text message and gets it back; then, at the stop, gets the example's Close frame
/// (1001, going away, with its reason) and the end of the stream.
async fn echo_then_close_at_stop<S>(socket: &mut WebSocketStream<S>, server: &Running)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    within("sending", socket.send(Message::text("hello")))
        .await
        .unwrap();
    let echoed = within("the echo", socket.next()).await.unwrap().unwrap();
    assert_eq!(echoed, Message::text("hello"));

    server.stop();
    let closing = within("the Close frame", socket.next()).await;
    let Some(Ok(Message::Close(Some(close)))) = closing else {
        panic!("expected a Close frame with a code, got {closing:?}");
    };
    assert_eq!(close.code, CloseCode::Away);
    assert_eq!(close.reason.as_str(), "the server is stopping");
    let after = within("the end of the stream", socket.next()).await;
    assert!(after.is_none(), "expected the end, got {after:?}");
}

#[tokio::test]
async fn websocket_over_http1_ends_with_a_close_frame_at_stop() {
    let server = serve().await;
    let url = format!("ws://{}/ws", server.addr);
    let (mut socket, response) = within("the handshake", tokio_tungstenite::connect_async(url))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SWITCHING_PROTOCOLS);

    echo_then_close_at_stop(&mut socket, &server).await;
    // `axum::serve` returns, and the socket's task has ended: the stop is not held by it.
    server.stopped().await;
}

#[tokio::test]
async fn event_stream_ends_at_stop() {
    let server = serve().await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let request = format!("GET /events HTTP/1.1\r\nHost: {}\r\n\r\n", server.addr);
    stream.write_all(request.as_bytes()).await.unwrap();
    let head = within("the response head", read_head(&mut stream)).await;
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(
        head.contains("content-type: text/event-stream\r\n"),
        "{head}"
    );
    assert!(head.contains("transfer-encoding: chunked\r\n"), "{head}");

    let mut body = Vec::new();
    while !String::from_utf8_lossy(&body).contains("data: tick 0\n") {
        let mut chunk = [0; 1024];
        let n = within("the first event", stream.read(&mut chunk))
            .await
            .unwrap();
        assert!(n > 0, "the stream ended before its first event");
        body.extend_from_slice(&chunk[..n]);
    }

    // No request is in flight any more, only a response: the stop ends it, with the chunked
    // body's last chunk, and then the server closes the connection.
    server.stop();
    within("the end of the response", stream.read_to_end(&mut body))
        .await
        .unwrap();
    let body = String::from_utf8(body).unwrap();
    assert!(body.ends_with("\r\n0\r\n\r\n"), "{body:?}");
    server.stopped().await;
}

/// Reads a response head, up to and including its blank line, and not a byte further.
async fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        head.push(stream.read_u8().await.unwrap());
    }
    String::from_utf8(head).unwrap()
}

/// 101 Switching Protocols, to the `echo` protocol.
fn switching_to_echo() -> Response {
    Response::builder()
        .status(StatusCode::SWITCHING_PROTOCOLS)
        .header(header::CONNECTION, "upgrade")
        .header(header::UPGRADE, "echo")
        .body(Body::empty())
        .unwrap()
}

/// What `axum::serve` avoids: hyper's connection builder without upgrades answers the 101, then
/// gives the route an error instead of the connection.
#[tokio::test]
async fn without_upgrades_the_route_gets_an_error_instead_of_the_connection() {
    let (errors, mut error) = tokio::sync::mpsc::unbounded_channel();
    let route = move |mut request: Request| {
        let errors = errors.clone();
        async move {
            let upgrade = hyper::upgrade::on(&mut request);
            tokio::spawn(async move {
                let outcome = upgrade.await.map(|_| ()).map_err(|e| e.to_string());
                errors.send(outcome).unwrap();
            });
            switching_to_echo()
        }
    };
    let app = Router::new().route("/echo", get(route));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let client = tokio::spawn(async move {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let request =
            "GET /echo HTTP/1.1\r\nHost: test\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\n";
        stream.write_all(request.as_bytes()).await.unwrap();
        let head = read_head(&mut stream).await;
        let mut rest = Vec::new();
        stream.read_to_end(&mut rest).await.unwrap();
        (head, rest)
    });

    let (stream, _) = listener.accept().await.unwrap();
    let service = hyper_util::service::TowerToHyperService::new(app);
    hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
        .serve_connection(TokioIo::new(stream), service)
        .await
        .unwrap();
    let outcome = error.recv().await.unwrap();
    assert_eq!(
        outcome,
        Err("upgrade expected but low level API in use".to_string())
    );
    let (head, rest) = client.await.unwrap();
    assert!(head.starts_with("HTTP/1.1 101 "), "{head}");
    assert!(rest.is_empty(), "{rest:?}");
}
