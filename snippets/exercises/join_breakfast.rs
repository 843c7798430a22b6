//! Exercise: making coffee and making toast each take three steps, and each step waits for a
//! machine. Here the toast waits until the coffee is done. Make both run at the same time, so
//! their lines interleave, and print `breakfast is ready` once both are done.
//!
//! Check your answer: `cargo test --test exercise join_breakfast`

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

#[tokio::main]
async fn main() {
    make_coffee().await;
    make_toast().await;
    println!("breakfast is ready");
}
