//! What `axum::serve(...).with_graceful_shutdown(...)` does when it is told to stop while three
//! clients are connected: one that sent nothing, one idle keep-alive connection after a full
//! request, and one that sent half a request head. axum closes the first two at once; the
//! half-sent one holds the shutdown, and the server's future ends only once that client goes.
//!
//! Run it with `cargo run -p snippets --example axum_serve_shutdown`: it checks each step, in
//! order, and prints what it saw. The server reports each connection it accepts and each read
//! it makes, so every step waits for an event, never for a length of time.

use axum::{Router, routing::get, serve::Listener};
use std::{
    io,
    net::SocketAddr,
    pin::Pin,
    task::{Context, Poll},
};
use tokio::{
    io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf},
    net::{TcpListener, TcpStream},
    sync::{mpsc, oneshot},
};

#[tokio::main]
async fn main() {
    let (listener, server_side) = Reporting::bind().await;
    three_clients_at_shutdown(listener, server_side).await;
}

// ANCHOR: clients
async fn three_clients_at_shutdown(listener: Reporting, mut server_side: Events) {
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let app = Router::new().route("/", get(|| async { "hello" }));
    let server = tokio::spawn(
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                stopped.await.ok();
            })
            .into_future(),
    );

    // One client sends nothing.
    let mut silent = TcpStream::connect(addr).await.unwrap();
    server_side.accepted(0).await;
    // One sends a whole request, reads the answer, and keeps the connection open.
    let mut idle = TcpStream::connect(addr).await.unwrap();
    server_side.accepted(1).await;
    idle.write_all(b"GET / HTTP/1.1\r\nHost: example\r\n\r\n")
        .await
        .unwrap();
    let answer = read_response(&mut idle).await;
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    // One sends half a request head, and the server reads it.
    let mut half_sent = TcpStream::connect(addr).await.unwrap();
    server_side.accepted(2).await;
    half_sent.write_all(b"GET / HT").await.unwrap();
    server_side.read(2).await;

    stop.send(()).unwrap();
    // The server closes the silent and the idle connection: each read ends, with no byte.
    assert_eq!(silent.read(&mut [0; 64]).await.unwrap(), 0);
    assert_eq!(idle.read(&mut [0; 64]).await.unwrap(), 0);
    println!("after the stop: the silent and the idle connection are closed");

    // The half-sent one is still served: the server reads more of its head...
    half_sent.write_all(b"TP/1.1\r\n").await.unwrap();
    server_side.read(2).await;
    // ...and waits for the rest, for as long as it takes.
    assert!(!server.is_finished());
    println!("the half-sent one is still open, and the server's future still running");

    drop(half_sent);
    server.await.unwrap().unwrap();
    println!("the half-sent client hung up: the server's future ended");
}
// ANCHOR_END: clients

/// Reads one answer with a body of 5 bytes ("hello"), and not a byte further.
async fn read_response(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    while !answer.ends_with(b"\r\n\r\nhello") {
        answer.push(stream.read_u8().await.unwrap());
    }
    String::from_utf8(answer).unwrap()
}

/// What the server side saw, connections numbered in the order they were accepted.
#[derive(Debug, PartialEq)]
enum Event {
    Accepted(usize),
    Read(usize),
}

struct Events(mpsc::UnboundedReceiver<Event>);

impl Events {
    async fn accepted(&mut self, connection: usize) {
        self.next(Event::Accepted(connection), connection).await;
    }

    async fn read(&mut self, connection: usize) {
        self.next(Event::Read(connection), connection).await;
    }

    /// Waits for `expected`, passing over reads on other connections (a request can take more
    /// than one read); anything else is out of order.
    async fn next(&mut self, expected: Event, connection: usize) {
        loop {
            let event = self.0.recv().await.expect("the server is gone");
            if event == expected {
                return;
            }
            assert!(
                matches!(event, Event::Read(other) if other != connection),
                "expected {expected:?}, got {event:?}"
            );
        }
    }
}

/// A TCP listener for `axum::serve` that reports what the server does with each connection.
struct Reporting {
    listener: TcpListener,
    accepted: usize,
    events: mpsc::UnboundedSender<Event>,
}

impl Reporting {
    async fn bind() -> (Self, Events) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let (events, seen) = mpsc::unbounded_channel();
        let accepted = 0;
        (
            Self {
                listener,
                accepted,
                events,
            },
            Events(seen),
        )
    }
}

impl Listener for Reporting {
    type Io = ReportingStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (stream, addr) = self.listener.accept().await.unwrap();
        let connection = self.accepted;
        self.accepted += 1;
        self.events.send(Event::Accepted(connection)).ok();
        let events = self.events.clone();
        let stream = ReportingStream {
            stream,
            connection,
            events,
        };
        (stream, addr)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.listener.local_addr()
    }
}

/// A connection that reports each read that brings bytes.
struct ReportingStream {
    stream: TcpStream,
    connection: usize,
    events: mpsc::UnboundedSender<Event>,
}

impl AsyncRead for ReportingStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let read = Pin::new(&mut self.stream).poll_read(cx, buf);
        if matches!(read, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.events.send(Event::Read(self.connection)).ok();
        }
        read
    }
}

impl AsyncWrite for ReportingStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}
