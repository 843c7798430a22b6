//! `select!` starts each turn at a random branch; `biased;` makes it try them from the top.
//! A worker whose jobs are queued and whose stop signal has already come finishes every job
//! when the jobs branch is first and `biased;`; without `biased;`, how many it finishes is
//! left to chance.
//!
//! Run it with `cargo run -p snippets --example biased_select`.

use std::collections::BTreeSet;
use tokio::sync::{mpsc, oneshot};

// ANCHOR: worker
/// Does queued jobs until told to stop; with `biased;`, the queue is empty by then.
async fn drain_then_stop(
    mut jobs: mpsc::Receiver<u32>,
    mut stop: oneshot::Receiver<()>,
) -> Vec<u32> {
    let mut done = Vec::new();
    loop {
        tokio::select! {
            biased;
            Some(job) = jobs.recv() => done.push(job),
            _ = &mut stop => return done,
        }
    }
}
// ANCHOR_END: worker

/// The same loop without `biased;`.
async fn random_order(mut jobs: mpsc::Receiver<u32>, mut stop: oneshot::Receiver<()>) -> Vec<u32> {
    let mut done = Vec::new();
    loop {
        tokio::select! {
            Some(job) = jobs.recv() => done.push(job),
            _ = &mut stop => return done,
        }
    }
}

/// Three jobs queued and the stop already sent, before the worker starts.
fn queued() -> (mpsc::Receiver<u32>, oneshot::Receiver<()>) {
    let (jobs_tx, jobs) = mpsc::channel(3);
    for job in 1..=3 {
        jobs_tx.try_send(job).unwrap();
    }
    let (stop_tx, stop) = oneshot::channel();
    stop_tx.send(()).unwrap();
    (jobs, stop)
}

// ANCHOR: main
#[tokio::main]
async fn main() {
    for _ in 0..100 {
        let (jobs, stop) = queued();
        assert_eq!(drain_then_stop(jobs, stop).await, [1, 2, 3]);
    }
    let mut jobs_done = BTreeSet::new();
    for _ in 0..100 {
        let (jobs, stop) = queued();
        jobs_done.insert(random_order(jobs, stop).await.len());
    }
    println!("without biased;, jobs done before stopping: {jobs_done:?}");
    assert!(jobs_done.len() > 1); // in 100 runs, more than one outcome
}
// ANCHOR_END: main
