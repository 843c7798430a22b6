//! Every Rust code block in the book, compiled and, unless marked `no_run`, run: `build.rs`
//! writes one test for each block. A failure names the chapter line of the block.

#[path = "support/harness.rs"]
mod harness;

include!(concat!(env!("OUT_DIR"), "/book-tests.rs"));
