//! Solution of the exercise `word_count`: the closure takes an owned copy of the text with
//! `move`, so it borrows nothing and may outlive the call.

/// Plain synchronous code. Pretend it is slow, as a large document would make it.
fn count_words(text: &str) -> usize {
    text.split_whitespace().count()
}

// ANCHOR: answer
async fn word_count(text: &str) -> usize {
    let text = text.to_owned();
    tokio::task::spawn_blocking(move || count_words(&text))
        .await
        .unwrap()
}
// ANCHOR_END: answer

#[tokio::main]
async fn main() {
    let text = "the quick brown fox jumps over the lazy dog";
    println!("{} words", word_count(text).await);
}
