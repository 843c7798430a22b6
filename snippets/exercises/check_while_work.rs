//! Exercise: `/work/{n}` sorts 10^n random numbers, and while it sorts, `/check` gets no
//! answer: the sort runs on the only thread this server has. Make `/check` answer while
//! `/work/{n}` runs. Keep the current-thread runtime: a busy server is in the same place.
//!
//! Check your answer: `cargo test --test exercise check_while_work`

use axum::{Router, extract::Path, routing::get};
use rand::RngExt;

pub fn app() -> Router {
    Router::new()
        .route("/work/{n}", get(work))
        .route("/check", get(check))
}

async fn work(Path(n): Path<u32>) -> String {
    sort_random(n)
}

/// Plain synchronous code that keeps a CPU busy. Above 7, `n` counts as 7.
fn sort_random(n: u32) -> String {
    let count = 10usize.pow(n.min(7));
    let mut numbers: Vec<u64> = rand::rng().random_iter().take(count).collect();
    numbers.sort_unstable();
    format!("sorted {count} random numbers\n")
}

async fn check() -> &'static str {
    "OK\n"
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // Serves `app()` on 127.0.0.1:8000 until Ctrl-C or SIGTERM.
    snippets::serve(app(), 8000).await;
}
