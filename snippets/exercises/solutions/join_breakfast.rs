//! Solution of the exercise `join_breakfast`: `tokio::join!` awaits both futures at once.

use std::time::Duration;

async fn make_coffee() {
    for step in 1..=3 {
        println!("coffee {step}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn make_toast() {
    for step in 1..=3 {
        println!("toast {step}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

// ANCHOR: answer
#[tokio::main]
async fn main() {
    tokio::join!(make_coffee(), make_toast());
    println!("breakfast is ready");
}
// ANCHOR_END: answer
