async fn main() {
    println!("who runs this future?");
}
