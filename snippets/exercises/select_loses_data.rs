//! Exercise: this loop saves the messages it receives, and says how many it has saved at each
//! flush. Three of the six messages go missing. Make it save all six, in order.
//!
//! Check your answer: `cargo test --test exercise select_loses_data`

use tokio::sync::mpsc;

/// The next message, once it has been checked. Checking waits (think of a call to another
/// service): this `.await` stands for it.
async fn next_checked(messages: &mut mpsc::Receiver<String>) -> Option<String> {
    let message = messages.recv().await?;
    tokio::task::yield_now().await;
    Some(message)
}

#[tokio::main]
async fn main() {
    let (send, mut messages) = mpsc::channel(6);
    let (flush, mut flushes) = mpsc::channel(3);
    for n in 1..=6 {
        send.send(format!("message {n}")).await.unwrap();
    }
    for _ in 1..=3 {
        flush.send(()).await.unwrap();
    }
    drop((send, flush));

    let mut saved = Vec::new();
    loop {
        tokio::select! {
            // Try the branches in the order written, so that every run does the same.
            biased;
            message = next_checked(&mut messages) => match message {
                Some(message) => saved.push(message),
                None => break,
            },
            Some(()) = flushes.recv() => println!("flush: {} saved", saved.len()),
        }
    }
    println!("saved: {}", saved.join(", "));
}
