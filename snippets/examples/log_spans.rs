//! Logging as a service does it, with `tracing`: a filter from `RUST_LOG`, spans from
//! `#[tracing::instrument]`, the span carried into a spawned task with `.instrument(...)`, and
//! what goes wrong when `Span::enter`'s guard is held across an `.await`. The program captures
//! its own log lines and checks which span each one was recorded in.
//!
//! Run: `cargo run -p snippets --example log_spans` (it prints the lines it checked).

use std::{
    io,
    sync::{Arc, Mutex},
};
use tracing::Instrument;
use tracing_subscriber::{EnvFilter, filter::LevelFilter};

// ANCHOR: filter
/// The filter `from_env_lossy()` makes in a service's `main`, from `RUST_LOG`'s value here.
fn filter(rust_log: &str) -> EnvFilter {
    EnvFilter::builder()
        .with_default_directive(LevelFilter::INFO.into())
        .parse_lossy(rust_log)
}

async fn checkout() {
    tracing::debug!("cart has 3 items");
    tracing::info!("order placed");
    tracing::warn!("stock is low");
}

fn what_each_rust_log_value_prints() {
    let unset = log_lines(filter(""), checkout());
    assert_eq!(unset, [" INFO order placed", " WARN stock is low"]);
    let debug = log_lines(filter("debug"), checkout());
    assert_eq!(debug[0], "DEBUG cart has 3 items");
    // A directive for one target only: nothing else gets the default any more.
    assert!(log_lines(filter("tower_http=debug"), checkout()).is_empty());
    let both = log_lines(filter("info,tower_http=debug"), checkout());
    assert_eq!(both, unset);
}
// ANCHOR_END: filter

// ANCHOR: instrument
/// Stands for a database handle: not `Debug`, and nothing a log line needs.
struct Db;

impl Db {
    /// Waits, as a query does: other tasks run on this thread meanwhile.
    async fn query(&self) {
        tokio::task::yield_now().await;
    }
}

#[tracing::instrument(skip(db))]
async fn lookup(db: Db, id: u32) {
    tracing::info!("looking up request {id}");
    db.query().await;
    tracing::info!("answered request {id}");
}

fn each_request_logs_in_its_own_span() {
    let lines = log_lines(filter(""), two_at_once(lookup(Db, 1), lookup(Db, 2)));
    assert_eq!(
        lines,
        [
            " INFO lookup{id=1}: looking up request 1",
            " INFO lookup{id=2}: looking up request 2",
            " INFO lookup{id=2}: answered request 2",
            " INFO lookup{id=1}: answered request 1",
        ]
    );
}
// ANCHOR_END: instrument

// ANCHOR: enter
async fn lookup_entered(db: Db, id: u32) {
    let span = tracing::info_span!("lookup", id);
    let _entered = span.enter(); // wrong: still entered while the task waits
    tracing::info!("looking up request {id}");
    db.query().await;
    tracing::info!("answered request {id}");
}

fn an_entered_span_takes_in_the_other_request() {
    let both = two_at_once(lookup_entered(Db, 1), lookup_entered(Db, 2));
    assert_eq!(
        log_lines(filter(""), both),
        [
            " INFO lookup{id=1}: looking up request 1",
            " INFO lookup{id=1}:lookup{id=2}: looking up request 2",
            " INFO lookup{id=1}:lookup{id=2}: answered request 2",
            " INFO lookup{id=1}: answered request 1",
        ]
    );
}
// ANCHOR_END: enter

// ANCHOR: spawn
#[tracing::instrument]
async fn sign_up(id: u32) {
    tracing::info!("account created");
    let email = async { tracing::info!("welcome email sent") };
    tokio::spawn(email).await.unwrap(); // the task starts in no span
}

#[tracing::instrument]
async fn sign_up_instrumented(id: u32) {
    tracing::info!("account created");
    let email = async { tracing::info!("welcome email sent") };
    tokio::spawn(email.instrument(tracing::Span::current()))
        .await
        .unwrap();
}

fn a_spawned_task_needs_the_span_given() {
    let lines = log_lines(filter(""), sign_up(7));
    assert_eq!(lines[1], " INFO welcome email sent");
    let lines = log_lines(filter(""), sign_up_instrumented(7));
    assert_eq!(
        lines[1],
        " INFO sign_up_instrumented{id=7}: welcome email sent"
    );
}
// ANCHOR_END: spawn

// ANCHOR: error
fn an_error_is_logged_as_a_field() {
    let error = io::Error::other("no free worker");
    let lines = log_lines(filter(""), async move {
        tracing::error!(%error, "a sort failed");
    });
    assert_eq!(lines, ["ERROR a sort failed error=no free worker"]);
}
// ANCHOR_END: error

fn main() {
    what_each_rust_log_value_prints();
    each_request_logs_in_its_own_span();
    an_entered_span_takes_in_the_other_request();
    a_spawned_task_needs_the_span_given();
    an_error_is_logged_as_a_field();
}

/// Two requests at once, each a task of its own, as `axum::serve` runs them.
async fn two_at_once(
    first: impl Future<Output = ()> + Send + 'static,
    second: impl Future<Output = ()> + Send + 'static,
) {
    let first = tokio::spawn(first);
    let second = tokio::spawn(second);
    first.await.unwrap();
    second.await.unwrap();
}

/// Runs `work` on a runtime with one thread, so every task logs on the thread that captures, and
/// returns the lines logged through `filter`, as `fmt` writes them, without time and target.
fn log_lines(filter: EnvFilter, work: impl Future<Output = ()>) -> Vec<String> {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(move || writer.clone())
        .without_time()
        .with_target(false)
        .finish();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    tracing::subscriber::with_default(subscriber, || runtime.block_on(work));
    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    print!("{text}");
    text.lines().map(str::to_string).collect()
}

/// What the subscriber wrote.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
