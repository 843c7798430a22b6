//! Exercise: `greeting` awaits a future, but it is a plain `fn`, so this does not compile.
//! Make it compile and print `Hello, Ferris!`.
//!
//! Check your answer: `cargo test --test exercise async_greeting`

/// Looks a name up. Pretend it asks a database: that is why it is an `async fn`.
async fn fetch_name() -> String {
    "Ferris".to_string()
}

fn greeting() -> String {
    let name = fetch_name().await;
    format!("Hello, {name}!")
}

#[tokio::main]
async fn main() {
    println!("{}", greeting());
}
