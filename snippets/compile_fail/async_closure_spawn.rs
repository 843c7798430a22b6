/// Runs `job` `times` times, one after the other, in a task of its own.
fn spawn_times<F>(times: u32, job: F) -> tokio::task::JoinHandle<()>
where
    F: AsyncFn() + Send + Sync + 'static,
{
    tokio::spawn(async move {
        for _ in 0..times {
            job().await;
        }
    })
}

#[tokio::main]
async fn main() {
    spawn_times(3, async || println!("job ran")).await.unwrap();
}
