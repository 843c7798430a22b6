//! The book's `serve` speaks what `axum::serve` speaks: HTTP/2 with prior knowledge (as gRPC
//! clients and `curl --http2-prior-knowledge` send it) and upgraded connections (what a
//! WebSocket route needs), next to HTTP/1. Each test serves a router of its own with
//! `snippets::serve_until` on 127.0.0.1:0, in the test's own process, and stops it.

use axum::{
    Router,
    body::Body,
    extract::Request,
    http::{StatusCode, header},
    response::Response,
    routing::get,
};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::{net::SocketAddr, time::Duration};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::oneshot,
    task::JoinHandle,
};

fn app() -> Router {
    Router::new()
        .route("/", get(|| async { "hello" }))
        .route("/echo", get(echo))
}

/// Answers 101 Switching Protocols, then sends back every byte the client sends on the
/// connection it took over: the shape of a WebSocket route, without a WebSocket crate.
async fn echo(mut request: Request) -> Response {
    let upgrade = hyper::upgrade::on(&mut request);
    tokio::spawn(async move {
        if let Ok(upgraded) = upgrade.await {
            let (mut from, mut to) = tokio::io::split(TokioIo::new(upgraded));
            let _ = tokio::io::copy(&mut from, &mut to).await;
        }
    });
    switching_to_echo()
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

/// A server that runs until its `Sender` sends (or is dropped).
struct Running {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    served: JoinHandle<()>,
}

async fn serve() -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel();
    // A header timeout no test waits for: these tests are about what is served.
    let header_timeout = Duration::from_secs(600);
    let served = tokio::spawn(snippets::serve_until(
        listener,
        app(),
        header_timeout,
        async {
            let _ = stopped.await;
        },
    ));
    Running { addr, stop, served }
}

impl Running {
    /// Stops the server and waits until `serve_until` returns: every connection has closed.
    async fn stop(self) {
        self.stop.send(()).unwrap();
        self.served.await.unwrap();
    }
}

#[tokio::test]
async fn http2_with_prior_knowledge_is_answered() {
    let server = serve().await;
    let stream = TcpStream::connect(server.addr).await.unwrap();
    let (mut client, connection) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
            .await
            .unwrap();
    let connection = tokio::spawn(connection);
    let request = hyper::Request::get(format!("http://{}/", server.addr))
        .body(Empty::<Bytes>::new())
        .unwrap();
    let response = client.send_request(request).await.unwrap();
    assert_eq!(response.version(), hyper::Version::HTTP_2);
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(body, "hello");

    // A stop ends the HTTP/2 connection too, while the client still holds it open.
    server.stop().await;
    connection.await.unwrap().unwrap();
    assert!(
        client.ready().await.is_err(),
        "the connection still takes requests"
    );
}

#[tokio::test]
async fn upgraded_connection_carries_bytes_both_ways() {
    let server = serve().await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let request =
        "GET /echo HTTP/1.1\r\nHost: test\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\n";
    stream.write_all(request.as_bytes()).await.unwrap();
    let head = read_head(&mut stream).await;
    assert!(
        head.starts_with("HTTP/1.1 101 Switching Protocols\r\n"),
        "{head}"
    );

    for message in [&b"ping"[..], b"and pong"] {
        stream.write_all(message).await.unwrap();
        let mut echoed = vec![0; message.len()];
        stream.read_exact(&mut echoed).await.unwrap();
        assert_eq!(echoed, message);
    }
    // The upgraded connection belongs to the route now, not to the server: a stop does not
    // wait for it.
    server.stop().await;
    stream.write_all(b"still").await.unwrap();
    let mut echoed = [0; 5];
    stream.read_exact(&mut echoed).await.unwrap();
    assert_eq!(&echoed, b"still");
}

/// Reads a response head, up to and including its blank line, and not a byte further.
async fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        head.push(stream.read_u8().await.unwrap());
    }
    String::from_utf8(head).unwrap()
}

/// What the book's `serve` avoids: hyper's connection builder without upgrades answers the
/// 101, then gives the route an error instead of the connection.
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
