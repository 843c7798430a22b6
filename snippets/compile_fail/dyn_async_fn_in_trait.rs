trait NoteStore {
    async fn title(&self, id: u32) -> Option<String>;
}

fn count(stores: &[Box<dyn NoteStore>]) -> usize {
    stores.len()
}

fn main() {
    assert_eq!(count(&[]), 0);
}
