//! Waiting for many futures: `tokio::join!` takes turns on one thread, for a fixed set written
//! in the code; a `JoinSet` runs a number of tasks known only at run time; `tokio::try_join!`
//! stops at the first error and drops the rest.
//!
//! Run it with `cargo run -p snippets --example many_futures`.

use std::sync::Mutex;
use std::thread::{self, ThreadId};
use std::time::Duration;
use tokio::task::JoinSet;

static EVENTS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Prints an event and records it, so `main` can check the order afterwards.
fn record(event: String) {
    println!("{event}");
    EVENTS.lock().unwrap().push(event);
}

/// The events recorded so far, leaving none behind.
fn events() -> Vec<String> {
    std::mem::take(&mut *EVENTS.lock().unwrap())
}

// ANCHOR: join
/// Keeps its thread busy for a moment, with no `.await` in between, and says which thread.
async fn busy(name: &'static str) -> ThreadId {
    record(format!("{name} starts"));
    thread::sleep(Duration::from_millis(50));
    record(format!("{name} ends"));
    thread::current().id()
}
// ANCHOR_END: join

// ANCHOR: join_set
/// Fetches one user's name.
async fn fetch_name(id: u32) -> String {
    tokio::time::sleep(Duration::from_millis(10)).await;
    format!("user {id}")
}
// ANCHOR_END: join_set

// ANCHOR: try_join
/// Records, when it is dropped, whether its owner got past its `.await`.
struct Watch {
    name: &'static str,
    finished: bool,
}

impl Drop for Watch {
    fn drop(&mut self) {
        let how = if self.finished {
            "finished"
        } else {
            "dropped at its .await"
        };
        record(format!("{} {how}", self.name));
    }
}

/// Loads one part of a page: it takes `delay`, then gives `outcome`.
async fn load(
    name: &'static str,
    delay: Duration,
    outcome: Result<&'static str, &'static str>,
) -> Result<&'static str, &'static str> {
    let mut watch = Watch {
        name,
        finished: false,
    };
    tokio::time::sleep(delay).await;
    watch.finished = true;
    outcome
}
// ANCHOR_END: try_join

#[tokio::main]
async fn main() -> Result<(), tokio::task::JoinError> {
    // ANCHOR: join
    let (a, b) = tokio::join!(busy("a"), busy("b"));
    assert_eq!(a, b, "both ran on the same thread");
    // One after the other: neither started while the other was running.
    let order = events();
    let a_first = ["a starts", "a ends", "b starts", "b ends"];
    let b_first = ["b starts", "b ends", "a starts", "a ends"];
    assert!(order == a_first || order == b_first, "{order:?}");
    // ANCHOR_END: join

    // ANCHOR: join_set
    // In a handler, these would come from the request: any number of them.
    let ids: Vec<u32> = vec![7, 3, 12, 5];

    let mut tasks = JoinSet::new();
    for &id in &ids {
        tasks.spawn(fetch_name(id));
    }
    let mut names = Vec::new();
    while let Some(name) = tasks.join_next().await {
        names.push(name?);
    }

    // Names come back in the order the tasks finish, not the order they started.
    let mut expected: Vec<String> = ids.iter().map(|id| format!("user {id}")).collect();
    names.sort();
    expected.sort();
    assert_eq!(names, expected);
    // ANCHOR_END: join_set

    // ANCHOR: try_join
    let page = tokio::try_join!(
        load(
            "orders",
            Duration::from_millis(10),
            Err("orders: database is down")
        ),
        load("prices", Duration::from_secs(3600), Ok("prices")),
    );
    assert_eq!(page, Err("orders: database is down"));
    assert_eq!(
        events(),
        ["orders finished", "prices dropped at its .await"]
    );
    // ANCHOR_END: try_join
    Ok(())
}
