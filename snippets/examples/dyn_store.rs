//! An async trait used as `dyn Trait`: each method returns its future in a box, so every
//! implementation's future has the same type and the trait can be a trait object. Two stores,
//! chosen at run time, sit behind one `Arc<dyn NoteStore>`, and each is asked from a task of
//! its own.
//!
//! Run it with `cargo run -p snippets --example dyn_store`.

use std::{pin::Pin, sync::Arc};

// ANCHOR: boxed
/// A future in a box: one type, whichever `async` block made it. `Send` because tasks move it
/// between threads; `'a` because it may borrow the store.
type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

trait NoteStore: Send + Sync {
    fn title(&self, id: u32) -> BoxFuture<'_, Option<String>>;
}

struct Memory(Vec<String>);

impl NoteStore for Memory {
    fn title(&self, id: u32) -> BoxFuture<'_, Option<String>> {
        Box::pin(async move { self.0.get(id as usize).cloned() })
    }
}
// ANCHOR_END: boxed

/// Stands for a store that is down: it answers nothing, after a wait.
struct Unreachable;

impl NoteStore for Unreachable {
    fn title(&self, _id: u32) -> BoxFuture<'_, Option<String>> {
        Box::pin(async {
            tokio::task::yield_now().await;
            None
        })
    }
}

// ANCHOR: use
fn spawn_lookups() -> [tokio::task::JoinHandle<Option<String>>; 2] {
    let stores: [Arc<dyn NoteStore>; 2] = [
        Arc::new(Memory(vec!["buy milk".to_string()])),
        Arc::new(Unreachable),
    ];
    stores.map(|store| tokio::spawn(async move { store.title(0).await }))
}
// ANCHOR_END: use

#[tokio::main]
async fn main() {
    let mut titles = Vec::new();
    for task in spawn_lookups() {
        titles.push(task.await.unwrap());
    }
    assert_eq!(titles, [Some("buy milk".to_string()), None]);
    println!("{titles:?}");
}
