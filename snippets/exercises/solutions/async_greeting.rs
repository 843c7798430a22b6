//! Solution of the exercise `async_greeting`: `greeting` becomes an `async fn`, and `main`
//! awaits it.

/// Looks a name up. Pretend it asks a database: that is why it is an `async fn`.
async fn fetch_name() -> String {
    "Ferris".to_string()
}

// ANCHOR: answer
async fn greeting() -> String {
    let name = fetch_name().await;
    format!("Hello, {name}!")
}

#[tokio::main]
async fn main() {
    println!("{}", greeting().await);
}
// ANCHOR_END: answer
