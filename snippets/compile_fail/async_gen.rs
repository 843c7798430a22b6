use std::async_iter::AsyncIterator;

fn countdown() -> impl AsyncIterator<Item = u32> {
    async gen {
        for n in (1..=3).rev() {
            tokio::task::yield_now().await;
            yield n;
        }
    }
}

fn main() {}
