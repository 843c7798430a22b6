//! Every Rust code block in the book, checked as its fence says: run (the default), compiled only
//! (`no_run`), run to a panic (`should_panic`), or refused by the compiler (`compile_fail`, with
//! its error codes). `build.rs` writes one test for each block; a failure names the chapter line.

use std::path::Path;

book_proof::harness!();

fn check(name: &str) -> Result<(), String> {
    book_proof::runner::check_block(Path::new(env!("OUT_DIR")), name, compile)
}

include!(concat!(env!("OUT_DIR"), "/book-tests.rs"));
