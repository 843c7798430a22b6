fn greet(name: String) -> impl Future<Output = String> {
    async { format!("Hello, {name}!") }
}

fn main() {
    let _future = greet("Ferris".to_string());
}
