use futures_util::{Stream, StreamExt, stream};

fn fetch_pages() -> impl Stream<Item = String> {
    stream::unfold(1, |page| async move {
        tokio::task::yield_now().await;
        (page <= 3).then(|| (format!("page {page}"), page + 1))
    })
}

#[tokio::main]
async fn main() {
    let mut pages = fetch_pages();
    while let Some(page) = pages.next().await {
        println!("{page}");
    }
}
