//! The book as readers get it: built by mdBook's own HTML renderer, the way `mdbook build` does,
//! then checked page by page. Also checks that our include expander (`tests/support/expand.rs`,
//! which `build.rs` uses to feed skeptic) expands exactly as mdBook does.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use mdbook_driver::MDBook;
use mdbook_driver::builtin_renderers::MarkdownRenderer;

#[path = "../../support/expand.rs"]
mod expand;

fn repository() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent().unwrap().parent().unwrap().to_path_buf()
}

/// The book, built once per test run into a fresh directory: its directory and every HTML page.
fn render_book() -> &'static (PathBuf, BTreeMap<PathBuf, String>) {
    static BOOK: OnceLock<(PathBuf, BTreeMap<PathBuf, String>)> = OnceLock::new();
    BOOK.get_or_init(build_book)
}

fn build_book() -> (PathBuf, BTreeMap<PathBuf, String>) {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("book");
    let _ = fs::remove_dir_all(&out);
    let mut book = MDBook::load(repository()).expect("book.toml and SUMMARY.md load");
    book.config.build.build_dir = out.clone();
    book.build().expect("mdBook renders the book");

    let pages = files_named(&out, "html")
        .into_iter()
        .map(|page| {
            let html = fs::read_to_string(&page).unwrap();
            (page, html)
        })
        .collect();
    (out, pages)
}

/// Every file under `dir`, at any depth, whose extension is `extension`.
fn files_named(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == extension) {
                found.push(path);
            }
        }
    }
    found
}

/// The values of `attribute="..."` in `html`, with `&amp;` decoded.
fn attribute_values(html: &str, attribute: &str) -> Vec<String> {
    let needle = format!(" {attribute}=\"");
    html.match_indices(&needle)
        .filter_map(|(at, _)| {
            let rest = &html[at + needle.len()..];
            rest.find('"').map(|end| rest[..end].replace("&amp;", "&"))
        })
        .collect()
}

/// Each code block (`<pre ...><code ...>...</code>`): its `<code>` tag and its contents.
fn code_blocks(html: &str) -> Vec<(&str, &str)> {
    html.match_indices("<pre")
        .filter_map(|(at, _)| {
            let rest = &html[at..];
            let rest = &rest[rest.find("<code")?..];
            let open_end = rest.find('>')?;
            let body_end = rest.find("</code>")?;
            Some((&rest[..=open_end], &rest[open_end + 1..body_end]))
        })
        .collect()
}

/// What a reader sees of a code block: lines hidden behind `# ` removed, tags stripped.
fn visible_text(code: &str) -> String {
    let mut text = String::new();
    let mut rest = code;
    while let Some(at) = rest.find("<span class=\"boring\">") {
        text.push_str(&rest[..at]);
        let after = &rest[at..];
        rest = after
            .find("</span>")
            .map_or("", |end| &after[end + "</span>".len()..]);
    }
    text.push_str(rest);
    let mut plain = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => plain.push(c),
            _ => {}
        }
    }
    plain
}

#[test]
fn rendered_book_has_no_unexpanded_directive() {
    let (out, pages) = render_book();
    for (path, html) in pages {
        assert!(
            !html.contains("{{#"),
            "{} still contains `{{{{#`: an include mdBook could not expand",
            path.strip_prefix(out).unwrap().display()
        );
    }
}

#[test]
fn rendered_book_has_no_empty_or_unlabelled_code_block() {
    let (out, pages) = render_book();
    let mut blocks = 0;
    for (path, html) in pages {
        let page = path.strip_prefix(out).unwrap().display();
        for (open, body) in code_blocks(html) {
            blocks += 1;
            assert!(
                !visible_text(body).trim().is_empty(),
                "{page} has a code block that shows nothing: {open}{body}"
            );
            // An unlabelled block could hide Rust that no test compiles.
            assert!(
                open.contains("class=\"language-"),
                "{page} has a code block without a language: {open}{}",
                body.lines().next().unwrap_or("")
            );
        }
    }
    assert!(blocks > 0, "the book shows code");
}

