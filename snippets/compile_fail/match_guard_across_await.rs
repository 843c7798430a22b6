use std::collections::HashMap;
use std::sync::{Arc, Mutex};

type Cache = Arc<Mutex<HashMap<u32, String>>>;

async fn load_title(id: u32) -> String {
    tokio::task::yield_now().await;
    format!("note {id}")
}

async fn title(cache: Cache, id: u32) -> String {
    match cache.lock().unwrap().get(&id) {
        Some(title) => title.clone(),
        None => load_title(id).await,
    }
}

#[tokio::main]
async fn main() {
    let cache = Cache::default();
    let title = tokio::spawn(title(cache, 1)).await.unwrap();
    println!("{title}");
}
