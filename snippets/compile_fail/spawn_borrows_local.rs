#[tokio::main]
async fn main() {
    let names = vec!["ferris", "corro"];
    let task = tokio::spawn(async {
        names.len()
    });
    println!("{} names", task.await.unwrap());
}
