pub trait NoteStore {
    async fn title(&self, id: u32) -> Option<String>;
}

fn main() {}
