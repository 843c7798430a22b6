//! The Rust code blocks of an expanded chapter, and what each fence asks of its block.
//!
//! A fence's info string is read the way rustdoc reads it: the first word is the language, the
//! rest are attributes separated by commas or spaces. Only `rust` blocks are tested. Every
//! attribute must be one this proof knows: a tag it skipped without a word is how other books'
//! code rotted (`rust,norun` compiles nothing in rustdoc and runs everything here, silently).
//!
//! What the block's code is, is what rustdoc would compile: hidden `# ` lines are kept (without
//! the `# `), and `##` stands for a literal `#`.

use std::fmt;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use crate::expand::{Origin, Problem};

/// What the test does with a block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Compile, then run: the program must exit successfully.
    Run,
    /// Compile only (servers, programs that never end).
    NoRun,
    /// Compile, run, and the program must panic.
    ShouldPanic,
    /// Must not compile (with the listed error codes, if any).
    CompileFail,
}

impl Kind {
    fn word(self) -> &'static str {
        match self {
            Kind::Run => "run",
            Kind::NoRun => "no_run",
            Kind::ShouldPanic => "should_panic",
            Kind::CompileFail => "compile_fail",
        }
    }

    fn from_word(word: &str) -> Option<Kind> {
        [Kind::Run, Kind::NoRun, Kind::ShouldPanic, Kind::CompileFail]
            .into_iter()
            .find(|kind| kind.word() == word)
    }

    /// Whether the test needs a program to run, not only a compiler's verdict.
    pub fn runs(self) -> bool {
        matches!(self, Kind::Run | Kind::ShouldPanic)
    }
}

/// One tested block, as the proof records it between the build script and the tests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// The test's name, and the block's name in the registry.
    pub name: String,
    /// Where the opening fence is (`src/CHAPTER.md:LINE`), or the file a checked output is for.
    pub at: Origin,
    pub kind: Kind,
    /// Error codes a `compile_fail` block must fail with (`E0277`).
    pub codes: Vec<String>,
    /// The edition rustc compiles the block with.
    pub edition: String,
    /// `-D warnings`: on for every block, except where a checked `.stderr` pins the warnings.
    pub deny_warnings: bool,
    /// The code rustc gets, one line per entry of `origins`.
    pub code: String,
    /// Where each line of `code` came from.
    pub origins: Vec<Origin>,
}

