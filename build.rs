//! Turns the book into tests, so `cargo test` compiles and runs exactly the code a reader sees.
//!
//! 1. Expands `{{#include}}` and `{{#rustdoc_include}}` in every chapter as mdBook 0.5 does, into
//!    `OUT_DIR/chapters/`, and fails the build, one problem a line as `src/CHAPTER.md:LINE:
//!    DIRECTIVE: what is wrong`, where mdBook would quietly print a broken page.
//! 2. Hands the expanded chapters to skeptic, which writes a test for each Rust code block.
//! 3. Rewrites those tests to run through `tests/support/harness.rs`, which names the chapter line
//!    of a failing block, and records each block's line map for the rustc shim.
//! 4. Compiles that shim (`tests/support/rustc_shim.rs`), the `rustc` snippets are built with.

#[path = "tests/support/expand.rs"]
mod expand;

use std::collections::BTreeMap;
use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, SystemTime};

/// A book whose Rust blocks become tests, and the file its tests are written to.
struct Book {
    chapters: &'static str,
    tests_file: &'static str,
    /// Fixture blocks become plain functions, which `tests/build_errors.rs` calls and checks.
    as_tests: bool,
}

const BOOKS: [Book; 2] = [
    Book {
        chapters: "src",
        tests_file: "book-tests.rs",
        as_tests: true,
    },
    Book {
        chapters: "tests/fixtures/harness-book/src",
        tests_file: "fixture-tests.rs",
        as_tests: false,
    },
];

/// One expanded chapter: where skeptic reads it, and what each of its lines came from.
struct Chapter {
    book: usize,
    expanded: PathBuf,
    lines: Vec<String>,
    origins: Vec<expand::Origin>,
}

