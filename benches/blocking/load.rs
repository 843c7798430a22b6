//! The client side of a phase: `/check` sent open-loop on a fixed schedule, and `/work` sent in
//! bursts of K at once.
//!
//! Open loop: a check leaves every `CHECK_EVERY` whether or not the earlier ones have been
//! answered, and its latency counts from the moment it was due. A closed loop (send, wait,
//! send) would send nothing while the server stalls, and so would never see most of a stall.

use std::{
    future::Future,
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use crate::http;

pub const CHECK_EVERY: Duration = Duration::from_millis(2);
/// Every phase lasts until at least this many checks were due: its p99 is then the 10th
/// slowest answer or better, not the slowest one.
pub const CHECKS_PER_PHASE: u32 = 1000;
/// How long a phase lasts at least: `CHECKS_PER_PHASE` checks, one every `CHECK_EVERY`, and
/// one more period, so that the last of them is surely sent before the phase stops.
pub const PHASE_LENGTH: Duration = CHECK_EVERY.saturating_mul(CHECKS_PER_PHASE + 1);
/// Bounds every request and every phase, however slow the machine.
pub const REQUEST_LIMIT: Duration = Duration::from_secs(30);

/// One `/check`: when it was due, and how long after that its answer came (None: no answer).
pub struct Check {
    pub due: Instant,
    pub latency: Option<Duration>,
}

#[derive(Clone, Copy, PartialEq)]
pub enum Outcome {
    Ok,
    Busy,
    Failed,
}

pub struct Work {
    pub outcome: Outcome,
    pub took: Duration,
}

#[derive(Default)]
pub struct Phase {
    pub checks: Vec<Check>,
    /// How late the client itself got round to sending each check: the client shares the
    /// machine's cores with the server.
    pub client_lag: Vec<Duration>,
    /// Start and end of each burst of K `/work` requests.
    pub bursts: Vec<(Instant, Instant)>,
    pub work: Vec<Work>,
    pub elapsed: Duration,
    /// Time the client's threads (the runtime's and the schedule's) were runnable but waited
    /// for a core.
    pub client_runq: Duration,
}

/// This thread's time on a run queue so far (the second field of its schedstat).
fn runqueue_wait() -> Duration {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    let ns = stat.split_whitespace().nth(1).and_then(|v| v.parse().ok());
    Duration::from_nanos(ns.unwrap_or(0))
}

/// Runs `body` while `/check` goes out every `CHECK_EVERY`, then waits for the checks still
/// out. The schedule comes from a thread of its own, which sleeps to the microsecond; the
/// runtime's timer would round every deadline up to the next millisecond.
async fn with_checks<T>(addr: SocketAddr, body: impl Future<Output = T>) -> (T, Phase) {
    let stop = Arc::new(AtomicBool::new(false));
    let (due_tx, mut due_rx) = tokio::sync::mpsc::unbounded_channel();
    let start = Instant::now();
    let waited_before = runqueue_wait();
    let pacer_stop = stop.clone();
    let pacer = std::thread::spawn(move || {
        let waited_before = runqueue_wait();
        for i in 0u32.. {
            let due = start + CHECK_EVERY * i;
            std::thread::sleep(due.saturating_duration_since(Instant::now()));
            if pacer_stop.load(Ordering::Relaxed) || due_tx.send(due).is_err() {
                break;
            }
        }
        runqueue_wait() - waited_before
    });
    let sender = tokio::spawn(async move {
        let mut sent = Vec::new();
        let mut lag = Vec::new();
        while let Some(due) = due_rx.recv().await {
            lag.push(due.elapsed());
            let answer = tokio::spawn(async move {
                match tokio::time::timeout(REQUEST_LIMIT, http::get(addr, "/check")).await {
                    Ok(Ok(response)) if response.body == "OK\n" => Some(Instant::now()),
                    _ => None,
                }
            });
            sent.push((due, answer));
        }
        (sent, lag)
    });
    let out = body.await;
    stop.store(true, Ordering::Relaxed);
    let (sent, client_lag) = sender.await.unwrap();
    let pacer_waited = tokio::task::spawn_blocking(move || pacer.join().unwrap())
        .await
        .unwrap();
    let mut checks = Vec::with_capacity(sent.len());
    for (due, answer) in sent {
        let answered = answer.await.unwrap();
        checks.push(Check {
            due,
            latency: answered.map(|at| at - due),
        });
    }
    let phase = Phase {
        checks,
        client_lag,
        elapsed: start.elapsed(),
        client_runq: runqueue_wait() - waited_before + pacer_waited,
        ..Phase::default()
    };
    (out, phase)
}

/// Only `/check`, for `PHASE_LENGTH`.
pub async fn idle(addr: SocketAddr) -> Phase {
    with_checks(addr, tokio::time::sleep(PHASE_LENGTH)).await.1
}

/// How long a phase of bursts goes on.
pub enum Until {
    /// Bursts back to back until this much time has passed (the last burst always ends).
    Time(Duration),
    /// This many bursts, with a pause before each, so the server is idle when each one arrives.
    Rounds(usize, Duration),
}

/// Bursts of `k` simultaneous `GET /work/{n}`, each burst ending when all k are answered.
pub async fn bursts(addr: SocketAddr, n: u32, k: usize, until: Until) -> Phase {
    let body = async {
        let start = Instant::now();
        let mut bursts = Vec::new();
        let mut work = Vec::new();
        loop {
            match until {
                Until::Time(length) if start.elapsed() >= length => break,
                Until::Rounds(rounds, _) if bursts.len() == rounds => break,
                Until::Rounds(_, pause) => tokio::time::sleep(pause).await,
                Until::Time(_) => {}
            }
            let burst_start = Instant::now();
            let requests: Vec<_> = (0..k).map(|_| tokio::spawn(one_work(addr, n))).collect();
            for request in requests {
                work.push(request.await.unwrap());
            }
            bursts.push((burst_start, Instant::now()));
            if start.elapsed() > REQUEST_LIMIT {
                break;
            }
        }
        (bursts, work)
    };
    let ((bursts, work), mut phase) = with_checks(addr, body).await;
    phase.elapsed = bursts.iter().map(|(s, e)| *e - *s).sum();
    phase.bursts = bursts;
    phase.work = work;
    phase
}

async fn one_work(addr: SocketAddr, n: u32) -> Work {
    let start = Instant::now();
    let path = format!("/work/{n}");
    let outcome = match tokio::time::timeout(REQUEST_LIMIT, http::get(addr, &path)).await {
        Ok(Ok(response)) if response.status == 200 => Outcome::Ok,
        Ok(Ok(response)) if response.status == 503 => Outcome::Busy,
        _ => Outcome::Failed,
    };
    Work {
        outcome,
        took: start.elapsed(),
    }
}
