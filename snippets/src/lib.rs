//! The book's programs live in `examples/`; run one with `cargo run -p snippets --example NAME`.
