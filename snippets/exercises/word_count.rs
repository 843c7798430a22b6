//! Exercise: `word_count` hands the blocking function `count_words` to tokio's blocking pool,
//! but it does not compile. Make it compile and print `9 words`, without changing the
//! signature of `word_count`: it takes a `&str`.
//!
//! Check your answer: `cargo test --test exercise word_count`

/// Plain synchronous code. Pretend it is slow, as a large document would make it.
fn count_words(text: &str) -> usize {
    text.split_whitespace().count()
}

async fn word_count(text: &str) -> usize {
    tokio::task::spawn_blocking(|| count_words(text))
        .await
        .unwrap()
}

#[tokio::main]
async fn main() {
    let text = "the quick brown fox jumps over the lazy dog";
    println!("{} words", word_count(text).await);
}
