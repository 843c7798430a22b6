//! How every example server in this book runs its `app()`: `snippets::serve(app(), 8000).await`.
//!
//! It stops on SIGINT (Ctrl-C) and SIGTERM alike, gives requests in flight a deadline to finish,
//! and closes connections that are slow to send a request. Settings, from the environment:
//! `PORT` (0 picks a free port), `HEADER_TIMEOUT_SECS` (default 10) and `DRAIN_TIMEOUT_SECS`
//! (default 8).

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    service::TowerToHyperService,
};
use std::{num::NonZeroU64, process, str::FromStr, thread, time::Duration};
use tokio::{net::TcpListener, sync::watch};
use tokio_util::{sync::CancellationToken, task::TaskTracker};

/// Serves `app` on 127.0.0.1 until a stop signal, then ends the process: it never returns.
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
    let port = setting("PORT", "a port number from 0 to 65535").unwrap_or(default_port);
    let header_timeout = seconds("HEADER_TIMEOUT_SECS").unwrap_or(Duration::from_secs(10));
    let drain_timeout = seconds("DRAIN_TIMEOUT_SECS").unwrap_or(Duration::from_secs(8));
    let address = format!("127.0.0.1:{port}");
    let listener = match TcpListener::bind(&address).await {
        Ok(listener) => listener,
        Err(e) => fail(&format!("cannot listen on {address}: {e}")),
    };
    // `stop` turns true at the first signal. Each connection holds a receiver of `open`,
    // so its receiver count is the number of open connections.
    let (stop, _) = watch::channel(false);
    let (open, _) = watch::channel(());
    listen_for_signals(stop.clone(), open.clone(), drain_timeout);
    let address = listener
        .local_addr()
        .expect("a bound listener has an address");
    println!("listening on http://{address}");

    // Why not `axum::serve`: it gives hyper no timer, so hyper never enforces its header
    // timeout, and a client that sends nothing keeps its connection (and a shutdown) waiting
    // forever. hyper's own builder takes a timer and the timeout. The timeout runs until the
    // end of each request head, from when the connection opens or its last answer ends: it
    // closes silent, half-sent and idle keep-alive connections alike.
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    let mut stopping = stop.subscribe();
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors, most likely: wait for some to close.
                    eprintln!("cannot accept a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = stopping.wait_for(|&stop| stop) => break,
        };
        let service = TowerToHyperService::new(app.clone());
        let connection = http.serve_connection(TokioIo::new(stream), service);
        let (mut stopping, counted) = (stop.subscribe(), open.subscribe());
        tokio::spawn(async move {
            let _counted = counted;
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => return,
                // Finish the request in flight, if any, then close; close at once if idle.
                _ = stopping.wait_for(|&stop| stop) => connection.as_mut().graceful_shutdown(),
            }
            // A connection's errors (a client that hung up, a header timeout) are its own.
            let _ = connection.await;
        });
    }
    drop(listener);
    stop_jobs.cancel();
    open.closed().await;
    jobs.close();
    jobs.wait().await;
    // Every client has its answer. Exit now: returning would make `#[tokio::main]` wait, for as
    // long as they take, for blocking tasks whose clients have hung up.
    process::exit(0);
}

/// Signals are handled on a thread of their own, with a runtime of its own: the server's runtime
/// may be stuck (a handler that blocks it, as in `work_check_inline`), and the drain deadline
/// and the second signal must work all the same.
fn listen_for_signals(stop: watch::Sender<bool>, open: watch::Sender<()>, drain: Duration) {
    let (listening, ready) = std::sync::mpsc::channel();
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
            let (open_now, secs) = (open.receiver_count(), drain.as_secs());
            eprintln!("{first}: stopping; {open_now} open connection(s) get {secs} s to finish");
            stop.send_replace(true);
            let why = tokio::select! {
                () = tokio::time::sleep(drain) => format!("the {secs} s drain deadline passed"),
                second = signals.next() => format!("second signal ({second})"),
            };
            let cut = open.receiver_count();
            fail(&format!(
                "{why}: exiting with {cut} connection(s) still open"
            ));
        })
    });
    // Until they are listened for, SIGINT and SIGTERM would end the process on the spot.
    ready.recv().ok();
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
    eprintln!("{message}");
    process::exit(1)
}
