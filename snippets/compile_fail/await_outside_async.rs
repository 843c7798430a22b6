async fn get_items() -> Vec<u32> {
    vec![1, 2, 3]
}

fn main() {
    let items = get_items().await;
    println!("{items:?}");
}
