use std::async_iter::AsyncIterator;

async fn total(numbers: impl AsyncIterator<Item = u32>) -> u32 {
    let mut sum = 0;
    for await n in numbers {
        sum += n;
    }
    sum
}

fn main() {}
