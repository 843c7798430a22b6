use axum::{Router, extract::Path, routing::get};

/// Calls `attempt` until it gives a value, at most three times.
async fn retry<T>(attempt: impl AsyncFn() -> Option<T>) -> Option<T> {
    for _ in 0..3 {
        if let Some(value) = attempt().await {
            return Some(value);
        }
    }
    None
}

async fn lookup(name: &str) -> Option<usize> {
    tokio::task::yield_now().await;
    Some(name.len())
}

async fn length(Path(name): Path<String>) -> String {
    let found = retry(async || lookup(&name).await).await;
    format!("{found:?}\n")
}

fn main() {
    let _app: Router = Router::new().route("/length/{name}", get(length));
}
