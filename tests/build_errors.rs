//! The failures the proof exists to catch, each on a small fixture, each reported with the file,
//! the line and the reason.
//!
//! - `tests/fixtures/broken-includes/`: one broken include per chapter, on line 5.
//! - `tests/fixtures/broken-fences/`: one fence per chapter, on line 5, that must be rejected.
//! - `tests/fixtures/harness-book/`: a book that goes through `build.rs` like the real one; its
//!   blocks and quoted output are checked here, and some of them must fail.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use book_proof::{blocks, expand, output, runner};

book_proof::harness!();

/// The fixture book's blocks and quoted output, as functions returning the verdict.
mod fixture {
    use super::*;

    fn check(name: &str) -> Result<(), String> {
        runner::check_block(Path::new(env!("OUT_DIR")), name, compile)
    }

    include!(concat!(env!("OUT_DIR"), "/fixture-tests.rs"));
}

mod fixture_output {
    use super::*;

    fn check(name: &str) -> Result<(), String> {
        // The fixture's own `.stderr` is blessed with the book's; see `quoted_output_*` below.
        let bless = book_proof::output::bless_requested();
        runner::check_output(Path::new(env!("OUT_DIR")), &root(), name, bless, compile)
    }

    include!(concat!(env!("OUT_DIR"), "/fixture-output-tests.rs"));
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The problems found in `tests/fixtures/FIXTURE/src/CHAPTER.md`, as `build.rs` prints them.
fn problems(fixture: &str, chapter: &str) -> Vec<String> {
    let book = root().join("tests/fixtures").join(fixture);
    let chapter = Path::new("src").join(format!("{chapter}.md"));
    let expanded = expand::expand_chapter(&book, &chapter);
    let (_, fence_problems) = blocks::find_blocks("c", &expanded.text, &expanded.origins, "2024");
    expanded
        .problems
        .iter()
        .chain(&fence_problems)
        .map(ToString::to_string)
        .collect()
}

fn assert_one_problem(fixture: &str, chapter: &str, directive: &str, what: &str) {
    let problems = problems(fixture, chapter);
    let prefix = format!("src/{chapter}.md:5: {directive}: ");
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(
        problems[0].starts_with(&prefix) && problems[0].contains(what),
        "expected `{prefix}...{what}...`, got `{}`",
        problems[0]
    );
}

fn failure(verdict: Result<(), String>) -> String {
    verdict.expect_err("this fixture must fail")
}

#[test]
fn missing_file_names_chapter_and_line() {
    assert_one_problem(
        "broken-includes",
        "missing-file",
        "{{#include ../snippets/gone.rs}}",
        "cannot read snippets/gone.rs",
    );
}

#[test]
fn missing_anchor_names_chapter_and_line() {
    assert_one_problem(
        "broken-includes",
        "missing-anchor",
        "{{#rustdoc_include ../snippets/program.rs:farewell}}",
        "snippets/program.rs has no `ANCHOR: farewell`",
    );
}

#[test]
fn anchor_without_end_names_chapter_and_line() {
    assert_one_problem(
        "broken-includes",
        "unterminated-anchor",
        "{{#rustdoc_include ../snippets/program.rs:unterminated}}",
        "`ANCHOR: unterminated` at snippets/program.rs:7 has no `ANCHOR_END: unterminated`",
    );
}

#[test]
fn include_of_nothing_names_chapter_and_line() {
    assert_one_problem(
        "broken-includes",
        "empty-include",
        "{{#include ../snippets/program.rs:empty}}",
        "expands to nothing",
    );
}

#[test]
fn plain_include_of_a_fragment_in_a_rust_block_names_chapter_and_line() {
    assert_one_problem(
        "broken-includes",
        "fragment-include",
        "{{#include ../snippets/program.rs:greeting}}",
        "use {{#rustdoc_include ...}}",
    );
}

#[test]
fn include_climbing_out_of_the_book_names_chapter_and_line() {
    assert_one_problem(
        "broken-includes",
        "outside-relative",
        "{{#include ../../../etc/hostname}}",
        "is outside the book's root",
    );
}

#[test]
fn include_of_an_absolute_path_names_chapter_and_line() {
    assert_one_problem(
        "broken-includes",
        "outside-absolute",
        "{{#include /etc/hostname}}",
        "/etc/hostname is outside the book's root",
    );
}

#[test]
fn include_through_a_link_out_of_the_book_names_chapter_and_line() {
    assert_one_problem(
        "broken-includes",
        "outside-link",
        "{{#include ../snippets/hostname-link}}",
        "snippets/hostname-link (a link to ",
    );
}

#[test]
fn unknown_fence_attribute_names_chapter_and_line() {
    assert_one_problem(
        "broken-fences",
        "norun",
        "```rust,norun",
        "unknown attribute `norun` (did you mean `no_run`?)",
    );
}

#[test]
fn ignore_is_refused_because_every_block_is_compiled() {
    assert_one_problem(
        "broken-fences",
        "ignore",
        "```rust,ignore",
        "the book compiles every block it shows",
    );
}

#[test]
fn rs_fence_is_refused_because_it_would_never_compile() {
    assert_one_problem("broken-fences", "rs", "```rs", "never compiled");
}

#[test]
fn error_code_without_compile_fail_names_chapter_and_line() {
    assert_one_problem(
        "broken-fences",
        "codes-without-compile-fail",
        "```rust,E0308",
        "only means something on a `compile_fail` block",
    );
}

#[test]
fn two_verdicts_on_one_block_name_chapter_and_line() {
    assert_one_problem(
        "broken-fences",
        "two-kinds",
        "```rust,no_run,should_panic",
        "`no_run` and `should_panic` cannot go together",
    );
}

#[test]
fn broken_snippet_failure_names_chapter_line_and_rustc_message() {
    let message = failure(fixture::fixture_broken_snippet_line_6());
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
    fixture::fixture_edition_2024_line_6().unwrap();

    // The same program is not valid edition 2021, so the test above would fail if skeptic's
    // own `--edition=2021` reached rustc.
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let output = Command::new("rustc")
        .args([
            "--edition=2021",
            "--crate-type=bin",
            "--emit=metadata",
            "--out-dir",
        ])
        .arg(scratch)
        .arg(root().join("tests/fixtures/harness-book/snippets/let_chains.rs"))
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
fn edition2021_block_compiles_as_2021() {
    // `let gen = 1;` is an error in edition 2024, the book's edition.
    fixture::fixture_editions_line_5().unwrap();
}

#[test]
fn compile_fail_block_that_fails_with_its_code_passes() {
    fixture::fixture_compile_fail_line_5().unwrap();
}

#[test]
fn compile_fail_block_that_compiles_names_chapter_and_line() {
    let message = failure(fixture::fixture_compile_fail_line_13());
    assert_eq!(
        message,
        "tests/fixtures/harness-book/src/compile-fail.md:13: this compile_fail block compiles; \
         it must not"
    );
}

#[test]
fn compile_fail_block_with_another_code_says_what_rustc_gave() {
    let message = failure(fixture::fixture_compile_fail_line_22());
    let expected = "tests/fixtures/harness-book/src/compile-fail.md:22: this compile_fail block \
                    must fail with E0308, but rustc gave E0277. Its first error: \
                    error[E0277]: cannot add `&str` to `{integer}`";
    assert!(message.starts_with(expected), "{message}");
}

#[test]
fn should_panic_block_that_panics_passes() {
    fixture::fixture_should_panic_line_5().unwrap();
}

#[test]
fn should_panic_block_that_does_not_compile_names_chapter_and_line() {
    let message = failure(fixture::fixture_should_panic_line_14());
    assert!(
        message.starts_with(
            "tests/fixtures/harness-book/src/should-panic.md:14: this code block does not compile"
        ),
        "{message}"
    );
    assert!(message.contains("error[E0277]"), "{message}");
}

#[test]
fn should_panic_block_that_does_not_panic_names_chapter_and_line() {
    let message = failure(fixture::fixture_should_panic_line_23());
    assert!(
        message.starts_with(
            "tests/fixtures/harness-book/src/should-panic.md:23: this should_panic block ran to \
             the end without panicking"
        ),
        "{message}"
    );
}

#[test]
fn panic_names_the_snippet_line_of_the_panicking_statement() {
    let message = failure(fixture::fixture_panic_location_line_5());
    let expected = "tests/fixtures/harness-book/src/panic-location.md:5: this code block panicked \
                    at tests/fixtures/harness-book/snippets/panics.rs:2:5 (its code comes from \
                    tests/fixtures/harness-book/snippets/panics.rs:1-11).";
    assert!(message.starts_with(expected), "{message}");
    assert!(message.contains("7 is odd"), "{message}");
}

#[test]
fn quoted_output_that_matches_passes() {
    fixture_output::fixture_compile_fail_mismatched_types().unwrap();
}

/// A copy of the fixture's quoted output under a scratch root, for tests that change it.
fn scratch_copy(name: &str) -> (PathBuf, PathBuf) {
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = fs::remove_dir_all(&scratch);
    let snippets = "tests/fixtures/harness-book/snippets";
    let dir = scratch.join(snippets).join("compile_fail");
    fs::create_dir_all(&dir).unwrap();
    for file in ["compile_fail/mismatched_types.stderr", "rustc-version"] {
        let from = root().join(snippets).join(file);
        fs::copy(from, scratch.join(snippets).join(file)).unwrap();
    }
    (scratch, dir.join("mismatched_types.stderr"))
}

fn check_in(scratch: &Path, bless: bool) -> Result<(), String> {
    let out = Path::new(env!("OUT_DIR"));
    runner::check_output(
        out,
        scratch,
        "fixture_compile_fail_mismatched_types",
        bless,
        compile,
    )
}

#[test]
fn quoted_output_with_a_changed_word_names_the_stderr_line_and_shows_a_diff() {
    let (scratch, stderr) = scratch_copy("changed-word");
    let quoted = fs::read_to_string(&stderr).unwrap();
    let line = quoted
        .lines()
        .position(|l| l.contains("mismatched types"))
        .expect("the fixture quotes rustc's headline")
        + 1;
    fs::write(
        &stderr,
        quoted.replacen("mismatched types", "mismatched kinds", 1),
    )
    .unwrap();
    let verdict = check_in(&scratch, false);
    let recorded =
        fs::read_to_string(root().join("tests/fixtures/harness-book/snippets/rustc-version"));
    if recorded.unwrap().trim() != output::rustc_version() {
        // Another compiler's wording is not compared, only its error codes, which are the same.
        assert_eq!(verdict, Ok(()));
        return;
    }
    let message = failure(verdict);
    let at = format!(
        "tests/fixtures/harness-book/snippets/compile_fail/mismatched_types.stderr:{line}: \
         rustc's output for tests/fixtures/harness-book/snippets/compile_fail/mismatched_types.rs \
         differs from this file"
    );
    assert!(message.starts_with(&at), "{message}");
    assert!(message.contains("- "), "{message}");
    assert!(message.contains("mismatched kinds"), "{message}");
    assert!(
        message.contains("error[E0308]: mismatched types"),
        "{message}"
    );
    assert!(message.contains("BLESS=1 cargo test"), "{message}");
}

#[test]
fn bless_writes_the_stderr_file_rustc_output_matches() {
    let (scratch, stderr) = scratch_copy("bless");
    fs::remove_file(&stderr).unwrap();
    let missing = failure(check_in(&scratch, false));
    assert!(missing.contains("is missing"), "{missing}");
    check_in(&scratch, true).unwrap();
    check_in(&scratch, false).unwrap();
    let blessed = fs::read_to_string(&stderr).unwrap();
    assert!(
        blessed.starts_with("error[E0308]: mismatched types\n"),
        "{blessed}"
    );
    assert!(
        blessed.contains(
            "--> tests/fixtures/harness-book/snippets/compile_fail/mismatched_types.rs:2:23"
        ),
        "{blessed}"
    );
}
