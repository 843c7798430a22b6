//! The exercise fragments (`snippets/exercises/NAME.md`) as mdBook renders them once a chapter
//! includes them: a chapter of a scratch book, inside the repository, includes every fragment the
//! way a chapter of `src/` does. mdBook must resolve the fragment's own includes relative to the
//! fragment, exactly as our expander does (so the blocks the book tests are the blocks a reader
//! sees), and the solution must render folded: a `<details>` whose code is a highlighted block.

use std::fs;
use std::path::{Path, PathBuf};

use mdbook_driver::MDBook;
use mdbook_driver::builtin_renderers::MarkdownRenderer;

fn repository() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent().unwrap().parent().unwrap().to_path_buf()
}

/// Every fragment's name, from `snippets/exercises/*.md`.
fn fragments() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(repository().join("snippets/exercises"))
        .unwrap()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".md").map(String::from)
        })
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no fragments in snippets/exercises");
    names
}

/// A book in `target/`, whose one chapter includes every fragment, as `src/CHAPTER.md` would
/// with `{{#include ../snippets/exercises/NAME.md}}`. It must sit inside the repository: our
/// expander refuses includes from outside it, as the book's check does.
fn scratch_book() -> PathBuf {
    let root = repository();
    let book = root.join("target/exercise-fragments");
    let _ = fs::remove_dir_all(&book);
    fs::create_dir_all(book.join("src")).unwrap();
    // The book's settings, less those that name its own chapters.
    let settings = fs::read_to_string(root.join("book.toml")).unwrap();
    let settings = match settings.split_once("[output.html.search.chapter]") {
        Some((before, _)) => before.to_owned(),
        None => settings,
    };
    fs::write(book.join("book.toml"), settings).unwrap();
    // book.toml names the theme's overrides, under src/.
    fs::create_dir_all(book.join("src/theme")).unwrap();
    fs::copy(
        root.join("src/theme/head.hbs"),
        book.join("src/theme/head.hbs"),
    )
    .unwrap();
    fs::write(
        book.join("src/SUMMARY.md"),
        "# Summary\n\n[Exercises](exercises.md)\n",
    )
    .unwrap();
    let mut chapter = String::from("# Exercises\n");
    for name in fragments() {
        chapter.push_str(&format!(
            "\n{{{{#include ../../../snippets/exercises/{name}.md}}}}\n"
        ));
    }
    fs::write(book.join("src/exercises.md"), chapter).unwrap();
    book
}

#[test]
fn fragments_expand_as_our_expander_does_and_render_their_solutions_folded() {
    let book = scratch_book();
    let root = repository();

    // The expansion: mdBook's, against ours (which `build.rs` hands to the block tests).
    let loaded = MDBook::load(&book).unwrap();
    let (preprocessed, _) = loaded.preprocess_book(&MarkdownRenderer::new()).unwrap();
    let chapter = preprocessed.chapters().next().expect("one chapter");
    let source = book.strip_prefix(&root).unwrap().join("src/exercises.md");
    let ours = book_proof::expand::expand_chapter(&root, &source);
    assert!(ours.problems.is_empty(), "{:?}", ours.problems);
    assert_eq!(
        ours.text, chapter.content,
        "the fragments expand differently"
    );
    assert!(
        !chapter.content.contains("{{#"),
        "an include was left unexpanded"
    );
    for name in fragments() {
        let solution =
            fs::read_to_string(root.join(format!("snippets/exercises/solutions/{name}.rs")));
        let solution = solution.unwrap();
        let shown = solution
            .split_once("// ANCHOR: answer\n")
            .and_then(|(_, rest)| rest.split_once("// ANCHOR_END: answer"))
            .map(|(shown, _)| shown)
            .unwrap_or_else(|| panic!("solutions/{name}.rs: no `// ANCHOR: answer`"));
        assert!(
            chapter.content.contains(shown),
            "{name}.md: the answer part of the solution is not shown"
        );
    }

    // The HTML a reader gets: each starter, then each solution, inside a fold, as a highlighted
    // Rust block.
    let out = book.join("book");
    let mut loaded = MDBook::load(&book).unwrap();
    loaded.config.build.build_dir = out.clone();
    loaded.build().expect("mdBook renders the scratch book");
    let html = fs::read_to_string(out.join("exercises.html")).unwrap();
    let folds: Vec<&str> = html.split("<details>").skip(1).collect();
    assert_eq!(
        folds.len(),
        2 * fragments().len(),
        "two folds a fragment: the starter and the solution"
    );
    // Each fragment folds its starter, then its solution.
    let starters = folds.iter().step_by(2);
    for (name, fold) in fragments().iter().zip(starters) {
        assert!(
            fold.trim_start()
                .starts_with("<summary>The starter</summary>")
                && fold.contains("<pre><code class=\"language-rust"),
            "snippets/exercises/{name}.md: the starter must come first, folded under \
             <summary>The starter</summary>, as a Rust code block"
        );
    }
    let folds = folds.iter().skip(1).step_by(2);
    // The chapter includes the fragments in the order of `fragments()`.
    let blank_lines = "keep a blank line after `<summary>Solution</summary>`, around the code \
                       block and before `</details>`, or mdBook shows the Markdown as text";
    for (name, fold) in fragments().iter().zip(folds) {
        let Some(end) = fold.find("</details>") else {
            panic!(
                "snippets/exercises/{name}.md: its fold never closes in the HTML: {blank_lines}"
            );
        };
        let fold = &fold[..end];
        assert!(
            fold.trim_start().starts_with("<summary>Solution</summary>"),
            "snippets/exercises/{name}.md: the fold must open with <summary>Solution</summary>"
        );
        assert!(
            fold.contains("<pre><code class=\"language-rust") && !fold.contains("```"),
            "snippets/exercises/{name}.md: the solution is not a Rust code block: {blank_lines}"
        );
        assert!(
            fold.contains("<p>"),
            "snippets/exercises/{name}.md: the paragraph on why it works is missing"
        );
    }
}
