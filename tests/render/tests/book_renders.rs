//! The book as readers get it: built by mdBook's own HTML renderer, the way `mdbook build` does,
//! then checked page by page. Also checks that our include expander (`book_proof::expand`,
//! which `build.rs` uses to find the blocks it tests) expands exactly as mdBook does.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use mdbook_driver::MDBook;
use mdbook_driver::builtin_renderers::MarkdownRenderer;

use book_proof::expand;

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
    let (checked, broken) = broken_links(&repository(), out, pages);
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
    assert!(checked > 0);
}

#[test]
fn a_broken_link_is_reported_at_its_chapter_line() {
    // The fixture's chapter has a link to a missing page on line 5 and to a missing heading on
    // line 7; the print page repeats both, and must not hide where they were written. Its nested
    // page links up to a heading that exists (line 5, fine) and to one that does not (line 7).
    let root = repository().join("tests/fixtures/broken-links");
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("broken-links");
    let _ = fs::remove_dir_all(&out);
    let mut book = MDBook::load(&root).unwrap();
    book.config.build.build_dir = out.clone();
    book.build().unwrap();
    let pages = files_named(&out, "html")
        .into_iter()
        .map(|page| (page.clone(), fs::read_to_string(page).unwrap()))
        .collect();
    let (_, broken) = broken_links(&root, &out, &pages);
    assert_eq!(
        broken,
        [
            "src/chapter.md:5: links to missing.html, which does not exist",
            "src/chapter.md:7: links to chapter.html#no-such-heading, but that page has no id \
             `no-such-heading`",
            "src/nested/page.md:7: links to ../chapter.html#nowhere, but that page has no id \
             `nowhere`",
        ],
        "{broken:#?}"
    );
}

/// Every internal link and `#fragment` of the rendered pages that leads nowhere, each once, at
/// the chapter line where it is written (`src/CHAPTER.md:LINE`), and how many links were checked.
fn broken_links(
    root: &Path,
    out: &Path,
    pages: &BTreeMap<PathBuf, String>,
) -> (usize, Vec<String>) {
    let mut checked = 0;
    let mut broken = Vec::new();
    for (path, html) in pages {
        let page = path.strip_prefix(out).unwrap();
        for link in attribute_values(html, "href")
            .into_iter()
            .chain(attribute_values(html, "src"))
        {
            if link.contains("://") || link.starts_with("mailto:") || link.starts_with("//") {
                continue;
            }
            checked += 1;
            let (file, fragment) = link.split_once('#').unwrap_or((&link, ""));
            let file = file.split('?').next().unwrap_or("");
            let target = if file.is_empty() {
                path.to_path_buf()
            } else {
                expand::normalize(&path.parent().unwrap().join(file))
            };
            let problem = if !target.exists() {
                format!("links to {link}, which does not exist")
            } else if !fragment.is_empty()
                && !pages
                    .get(&target)
                    .is_some_and(|html| html.contains(&format!("id=\"{fragment}\"")))
            {
                format!("links to {link}, but that page has no id `{fragment}`")
            } else {
                continue;
            };
            let problem = format!("{}: {problem}", where_written(root, page, &link));
            if !broken.contains(&problem) {
                broken.push(problem);
            }
        }
    }
    // The print page repeats every chapter's links, rewritten: keep a problem found there only
    // when no chapter page already reported that line.
    let lines: Vec<String> = broken
        .iter()
        .map(|p| p.split(": ").next().unwrap().to_owned())
        .collect();
    let mut kept = Vec::new();
    for (problem, line) in broken.iter().zip(&lines) {
        let repeats = lines.iter().filter(|l| *l == line).count() > 1;
        let from_print = problem.contains("links to #") || problem.contains("print.html");
        if !(repeats && from_print) {
            kept.push(problem.clone());
        }
    }
    kept.sort();
    (checked, kept)
}