fn main() -> ExitCode {
    let root = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets it"));
    // Chapters and snippets, plus what shapes the tests; includes from elsewhere are added below.
    let watched = [
        "src",
        "snippets",
        "book.toml",
        "tests/fixtures",
        "tests/support/rustc_shim.rs",
    ]
    .map(|path| root.join(path));
    for path in &watched {
        println!("cargo:rerun-if-changed={}", path.display());
    }

    let mut problems = Vec::new();
    let mut chapters = Vec::new();
    for (book, spec) in BOOKS.iter().enumerate() {
        for path in markdown_files(&root.join(spec.chapters)) {
            let relative = path.strip_prefix(&root).expect("under the root");
            let chapter = expand::expand_chapter(&root, relative);
            for input in &chapter.inputs {
                if !watched.iter().any(|path| input.starts_with(path)) {
                    println!("cargo:rerun-if-changed={}", input.display());
                }
            }
            problems.extend(chapter.problems.iter().map(ToString::to_string));
            let expanded = out.join("chapters").join(relative);
            write_untimed(&expanded, &chapter.text);
            chapters.push(Chapter {
                book,
                expanded,
                lines: chapter.text.split('\n').map(str::to_owned).collect(),
                origins: chapter.origins,
            });
        }
    }
    if !problems.is_empty() {
        eprintln!("error: the book has broken includes:");
        for problem in &problems {
            eprintln!("{problem}");
        }
        return ExitCode::FAILURE;
    }

    let edition = match book_edition(&root.join("book.toml")) {
        Ok(edition) => edition,
        Err(message) => {
            eprintln!("error: book.toml: {message}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(message) = compile_shim(&root, &out, &edition) {
        eprintln!("error: {message}");
        return ExitCode::FAILURE;
    }

    let paths: Vec<&Path> = chapters.iter().map(|c| c.expanded.as_path()).collect();
    skeptic::generate_doc_tests(&paths);
    let generated = fs::read_to_string(out.join("skeptic-tests.rs")).expect("skeptic wrote it");
    match write_tests(&out, &chapters, &generated) {
        Ok(()) => {
            println!(
                "cargo:rustc-env=BOOK_TARGET={}",
                env::var("TARGET").unwrap()
            );
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Every chapter under `dir` (`.md` files but `SUMMARY.md`, which holds no code), sorted, so the
/// generated tests come out in a stable order.
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

/// Writes `text` if it changed, dated long ago: skeptic asks cargo to rerun this script when its
/// input files change, and a file this very script writes would otherwise always look newer than
/// the last run, so every `cargo test` would redo all of this.
fn write_untimed(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    if fs::read_to_string(path).ok().as_deref() != Some(text) {
        fs::write(path, text).unwrap();
    }
    let file = fs::OpenOptions::new().write(true).open(path).unwrap();
    file.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(86_400))
        .unwrap();
}

/// Writes `text` only if it changed, so an unchanged book does not rebuild the tests.
fn write_if_changed(path: &Path, text: &str) -> Result<(), String> {
    if fs::read_to_string(path).ok().as_deref() == Some(text) {
        return Ok(());
    }
    fs::create_dir_all(path.parent().unwrap()).map_err(|e| e.to_string())?;
    fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// `edition` under `[rust]` in book.toml: the edition mdBook gives code blocks, and so do we.
fn book_edition(book_toml: &Path) -> Result<String, String> {
    let text = fs::read_to_string(book_toml).map_err(|e| e.to_string())?;
    let mut section = "";
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            section = line;
        } else if section == "[rust]" {
            if let Some((key, value)) = line.split_once('=') {
                if key.trim() == "edition" {
                    return Ok(value.trim().trim_matches('"').to_owned());
                }
            }
        }
    }
    Err("no `edition` under [rust]; code blocks need one".into())
}

fn compile_shim(root: &Path, out: &Path, edition: &str) -> Result<(), String> {
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let shim = out.join(format!("book-rustc{}", env::consts::EXE_SUFFIX));
    let status = Command::new(&rustc)
        .arg("--edition=2024")
        .arg("-o")
        .arg(&shim)
        .arg(root.join("tests/support/rustc_shim.rs"))
        .env("BOOK_REAL_RUSTC", &rustc)
        .env("BOOK_EDITION", edition)
        .env("BOOK_OUT_DIR", out)
        .status()
        .map_err(|e| format!("cannot run {rustc}: {e}"))?;
    if !status.success() {
        return Err("tests/support/rustc_shim.rs does not compile".into());
    }
    println!("cargo:rustc-env=BOOK_RUSTC_SHIM={}", shim.display());
    // The same settings for the tests, which compile the shim's source as a module to unit-test
    // (and lint) it.
    println!("cargo:rustc-env=BOOK_REAL_RUSTC={rustc}");
    println!("cargo:rustc-env=BOOK_EDITION={edition}");
    println!("cargo:rustc-env=BOOK_OUT_DIR={}", out.display());
    Ok(())
}

/// A test skeptic generated: `#[ignore]`/`#[should_panic]` lines, its name, the code it compiles,
/// and whether it runs the code or only compiles it.
struct Generated<'a> {
    attributes: Vec<&'a str>,
    name: &'a str,
    code: &'a str,
    run: bool,
}

/// Reads skeptic 0.14's generated file: each test is a `#[test] fn NAME() {` line (after any
/// attributes), the code as the second raw string of a `format!`, then a `skeptic::rt` call.
fn parse_generated(generated: &str) -> Result<Vec<Generated<'_>>, String> {
    let mut tests = Vec::new();
    let mut attributes = Vec::new();
    let mut rest = generated;
    while !rest.is_empty() {
        let (line, tail) = rest.split_once('\n').unwrap_or((rest, ""));
        rest = tail;
        if line == "#[ignore]" || line == "#[should_panic]" {
            attributes.push(line);
        } else if let Some(name) = line.strip_prefix("#[test] fn ") {
            let name = name
                .strip_suffix("() {")
                .ok_or("unexpected skeptic output")?;
            let open = "\"####, r####\"";
            let start = rest.find(open).ok_or("unexpected skeptic output")? + open.len();
            let end = start + rest[start..].find("\"####);\n").ok_or("no code end")?;
            let code = &rest[start..end];
            rest = &rest[end..];
            let call = rest.find("skeptic::rt::").ok_or("no skeptic::rt call")?;
            let run = rest[call..].starts_with("skeptic::rt::run_test(");
            tests.push(Generated {
                attributes: std::mem::take(&mut attributes),
                name,
                code,
                run,
            });
        }
    }
    Ok(tests)
}

/// skeptic names a test after its file: lowercase, every other character `_`, runs collapsed.
fn test_name_stem(path: &Path) -> String {
    let stem = path
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .to_ascii_lowercase();
    stem.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

/// The files lines came from, each as `file:first-last`, in order of first appearance.
fn describe_sources(origins: &[&expand::Origin]) -> String {
    let mut spans: Vec<(&str, usize, usize)> = Vec::new();
    for origin in origins {
        match spans.iter_mut().find(|(file, ..)| *file == origin.file) {
            Some((_, first, last)) => {
                *first = (*first).min(origin.line);
                *last = (*last).max(origin.line);
            }
            None => spans.push((&origin.file, origin.line, origin.line)),
        }
    }
    let parts: Vec<String> = spans
        .iter()
        .map(|(file, first, last)| match first == last {
            true => format!("{file}:{first}"),
            false => format!("{file}:{first}-{last}"),
        })
        .collect();
    parts.join(", ")
}

fn write_tests(out: &Path, chapters: &[Chapter], generated: &str) -> Result<(), String> {
    let mut stems: BTreeMap<String, &Chapter> = BTreeMap::new();
    for chapter in chapters {
        let stem = test_name_stem(&chapter.expanded);
        if let Some(other) = stems.insert(stem.clone(), chapter) {
            return Err(format!(
                "{} and {} make tests of the same name ({stem}_...); rename one",
                other.expanded.display(),
                chapter.expanded.display()
            ));
        }
    }

    let blocks = out.join("blocks");
    let mut files = vec![String::new(); BOOKS.len()];
    let mut registered = Vec::new();
    for test in parse_generated(generated)? {
        // skeptic names a test `{stem}[_sect_{heading}]_line_{N}`, N being the fence's line.
        let (prefix, line) = test
            .name
            .rsplit_once("_line_")
            .ok_or_else(|| format!("cannot read test name {}", test.name))?;
        let fence: usize = line
            .parse()
            .map_err(|_| format!("bad line in {}", test.name))?;
        let chapter = stems
            .iter()
            .filter(|(stem, _)| prefix == *stem || prefix.starts_with(&format!("{stem}_sect_")))
            .max_by_key(|(stem, _)| stem.len())
            .map(|(_, chapter)| *chapter)
            .ok_or_else(|| format!("no chapter for test {}", test.name))?;

        // Line k of the code is line `fence + k` of the expanded chapter. Check it: skeptic only
        // strips indentation or a leading `# `, so each code line ends the chapter line.
        let code_lines: Vec<&str> = test.code.lines().collect();
        let mut origins = Vec::new();
        for (k, code_line) in code_lines.iter().enumerate() {
            let index = fence + k;
            match (chapter.lines.get(index), chapter.origins.get(index)) {
                (Some(text), Some(origin)) if text.ends_with(code_line) => origins.push(origin),
                _ => {
                    return Err(format!(
                        "cannot map {} back to {}",
                        test.name,
                        chapter.expanded.display()
                    ));
                }
            }
        }
        let at = &chapter.origins[fence - 1];
        let from: Vec<&expand::Origin> = origins
            .iter()
            .copied()
            .filter(|o| o.file != at.file)
            .collect();

        // The shim finds a block by its exact text (skeptic's template puts a newline first) and
        // maps rustc's `test.rs:LINE` through this list, one origin a line.
        let mut map = String::from("(skeptic's first line)\n");
        for origin in &origins {
            writeln!(map, "{origin}").unwrap();
        }
        write_if_changed(
            &blocks.join(format!("{}.rs", test.name)),
            &format!("\n{}", test.code),
        )?;
        write_if_changed(&blocks.join(format!("{}.map", test.name)), &map)?;
        registered.push(format!("{}.rs", test.name));
        registered.push(format!("{}.map", test.name));

        let file = &mut files[chapter.book];
        writeln!(file).unwrap();
        if BOOKS[chapter.book].as_tests {
            writeln!(file, "#[test]").unwrap();
            for attribute in &test.attributes {
                writeln!(file, "{attribute}").unwrap();
            }
            writeln!(file, "fn {}() {{", test.name).unwrap();
        } else {
            writeln!(file, "pub fn {}() {{", test.name).unwrap();
        }
        writeln!(
            file,
            "    harness::check(\n        &harness::Block {{\n            name: {:?},\n            \
             at: {:?},\n            code_from: {:?},\n            run: {},\n        }},\n        \
             r####\"{}\"####,\n    );\n}}",
            test.name,
            at.to_string(),
            describe_sources(&from),
            test.run,
            test.code,
        )
        .unwrap();
    }

    // Blocks that no longer exist must not be matched by the shim.
    for entry in fs::read_dir(&blocks).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !registered.contains(&name) {
            let _ = fs::remove_file(entry.path());
        }
    }
    for (spec, file) in BOOKS.iter().zip(&files) {
        let header = format!(
            "// Generated by build.rs: one function for each Rust code block under {}.\n",
            spec.chapters
        );
        write_if_changed(&out.join(spec.tests_file), &format!("{header}{file}"))?;
    }
    Ok(())
}
