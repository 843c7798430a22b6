use std::rc::Rc;

#[tokio::main]
async fn main() {
    let task = tokio::spawn(async {
        let names = Rc::new(vec!["ferris", "corro"]);
        tokio::task::yield_now().await;
        names.len()
    });
    println!("{} names", task.await.unwrap());
}
