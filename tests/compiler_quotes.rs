//! The book quotes what the compiler says to a reader's mistakes. These tests give rustc the
//! mistake and check that it still says what the chapter quotes, so a new compiler cannot make the
//! book wrong without a failing test.

use std::fs;
use std::path::Path;
use std::process::Command;

/// What rustc prints (stderr) when it checks `program` as an edition-2024 binary.
fn rustc_says(name: &str, program: &str) -> String {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    fs::create_dir_all(&dir).unwrap();
    let source = dir.join("main.rs");
    fs::write(&source, program).unwrap();
    let output = Command::new("rustc")
        .args([
            "--edition=2024",
            "--crate-type=bin",
            "--emit=metadata",
            "--out-dir",
        ])
        .arg(&dir)
        .arg(&source)
        .output()
        .expect("rustc runs");
    String::from_utf8(output.stderr).unwrap()
}

fn chapter(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(name);
    fs::read_to_string(path).unwrap()
}

#[test]
fn a_future_called_and_ignored_gets_the_warning_the_book_quotes() {
    let said = rustc_says(
        "ignored_future",
        "async fn get_items() -> Vec<u32> { vec![1, 2, 3] }\n\
         async fn caller() { get_items(); }\n\
         fn main() { drop(caller()); }\n",
    );
    let chapter = chapter("working-with-futures.md");
    for quote in [
        "unused implementer of `Future` that must be used",
        "futures do nothing unless you `.await` or poll them",
    ] {
        assert!(
            said.contains(quote),
            "rustc no longer says {quote:?}:\n{said}"
        );
        assert!(
            chapter.contains(quote),
            "the chapter no longer quotes {quote:?}"
        );
    }
}

#[test]
fn await_outside_async_code_is_rejected() {
    let said = rustc_says(
        "await_outside_async",
        "async fn get_items() -> Vec<u32> { vec![1, 2, 3] }\n\
         fn main() { let _items = get_items().await; }\n",
    );
    assert!(said.contains("error[E0728]"), "{said}");
}

#[test]
fn an_async_main_needs_a_runtime() {
    let said = rustc_says("async_main", "async fn main() {}\n");
    assert!(said.contains("error[E0752]"), "{said}");
}
