use std::future::AsyncDrop;
use std::pin::Pin;

struct Connection;

impl AsyncDrop for Connection {
    async fn drop(self: Pin<&mut Self>) {
        // Tell the server goodbye, with `.await`, before the socket closes.
    }
}

fn main() {}
