struct Client {
    base: String,
}

impl Client {
    fn fetch(&self, path: &str) -> impl Future<Output = String> + Send {
        let url = format!("{}{path}", self.base);
        async move { url }
    }
}

#[tokio::main]
async fn main() {
    let client = Client {
        base: "http://127.0.0.1:3000".to_string(),
    };
    let task = tokio::spawn(client.fetch("/notes/1"));
    println!("{}", task.await.unwrap());
}
