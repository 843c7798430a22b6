//! A task that owns a resource and takes requests over a channel, each with a `oneshot` for its
//! answer: an actor. Here the resource is a log that is written with `.await` (a `Vec<u8>`
//! standing for a file or a socket); no lock is held across that `.await`, because only the
//! actor touches it. Fifty tasks append at once; each line gets a number of its own.
//!
//! Run it with `cargo run -p snippets --example actor`.

use tokio::io::AsyncWriteExt;
use tokio::sync::{mpsc, oneshot};

// ANCHOR: actor
/// What the log's owner can be asked to do.
enum Request {
    Append {
        line: String,
        reply: oneshot::Sender<usize>,
    },
    Contents {
        reply: oneshot::Sender<String>,
    },
}

/// The handle every task holds: cheap to clone, no lock inside.
#[derive(Clone)]
struct Log {
    requests: mpsc::Sender<Request>,
}

impl Log {
    /// Starts the task that owns the log.
    fn start() -> Log {
        let (requests, mut inbox) = mpsc::channel(32);
        tokio::spawn(async move {
            let (mut file, mut lines) = (Vec::new(), 0);
            // Ends when every `Log` is dropped: `recv` then returns `None`.
            while let Some(request) = inbox.recv().await {
                match request {
                    Request::Append { line, reply } => {
                        file.write_all(format!("{line}\n").as_bytes())
                            .await
                            .unwrap();
                        lines += 1;
                        let _ = reply.send(lines); // the asker may have gone
                    }
                    Request::Contents { reply } => {
                        let _ = reply.send(String::from_utf8_lossy(&file).into_owned());
                    }
                }
            }
        });
        Log { requests }
    }

    /// Appends `line`; returns its line number.
    async fn append(&self, line: String) -> usize {
        let (reply, answer) = oneshot::channel();
        let request = Request::Append { line, reply };
        self.requests
            .send(request)
            .await
            .expect("the log task ended");
        answer.await.expect("the log task ended")
    }
    // ANCHOR_END: actor

    /// Everything written so far.
    async fn contents(&self) -> String {
        let (reply, answer) = oneshot::channel();
        let request = Request::Contents { reply };
        self.requests
            .send(request)
            .await
            .expect("the log task ended");
        answer.await.expect("the log task ended")
    }
    // ANCHOR: actor
}
// ANCHOR_END: actor

// ANCHOR: main
#[tokio::main]
async fn main() {
    let log = Log::start();
    let mut tasks = tokio::task::JoinSet::new();
    for n in 1..=50 {
        let log = log.clone();
        tasks.spawn(async move { log.append(format!("visit {n}")).await });
    }
    let mut numbers: Vec<usize> = tasks.join_all().await;
    numbers.sort();
    assert_eq!(numbers, (1..=50).collect::<Vec<_>>()); // each line a number of its own
    assert_eq!(log.contents().await.lines().count(), 50);
    println!("50 lines, numbered 1 to 50");
}
// ANCHOR_END: main
