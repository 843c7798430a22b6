//! The panic the book quotes for starting a runtime inside a runtime is the one tokio gives for
//! the book's own example, word for word.

#[allow(dead_code)]
#[path = "../../../snippets/examples/runtime_in_runtime.rs"]
mod runtime_in_runtime;

use std::{panic, path::Path};

const PAGE: &str = "src/troubleshooting/cannot-start-a-runtime-from-within-a-runtime.md";

#[tokio::test]
async fn blocking_on_a_runtime_inside_async_code_panics_as_the_book_quotes() {
    let panic = panic::catch_unwind(|| runtime_in_runtime::price_blocking("tea"))
        .expect_err("block_on inside a runtime did not panic");
    let message = match (panic.downcast_ref::<&str>(), panic.downcast_ref::<String>()) {
        (Some(text), _) => text.to_string(),
        (_, Some(text)) => text.clone(),
        _ => panic!("the panic carries no message"),
    };
    assert!(
        message.starts_with("Cannot start a runtime from within a runtime."),
        "{message}"
    );

    let page = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(PAGE),
    )
    .unwrap();
    let quoted = format!("```text\n{message}\n```");
    assert!(
        page.contains(&quoted),
        "{PAGE} must quote the panic message as tokio gives it:\n{quoted}"
    );
}
