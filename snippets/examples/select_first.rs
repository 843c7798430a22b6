//! `tokio::select!` waits for the first of several futures and drops the others. A dropped future
//! stops at the `.await` where it was waiting: the code after it never runs, and what it owned is
//! dropped. A guard records which of the two downloads finished and which was dropped.
//!
//! Run it with `cargo run -p snippets --example select_first`.

use std::sync::Mutex;
use std::time::Duration;

static EVENTS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Prints an event and records it, so `main` can check the order afterwards.
fn record(event: String) {
    println!("{event}");
    EVENTS.lock().unwrap().push(event);
}

// ANCHOR: select
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

/// Asks one mirror for a file; this mirror answers after `delay`.
async fn download(name: &'static str, delay: Duration) -> &'static str {
    let mut watch = Watch {
        name,
        finished: false,
    };
    tokio::time::sleep(delay).await;
    watch.finished = true;
    name
}
// ANCHOR_END: select

#[tokio::main]
async fn main() {
    // ANCHOR: select
    let winner = tokio::select! {
        file = download("near mirror", Duration::from_millis(10)) => file,
        file = download("far mirror", Duration::from_secs(3600)) => file,
    };
    assert_eq!(winner, "near mirror");
    let events = EVENTS.lock().unwrap().clone();
    assert_eq!(
        events,
        ["near mirror finished", "far mirror dropped at its .await"]
    );
    // ANCHOR_END: select
}
