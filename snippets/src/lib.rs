//! How every example server in this book runs its `app()`: `snippets::serve(app(), 8000).await`.
//!
//! It serves HTTP/1 and HTTP/2 (and upgraded connections, such as WebSockets) as `axum::serve`
//! does, built from hyper-util's own parts. It stops on SIGINT (Ctrl-C) and SIGTERM alike, gives
//! requests in flight a deadline to finish, and closes connections that are slow to send a
//! request. Settings, from the environment: `HOST` (default 127.0.0.1; a container needs
//! 0.0.0.0), `PORT` (0 picks a free port), `HEADER_TIMEOUT_SECS` (default 5) and
//! `DRAIN_TIMEOUT_SECS` (default 8).
//!
//! [`serve_until`] is the same server without the settings and the signals: it serves a given
//! listener until a given future completes, which is how a test runs it in its own process.

use axum::Router;
use hyper_util::{
    rt::{TokioExecutor, TokioIo, TokioTimer},
    server::{conn::auto, graceful::GracefulShutdown},
    service::TowerToHyperService,
};
use std::{
    io,
    net::{IpAddr, Ipv4Addr, SocketAddr},
    num::NonZeroU64,
    pin::{Pin, pin},
    process,
    str::FromStr,
    sync::{Arc, Weak},
    task::{Context, Poll},
    thread,
    time::Duration,
};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::{TcpListener, TcpStream},
    sync::oneshot,
    time::Sleep,
};
use tokio_util::{sync::CancellationToken, task::TaskTracker};

/// A client gets this long to send a whole request head. Not longer than the drain deadline: a
/// client still sending its head when a stop begins is closed by this limit before the deadline
/// passes, so it cannot turn a clean stop into a cut one.
const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
/// Requests in flight get this long to finish after a stop signal: less than the 10 s Docker
/// waits before it sends SIGKILL, so the server exits on its own and can say what it cut.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(8);
const _: () = assert!(HEADER_TIMEOUT.as_secs() <= DRAIN_TIMEOUT.as_secs());

/// Serves `app` on `HOST:PORT` until a stop signal, then ends the process: it never returns.
pub async fn serve(app: Router, default_port: u16) {
    serve_with_jobs(
        app,
        default_port,
        CancellationToken::new(),
        TaskTracker::new(),
    )
    .await
}

/// As [`serve`], with background jobs that stop with the server. At the first signal it
/// cancels `stop_jobs`; it ends the process once the connections are drained and every task
/// of `jobs` has ended. The drain deadline and a second signal cut the jobs short too.
pub async fn serve_with_jobs(
    app: Router,
    default_port: u16,
    stop_jobs: CancellationToken,
    jobs: TaskTracker,
) {
    let localhost = IpAddr::from(Ipv4Addr::LOCALHOST);
    let host = setting("HOST", "an IP address such as 127.0.0.1 or 0.0.0.0").unwrap_or(localhost);
    let port = setting("PORT", "a port number from 0 to 65535").unwrap_or(default_port);
    let header_timeout = seconds("HEADER_TIMEOUT_SECS").unwrap_or(HEADER_TIMEOUT);
    let drain_timeout = seconds("DRAIN_TIMEOUT_SECS").unwrap_or(DRAIN_TIMEOUT);
    let address = SocketAddr::new(host, port);
    let listener = match TcpListener::bind(address).await {
        Ok(listener) => listener,
        Err(e) => fail(&format!("cannot listen on {address}: {e}")),
    };
    // Each open connection holds a clone of `open`; the signal thread counts them.
    let open = Arc::new(());
    let stop = listen_for_signals(Arc::downgrade(&open), drain_timeout);
    let address = listener
        .local_addr()
        .expect("a bound listener has an address");
    println!("listening on http://{address}");
    let stop = async {
        stop.await;
        stop_jobs.cancel();
    };
    serve_connections(listener, app, header_timeout, stop, &open).await;
    // No job starts a new round; wait for the rounds in progress.
    jobs.close();
    jobs.wait().await;
    // Every client has its answer, and every job has ended. Exit now: returning would make `#[tokio::main]` wait, for as
    // long as they take, for blocking tasks whose clients have hung up.
    process::exit(0);
}

/// Serves `app` on `listener` until `stop` completes; then stops accepting, lets each open
/// connection finish the request it is on, and returns once the last one has closed. A client
/// that has not sent a whole request head within `header_timeout` is closed.
pub async fn serve_until(
    listener: TcpListener,
    app: Router,
    header_timeout: Duration,
    stop: impl Future<Output = ()>,
) {
    serve_connections(listener, app, header_timeout, stop, &Arc::new(())).await;
}

