//! Two things stable Rust has for async APIs: a builder that `.await` sends (it implements
//! `IntoFuture`, in the prelude since edition 2024), and a method whose future borrows neither
//! `self` nor its arguments, so it can be spawned (`use<>`, precise capturing, Rust 1.82).
//!
//! Run it with `cargo run -p snippets --example request_builder`.

use std::pin::Pin;

// ANCHOR: into_future
/// A request being built: `.header()` adds to it, `.await` sends it.
struct Request {
    url: String,
    headers: Vec<String>,
}

impl Request {
    fn header(mut self, line: &str) -> Request {
        self.headers.push(line.to_string());
        self
    }
}

// ANCHOR: impl_line
impl IntoFuture for Request {
    // ANCHOR_END: impl_line
    type Output = String;
    type IntoFuture = Pin<Box<dyn Future<Output = String> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            tokio::task::yield_now().await; // stands for the network
            format!("GET {} with {} header(s)", self.url, self.headers.len())
        })
    }
}
// ANCHOR_END: into_future

// ANCHOR: use_capture
struct Client {
    base: String,
}

impl Client {
    fn get(&self, path: &str) -> Request {
        let url = format!("{}{path}", self.base);
        Request {
            url,
            headers: Vec::new(),
        }
    }

    /// The future owns its request: `use<>` says it captures no lifetime, neither `&self`'s
    /// nor `path`'s, so it may outlive both.
    fn fetch(&self, path: &str) -> impl Future<Output = String> + Send + use<> {
        self.get(path).into_future()
    }
}
// ANCHOR_END: use_capture

// ANCHOR: send
async fn send_one(client: &Client) -> String {
    client.get("/notes/1").header("Accept: text/plain").await
}
// ANCHOR_END: send

// ANCHOR: spawn
/// The task outlives the client: the future it runs borrows nothing.
async fn fetch_in_a_task(client: Client) -> String {
    let task = tokio::spawn(client.fetch("/notes/2"));
    drop(client);
    task.await.unwrap()
}
// ANCHOR_END: spawn

#[tokio::main]
async fn main() {
    let client = Client {
        base: "http://127.0.0.1:3000".to_string(),
    };
    let answer = send_one(&client).await;
    assert_eq!(answer, "GET http://127.0.0.1:3000/notes/1 with 1 header(s)");
    let fetched = fetch_in_a_task(client).await;
    assert_eq!(
        fetched,
        "GET http://127.0.0.1:3000/notes/2 with 0 header(s)"
    );
    println!("{answer}; {fetched}");
}
