//! One call per item of a list, at most four at a time: with `buffer_unordered(4)` from
//! futures-util, and with a `Semaphore` of four permits and a `JoinSet`. A counter of calls in
//! flight records its highest value: four, for a list of twenty.
//!
//! Time is paused (`start_paused`): the calls' 10 ms wait stands for a request to another
//! service, and the clock jumps ahead whenever every call waits, so the run is the same each
//! time, and immediate.
//!
//! Run it with `cargo run -p snippets --example bounded_fan_out`.

use futures_util::StreamExt;
use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};
use std::time::Duration;
use tokio::{sync::Semaphore, task::JoinSet};

// ANCHOR: in_flight
/// How many calls are running now, and the most there ever were.
#[derive(Clone, Default)]
struct InFlight(Arc<(AtomicUsize, AtomicUsize)>);

/// Stands for a call to another service: asks the price of `item`.
async fn fetch_price(item: u32, in_flight: InFlight) -> u32 {
    let (now, most) = &*in_flight.0;
    let running = now.fetch_add(1, Ordering::SeqCst) + 1;
    most.fetch_max(running, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(10)).await;
    now.fetch_sub(1, Ordering::SeqCst);
    item * 10
}
// ANCHOR_END: in_flight

// ANCHOR: buffer_unordered
/// One call per item, at most four at once, all in this task.
async fn prices_four_at_a_time(items: Vec<u32>, in_flight: InFlight) -> Vec<u32> {
    futures_util::stream::iter(items)
        .map(|item| fetch_price(item, in_flight.clone()))
        .buffer_unordered(4) // at most 4 calls at once
        .collect()
        .await
}
// ANCHOR_END: buffer_unordered

// ANCHOR: semaphore
/// One call per item, at most four at once, each in a task of its own.
async fn prices_in_four_tasks(items: Vec<u32>, in_flight: InFlight) -> Vec<u32> {
    let permits = Arc::new(Semaphore::new(4));
    let mut calls = JoinSet::new();
    for item in items {
        // Waits here while four calls are running.
        let permit = permits.clone().acquire_owned().await.unwrap();
        let in_flight = in_flight.clone();
        calls.spawn(async move {
            let price = fetch_price(item, in_flight).await;
            drop(permit); // lets the next call start
            price
        });
    }
    calls.join_all().await
}
// ANCHOR_END: semaphore

#[tokio::main(flavor = "current_thread", start_paused = true)]
async fn main() {
    let items: Vec<u32> = (1..=20).collect();

    let in_flight = InFlight::default();
    let prices = prices_four_at_a_time(items.clone(), in_flight.clone()).await;
    assert_eq!(prices.iter().sum::<u32>(), 2100);
    let most = in_flight.0.1.load(Ordering::SeqCst);
    assert_eq!(most, 4);
    println!("buffer_unordered: 20 prices, at most {most} calls at once");

    let in_flight = InFlight::default();
    let prices = prices_in_four_tasks(items, in_flight.clone()).await;
    assert_eq!(prices.iter().sum::<u32>(), 2100);
    let most = in_flight.0.1.load(Ordering::SeqCst);
    assert_eq!(most, 4);
    println!("Semaphore and JoinSet: 20 prices, at most {most} calls at once");
}
