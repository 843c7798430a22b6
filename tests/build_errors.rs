//! The failures the proof exists to catch. Each chapter under `tests/fixtures/broken-includes/`
//! has one broken include on line 5, and the message must name that chapter, line and directive.
//! The book under `tests/fixtures/harness-book/` goes through `build.rs` like the real one: one of
//! its blocks does not compile, and the failure must point at the chapter and snippet lines.

use std::path::Path;
use std::process::Command;

#[path = "support/expand.rs"]
mod expand;
#[path = "support/harness.rs"]
mod harness;
#[path = "support/rustc_shim.rs"]
#[allow(dead_code)] // its `main` runs as the shim binary, not here
mod rustc_shim;

mod fixture {
    use super::harness;
    include!(concat!(env!("OUT_DIR"), "/fixture-tests.rs"));
}

/// The problems found in `tests/fixtures/broken-includes/src/CHAPTER.md`, as `build.rs` prints them.
fn problems(chapter: &str) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/broken-includes");
    let chapter = Path::new("src").join(format!("{chapter}.md"));
    let expanded = expand::expand_chapter(&root, &chapter);
    expanded.problems.iter().map(ToString::to_string).collect()
}

fn assert_one_problem(chapter: &str, directive: &str, what: &str) {
    let problems = problems(chapter);
    let prefix = format!("src/{chapter}.md:5: {directive}: ");
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(
        problems[0].starts_with(&prefix) && problems[0].contains(what),
        "expected `{prefix}...{what}...`, got `{}`",
        problems[0]
    );
}

#[test]
fn missing_file_names_chapter_and_line() {
    assert_one_problem(
        "missing-file",
        "{{#include ../snippets/gone.rs}}",
        "cannot read snippets/gone.rs",
    );
}

#[test]
fn missing_anchor_names_chapter_and_line() {
    assert_one_problem(
        "missing-anchor",
        "{{#rustdoc_include ../snippets/program.rs:farewell}}",
        "snippets/program.rs has no `ANCHOR: farewell`",
    );
}

#[test]
fn anchor_without_end_names_chapter_and_line() {
    assert_one_problem(
        "unterminated-anchor",
        "{{#rustdoc_include ../snippets/program.rs:unterminated}}",
        "`ANCHOR: unterminated` at snippets/program.rs:7 has no `ANCHOR_END: unterminated`",
    );
}

#[test]
fn include_of_nothing_names_chapter_and_line() {
    assert_one_problem(
        "empty-include",
        "{{#include ../snippets/program.rs:empty}}",
        "expands to nothing",
    );
}

#[test]
fn plain_include_of_a_fragment_in_a_rust_block_names_chapter_and_line() {
    assert_one_problem(
        "fragment-include",
        "{{#include ../snippets/program.rs:greeting}}",
        "use {{#rustdoc_include ...}}",
    );
}

#[test]
fn broken_snippet_failure_names_chapter_line_and_rustc_message() {
    let failure = std::panic::catch_unwind(
        fixture::broken_snippet_sect_a_chapter_with_a_broken_snippet_line_6,
    )
    .expect_err("the fixture's snippet does not compile");
    let message = failure
        .downcast_ref::<String>()
        .expect("a formatted message");
    let expected_start = "tests/fixtures/harness-book/src/broken-snippet.md:6: this code block \
                          does not compile (its code comes from \
                          tests/fixtures/harness-book/snippets/broken.rs:1-6). rustc says:";
    assert!(message.starts_with(expected_start), "{message}");
    // rustc's own words, with its location mapped from skeptic's temporary file to the snippet.
    assert!(
        message.contains("error[E0308]: mismatched types"),
        "{message}"
    );
    assert!(
        message.contains("--> tests/fixtures/harness-book/snippets/broken.rs:3:23"),
        "{message}"
    );
    assert!(!message.contains("--extern"), "{message}");
}

#[test]
fn snippets_compile_as_edition_2024() {
    fixture::edition_2024_sect_a_chapter_whose_snippet_needs_edition_2024_line_6();

    // The same program is not valid edition 2021, so the test above would fail if skeptic's
    // own `--edition=2021` reached rustc.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let output = Command::new("rustc")
        .args([
            "--edition=2021",
            "--crate-type=bin",
            "--emit=metadata",
            "--out-dir",
        ])
        .arg(scratch)
        .arg(root.join("tests/fixtures/harness-book/snippets/let_chains.rs"))
        .output()
        .expect("rustc runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("let chains are only allowed in Rust 2024"),
        "{stderr}"
    );
}

#[test]
fn shim_maps_rustc_locations_to_book_lines() {
    let source = Path::new("/tmp/rust-skepticAbc/test.rs");
    let map = ["(skeptic's first line)", "src/a.md:8", "snippets/b.rs:3"].map(String::from);
    let stderr = " --> /tmp/rust-skepticAbc/test.rs:3:9\n --> /tmp/rust-skepticAbc/test.rs:9:1\n";
    assert_eq!(
        rustc_shim::relocate(stderr, source, &map),
        " --> snippets/b.rs:3:9\n --> /tmp/rust-skepticAbc/test.rs:9:1\n",
        "a line the map has moves to the book; one it lacks stays as rustc wrote it"
    );
}