/// The chapter line where `link`, found on `page`, is written: the chapter the page renders, or
/// for pages that gather several (the print page, the index), the first chapter that has it.
/// mdBook writes `other.md#x` as `other.html#x`, and as `#x` on the print page.
fn where_written(root: &Path, page: &Path, link: &str) -> String {
    let src = root.join("src");
    let own = src.join(page.with_extension("md"));
    let chapters = if own.is_file() && page != Path::new("index.html") {
        vec![own]
    } else {
        let mut all = files_named(&src, "md");
        all.sort();
        all
    };
    let (file, fragment) = link.split_once('#').unwrap_or((link, ""));
    let mut wanted = vec![];
    if let Some(stem) = file.strip_suffix(".html") {
        wanted.push(format!(
            "{stem}.md{}",
            link.strip_prefix(file).unwrap_or("")
        ));
    }
    if !fragment.is_empty() {
        wanted.push(format!("#{fragment})"));
    }
    wanted.push(link.to_owned());
    for chapter in &chapters {
        let text = fs::read_to_string(chapter).unwrap_or_default();
        for want in &wanted {
            if let Some(line) = text.lines().position(|l| l.contains(want.as_str())) {
                let name = chapter.strip_prefix(root).unwrap().display();
                return format!("{name}:{}", line + 1);
            }
        }
    }
    // Not written in any chapter: mdBook's own page (the theme, the table of contents).
    page.display().to_string()
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
        // SUMMARY.md is the contents; 404.md is the page for addresses that lead nowhere.
        .filter(|path| ![src.join("SUMMARY.md"), src.join("404.md")].contains(path))
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
    let snippets = root.join("snippets");
    let mut files = files_named(&snippets.join("examples"), "rs");
    assert!(!files.is_empty());
    // Code the compiler rejects or warns about, and what it says: both are there to be quoted.
    for dir in ["compile_fail", "warnings"] {
        files.extend(files_named(&snippets.join(dir), "rs"));
        files.extend(files_named(&snippets.join(dir), "stderr"));
    }
    for file in files {
        let name = file.strip_prefix(&snippets).unwrap().display().to_string();
        assert!(
            chapters.contains(&format!("../snippets/{name}")),
            "snippets/{name} is in no chapter"
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

/// Reading speed for prose, in words a minute, and for code, in visible lines a minute.
const WORDS_A_MINUTE: f64 = 230.0;
const CODE_LINES_A_MINUTE: f64 = 25.0;
/// Part I, with the Introduction before it, is read in one sitting.
const PART_ONE_MINUTES: f64 = 20.0;
/// Each chapter of the other parts stands on its own, and is read in one go.
const CHAPTER_MINUTES: f64 = 10.0;
const PART_ONE: &str = "The crash course";

/// What a reader reads of a page: the words of its prose, and the lines of code it shows.
/// Lines hidden behind the eye button, blank lines and anything folded in `<details>` (shown
/// only on request) are not counted.
fn reading(html: &str) -> (usize, usize) {
    let start = html.find("<main>").expect("a page has <main>");
    let end = html.rfind("</main>").expect("a page has </main>");
    let mut main = html[start..end].to_owned();
    while let Some(at) = main.find("<details") {
        let close = main[at..]
            .find("</details>")
            .map_or(main.len(), |e| at + e + 10);
        main.replace_range(at..close, " ");
    }
    let code_lines = code_blocks(&main)
        .iter()
        .map(|(_, body)| {
            visible_text(body)
                .lines()
                .filter(|line| !line.trim().is_empty())
                .count()
        })
        .sum();
    let mut prose = main;
    while let Some(at) = prose.find("<pre") {
        let close = prose[at..]
            .find("</pre>")
            .map_or(prose.len(), |e| at + e + 6);
        prose.replace_range(at..close, " ");
    }
    let words = visible_text(&prose)
        .split_whitespace()
        .filter(|word| word.chars().any(char::is_alphanumeric))
        .count();
    (words, code_lines)
}

fn minutes((words, code_lines): (usize, usize)) -> f64 {
    words as f64 / WORDS_A_MINUTE + code_lines as f64 / CODE_LINES_A_MINUTE
}

/// Each chapter in reading order: the part it is in (empty before the first part title), its
/// page, and its reading time in minutes.
fn reading_times() -> Vec<(String, PathBuf, f64)> {
    let (out, pages) = render_book();
    let book = MDBook::load(repository()).unwrap();
    let mut part = String::new();
    let mut times = Vec::new();
    for item in book.book.iter() {
        match item {
            mdbook_driver::book::BookItem::PartTitle(title) => part = title.clone(),
            mdbook_driver::book::BookItem::Chapter(chapter) => {
                let Some(path) = &chapter.path else { continue };
                let page = out.join(path.with_extension("html"));
                let html = pages.get(&page).expect("every chapter is rendered");
                times.push((part.clone(), path.clone(), minutes(reading(html))));
            }
            mdbook_driver::book::BookItem::Separator => {}
        }
    }
    times
}

#[test]
fn part_one_reads_in_one_sitting_and_each_other_chapter_in_one_go() {
    let times = reading_times();
    let part_one: f64 = times
        .iter()
        .filter(|(part, _, _)| part.is_empty() || part == PART_ONE)
        .map(|(_, _, min)| min)
        .sum();
    let mut report: String = times
        .iter()
        .map(|(part, page, min)| format!("{min:6.2} min  {part:<22} {}\n", page.display()))
        .collect();
    report.push_str(&format!(
        "{part_one:6.2} min  the Introduction and Part I\n"
    ));
    eprintln!("{report}");
    assert!(
        times.iter().any(|(part, _, _)| part == PART_ONE),
        "SUMMARY.md has no part titled `# {PART_ONE}`"
    );
    assert!(
        part_one <= PART_ONE_MINUTES,
        "the Introduction and Part I read in {part_one:.1} minutes, more than \
         {PART_ONE_MINUTES}:\n{report}"
    );
    for (part, page, min) in &times {
        if !part.is_empty() && part != PART_ONE {
            assert!(
                *min <= CHAPTER_MINUTES,
                "{} ({part}) reads in {min:.1} minutes, more than {CHAPTER_MINUTES}",
                page.display()
            );
        }
    }
}

/// Words about the book itself rather than about async Rust: its tests, its programs, its
/// repository, how an exercise is checked. The Introduction says these things once, in one
/// paragraph; Part I's chapters teach and leave the book out.
const ABOUT_THE_BOOK: &[&str] = &[
    "the book's",
    "this book's",
    "this block",
    "this listing",
    "is compiled",
    "are compiled",
    "compiles and runs",
    "our tests",
    "the tests",
    "its tests",
    "the program checks",
    "the example program",
    "repository",
    "exercises/yours",
    "a minute or so",
    "every example",
];

/// A page's prose, cut into its paragraphs, list items, headings and summaries: the visible text
/// of each, code blocks left out (commands and listings are code, not sentences about the book).
fn prose_blocks(html: &str) -> Vec<String> {
    let start = html.find("<main>").expect("a page has <main>");
    let end = html.rfind("</main>").expect("a page has </main>");
    let mut main = html[start..end].to_owned();
    while let Some(at) = main.find("<pre") {
        let close = main[at..].find("</pre>").map_or(main.len(), |e| at + e + 6);
        main.replace_range(at..close, " ");
    }
    let mut cuts: Vec<usize> = [
        "<p>",
        "<li>",
        "<h1",
        "<h2",
        "<h3",
        "<h4",
        "<summary>",
        "<td",
    ]
    .iter()
    .flat_map(|tag| main.match_indices(tag).map(|(at, _)| at))
    .collect();
    cuts.push(0);
    cuts.push(main.len());
    cuts.sort();
    cuts.windows(2)
        .map(|w| {
            visible_text(&main[w[0]..w[1]])
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|text| !text.is_empty())
        .collect()
}

/// The pieces of prose of `html` that speak of the book itself, each with the phrase that does.
fn about_the_book(html: &str) -> Vec<(&'static str, String)> {
    prose_blocks(html)
        .into_iter()
        .filter_map(|text| {
            // mdBook curls apostrophes: `book’s`.
            let lower = text.to_lowercase().replace('\u{2019}', "'");
            let phrase = ABOUT_THE_BOOK.iter().find(|p| lower.contains(*p))?;
            Some((*phrase, text))
        })
        .collect()
}

#[test]
fn part_one_speaks_of_the_book_itself_only_in_one_paragraph_of_the_introduction() {
    let (out, pages) = render_book();
    let mut found = Vec::new();
    let mut introduction = Vec::new();
    for (part, path, _) in reading_times() {
        if !part.is_empty() && part != PART_ONE {
            continue;
        }
        let html = &pages[&out.join(path.with_extension("html"))];
        let hits = about_the_book(html);
        if part.is_empty() {
            introduction = hits;
        } else {
            found
                .extend(hits.into_iter().map(|(phrase, text)| {
                    format!("src/{}: `{phrase}` in: {text}", path.display())
                }));
        }
    }
    assert!(
        found.is_empty(),
        "Part I speaks of the book itself; say it once, in the Introduction's paragraph on the \
         code:\n{}",
        found.join("\n")
    );
    assert!(
        introduction.len() <= 1,
        "the Introduction speaks of the book itself in {} places; keep it to one paragraph:\n{}",
        introduction.len(),
        introduction
            .iter()
            .map(|(phrase, text)| format!("`{phrase}` in: {text}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        !introduction.is_empty(),
        "the Introduction says nowhere where the code is and how an exercise is checked"
    );
}

#[test]
fn a_sentence_about_the_book_is_found_and_code_is_not_prose() {
    let page = "<main><h1>Title</h1><p>Every listing in the book's repository is tested.</p>\
                <pre><code>// this block is compiled</code></pre>\
                <ul><li>A future is lazy.</li></ul></main>";
    let hits = about_the_book(page);
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].0, "the book's");
}

/// The version of `name` in Cargo.lock (the book's crates each appear there once).
fn locked_version(name: &str) -> String {
    let lock = fs::read_to_string(repository().join("Cargo.lock")).unwrap();
    let entry = format!("name = \"{name}\"\nversion = \"");
    let at = lock
        .find(&entry)
        .unwrap_or_else(|| panic!("{name} is not in Cargo.lock"));
    let rest = &lock[at + entry.len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

#[test]
fn introduction_states_part_one_minutes_and_the_versions_it_is_tested_with() {
    let intro = fs::read_to_string(repository().join("src/introduction.md")).unwrap();
    let part_one: f64 = reading_times()
        .iter()
        .filter(|(part, _, _)| part.is_empty() || part == PART_ONE)
        .map(|(_, _, min)| min)
        .sum();
    let stated = intro
        .split_once("reads in about ")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .and_then(|n| n.parse::<f64>().ok())
        .expect("the Introduction says \"reads in about N minutes\"");
    assert!(
        (stated - part_one).abs() <= 2.0,
        "the Introduction says Part I reads in about {stated} minutes; it reads in {part_one:.1}"
    );
    let rustc = fs::read_to_string(repository().join("snippets/rustc-version")).unwrap();
    let rustc = rustc
        .split_whitespace()
        .nth(1)
        .expect("`rustc X.Y.Z (...)`");
    for (name, version) in [
        ("tokio", locked_version("tokio")),
        ("axum", locked_version("axum")),
        ("hyper", locked_version("hyper")),
        ("rustc", rustc.to_owned()),
    ] {
        assert!(
            intro.contains(&format!("{name} {version}")),
            "the Introduction does not say `{name} {version}`, the version the book is tested with"
        );
    }
}

/// The content of `<meta property="NAME" content="...">` or `<meta name="NAME" ...>`.
fn meta(html: &str, name: &str) -> Option<String> {
    [
        format!("<meta property=\"{name}\" content=\""),
        format!("<meta name=\"{name}\" content=\""),
    ]
    .iter()
    .find_map(|open| {
        let rest = &html[html.find(open.as_str())? + open.len()..];
        Some(
            rest[..rest.find('"')?]
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&amp;", "&"),
        )
    })
}

#[test]
fn published_pages_have_their_own_description_card_canonical_link_and_a_sitemap() {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("published-metadata");
    let _ = fs::remove_dir_all(&out);
    let mut book = MDBook::load(repository()).unwrap();
    book.config.build.build_dir = out.clone();
    book.build().unwrap();
    let site = "https://example.org/async-crash-course/";
    assert!(render_check::add_site_extras(&out, "/async-crash-course/").is_err());
    let pages = render_check::add_site_extras(&out, site).expect("the extras are added");

    let chapters: Vec<PathBuf> = book
        .book
        .chapters()
        .filter_map(|chapter| chapter.path.clone())
        .collect();
    let sitemap = fs::read_to_string(out.join("sitemap.xml")).unwrap();
    let mut descriptions = BTreeMap::new();
    for chapter in &chapters {
        let page = chapter
            .with_extension("html")
            .to_string_lossy()
            .replace('\\', "/");
        let html = fs::read_to_string(out.join(&page)).unwrap();
        let url = format!("{site}{page}");
        assert!(
            html.contains(&format!("<link rel=\"canonical\" href=\"{url}\">")),
            "{page} has no canonical link to {url}"
        );
        assert_eq!(
            meta(&html, "og:url").as_deref(),
            Some(url.as_str()),
            "{page}"
        );
        let heading = render_check::first_heading(&html).unwrap();
        assert_eq!(meta(&html, "og:title"), Some(heading), "{page}");
        let description = meta(&html, "description").unwrap();
        assert_eq!(
            render_check::first_paragraph(&html).as_ref(),
            Some(&description),
            "{page}: the description is its first paragraph"
        );
        assert_eq!(meta(&html, "og:description"), Some(description.clone()));
        assert!(description.chars().count() <= 200, "{page}: {description}");
        assert_eq!(html.matches("name=\"description\"").count(), 1, "{page}");
        if let Some(other) = descriptions.insert(description.clone(), page.clone()) {
            panic!("{page} and {other} have the same description: {description}");
        }
        assert!(
            sitemap.contains(&format!("<loc>{url}</loc>")),
            "sitemap.xml does not list {url}"
        );
    }
    assert!(sitemap.contains(&format!("<loc>{site}</loc>")));
    assert!(!sitemap.contains("print.html") && !sitemap.contains("404.html"));
    assert_eq!(pages, chapters.len() + 1, "the chapters and the front page");
    assert!(
        !out.join("theme").exists(),
        "the theme's sources are not published"
    );
}
