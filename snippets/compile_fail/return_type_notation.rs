trait NoteStore {
    async fn title(&self, id: u32) -> Option<String>;
}

/// Asks for `title`'s future to be `Send` at the place that needs it, not in the trait.
fn warm_up<S>(store: S)
where
    S: NoteStore<title(..): Send> + Send + 'static,
{
    tokio::spawn(async move { store.title(1).await });
}

fn main() {}
