//! What the compiler says to the mistakes the book shows. Each `snippets/compile_fail/NAME.rs`
//! must fail to compile, each `snippets/warnings/NAME.rs` must compile, and what rustc prints for
//! it must be, word for word, the `NAME.stderr` beside it, which the chapters quote.
//!
//! `BLESS=1 cargo test` rewrites the `.stderr` files instead (then read the diff). The exact text
//! is checked with the compiler recorded in `snippets/rustc-version`; with any other, only the
//! error codes and lints (see `book_proof::output`).

use std::path::Path;

book_proof::harness!();

fn check(name: &str) -> Result<(), String> {
    let bless = book_proof::output::bless_requested();
    book_proof::runner::check_output(
        Path::new(env!("OUT_DIR")),
        Path::new(env!("CARGO_MANIFEST_DIR")),
        name,
        bless,
        compile,
    )
}

include!(concat!(env!("OUT_DIR"), "/book-output-tests.rs"));