// ANCHOR: serve_connections
async fn serve_connections(
    listener: TcpListener,
    app: Router,
    header_timeout: Duration,
    stop: impl Future<Output = ()>,
    open: &Arc<()>,
) {
    // HTTP/1 and HTTP/2 on one port, as `axum::serve` does, but with a timer, without which
    // hyper ignores its header timeout. The timeout runs until the end of each request head,
    // from when hyper starts reading one: it closes half-sent and idle keep-alive connections.
    let mut http = auto::Builder::new(TokioExecutor::new());
    http.http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    let graceful = GracefulShutdown::new();
    let mut stop = pin!(stop);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors, most likely: wait for some to close.
                    say(&format!("cannot accept a connection: {e}"));
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        // The builder reads a connection's first bytes, to tell HTTP/1 from HTTP/2, with no
        // timer: a client that sends nothing would wait there forever.
        let stream = FirstByteWithin::new(stream, header_timeout);
        let service = TowerToHyperService::new(app.clone());
        let connection = http
            .serve_connection_with_upgrades(TokioIo::new(stream), service)
            .into_owned();
        // At shutdown, `graceful` tells the connection to finish the request it is on, if
        // any, and to close.
        let connection = graceful.watch(connection);
        let open = open.clone();
        tokio::spawn(async move {
            // A connection's errors (a client that hung up, a header timeout) are its own.
            let _ = connection.await;
            drop(open);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}
// ANCHOR_END: serve_connections

/// A connection that must send its first byte within a time limit, or fail its reads.
struct FirstByteWithin {
    stream: TcpStream,
    /// `None` once the first byte (or the end of the stream) has come.
    deadline: Option<Pin<Box<Sleep>>>,
}

impl FirstByteWithin {
    fn new(stream: TcpStream, limit: Duration) -> Self {
        let deadline = Some(Box::pin(tokio::time::sleep(limit)));
        Self { stream, deadline }
    }
}

impl AsyncRead for FirstByteWithin {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let read = Pin::new(&mut this.stream).poll_read(cx, buf);
        if read.is_ready() {
            this.deadline = None;
        } else if let Some(deadline) = &mut this.deadline
            && deadline.as_mut().poll(cx).is_ready()
        {
            return Poll::Ready(Err(io::ErrorKind::TimedOut.into()));
        }
        read
    }
}

impl AsyncWrite for FirstByteWithin {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// Signals are handled on a thread of their own, with a runtime of its own: the server's runtime
/// may be stuck (a handler that blocks it, as in `work_check_inline`), and the drain deadline
/// and the second signal must work all the same. Returns the future that completes at the first
/// signal. `open` counts the open connections, plus one for the server's own `Arc`.
fn listen_for_signals(open: Weak<()>, drain: Duration) -> impl Future<Output = ()> {
    let (listening, ready) = std::sync::mpsc::channel();
    let (stop, stopped) = oneshot::channel();
    thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build();
        runtime.expect("a runtime for signals").block_on(async {
            let mut signals = match StopSignals::listen() {
                Ok(signals) => signals,
                Err(e) => fail(&format!("cannot listen for signals: {e}")),
            };
            listening.send(()).ok();
            let first = signals.next().await;
            let open_now = || open.strong_count().saturating_sub(1);
            let (count, secs) = (open_now(), drain.as_secs());
            say(&format!(
                "{first}: stopping; {count} open connection(s) get {secs} s to finish"
            ));
            stop.send(()).ok();
            let why = tokio::select! {
                () = tokio::time::sleep(drain) => format!("the {secs} s drain deadline passed"),
                second = signals.next() => format!("second signal ({second})"),
            };
            let cut = open_now();
            fail(&format!(
                "{why}: exiting with {cut} connection(s) still open"
            ));
        })
    });
    // Until they are listened for, SIGINT and SIGTERM would end the process on the spot.
    ready.recv().ok();
    async {
        // An error here means the signal thread is gone, and with it the process.
        let _ = stopped.await;
    }
}

/// SIGINT is Ctrl-C in a terminal; SIGTERM is what `kill`, systemd and container runtimes send.
#[cfg(unix)]
struct StopSignals(tokio::signal::unix::Signal, tokio::signal::unix::Signal);

#[cfg(unix)]
impl StopSignals {
    fn listen() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        let interrupt = signal(SignalKind::interrupt())?;
        Ok(Self(interrupt, signal(SignalKind::terminate())?))
    }

    async fn next(&mut self) -> &'static str {
        tokio::select! {
            _ = self.0.recv() => "SIGINT",
            _ = self.1.recv() => "SIGTERM",
        }
    }
}

/// Elsewhere (Windows) only Ctrl-C stops the server.
#[cfg(not(unix))]
struct StopSignals(tokio::signal::windows::CtrlC);

#[cfg(not(unix))]
impl StopSignals {
    fn listen() -> std::io::Result<Self> {
        Ok(Self(tokio::signal::windows::ctrl_c()?))
    }

    async fn next(&mut self) -> &'static str {
        self.0.recv().await;
        "Ctrl-C"
    }
}

/// The environment variable `name`, parsed; `None` if it is not set.
fn setting<T: FromStr>(name: &str, expected: &str) -> Option<T> {
    let raw = std::env::var(name).ok()?;
    let parsed = raw.parse().ok();
    Some(parsed.unwrap_or_else(|| fail(&format!("{name} must be {expected}, got {raw:?}"))))
}

fn seconds(name: &str) -> Option<Duration> {
    let secs: NonZeroU64 = setting(name, "a whole number of seconds, 1 or more")?;
    Some(Duration::from_secs(secs.get()))
}

fn fail(message: &str) -> ! {
    say(message);
    process::exit(1)
}

/// One line on stderr. Unlike `eprintln!`, it does not panic when stderr is closed (whoever
/// started the server has gone): a panic in the signal thread would take the drain deadline
/// and the second signal with it.
fn say(message: &str) {
    use std::io::Write;
    let _ = writeln!(io::stderr(), "{message}");
}
