//! A whole book, read the way `build.rs` needs it: every chapter expanded, every Rust block found
//! with what its fence asks, every file whose compiler output the book quotes, and everything that
//! is wrong with any of them.

use std::fs;
use std::path::{Path, PathBuf};

use crate::blocks::{self, Block, Kind};
use crate::expand::{self, Origin};

/// Directories of a book's `snippets/` holding code whose compiler output the book quotes, and
/// what rustc must do with that code.
const QUOTED: [(&str, Kind); 2] = [
    ("compile_fail", Kind::CompileFail),
    ("warnings", Kind::NoRun),
];

/// What [`read`] found in one book.
#[derive(Debug, Default)]
pub struct Book {
    /// Every Rust block of every chapter.
    pub blocks: Vec<Block>,
    /// Every file under `snippets/compile_fail/` and `snippets/warnings/`, as a block.
    pub quoted: Vec<Block>,
    /// Every file the chapters read, for `cargo:rerun-if-changed`.
    pub inputs: Vec<PathBuf>,
    /// `FILE:LINE: DIRECTIVE: what is wrong`, one a problem.
    pub problems: Vec<String>,
    /// Every line of every expanded chapter, what a reader is shown.
    pub shown: std::collections::BTreeSet<String>,
}

/// Reads the book in `root/dir` (`src/` for its chapters, `snippets/` for its quoted output), with
/// names and paths relative to `root`, the repository. `edition` is the book's.
pub fn read(root: &Path, dir: &str, edition: &str) -> Book {
    let mut book = Book::default();
    let src = root.join(dir).join("src");
    for path in markdown_files(&src) {
        let chapter = path.strip_prefix(root).expect("under the root");
        let expanded = expand::expand_chapter(root, chapter);
        book.inputs.extend(expanded.inputs);
        book.shown
            .extend(expanded.text.lines().map(|line| line.trim().to_owned()));
        book.problems
            .extend(expanded.problems.iter().map(ToString::to_string));
        let stem = blocks::test_name(path.strip_prefix(&src).expect("under src"));
        let (found, problems) =
            blocks::find_blocks(&stem, &expanded.text, &expanded.origins, edition);
        book.problems
            .extend(problems.iter().map(ToString::to_string));
        for mut block in found {
            // Warnings that a checked `.stderr` pins are the point of the block, not a mistake.
            block.deny_warnings = !block.origins.iter().any(|o| quotes_output(root, o));
            book.blocks.push(block);
        }
    }
    for (kind_dir, kind) in QUOTED {
        let relative = Path::new(dir).join("snippets").join(kind_dir);
        let mut files: Vec<PathBuf> = fs::read_dir(root.join(&relative))
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|e| e == "rs"))
            .collect();
        files.sort();
        for path in files {
            let file = expand::display_path(path.strip_prefix(root).expect("under the root"));
            let Ok(code) = fs::read_to_string(&path) else {
                book.problems.push(format!("{file}: cannot read it"));
                continue;
            };
            let origins = (1..=code.lines().count())
                .map(|line| Origin {
                    file: file.clone(),
                    line,
                })
                .collect();
            let stem = blocks::test_name(Path::new(path.file_name().unwrap()));
            book.quoted.push(Block {
                name: format!("{kind_dir}_{stem}"),
                at: Origin { file, line: 1 },
                kind,
                codes: Vec::new(),
                edition: edition.to_owned(),
                deny_warnings: false,
                code,
                origins,
            });
        }
    }
    book
}

/// The reader's project, `snippets/Cargo.toml`: the names of the crates its programs may use
/// (`-` as `_`, as rustc names them), and what is wrong with it. Each dependency line must be
/// shown by a chapter (`shown`, from [`read`]), name a registry crate, and, under
/// `[dependencies]`, be the very line of the workspace's `[workspace.dependencies]`, so the
/// blocks compile against what a reader's copy would.
pub fn reader_project(
    root: &Path,
    shown: &std::collections::BTreeSet<String>,
) -> (Vec<String>, Vec<String>) {
    const MANIFEST: &str = "snippets/Cargo.toml";
    let (mut crates, mut problems) = (Vec::new(), Vec::new());
    let Ok(text) = fs::read_to_string(root.join(MANIFEST)) else {
        return (crates, vec![format!("{MANIFEST}: cannot read it")]);
    };
    let workspace = fs::read_to_string(root.join("Cargo.toml")).unwrap_or_default();
    let workspace: Vec<&str> = workspace.lines().map(str::trim).collect();
    let mut section = "";
    for (number, line) in text.lines().enumerate().map(|(i, l)| (i + 1, l.trim())) {
        if line.starts_with('[') {
            section = line;
            continue;
        }
        let dependencies = section == "[dependencies]" || section == "[dev-dependencies]";
        let Some((name, spec)) = line.split_once('=') else {
            continue;
        };
        if !dependencies || line.starts_with('#') {
            continue;
        }
        let at = format!("{MANIFEST}:{number}: `{line}`");
        if !shown.contains(line) {
            problems.push(format!(
                "{at}: a dependency of the reader's project that no chapter shows (include it from {MANIFEST} by anchor)"
            ));
        }
        if spec.contains("path") || spec.contains("git") {
            problems.push(format!(
                "{at}: the reader's project takes crates from the registry only"
            ));
        }
        if section == "[dependencies]" && !workspace.contains(&line) {
            problems.push(format!(
                "{at}: differs from its line in Cargo.toml's [workspace.dependencies], which the book's tests build with"
            ));
        }
        crates.push(name.trim().replace('-', "_"));
    }
    crates.sort();
    crates.dedup();
    (crates, problems)
}

/// Whether the file a line came from has a checked `.stderr` beside it.
fn quotes_output(root: &Path, origin: &Origin) -> bool {
    root.join(&origin.file).with_extension("stderr").is_file()
}

/// Every chapter under `dir` (`.md` files but `SUMMARY.md`, which holds no code), sorted, so the
/// tests come out in a stable order.
fn markdown_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "md")
                && path.file_name().is_some_and(|n| n != "SUMMARY.md")
            {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// `edition` under `[rust]` in book.toml: the edition mdBook gives code blocks, and so do we.
pub fn edition(book_toml: &Path) -> Result<String, String> {
    let text = fs::read_to_string(book_toml).map_err(|e| format!("book.toml: {e}"))?;
    let mut section = "";
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            section = line;
        } else if section == "[rust]"
            && let Some((key, value)) = line.split_once('=')
            && key.trim() == "edition"
        {
            return Ok(value.trim().trim_matches('"').to_owned());
        }
    }
    Err("book.toml: no `edition` under [rust]; code blocks need one".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixture_book_has_its_blocks_and_quoted_output() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let book = read(&root, "tests/fixtures/harness-book", "2024");
        assert!(book.problems.is_empty(), "{:?}", book.problems);
        let names: Vec<&str> = book.blocks.iter().map(|b| b.name.as_str()).collect();
        assert!(names.contains(&"compile_fail_line_5"), "{names:?}");
        assert_eq!(book.quoted.len(), 1);
        assert_eq!(book.quoted[0].name, "compile_fail_mismatched_types");
        assert_eq!(book.quoted[0].kind, Kind::CompileFail);
    }

    #[test]
    fn the_book_edition_comes_from_book_toml() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        assert_eq!(edition(&root.join("book.toml")).unwrap(), "2024");
    }
}
