//! Pinning a future or a stream before polling it through `&mut`: `std::pin::pin!` for one
//! that stays in this function (a `select!` loop, a `while let` over a stream), `Box::pin` for
//! one that must move (into a `Vec`, a struct, or out of the function).
//!
//! Run it with `cargo run -p snippets --example pinning`.

use std::{pin::Pin, time::Duration};

use futures_util::{Stream, StreamExt, stream};

async fn report() -> &'static str {
    tokio::time::sleep(Duration::from_millis(30)).await;
    "report ready"
}

fn fetch_pages() -> impl Stream<Item = String> {
    stream::unfold(1, |page| async move {
        tokio::task::yield_now().await;
        (page <= 3).then(|| (format!("page {page}"), page + 1))
    })
}

// ANCHOR: select
/// Waits for the report, saying "still working" every 10 ms until it is ready.
async fn wait_for_report() -> &'static str {
    let mut work = std::pin::pin!(report());
    let mut ticks = tokio::time::interval(Duration::from_millis(10));
    loop {
        tokio::select! {
            done = &mut work => return done,
            _ = ticks.tick() => println!("still working"),
        }
    }
}
// ANCHOR_END: select

/// The same loop with `Box::pin`: the future on the heap.
async fn wait_for_boxed_report() -> &'static str {
    let mut work = Box::pin(report());
    let mut ticks = tokio::time::interval(Duration::from_millis(10));
    loop {
        tokio::select! {
            done = &mut work => return done,
            _ = ticks.tick() => {}
        }
    }
}

// ANCHOR: stream
async fn read_pages() -> Vec<String> {
    let mut pages = std::pin::pin!(fetch_pages());
    let mut seen = Vec::new();
    while let Some(page) = pages.next().await {
        seen.push(page);
    }
    seen
}
// ANCHOR_END: stream

// ANCHOR: boxed
async fn read_all() -> Vec<String> {
    let mut streams: Vec<Pin<Box<dyn Stream<Item = String> + Send>>> = vec![
        Box::pin(fetch_pages()),
        Box::pin(stream::iter(["last page".to_string()])),
    ];
    let mut all = Vec::new();
    for stream in &mut streams {
        while let Some(page) = stream.next().await {
            all.push(page);
        }
    }
    all
}
// ANCHOR_END: boxed

#[tokio::main]
async fn main() {
    let done = wait_for_report().await;
    assert_eq!(done, "report ready");
    assert_eq!(wait_for_boxed_report().await, "report ready");
    let seen = read_pages().await;
    assert_eq!(seen, ["page 1", "page 2", "page 3"]);
    let all = read_all().await;
    assert_eq!(all.len(), 4);
    println!("{done}; {seen:?}; {} pages from boxed streams", all.len());
}
