use std::sync::atomic::{AtomicBool, Ordering};

static RAN: AtomicBool = AtomicBool::new(false);

async fn get_items() -> Vec<u32> {
    RAN.store(true, Ordering::SeqCst);
    vec![1, 2, 3]
}

fn main() {
    get_items();
    assert!(!RAN.load(Ordering::SeqCst), "the body of get_items never ran");
}
