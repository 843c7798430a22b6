use std::error::Error;
use std::time::Duration;

async fn fetch_rate(attempt: u32) -> Result<f64, Box<dyn Error>> {
    if attempt < 3 {
        return Err(format!("attempt {attempt}: the rates service is busy").into());
    }
    Ok(1.08)
}

#[tokio::main]
async fn main() {
    let task = tokio::spawn(async {
        let mut last_error = None;
        for attempt in 1..=3 {
            match fetch_rate(attempt).await {
                Ok(rate) => return Some(rate),
                Err(error) => last_error = Some(error),
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        eprintln!("no rate: {}", last_error.unwrap());
        None
    });
    println!("{:?}", task.await.unwrap());
}
