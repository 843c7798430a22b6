//! Work that is not `Send` on a thread of its own, with tokio's `LocalRuntime` (stable since
//! tokio 1.51): the worker keeps its state in an `Rc<RefCell<..>>` and runs a task per request
//! with `spawn_local`; tasks on the ordinary multi-thread runtime send it requests through a
//! channel, as handlers would.
//!
//! Run it with `cargo run -p snippets --example local_runtime`.

use std::{cell::RefCell, collections::HashSet, rc::Rc};

use tokio::sync::{mpsc, oneshot};

/// A word to remember, and where to send how many different words the worker has seen.
type Request = (String, oneshot::Sender<usize>);

// ANCHOR: worker
fn start_local_worker() -> mpsc::Sender<Request> {
    let (requests, mut inbox) = mpsc::channel::<Request>(32);
    std::thread::spawn(move || {
        let runtime = tokio::runtime::LocalRuntime::new().expect("a local runtime");
        runtime.block_on(async move {
            let seen = Rc::new(RefCell::new(HashSet::new())); // not Send
            while let Some((word, reply)) = inbox.recv().await {
                let seen = Rc::clone(&seen);
                tokio::task::spawn_local(async move {
                    tokio::task::yield_now().await;
                    seen.borrow_mut().insert(word);
                    let _ = reply.send(seen.borrow().len());
                });
            }
        });
    });
    requests
}
// ANCHOR_END: worker

#[tokio::main]
async fn main() {
    let worker = start_local_worker();
    let mut askers = Vec::new();
    for word in ["milk", "eggs", "milk"] {
        let worker = worker.clone();
        askers.push(tokio::spawn(async move {
            let (reply, answer) = oneshot::channel();
            worker.send((word.to_string(), reply)).await.unwrap();
            answer.await.unwrap()
        }));
    }
    let mut counts = Vec::new();
    for asker in askers {
        counts.push(asker.await.unwrap());
    }
    // Two different words, whichever order the requests arrived in.
    assert_eq!(counts.iter().max(), Some(&2));
    println!("different words seen after each request: {counts:?}");
}
