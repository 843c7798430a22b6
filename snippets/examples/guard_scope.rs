//! A `std::sync::MutexGuard` made in a `match` scrutinee lives to the end of the `match`, so a
//! `.await` in an arm holds it. Copying the value out in a statement of its own ends the guard
//! there. In edition 2024 an `if let` drops its scrutinee's temporaries before the `else`
//! block, so an `.await` there no longer holds the guard (edition 2021 refuses it).
//!
//! Run it with `cargo run -p snippets --example guard_scope`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

type Cache = Arc<Mutex<HashMap<u32, String>>>;

async fn load_title(id: u32) -> String {
    tokio::task::yield_now().await;
    format!("note {id}")
}

// ANCHOR: statement
async fn title(cache: Cache, id: u32) -> String {
    let cached = cache.lock().unwrap().get(&id).cloned();
    match cached {
        Some(title) => title,
        None => load_title(id).await,
    }
}
// ANCHOR_END: statement

// ANCHOR: if_let
async fn title_if_let(cache: Cache, id: u32) -> String {
    if let Some(title) = cache.lock().unwrap().get(&id) {
        title.clone()
    } else {
        load_title(id).await
    }
}
// ANCHOR_END: if_let

#[tokio::main]
async fn main() {
    let cache = Cache::default();
    cache.lock().unwrap().insert(1, "buy milk".to_string());
    let cached = tokio::spawn(title(cache.clone(), 1)).await.unwrap();
    let loaded = tokio::spawn(title(cache.clone(), 2)).await.unwrap();
    let loaded_if_let = tokio::spawn(title_if_let(cache.clone(), 3)).await.unwrap();
    assert_eq!((cached.as_str(), loaded.as_str()), ("buy milk", "note 2"));
    assert_eq!(loaded_if_let, "note 3");
    println!("{cached}, {loaded}, {loaded_if_let}");
}