impl Block {
    /// The files other than the chapter the code came from, as `file:first-last`.
    pub fn code_from(&self) -> String {
        let mut spans: Vec<(&str, usize, usize)> = Vec::new();
        for origin in self.origins.iter().filter(|o| o.file != self.at.file) {
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

    /// Saves the block under `dir` as `NAME.block` (what to do), `NAME.rs` (the code) and
    /// `NAME.map` (one origin a line); each is written only if it changed, so an unchanged book
    /// does not rebuild anything.
    pub fn save(&self, dir: &Path) -> Result<(), String> {
        let mut meta = String::new();
        writeln!(meta, "at {}", self.at).unwrap();
        writeln!(meta, "kind {}", self.kind.word()).unwrap();
        writeln!(meta, "codes {}", self.codes.join(" ")).unwrap();
        writeln!(meta, "edition {}", self.edition).unwrap();
        writeln!(meta, "deny-warnings {}", self.deny_warnings).unwrap();
        let map: String = self.origins.iter().map(|o| format!("{o}\n")).collect();
        write_if_changed(&dir.join(format!("{}.block", self.name)), &meta)?;
        write_if_changed(&dir.join(format!("{}.rs", self.name)), &self.code)?;
        write_if_changed(&dir.join(format!("{}.map", self.name)), &map)
    }

    /// Reads back what [`Block::save`] wrote.
    pub fn load(dir: &Path, name: &str) -> Result<Block, String> {
        let read = |ext: &str| {
            let path = dir.join(format!("{name}.{ext}"));
            fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
        };
        let meta = read("block")?;
        let field = |key: &str| {
            meta.lines()
                .find_map(|line| line.strip_prefix(key)?.strip_prefix(' '))
                .ok_or_else(|| format!("{name}.block has no `{key}`"))
        };
        let origins = read("map")?
            .lines()
            .map(|line| parse_origin(line).ok_or_else(|| format!("bad origin `{line}`")))
            .collect::<Result<_, _>>()?;
        Ok(Block {
            name: name.to_owned(),
            at: parse_origin(field("at")?).ok_or("bad `at`")?,
            kind: Kind::from_word(field("kind")?).ok_or("bad `kind`")?,
            codes: field("codes")?
                .split_whitespace()
                .map(String::from)
                .collect(),
            edition: field("edition")?.to_owned(),
            deny_warnings: field("deny-warnings")? == "true",
            code: read("rs")?,
            origins,
        })
    }
}

fn parse_origin(text: &str) -> Option<Origin> {
    let (file, line) = text.rsplit_once(':')?;
    Some(Origin {
        file: file.to_owned(),
        line: line.parse().ok()?,
    })
}

/// Writes `text` to `path` unless it already holds exactly that.
pub fn write_if_changed(path: &Path, text: &str) -> Result<(), String> {
    if fs::read_to_string(path).ok().as_deref() == Some(text) {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// A fence's attributes, once checked.
#[derive(Debug, PartialEq, Eq)]
struct Attributes {
    kind: Kind,
    codes: Vec<String>,
    edition: Option<String>,
}

/// Attributes that only change how mdBook shows a block.
const DISPLAY_ONLY: [&str; 4] = ["noplayground", "noplaypen", "editable", "mdbook-runnable"];
const EDITIONS: [&str; 4] = ["2015", "2018", "2021", "2024"];

/// Reads the attributes after `rust` in an info string, or says what is wrong with them.
fn parse_attributes(words: &[&str]) -> Result<Attributes, String> {
    let mut kinds = Vec::new();
    let mut codes = Vec::new();
    let mut editions = Vec::new();
    for &word in words {
        if let Some(kind) = Kind::from_word(word).filter(|k| *k != Kind::Run) {
            kinds.push(kind);
        } else if is_error_code(word) {
            codes.push(word.to_owned());
        } else if let Some(edition) = word
            .strip_prefix("edition")
            .filter(|e| EDITIONS.contains(e))
        {
            editions.push(edition.to_owned());
        } else if DISPLAY_ONLY.contains(&word) {
        } else if word == "ignore" || word.starts_with("ignore-") {
            return Err(format!(
                "`{word}`: the book compiles every block it shows; mark a program that must not \
                 run `no_run`, and code that must not compile `compile_fail`"
            ));
        } else {
            let hint = match word.replace(['-', '_'], "").as_str() {
                "norun" => " (did you mean `no_run`?)",
                "compilefail" => " (did you mean `compile_fail`?)",
                "shouldpanic" => " (did you mean `should_panic`?)",
                _ => "",
            };
            return Err(format!(
                "unknown attribute `{word}`{hint}; known: no_run, should_panic, compile_fail, \
                 error codes such as E0277, edition2015 to edition2024, {}",
                DISPLAY_ONLY.join(", ")
            ));
        }
    }
    if kinds.len() > 1 {
        let names: Vec<&str> = kinds.iter().map(|k| k.word()).collect();
        return Err(format!("`{}` cannot go together", names.join("` and `")));
    }
    let kind = kinds.pop().unwrap_or(Kind::Run);
    if !codes.is_empty() && kind != Kind::CompileFail {
        return Err(format!(
            "error code `{}` only means something on a `compile_fail` block",
            codes[0]
        ));
    }
    if editions.len() > 1 {
        return Err("more than one edition".into());
    }
    Ok(Attributes {
        kind,
        codes,
        edition: editions.pop(),
    })
}

fn is_error_code(word: &str) -> bool {
    word.len() == 5 && word.starts_with('E') && word[1..].bytes().all(|b| b.is_ascii_digit())
}

/// One fenced block: the fence line (0-based), its info string and its content lines.
struct Fenced<'a> {
    line: usize,
    info: &'a str,
    content: Vec<(usize, String)>,
}

/// Every fenced code block of `text`: fences of three or more backticks or tildes, closed by a
/// fence of the same character at least as long, content de-indented by the opening fence's
/// indentation (as inside a list item). A block left open runs to the end, as in CommonMark.
fn fenced_blocks(text: &str) -> Vec<Fenced<'_>> {
    let mut blocks = Vec::new();
    let mut open: Option<(char, usize, usize, Fenced<'_>)> = None;
    for (index, line) in text.split('\n').enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let run = |c: char| trimmed.chars().take_while(|&x| x == c).count();
        match &mut open {
            Some((c, len, _, _)) if run(*c) >= *len && trimmed[run(*c)..].trim().is_empty() => {
                blocks.push(open.take().unwrap().3);
            }
            Some((_, _, fence_indent, block)) => {
                let strip = line
                    .bytes()
                    .take(*fence_indent)
                    .take_while(|&b| b == b' ')
                    .count();
                block.content.push((index, line[strip..].to_owned()));
            }
            None => {
                let (c, len) = if run('`') >= 3 {
                    ('`', run('`'))
                } else {
                    ('~', run('~'))
                };
                let info = trimmed[len..].trim();
                if len >= 3 && !(c == '`' && info.contains('`')) {
                    let block = Fenced {
                        line: index,
                        info,
                        content: Vec::new(),
                    };
                    open = Some((c, len, indent, block));
                }
            }
        }
    }
    blocks.extend(open.map(|(.., block)| block));
    blocks
}

/// The line rustc gets for a line the reader may see: `# x` and a bare `#` are hidden lines
/// (kept, without the mark), `##x` stands for `#x`.
fn unhide(line: &str) -> &str {
    let trimmed = line.trim_start();
    if let Some(rest) = trimmed.strip_prefix("##") {
        &line[line.len() - rest.len() - 1..]
    } else if let Some(rest) = trimmed.strip_prefix("# ") {
        rest
    } else if trimmed == "#" {
        ""
    } else {
        line
    }
}

/// The tested blocks of one expanded chapter, named `{stem}_line_{N}` after the fence's line in
/// the expanded text, and every fence whose attributes are wrong. `origins[i]` is where line
/// `i + 1` of `text` came from; `edition` is the book's.
pub fn find_blocks(
    stem: &str,
    text: &str,
    origins: &[Origin],
    edition: &str,
) -> (Vec<Block>, Vec<Problem>) {
    let mut blocks = Vec::new();
    let mut problems = Vec::new();
    for fenced in fenced_blocks(text) {
        let words: Vec<&str> = fenced
            .info
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|w| !w.is_empty())
            .collect();
        let at = origins[fenced.line].clone();
        let fence = text.split('\n').nth(fenced.line).unwrap_or("").trim();
        let problem = |message: String| Problem {
            at: at.clone(),
            directive: fence.to_owned(),
            message,
        };
        match words.first() {
            Some(&"rust") => {}
            Some(&"rs") => {
                problems.push(problem(
                    "write ```rust: a block tagged `rs` is shown as Rust but never compiled".into(),
                ));
                continue;
            }
            _ => continue,
        }
        let attributes = match parse_attributes(&words[1..]) {
            Ok(attributes) => attributes,
            Err(message) => {
                problems.push(problem(message));
                continue;
            }
        };
        let code = fenced
            .content
            .iter()
            .map(|(_, line)| format!("{}\n", unhide(line)))
            .collect();
        blocks.push(Block {
            name: format!("{stem}_line_{}", fenced.line + 1),
            at,
            kind: attributes.kind,
            codes: attributes.codes,
            edition: attributes.edition.unwrap_or_else(|| edition.to_owned()),
            deny_warnings: true,
            code,
            origins: fenced
                .content
                .iter()
                .map(|(index, _)| origins[*index].clone())
                .collect(),
        });
    }
    (blocks, problems)
}

/// A test name from a path: lowercase, every run of other characters one `_`.
pub fn test_name(path: &Path) -> String {
    let path = path
        .with_extension("")
        .to_string_lossy()
        .to_ascii_lowercase();
    path.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origins(text: &str) -> Vec<Origin> {
        (1..=text.split('\n').count())
            .map(|line| Origin {
                file: "src/c.md".into(),
                line,
            })
            .collect()
    }

    fn find(text: &str) -> (Vec<Block>, Vec<Problem>) {
        find_blocks("c", text, &origins(text), "2024")
    }

    #[test]
    fn attributes_set_kind_codes_and_edition() {
        let text = "# T\n\n```rust,compile_fail,E0277 edition2021\nfn main() {}\n```\n";
        let (blocks, problems) = find(text);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(blocks.len(), 1);
        let block = &blocks[0];
        assert_eq!(block.name, "c_line_3");
        assert_eq!(block.at.to_string(), "src/c.md:3");
        assert_eq!(block.kind, Kind::CompileFail);
        assert_eq!(block.codes, ["E0277"]);
        assert_eq!(block.edition, "2021");
        assert_eq!(block.code, "fn main() {}\n");
        assert_eq!(block.origins[0].line, 4);
    }

    #[test]
    fn unknown_and_ignore_attributes_are_problems_at_the_fence() {
        let text = "```rust,norun\nfn main() {}\n```\n\n```rust,ignore\nfn main() {}\n```\n";
        let (blocks, problems) = find(text);
        assert!(blocks.is_empty());
        assert_eq!(problems.len(), 2);
        assert_eq!(problems[0].at.line, 1);
        assert!(problems[0].message.contains("did you mean `no_run`"));
        assert_eq!(problems[1].at.line, 5);
        assert!(problems[1].message.contains("compiles every block"));
    }

    #[test]
    fn contradictory_attributes_are_problems() {
        for info in [
            "rust,no_run,should_panic",
            "rust,E0308",
            "rust,edition2018,edition2021",
            "rs",
        ] {
            let text = format!("```{info}\nfn main() {{}}\n```\n");
            let (blocks, problems) = find(&text);
            assert!(blocks.is_empty(), "{info}");
            assert_eq!(problems.len(), 1, "{info}");
        }
    }

    #[test]
    fn other_languages_are_not_tested() {
        let (blocks, problems) = find("```text\nerror\n```\n~~~sh\ncargo test\n~~~\n");
        assert!(blocks.is_empty() && problems.is_empty());
    }

    #[test]
    fn hidden_lines_are_compiled_without_their_mark() {
        let text = "```rust\n# fn main() {\n    #\n## not hidden\n    let x = 1;\n# }\n```\n";
        let (blocks, _) = find(text);
        assert_eq!(
            blocks[0].code,
            "fn main() {\n\n# not hidden\n    let x = 1;\n}\n"
        );
    }

    #[test]
    fn a_fence_in_a_list_item_is_deindented_and_a_longer_fence_nests() {
        let text = "1. Run:\n\n   ````rust\n   ```\n   fn main() {}\n   ````\n";
        let (blocks, _) = find(text);
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].code, "```\nfn main() {}\n");
    }

    #[test]
    fn a_block_survives_the_registry() {
        let dir = std::env::temp_dir().join(format!("book-proof-{}", std::process::id()));
        let (blocks, _) = find("```rust,compile_fail,E0308,E0277\nfn main() {}\n```\n");
        blocks[0].save(&dir).unwrap();
        assert_eq!(Block::load(&dir, &blocks[0].name).unwrap(), blocks[0]);
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn test_names_are_snake_case_paths() {
        assert_eq!(
            test_name(Path::new("part/CPU-bound work.md")),
            "part_cpu_bound_work"
        );
    }
}
