use std::time::Duration;

async fn report() -> &'static str {
    tokio::time::sleep(Duration::from_millis(30)).await;
    "report ready"
}

#[tokio::main]
async fn main() {
    let mut work = report();
    let mut ticks = tokio::time::interval(Duration::from_millis(10));
    loop {
        tokio::select! {
            done = &mut work => {
                println!("{done}");
                break;
            }
            _ = ticks.tick() => println!("still working"),
        }
    }
}
