//! A background job beside the server: every minute it writes the number of visits so far to a
//! report file. It starts before the server, and stops with it: at Ctrl-C or SIGTERM the round
//! in progress finishes, no new round starts, and only then does the process exit.
//!
//! Run: `cargo run -p snippets --example background_job`, then `curl localhost:8000/` a few
//! times and, a minute later, read the report (its path is the first thing the job prints).
//! Settings: `REPORT_EVERY_SECS` (default 60) and `REPORT_FILE` (default `visits.txt` in the
//! temporary directory). Listens on 127.0.0.1:8000; set `PORT` to pick another port (`PORT=0`
//! takes any free one). Ctrl-C or SIGTERM stops the server, and the job with it.

use axum::{Router, extract::State, routing::get};
use std::{
    path::PathBuf,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};
use tokio::time::{Instant, MissedTickBehavior};
use tokio_util::{sync::CancellationToken, task::TaskTracker};

/// The number of visits so far, shared by the handler and the job.
#[derive(Clone, Default)]
pub struct Visits(Arc<AtomicU64>);

impl Visits {
    fn count(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

pub fn app() -> Router {
    app_with(Visits::default())
}

pub fn app_with(visits: Visits) -> Router {
    Router::new().route("/", get(visit)).with_state(visits)
}

async fn visit(State(visits): State<Visits>) -> String {
    let this = visits.0.fetch_add(1, Ordering::Relaxed) + 1;
    format!("Hello, visitor {this}\n")
}

// ANCHOR: job
/// Every `every`, writes the number of visits so far to `file`. Returns once `stop` is
/// cancelled: at once if it is waiting for the next round, after the round if one is running.
pub async fn write_reports(
    visits: Visits,
    file: PathBuf,
    every: Duration,
    stop: CancellationToken,
) {
    // `interval` would tick at once; the first report is due after one period.
    let mut ticks = tokio::time::interval_at(Instant::now() + every, every);
    // After a round that overran its period, the next starts at once, and the ones after it
    // a whole period apart from then: no burst of rounds to catch up.
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    for round in 1.. {
        tokio::select! {
            // Check for the stop first, so no round starts once it has come.
            biased;
            () = stop.cancelled() => return,
            _ = ticks.tick() => {}
        }
        println!("report {round}: writing {}", file.display());
        let report = format!("{} visits\n", visits.count());
        match tokio::fs::write(&file, report).await {
            Ok(()) => println!("report {round}: done"),
            Err(e) => println!("report {round}: cannot write {}: {e}", file.display()),
        }
    }
}
// ANCHOR_END: job

// ANCHOR: main
#[tokio::main]
async fn main() -> std::io::Result<()> {
    let (every, file) = settings();
    let visits = Visits::default();
    let stop = CancellationToken::new();
    let jobs = TaskTracker::new();
    jobs.spawn(write_reports(visits.clone(), file, every, stop.clone()));

    let port = std::env::var("PORT").unwrap_or_else(|_| "8000".to_string());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    let signal = shutdown_signal()?;
    println!("listening on http://{}", listener.local_addr()?);
    // The first signal cancels `stop`: the job starts no new round, and the server stops.
    let cancel = stop.clone();
    tokio::spawn(async move {
        signal.await;
        println!("stopping: the job starts no new round");
        cancel.cancel();
    });
    axum::serve(listener, app_with(visits))
        .with_graceful_shutdown(stop.cancelled_owned())
        .await?;
    // Every connection is closed; wait for the round in progress, if any.
    jobs.close();
    jobs.wait().await;
    Ok(())
}
// ANCHOR_END: main

fn settings() -> (Duration, PathBuf) {
    let every = match std::env::var("REPORT_EVERY_SECS").map(|secs| secs.parse::<u64>()) {
        Err(_) => 60,
        Ok(Ok(secs)) if secs > 0 => secs,
        Ok(_) => {
            eprintln!("REPORT_EVERY_SECS must be a whole number of seconds, 1 or more");
            std::process::exit(1);
        }
    };
    let file = std::env::var_os("REPORT_FILE")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("visits.txt"));
    (Duration::from_secs(every), file)
}

// ANCHOR: shutdown_signal
/// Listens for Ctrl-C (SIGINT) and for SIGTERM, which `kill`, `docker stop`, systemd and
/// Kubernetes send, from the moment it is called. The future completes at the first of them.
fn shutdown_signal() -> std::io::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}
// ANCHOR_END: shutdown_signal