#[test]
fn every_internal_link_and_fragment_resolves() {
    let (out, pages) = render_book();
    let mut checked = 0;
    for (path, html) in pages {
        let page = path.strip_prefix(out).unwrap().display();
        for link in attribute_values(html, "href")
            .into_iter()
            .chain(attribute_values(html, "src"))
        {
            if link.contains("://") || link.starts_with("mailto:") || link.starts_with("//") {
                continue;
            }
            let (file, fragment) = link.split_once('#').unwrap_or((&link, ""));
            let file = file.split('?').next().unwrap_or("");
            let target = if file.is_empty() {
                path.to_path_buf()
            } else {
                path.parent().unwrap().join(file)
            };
            assert!(
                target.exists(),
                "{page} links to {link}, which does not exist"
            );
            if !fragment.is_empty() {
                let target_html = pages.get(&target).map(String::as_str).unwrap_or("");
                assert!(
                    target_html.contains(&format!("id=\"{fragment}\"")),
                    "{page} links to {link}, but that page has no id `{fragment}`"
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 0);
}

#[test]
fn summary_and_chapter_files_agree() {
    let root = repository();
    // With `create-missing = false`, loading fails if SUMMARY.md names a file that is not there.
    let book = MDBook::load(&root).expect("every SUMMARY.md entry exists");
    assert!(!book.config.build.create_missing);
    let listed: BTreeSet<PathBuf> = book
        .book
        .chapters()
        .filter_map(|chapter| chapter.source_path.clone())
        .collect();
    let src = root.join("src");
    let on_disk: BTreeSet<PathBuf> = files_named(&src, "md")
        .into_iter()
        .filter(|path| *path != src.join("SUMMARY.md"))
        .map(|path| path.strip_prefix(&src).unwrap().to_path_buf())
        .collect();
    let orphans: Vec<_> = on_disk.difference(&listed).collect();
    assert!(
        orphans.is_empty(),
        "chapters missing from SUMMARY.md: {orphans:?}"
    );
}

#[test]
fn every_snippet_is_shown_in_the_book() {
    // `cargo test -p snippets` compiles every example, but only the ones a chapter includes are
    // run by the book's tests, and read by anyone.
    let root = repository();
    let chapters: String = files_named(&root.join("src"), "md")
        .iter()
        .map(|chapter| fs::read_to_string(chapter).unwrap())
        .collect();
    let snippets = files_named(&root.join("snippets/examples"), "rs");
    assert!(!snippets.is_empty());
    for snippet in snippets {
        let name = snippet.file_name().unwrap().to_string_lossy();
        assert!(
            chapters.contains(&format!("../snippets/examples/{name}")),
            "snippets/examples/{name} is in no chapter"
        );
    }
}

#[test]
fn search_and_print_pages_are_built() {
    let (out, _) = render_book();
    assert!(out.join("print.html").is_file());
    let has_search_index = fs::read_dir(out)
        .unwrap()
        .flatten()
        .any(|e| e.file_name().to_string_lossy().starts_with("searchindex"));
    assert!(has_search_index, "no search index in {}", out.display());
}

/// Expands every chapter of the book at `root` both ways and compares; returns how many.
fn compare_expansions(root: &Path) -> usize {
    let book = MDBook::load(root).unwrap();
    let (preprocessed, _) = book.preprocess_book(&MarkdownRenderer::new()).unwrap();
    let mut compared = 0;
    for chapter in preprocessed.chapters() {
        let source = Path::new("src").join(chapter.source_path.as_ref().unwrap());
        let ours = expand::expand_chapter(root, &source);
        assert!(ours.problems.is_empty(), "{:?}", ours.problems);
        assert_eq!(
            ours.text,
            chapter.content,
            "{} expands differently",
            source.display()
        );
        compared += 1;
    }
    compared
}

#[test]
fn our_expander_matches_mdbook_on_every_form_of_include() {
    let fixture = repository().join("tests/fixtures/semantics");
    assert_eq!(compare_expansions(&fixture), 2);
}

#[test]
fn skeptic_tests_the_text_mdbook_renders() {
    // build.rs hands skeptic our expansion; this is what makes it the page a reader sees.
    assert!(compare_expansions(&repository()) > 0);
}

/// The repository's address, from book.toml: the "Try it out" links and the edit links use it.
fn repository_url() -> String {
    let book = MDBook::load(repository()).unwrap();
    let html = book
        .config
        .html_config()
        .expect("book.toml has [output.html]");
    let url = html
        .git_repository_url
        .expect("book.toml sets git-repository-url");
    let template = html
        .edit_url_template
        .expect("book.toml sets edit-url-template");
    assert_eq!(template, format!("{url}/edit/main/{{path}}"));
    url
}

/// A page cut at its headings: each section's text, up to the next heading of any level.
fn sections(html: &str) -> Vec<&str> {
    let mut cuts: Vec<usize> = ["<h1", "<h2", "<h3", "<h4"]
        .iter()
        .flat_map(|tag| html.match_indices(tag).map(|(at, _)| at))
        .collect();
    cuts.push(0);
    cuts.push(html.len());
    cuts.sort();
    cuts.windows(2).map(|w| &html[w[0]..w[1]]).collect()
}

#[test]
fn every_command_that_runs_a_snippet_links_the_file_it_runs() {
    let (out, pages) = render_book();
    let url = repository_url();
    let mut commands = 0;
    for (path, html) in pages {
        if path.ends_with("print.html") {
            continue;
        }
        let page = path.strip_prefix(out).unwrap().display();
        for section in sections(html) {
            for (open, body) in code_blocks(section) {
                // Commands to type, not the `//!` lines of a listing that repeat them.
                if !["language-sh", "language-bash", "language-console"]
                    .iter()
                    .any(|language| open.contains(language))
                {
                    continue;
                }
                let text = visible_text(body);
                let Some((_, rest)) = text.split_once("--example ") else {
                    continue;
                };
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                let file = format!("snippets/examples/{name}.rs");
                assert!(
                    repository().join(&file).is_file(),
                    "{page} runs {file}, which is not there"
                );
                let link = format!("href=\"{url}/blob/main/{file}\"");
                assert!(
                    section.contains(&link),
                    "{page} runs `--example {name}` without linking {file} next to it ({link})"
                );
                commands += 1;
            }
        }
    }
    assert!(
        commands > 0,
        "the book tells readers how to run its programs"
    );
}

#[test]
fn every_edit_link_names_a_chapter_file_that_exists() {
    let (out, pages) = render_book();
    let prefix = format!("{}/edit/main/", repository_url());
    let mut checked = 0;
    for (path, html) in pages {
        for link in attribute_values(html, "href") {
            if let Some(file) = link.strip_prefix(&prefix) {
                let page = path.strip_prefix(out).unwrap().display();
                assert!(
                    repository().join(file).is_file(),
                    "{page}: edit link to {file}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 0, "no page has an edit link");
}

#[test]
fn shown_fragments_start_at_the_left_margin() {
    let (out, pages) = render_book();
    for (path, html) in pages {
        let page = path.strip_prefix(out).unwrap().display();
        for (open, body) in code_blocks(html) {
            let visible = visible_text(body);
            let indent = visible
                .lines()
                .filter(|line| !line.trim().is_empty())
                .map(|line| line.len() - line.trim_start().len())
                .min()
                .unwrap_or(0);
            assert_eq!(
                indent,
                0,
                "{page}: every line shown in this block is indented; anchor a whole item instead \
                 (the part inside `main` as a function of its own): {open}{}",
                visible.lines().next().unwrap_or("")
            );
        }
    }
}

#[test]
fn no_code_block_has_a_run_button() {
    // book.toml turns the playground off: a listing is a fragment of a longer program, and the
    // playground would run the whole file (or fail to reach a server it cannot run).
    let (out, pages) = render_book();
    for (path, html) in pages {
        assert!(
            !html.contains("class=\"playground\""),
            "{} has a block the playground would run",
            path.strip_prefix(out).unwrap().display()
        );
    }
}

#[test]
fn every_table_header_cell_names_its_column() {
    // A header cell with no text leaves the cells below it without a header for screen readers.
    let (out, pages) = render_book();
    let mut headers = 0;
    for (path, html) in pages {
        let page = path.strip_prefix(out).unwrap().display();
        for (at, _) in html.match_indices("<th") {
            let rest = &html[at..];
            let (Some(open_end), Some(close)) = (rest.find('>'), rest.find("</th>")) else {
                continue;
            };
            if open_end > close || !matches!(rest.as_bytes()[3], b'>' | b' ') {
                continue;
            }
            let text = visible_text(&rest[open_end + 1..close]);
            assert!(
                !text.trim().is_empty(),
                "{page} has a table column with no header: {}",
                &rest[..close + 5]
            );
            headers += 1;
        }
    }
    assert!(headers > 0, "the book has tables");
}
